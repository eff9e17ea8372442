"""Training curves that look like the real ones in ../shared/real-samples/metrics_*.csv.

Real supervised jobs start with a loss of 2-7, lose most of it within the first few percent of the steps,
then wander around a plateau with large step-to-step noise (a batch of 1-8 examples is a noisy estimate).
Token accuracy moves opposite to the loss and is a ratio of small token counts (0.75, 0.7916...), so it is
quantised here the same way. Batch validation is as noisy as training; full validation (the whole
validation set) is smooth. Everything derives from the `random.Random` handed in, so a seed fixes a curve.

Two shapes (`CURVES`): a healthy run, whose validation loss follows the training loss a little above it, and
an overfitting one, like the real 1,665-step patent job in real-samples (validation 0.52 -> 0.94 while the
training loss halves): training keeps falling to the end, validation bottoms out a fifth to a third of the way
in and then climbs to 1.7-2.0 times its minimum, so the first epoch's checkpoint is the one to use.
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


CURVES = ("healthy", "overfitting")


class CurveModel:
    """The expected loss at a step, plus the noise model around it: a healthy run."""

    valid_sigma = 0.35          # batch validation: a few examples, as noisy as training

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

    def expected_valid_loss(self, step: int) -> float:
        return self.expected_loss(step) * (1 + self.valid_gap)

    def noisy(self, mean: float, sigma: float) -> float:
        return mean * math.exp(self._rng.gauss(0.0, sigma))

    def accuracy(self, loss: float, sigma: float = 0.03) -> float:
        raw = 1.0 / (1.0 + 0.45 * loss) + self._rng.gauss(0.0, sigma)
        clamped = min(1.0, max(0.0, raw))
        return round(clamped * self.tokens) / self.tokens


class OverfittingCurve(CurveModel):
    """Training loss falls to the end (a steep drift: the model learns the training set by heart) while the
    validation loss reaches its minimum at `turn` (0.2-0.3 of the steps) and then climbs steadily to
    `1 + rise` (1.7-2.0) times that minimum. Its batch validation noise lies between the real patent job's
    (a log-sigma of ~0.06: it validated on a larger batch) and the healthy default, so the climb is what the
    eye sees."""

    valid_sigma = 0.15

    def __init__(self, rng: random.Random, total_steps: int) -> None:
        super().__init__(rng, total_steps)
        self.drift = rng.uniform(0.55, 0.7)
        self.tau = max(2.0, self.total * rng.uniform(0.02, 0.05))
        self.turn = rng.uniform(0.2, 0.3)
        self.rise = rng.uniform(0.7, 1.0)

    def expected_valid_loss(self, step: int) -> float:
        progress = (step - 1) / self.total
        floor = self.plateau * (1 + self.valid_gap)         # no drift: what it learns does not generalise
        falling = floor + (self.start * (1 + self.valid_gap) - floor) * math.exp(-(step - 1) / self.tau)
        return falling + floor * self.rise * max(0.0, progress - self.turn) / (1.0 - self.turn)


def curve_model(rng: random.Random, total_steps: int, shape: str = "healthy") -> CurveModel:
    if shape not in CURVES:
        raise ValueError(f"curve must be one of {', '.join(CURVES)}, not {shape!r}")
    return OverfittingCurve(rng, total_steps) if shape == "overfitting" else CurveModel(rng, total_steps)


def generate_metrics(
    rng: random.Random, total_steps: int, n_epochs: int, validation: bool, shape: str = "healthy"
) -> list[StepMetrics]:
    """One `StepMetrics` per step, 1..total_steps, with validation at the real cadence; `shape` is one of `CURVES`."""
    model = curve_model(rng, total_steps, shape)
    every = validation_every(total_steps)
    epoch_ends = set(epoch_end_steps(total_steps, n_epochs))
    rows: list[StepMetrics] = []
    for step in range(1, total_steps + 1):
        train_loss = _float32(model.noisy(model.expected_loss(step), 0.28))
        row = StepMetrics(step, train_loss, model.accuracy(train_loss))
        if validation and (step % every == 0 or step in epoch_ends):
            valid_loss = model.noisy(model.expected_valid_loss(step), model.valid_sigma)
            row = StepMetrics(
                step, train_loss, row.train_mean_token_accuracy,
                valid_loss, model.accuracy(valid_loss),
            )
        if validation and step in epoch_ends:
            full = model.noisy(model.expected_valid_loss(step), 0.04)
            row = StepMetrics(
                step, train_loss, row.train_mean_token_accuracy,
                row.valid_loss, row.valid_mean_token_accuracy,
                full, model.accuracy(full, sigma=0.005),
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
