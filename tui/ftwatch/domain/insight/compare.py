"""Several runs on one axis, and the numbers that tell them apart: pure maths for the compare view (`v`).

"Is this run better than my last one?" is asked of runs that rarely have the same length: a 200-step run
and a 750-step one only line up by *fraction of training* (step / the run's total steps), where the end of
training is 1.0 for both. By step, the axis is the longest run's length and the shorter runs end early.
Either way the values are the same: only the x coordinates change, so switching axes never redraws a
different curve.

A run's length is its `total_steps` when the job reports it (every metrics event and the result file do),
else the last step seen (a job that never said its total); a fraction is clamped to [0, 1], so a hostile
step beyond the total, or a negative one, stays on the axis.

The totals are read off the *smoothed* series the chart draws (the raw batch loss is too noisy for "best"
to mean anything): the final value (smoothed at the last step) and the best (lowest finite smoothed value,
with the first step it was reached at).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable, Protocol, Sequence


class Axis(StrEnum):
    STEP = "step"
    FRACTION = "fraction"

    @property
    def label(self) -> str:
        """What the x axis is called on screen."""
        return "step" if self is Axis.STEP else "fraction of training"

    def other(self) -> Axis:
        return Axis.FRACTION if self is Axis.STEP else Axis.STEP


def run_length(total_steps: int | None, last_step: int | None) -> int | None:
    """The steps a run is measured against: its total when known (> 0), else its last step (> 0), else None."""
    for steps in (total_steps, last_step):
        if isinstance(steps, int) and not isinstance(steps, bool) and steps > 0:
            return steps
    return None


def to_axis(steps: Sequence[float], length: int | None, axis: Axis) -> list[float]:
    """The x coordinates of `steps` (in step order) on `axis`: the steps themselves, or step / length clamped
    to [0, 1]. Without a length the run's own last step is its end (a run alone still reaches 1.0)."""
    if axis is Axis.STEP:
        return [float(step) for step in steps]
    end = float(length) if length else max((float(s) for s in steps if math.isfinite(s)), default=0.0)
    if end <= 0:
        return [0.0 for _ in steps]
    return [min(1.0, max(0.0, s / end)) if math.isfinite(s) else 0.0 for s in steps]


def axis_end(axis: Axis, lengths: Iterable[int | None]) -> float:
    """Where the x axis ends: 1.0 by fraction; by step, the longest run (at least 1)."""
    if axis is Axis.FRACTION:
        return 1.0
    return float(max([1, *(n for n in lengths if n)]))


def sample_range(axis: Axis, length: int | None, end: float) -> tuple[float, float] | None:
    """The steps one run is reduced over before it is put on the axis, so its columns land where the axis's
    columns are: the whole axis (0 .. end) by step, the run's own length by fraction (None: its own extent)."""
    if axis is Axis.STEP:
        return (0.0, float(end))
    return (0.0, float(length)) if length else None


class Reducible(Protocol):
    """A series that reduces itself to a width (`metrics.series.SeriesSnapshot`)."""

    def __len__(self) -> int: ...
    def downsample(self, width: int, x_range: tuple[float, float] | None = None) -> tuple[list[float], list[float]]: ...


def place(series: Reducible, length: int | None, axis: Axis, columns: int,
          end: float) -> tuple[list[float], list[float]]:
    """One run ready to draw: reduced to `columns` (min/max per column, over `sample_range`) and its steps put
    on `axis`. The values are the reduced series' own, whichever the axis."""
    if not len(series):
        return [], []
    steps, values = series.downsample(columns, sample_range(axis, length, end))
    return to_axis(steps, length, axis), list(values)


@dataclass(frozen=True, slots=True)
class RunTotals:
    final: float | None          # the smoothed value at the run's last step (NaN shown as it is: honest)
    final_step: int | None
    best: float | None           # the lowest finite smoothed value
    best_step: int | None        # the first step it was reached at
    points: int


NO_TOTALS = RunTotals(final=None, final_step=None, best=None, best_step=None, points=0)


def run_totals(steps: Sequence[int], smoothed: Sequence[float]) -> RunTotals:
    """Final and best of one run's smoothed series (steps in order, one value each)."""
    count = min(len(steps), len(smoothed))
    if not count:
        return NO_TOTALS
    best = best_step = None
    for step, value in zip(steps, smoothed):
        if math.isfinite(value) and (best is None or value < best):
            best, best_step = value, step
    return RunTotals(final=float(smoothed[count - 1]), final_step=int(steps[count - 1]), best=best,
                     best_step=None if best_step is None else int(best_step), points=count)
