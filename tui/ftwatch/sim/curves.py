"""Training curves that look like the real ones in ../shared/real-samples/metrics_*.csv.

Real supervised jobs start with a loss of 2-7, lose most of it within the first few percent of the steps,
then wander around a plateau with large step-to-step noise (a batch of 1-8 examples is a noisy estimate).
Token accuracy moves opposite to the loss and is a ratio of small token counts (0.75, 0.7916...), so it is
quantised here the same way. Batch validation is as noisy as training; full validation (the whole
validation set) is smooth. Everything derives from the `random.Random` handed in, so a seed fixes a curve.
"""

from __future__ import annotations

import math
import random
import struct
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StepMetrics:
    step: int
    train_loss: float
    train_mean_token_accuracy: float
    valid_loss: float | None = None
    valid_mean_token_accuracy: float | None = None
    full_valid_loss: float | None = None
    full_valid_mean_token_accuracy: float | None = None


def validation_every(total_steps: int) -> int:
    """Batch-validation cadence of real jobs: every step up to ~100 steps, every 10 in the hundreds,
    every 100 for very long jobs (1665-step sample)."""
    if total_steps <= 100:
        return 1
    if total_steps <= 1500:
        return 10
    return 100


def epoch_end_steps(total_steps: int, n_epochs: int) -> list[int]:
    """Steps at which an epoch ends (750 steps x 3 epochs -> 250, 500, 750)."""
    n_epochs = max(1, min(n_epochs, total_steps))
    return sorted({round(total_steps * k / n_epochs) for k in range(1, n_epochs + 1)})


def _float32(value: float) -> float:
    """Real train losses are float32 values widened to float64 (0.6781449317932129)."""
    return struct.unpack("f", struct.pack("f", value))[0]


class CurveModel:
    """The expected loss at a step, plus the noise model around it."""

    def __init__(self, rng: random.Random, total_steps: int) -> None:
        self.total = max(1, total_steps)
        self.start = rng.uniform(2.2, 4.6)
        self.plateau = rng.uniform(0.25, 1.2)
        self.tau = max(2.0, self.total * rng.uniform(0.02, 0.1))
        self.drift = rng.uniform(0.0, 0.35)          # slow improvement over the plateau
        self.valid_gap = rng.uniform(0.0, 0.35)      # validation sits a little above training
        self.tokens = rng.randint(24, 360)           # tokens per batch: accuracy granularity
        self._rng = rng

    def expected_loss(self, step: int) -> float:
        progress = (step - 1) / self.total
        floor = self.plateau * (1.0 - self.drift * progress)
        return floor + (self.start - floor) * math.exp(-(step - 1) / self.tau)

    def noisy(self, mean: float, sigma: float) -> float:
        return mean * math.exp(self._rng.gauss(0.0, sigma))

    def accuracy(self, loss: float, sigma: float = 0.03) -> float:
        raw = 1.0 / (1.0 + 0.45 * loss) + self._rng.gauss(0.0, sigma)
        clamped = min(1.0, max(0.0, raw))
        return round(clamped * self.tokens) / self.tokens


def generate_metrics(
    rng: random.Random, total_steps: int, n_epochs: int, validation: bool
) -> list[StepMetrics]:
    """One `StepMetrics` per step, 1..total_steps, with validation at the real cadence."""
    curve = CurveModel(rng, total_steps)
    every = validation_every(total_steps)
    epoch_ends = set(epoch_end_steps(total_steps, n_epochs))
    rows: list[StepMetrics] = []
    for step in range(1, total_steps + 1):
        mean = curve.expected_loss(step)
        train_loss = _float32(curve.noisy(mean, 0.28))
        row = StepMetrics(step, train_loss, curve.accuracy(train_loss))
        if validation and (step % every == 0 or step in epoch_ends):
            valid_loss = curve.noisy(mean * (1 + curve.valid_gap), 0.35)
            row = StepMetrics(
                step, train_loss, row.train_mean_token_accuracy,
                valid_loss, curve.accuracy(valid_loss),
            )
        if validation and step in epoch_ends:
            full = curve.noisy(mean * (1 + curve.valid_gap), 0.04)
            row = StepMetrics(
                step, train_loss, row.train_mean_token_accuracy,
                row.valid_loss, row.valid_mean_token_accuracy,
                full, curve.accuracy(full, sigma=0.005),
            )
        rows.append(row)
    return rows


def fill_missing_steps(
    rng: random.Random, total_steps: int, known: dict[int, StepMetrics]
) -> list[StepMetrics]:
    """A full 1..total run that keeps every recorded step and synthesises the rest around it.

    Recorded scenarios are often only the last 10 events; the result file must still have one row per
    step, so the gaps get a curve that ends near the recorded losses.
    """
    curve = CurveModel(rng, total_steps)
    if known:
        recorded = sorted(known.values(), key=lambda m: m.step)
        tail_mean = sum(m.train_loss for m in recorded) / len(recorded)
        curve.plateau = max(1e-4, tail_mean)
        curve.drift = 0.0
    rows = []
    for step in range(1, total_steps + 1):
        if step in known:
            rows.append(known[step])
            continue
        loss = _float32(curve.noisy(curve.expected_loss(step), 0.28))
        rows.append(StepMetrics(step, loss, curve.accuracy(loss)))
    return rows
