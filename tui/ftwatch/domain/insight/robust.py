"""Robust statistics for noisy loss curves: what the health rules measure with, at a cost independent of length.

Batch losses are noisy and sometimes wild (a real result file in the samples has a validation loss of ~10
every eleventh step between values near 1.3), so the rules compare *medians* of blocks of points, never
single points or means, and estimate the noise from the median of second differences, which a smooth trend
(a falling or rising curve) does not inflate and a few spikes cannot move:

    sigma = 1.4826 * median(|y[i+1] - 2*y[i] + y[i-1]|) / sqrt(6)

(for white noise of standard deviation s, a second difference has standard deviation s*sqrt(6), and 1.4826
turns a median absolute value into a standard deviation). The median of k points then has a standard error
of about 1.2533 * sigma / sqrt(k), and a difference is "beyond noise" past `critical(z, n)` standard errors:
z itself when sigma comes from many points, more when from few (as Student's t widens the normal's z).

Long series are read through an even subsample of at most `MAX_POINTS` points (always including the newest),
so a verdict on a 100,000-step job costs what one on a 1,000-step job does; subsampling keeps medians
unbiased and only widens their standard errors, so a verdict only gets more cautious.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from statistics import median
from typing import Sequence

__all__ = ["MAX_POINTS", "Sample", "blocks", "critical", "even_sample", "median", "median_se", "noise_sd",
           "span_median"]

MAX_POINTS = 1000
_MAD_TO_SD = 1.4826
_SECOND_DIFF_SD = math.sqrt(6.0)
_MEDIAN_EFFICIENCY = 1.2533      # sqrt(pi / 2): the median's standard error over the mean's, for normal noise


class Sample:
    """Finite (step, value) points of one series, at most `limit` of them, evenly spread, newest included."""

    __slots__ = ("steps", "values")

    def __init__(self, steps: list[int], values: list[float]) -> None:
        self.steps = steps
        self.values = values

    def __len__(self) -> int:
        return len(self.values)


def even_sample(steps: Sequence[int], values: Sequence[float], limit: int = MAX_POINTS,
                start: int = 0, stop: int | None = None) -> Sample:
    """Points [start, stop) of a series, strided down to at most `limit` (plus the newest), finite ones only."""
    stop = min(len(steps), len(values)) if stop is None else stop
    count = stop - start
    if count <= 0:
        return Sample([], [])
    stride = max(1, math.ceil(count / limit))
    xs = list(steps[start:stop:stride])
    ys = list(values[start:stop:stride])
    if (count - 1) % stride:                    # the newest point is what a verdict is about: always read it
        xs.append(steps[stop - 1])
        ys.append(values[stop - 1])
    if not all(map(math.isfinite, ys)):
        pairs = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y)]
        xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    return Sample(xs, ys)


def noise_sd(values: Sequence[float]) -> float:
    """The noise's standard deviation from second differences (0.0 with fewer than three points)."""
    if len(values) < 3:
        return 0.0
    seconds = [abs(values[i + 1] - 2.0 * values[i] + values[i - 1]) for i in range(1, len(values) - 1)]
    return _MAD_TO_SD * median(seconds) / _SECOND_DIFF_SD


def critical(z: float, noise_points: int) -> float:
    """`z` widened for a noise estimated from few points: Student's t quantile for as many degrees of freedom as
    the second differences used (the Cornish-Fisher expansion; 3.0 becomes 3.63 at 14, 3.08 at 100)."""
    nu = max(1.0, float(noise_points - 2))
    return z + (z**3 + z) / (4 * nu) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * nu**2)


def median_se(sigma: float, count: int) -> float:
    """The standard error of the median of `count` points with noise `sigma`."""
    return _MEDIAN_EFFICIENCY * sigma / math.sqrt(max(1, count))


def blocks(count: int, parts: int) -> list[tuple[int, int]]:
    """[start, stop) of `parts` consecutive blocks of `count` points, as equal as can be (the later ones get
    the remainder, so the newest block is never the smallest). Fewer blocks when there are fewer points."""
    parts = max(1, min(parts, count))
    edges = [(count * i) // parts for i in range(parts + 1)]
    return [(edges[i], edges[i + 1]) for i in range(parts)]


def span_median(steps: Sequence[int], values: Sequence[float], first: float, last: float,
                limit: int = MAX_POINTS // 5) -> tuple[float, int] | None:
    """(median, points used) of the finite values whose step is in [first, last], strided to about `limit`."""
    lo = bisect_left(steps, first)
    hi = bisect_right(steps, last)
    sample = even_sample(steps, values, limit, lo, hi)
    if not len(sample):
        return None
    return median(sample.values), len(sample)
