"""The rules that read the training loss alone: diverging, and memorising (near zero with nothing to check it).

Both read the *smoothed* training loss (the chart's EMA, never lighter than the automatic weight, see
`health.rule_weight`) computed over an even subsample of at most 1,000 points plus the newest, so a verdict
costs the same at any length.

diverging
    - a non-finite training loss (NaN or Inf) among the newest `NONFINITE_TAIL` (1,000) points; or
    - after warm-up (the first `WARMUP` (10%) of the steps, at least 10 points, are left out of the minimum),
      the smoothed loss has stayed above `1 + CLIMB` (1.5x) its running minimum for the last
      `SUSTAIN_HALF_LIVES` (3) half-lives of the smoothing (at least 5 points), by at least `CLIMB_FLOOR` (10%)
      of the starting level and by more than 3 standard errors of the smoothed line; and the median raw loss
      of those steps is 1.5x the median over as many steps around the low. A single spike cannot (the
      smoothed line forgets it by 7/8 within three half-lives), nor can a cluster of wild batches (the
      median of the typical batch did not move).
memorising
    No validation file (`job.validation_file` is None and no `valid_*` series) and the smoothed training loss
    fell below `NEAR_ZERO` (0.02) and below `NEAR_ZERO_OF_START` (5%) of its starting level (the median of its
    first points) before `BEFORE` (50%) of the total steps, and is still below twice that now. Needs
    `MIN_TRAIN_POINTS` (20) points and a known total.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from typing import Sequence

from ftwatch.domain.insight.robust import Sample, even_sample, median, noise_sd, span_median
from ftwatch.domain.insight.verdict import Badge, Verdict
from ftwatch.domain.insight.wording import loss, percent, steps as step_count
from ftwatch.domain.metrics.smoothing import half_life, smooth

MIN_TRAIN_POINTS = 20
NONFINITE_TAIL = 1000
WARMUP = 0.10
WARMUP_POINTS = 10
CLIMB = 0.50
CLIMB_FLOOR = 0.10
SUSTAIN_HALF_LIVES = 3.0
SUSTAIN_POINTS = 5
Z = 3.0
NEAR_ZERO = 0.02
NEAR_ZERO_OF_START = 0.05
BEFORE = 0.50
START_POINTS = 5


def smoothed_sample(raw: Sample, weight: float) -> Sample:
    """The smoothed line over an even subsample: the gap-aware EMA counts the skipped steps as if seen, so with
    the automatic weight (half-life total/50 steps, the subsample's stride total/1,000) each half-life still
    averages ~20 points. Smoothing the whole series instead would cost O(length) the first time."""
    return Sample(raw.steps, smooth(raw.steps, raw.values, weight))


def start_level(raw: Sample) -> float:
    """The loss before training moved it: the median of the first few points of the (sub)sampled raw series."""
    return median(raw.values[:START_POINTS])


def nonfinite(series) -> Verdict | None:
    values, steps = series.values, series.steps
    n = min(len(values), len(steps))
    start = max(0, n - NONFINITE_TAIL)
    tail = values[start:n]
    if math.isfinite(sum(tail)):
        return None
    for i in range(len(tail) - 1, -1, -1):
        if not math.isfinite(tail[i]):
            return Verdict(Badge.DIVERGING, f"training loss is {tail[i]} at step {steps[start + i]}")
    return None                              # the sum overflowed; every value is finite


def diverging(metrics, total_steps: int | None, weight: float) -> Verdict | None:
    train = metrics.get("train_loss")
    if train is None or not len(train):
        return None
    bad = nonfinite(train)
    if bad is not None or len(train) < MIN_TRAIN_POINTS:
        return bad
    raw = even_sample(train.steps, train.values)
    line = smoothed_sample(raw, weight)
    if len(line) < MIN_TRAIN_POINTS:
        return None
    xs, ys = line.steps, line.values
    first, newest = xs[0], xs[-1]
    total = total_steps if total_steps and total_steps >= newest else newest
    warm = max(WARMUP_POINTS, _index_at(xs, first + WARMUP * (total - first)))
    window = min(len(xs) - SUSTAIN_POINTS, _index_at(xs, newest - SUSTAIN_HALF_LIVES * half_life(weight)))
    if window <= warm:
        return None
    low_at = min(range(warm, window), key=ys.__getitem__)
    low, held = ys[low_at], min(ys[window:])
    sigma = noise_sd(raw.values) * math.sqrt((1 - weight) / (1 + weight))
    climb = held - low
    if not (low > 0 and held >= (1 + CLIMB) * low and climb >= CLIMB_FLOOR * start_level(raw)
            and climb > Z * sigma * 2**0.5):
        return None
    span = newest - xs[window]
    recent = span_median(train.steps, train.values, xs[window], newest)
    around_low = span_median(train.steps, train.values, xs[low_at] - span / 2, xs[low_at] + span / 2)
    if recent is None or around_low is None or not recent[0] >= (1 + CLIMB) * around_low[0]:
        return None                          # a few wild batches lifted the mean, not the typical batch
    return Verdict(Badge.DIVERGING,
                   f"smoothed training loss {loss(ys[-1])}, up {percent(ys[-1] / low - 1)} from its low "
                   f"{loss(low)} at step {xs[low_at]}, held {1 + CLIMB:g}x above it for the last {step_count(span)}")


def memorising(job, metrics, total_steps: int | None, weight: float) -> Verdict | None:
    if job.validation_file is not None or _has_validation(metrics) or not total_steps:
        return None
    train = metrics.get("train_loss")
    if train is None or len(train) < MIN_TRAIN_POINTS:
        return None
    raw = even_sample(train.steps, train.values)
    line = smoothed_sample(raw, weight)
    if len(raw) < MIN_TRAIN_POINTS:
        return None
    threshold = min(NEAR_ZERO, NEAR_ZERO_OF_START * start_level(raw))
    xs, ys = line.steps, line.values
    reached = next((i for i in range(START_POINTS, len(ys)) if ys[i] < threshold), None)
    if reached is None or xs[reached] > BEFORE * total_steps or not ys[-1] < 2 * threshold:
        return None
    return Verdict(Badge.MEMORISING,
                   f"smoothed training loss {loss(ys[-1])}, below {loss(threshold)} since step {xs[reached]} of "
                   f"{total_steps} ({percent(xs[reached] / total_steps)} of the way), with no validation file to "
                   f"check it")


def _has_validation(metrics) -> bool:
    return any(name.startswith(("valid_", "full_valid_")) and len(metrics.get(name) or ()) > 0
               for name in metrics.names())


def _index_at(steps: Sequence[int], step: float) -> int:
    """The first index whose step is >= `step` (len when none)."""
    return bisect_left(steps, step)
