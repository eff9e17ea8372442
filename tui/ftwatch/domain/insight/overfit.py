"""The overfitting rule: validation loss no longer follows the training loss down.

The validation points (`full_valid_loss` when it has enough points, else `valid_loss`) are split into fifths
by count; each fifth is summarised by its median (the smoothed validation level: robust to the wild single
values batch validation produces), and the training loss by its median over the same stretch of steps
(halfway to the neighbouring fifths' validation points). The
*low* is the lowest fifth before the newest one; the *newest* fifth is compared with it. Overfitting when

  A. the validation loss rose from its low: the newest fifth is >= `RISE` (10%) above the low and more than
     `Z` (3) standard errors of the two medians above it (see below), while the training loss still falls (its median
     fell >= `TRAIN_FALL` (5%) since the low, also by more than 3 standard errors); or
  B. the train/validation gap widened over the last part of training: the low is at least two fifths before
     the newest (validation has not improved for the last 40% of its points), the gap (validation minus
     training) grew by >= `GAP_WIDEN` (40%) of the validation low and by more than 3 standard errors, and
     the training loss fell >= `GAP_TRAIN_FALL` (10%) since the low, by more than 3 standard errors.

Either needs `MIN_VALID_POINTS` (5) validation points, `MIN_TRAIN_POINTS` (20) training points and at least
`AFTER_LOW` (20%) of the training steps between the low and the newest step; a newest fifth that is itself the
lowest means validation is still improving, and nothing is said.

"3 standard errors" is 3 when the noise is estimated from many points and more from few (`robust.critical`: 3.63
from 16 validation points, 3.08 from 100), since the noise estimate is itself uncertain. The 3 (not the usual 2)
pays for the selection: the low is the best of four fifths. The 10% and 40% keep a statistically certain but
small drift silent: a gap that widens a little while validation plateaus is what most multi-epoch runs do.
On 4,000 random healthy runs (flat or falling curves, up to 15% validation and 30% training noise, 5-120
validation points) no verdict fired, and of 2,000 clearly rising ones (+40-100% after the low, up to 5% noise)
none was missed (docs/health.md).
"""

from __future__ import annotations

import math
from typing import Sequence

from ftwatch.domain.insight.robust import (MAX_POINTS, blocks, critical, even_sample, median, median_se, noise_sd,
                                          span_median)
from ftwatch.domain.insight.verdict import Badge, Verdict
from ftwatch.domain.insight.wording import loss, percent

MIN_VALID_POINTS = 5
MIN_TRAIN_POINTS = 20
PARTS = 5
AFTER_LOW = 0.20
RISE = 0.10
TRAIN_FALL = 0.05
GAP_WIDEN = 0.40
GAP_TRAIN_FALL = 0.10
Z = 3.0

VALIDATION_METRICS = ("full_valid_loss", "valid_loss")
_WORDS = {"full_valid_loss": "full validation loss", "valid_loss": "validation loss"}


def validation_series(metrics):
    """(name, series) of the validation loss the rule reads: full_valid_loss when it has enough points."""
    for name in VALIDATION_METRICS:
        series = metrics.get(name)
        if series is not None and len(series) >= MIN_VALID_POINTS:
            return name, series
    return None


def overfitting(metrics, total_steps: int | None) -> Verdict | None:
    found = validation_series(metrics)
    train = metrics.get("train_loss")
    if found is None or train is None or len(train) < MIN_TRAIN_POINTS:
        return None
    name, valid = found
    vs = even_sample(valid.steps, valid.values)
    if len(vs) < MIN_VALID_POINTS:
        return None
    t_steps, t_values = train.steps, train.values
    parts = blocks(len(vs), PARTS)
    levels = [median(vs.values[a:b]) for a, b in parts]
    low = min(range(len(parts) - 1), key=levels.__getitem__)
    v_low, v_new = levels[low], levels[-1]
    if v_low <= 0 or v_new <= v_low:
        return None
    newest = max(vs.steps[-1], t_steps[-1])
    total = total_steps if total_steps and total_steps >= newest else newest
    a, b = parts[low]
    low_step = vs.steps[(a + b - 1) // 2]
    if newest - low_step < AFTER_LOW * total:
        return None
    t_low = _train_level(t_steps, t_values, vs.steps, parts, low)
    t_new = _train_level(t_steps, t_values, vs.steps, parts, len(parts) - 1)
    if t_low is None or t_new is None or t_low[0] <= 0:
        return None
    sigma_v = noise_sd(vs.values)
    sigma_t = noise_sd(even_sample(t_steps, t_values).values)
    se_v = math.hypot(median_se(sigma_v, b - a), median_se(sigma_v, parts[-1][1] - parts[-1][0]))
    se_t = math.hypot(median_se(sigma_t, t_low[1]), median_se(sigma_t, t_new[1]))
    rise, fall = v_new - v_low, t_low[0] - t_new[0]
    z_v, z_t = critical(Z, len(vs)), critical(Z, min(len(t_values), MAX_POINTS))
    words = _WORDS[name]
    if rise >= RISE * v_low and rise > z_v * se_v and fall >= TRAIN_FALL * t_low[0] and fall > z_t * se_t:
        return Verdict(Badge.OVERFITTING,
                       f"{words} {loss(v_new)}, up {percent(rise / v_low)} from its low {loss(v_low)} around step "
                       f"{low_step}, while training loss fell {percent(fall / t_low[0])}")
    widened = rise + fall
    if (low <= len(parts) - 3 and widened >= GAP_WIDEN * v_low and widened > max(z_v, z_t) * math.hypot(se_v, se_t)
            and fall >= GAP_TRAIN_FALL * t_low[0] and fall > z_t * se_t):
        return Verdict(Badge.OVERFITTING,
                       f"train/validation gap up from {loss(v_low - t_low[0])} to {loss(v_new - t_new[0])} since "
                       f"step {low_step}: {words} {loss(v_new)} (low {loss(v_low)}) while training loss fell "
                       f"{percent(fall / t_low[0])}")
    return None


def _train_level(t_steps: Sequence[int], t_values: Sequence[float], v_steps: Sequence[int],
                 parts: list[tuple[int, int]], index: int) -> tuple[float, int] | None:
    """The training loss's median over the steps of validation fifth `index`: from halfway between its first
    validation step and the one before (half a spacing before the first fifth) to halfway to the next fifth's
    (the newest fifth: to the newest step). Like is compared with like: the first fifth's training level is
    not the steep descent of the first steps, which its validation points come after."""
    a, b = parts[index]
    before = v_steps[a - 1] if a > 0 else 2 * v_steps[0] - v_steps[1]
    first = (before + v_steps[a]) / 2
    last = (v_steps[b - 1] + v_steps[b]) / 2 if index < len(parts) - 1 else math.inf
    return span_median(t_steps, t_values, first, last)
