"""Is the loss still going down? A least-squares verdict on the recent raw values.

Batch losses are so noisy that the eye cannot tell a slow improvement from a plateau. We fit a straight line
to the last 20% of the steps (at least 20 points; fewer points overall -> `unknown`) and judge its slope:

  * the slope must differ from zero by more than 2 standard errors (about 95% confidence that the line
    really tilts, not just noise), and
  * the change it implies across the window (slope * window width) must be at least 1% of the window's
    mean level, so a statistically certain but practically nil drift on a long job still reads `flat`.

Negative slope -> `improving`, positive -> `worsening`, otherwise `flat`. The fit uses raw values, not the
smoothed line, whose points are correlated and would make the standard error look far too small. On very
long windows an even subsample of at most 1,000 points is fitted, so a verdict costs the same at any length
(the slope stays unbiased; the standard error only grows, so the verdict only gets more cautious).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from operator import mul
from typing import Sequence

from ftwatch.domain.snapshot import Trend

MIN_POINTS = 20
WINDOW_FRACTION = 0.2
SIGNIFICANCE = 2.0
MIN_RELATIVE_CHANGE = 0.01
MAX_FIT_POINTS = 1000


def trend(steps: Sequence[int], values: Sequence[float]) -> Trend:
    n = min(len(steps), len(values))
    if n < MIN_POINTS:
        return Trend.UNKNOWN
    first, last = steps[0], steps[n - 1]
    start = min(bisect_left(steps, last - WINDOW_FRACTION * (last - first), 0, n), n - MIN_POINTS)
    stride = max(1, math.ceil((n - start) / MAX_FIT_POINTS))
    xs, ys = steps[start:n:stride], values[start:n:stride]
    if not all(map(math.isfinite, ys)):
        pairs = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y)]
        xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    fit = _least_squares(xs, ys)
    if fit is None:
        return Trend.UNKNOWN
    slope, std_error, mean_level, width = fit
    significant = abs(slope) > SIGNIFICANCE * std_error
    material = abs(slope * width) >= MIN_RELATIVE_CHANGE * abs(mean_level)
    if not (significant and material):
        return Trend.FLAT
    return Trend.IMPROVING if slope < 0 else Trend.WORSENING


def _least_squares(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float, float] | None:
    """(slope, its standard error, mean y, x width), or None when the fit is undefined.

    Sums run in C (`map` over `operator.mul`) on x shifted to start at 0 and y shifted by its first value,
    which keeps the textbook one-pass formulas well conditioned for steps in the millions.
    """
    m = len(xs)
    if m < 3:
        return None
    x0, y0 = xs[0], ys[0]
    dx = [x - x0 for x in xs]
    dy = [y - y0 for y in ys]
    sum_x, sum_y = sum(dx), sum(dy)
    mean_x, mean_y = sum_x / m, sum_y / m
    sxx = sum(map(mul, dx, dx)) - sum_x * mean_x
    if sxx <= 0.0:
        return None
    sxy = sum(map(mul, dx, dy)) - sum_x * mean_y
    syy = sum(map(mul, dy, dy)) - sum_y * mean_y
    slope = sxy / sxx
    residual = max(0.0, syy - slope * sxy)
    std_error = math.sqrt(residual / (m - 2) / sxx)
    if not (math.isfinite(slope) and math.isfinite(std_error)):
        return None
    return slope, std_error, mean_y + y0, dx[-1]
