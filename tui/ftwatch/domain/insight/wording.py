"""How a health verdict's reason writes its numbers: losses to the digits that matter, whole percentages.

A reason is read at a glance in a header line, so it names the numbers a user can check against the chart
and the result file ("validation loss 0.94, up 35% from its low 0.67 around step 200"), never more digits
than the noise allows.
"""

from __future__ import annotations

import math


def loss(value: float) -> str:
    """0.94, 0.012, 3.2e-05: two decimals down to 0.1, then three significant digits."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 0.095 or value == 0:
        return f"{value:.2f}"
    if abs(value) >= 0.001:
        return f"{value:.3f}"
    return f"{value:.1e}"


def percent(fraction: float) -> str:
    """0.354 -> '35%' (whole percent; never '0%' for a change that is there; '>999%' past that, or for a
    change from or to an overflowing value)."""
    if not math.isfinite(fraction) or fraction > 9.99:
        return ">999%" if not fraction < 0 else "-100%"
    value = round(100 * fraction)
    return f"{max(value, 1) if fraction > 0 else value}%"


def steps(count: float) -> str:
    """'1 step', '60 steps'."""
    whole = int(round(count))
    return "1 step" if whole == 1 else f"{whole:,} steps"
