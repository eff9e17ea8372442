"""The debiased, gap-aware EMA that turns noisy batch losses into a readable line.

Exactly issue 3's formula. For points in step order with weight w in [0, 1):

    gap = step - previous step   (1 for the first point, and 1 if <= 0)
    a = w ** gap;  m = a*m + (1-a)*y;  n = a*n + (1-a);  smoothed = m / n

On consecutive steps this is TensorBoard's debiased EMA (the `n` term removes the pull towards 0 at the
start). Raising w to the gap makes it independent of how often the points were sampled: when polling or
an old job skips steps, the missing steps decay the memory as if they had been seen, instead of each
sampled point counting as one step. Non-finite y pass through unchanged and leave the state alone, so one
NaN does not poison the rest of the line. w = 0 is the raw series.
"""

from __future__ import annotations

import math
from typing import Iterable


class Ema:
    """The incremental form: O(1) per new point, so a live series never recomputes its history."""

    __slots__ = ("weight", "_m", "_n", "_prev")

    def __init__(self, weight: float) -> None:
        if not 0.0 <= weight < 1.0:
            raise ValueError(f"smoothing weight must be in [0, 1), got {weight!r}")
        self.weight = weight
        self._m = 0.0
        self._n = 0.0
        self._prev: int | None = None

    def update(self, step: int, y: float) -> float:
        if not math.isfinite(y):
            return y
        gap = 1 if self._prev is None else step - self._prev
        if gap <= 0:
            gap = 1
        self._prev = step
        a = self.weight**gap
        self._m = a * self._m + (1.0 - a) * y
        self._n = a * self._n + (1.0 - a)
        return self._m / self._n


def smooth(steps: Iterable[int], values: Iterable[float], weight: float) -> list[float]:
    ema = Ema(weight)
    update = ema.update
    return [update(step, y) for step, y in zip(steps, values)]


def auto_weight(total_steps: int | None) -> float:
    """w = 0.5 ** (1/h) with half-life h = max(5, total_steps / 50): about 50 half-lives per job, whatever its length."""
    half = max(5.0, (total_steps or 0) / 50.0)
    return 0.5 ** (1.0 / half)


def half_life(weight: float) -> float:
    """Steps after which a point's influence has halved: what the UI shows next to the weight."""
    if weight <= 0.0:
        return 0.0
    return math.log(0.5) / math.log(weight)


MAX_HALF_LIFE = 10_000.0          # steps: `]` stops doubling here


def weight_for(smoothing: float | None, total_steps: int | None) -> float:
    """The weight in use: the user's choice, or (None) the automatic one for the job's length."""
    return auto_weight(total_steps) if smoothing is None else smoothing


def next_weight(weight: float, stronger: bool) -> float:
    """`]` doubles the half-life, `[` halves it; below one step it becomes raw (0). The longest half-life is
    `MAX_HALF_LIFE` steps, so the weight stays below 1 (the range `--smoothing` accepts)."""
    if stronger:
        half = 1.0 if weight <= 0 else min(MAX_HALF_LIFE, round(half_life(weight), 6) * 2)
        return 0.5 ** (1.0 / half)
    if weight <= 0:
        return 0.0
    half = round(half_life(weight), 6) / 2      # rounded: 8 -> 4 -> 2 -> 1 must not drift below 1
    return 0.0 if half < 1.0 else 0.5 ** (1.0 / half)
