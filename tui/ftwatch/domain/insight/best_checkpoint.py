"""Which checkpoint to use: OpenAI keeps one per epoch (the last three), and the final one is not always best.

The rules, tried in order; the first that gives *every* checkpoint a finite value chooses (a rule that judges
only some of them would pick from a subset and call it the best):

    full_valid_loss          the checkpoints' own full validation loss (the whole validation file: no noise)
    valid_loss (smoothed)    the job's valid_loss series, smoothed as the chart draws it (never lighter than the
                             automatic weight), at the checkpoint's step or the nearest point before it: batch
                             validation is a few examples, too noisy to compare one step's value
    valid_loss               the checkpoints' own valid_loss, when the job's series is not at hand
    train_loss (smoothed)    no validation at all: the smoothed train_loss series at the step
    train_loss               the checkpoints' own train_loss, when no series is at hand
    newest                   nothing to compare them by: the newest checkpoint, value None

Lowest wins; a tie goes to the *later* step, so a tie never moves a user off the later model (the newest
checkpoint carries the final model's plain name) without a reason.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ftwatch.domain.format import metric_value
from ftwatch.domain.insight.health import rule_weight
from ftwatch.domain.metrics.smoothing import smooth
from ftwatch.domain.models import Checkpoint
from ftwatch.domain.snapshot import MetricsView

RULES = ("full_valid_loss", "valid_loss (smoothed)", "valid_loss", "train_loss (smoothed)", "train_loss", "newest")


@dataclass(frozen=True)
class BestCheckpoint:
    checkpoint: Checkpoint
    rule: str                  # one of RULES
    value: float | None        # what the rule compared (None for "newest")

    def explain(self) -> str:
        """'lowest full_valid_loss (0.412 at step 300)', 'lowest valid_loss, smoothed (0.610 at step 200)'."""
        step = self.checkpoint.step_number
        if self.value is None:
            return f"the newest checkpoint (step {step}: no loss to compare them by)"
        metric, smoothed = self.rule.removesuffix(" (smoothed)"), self.rule.endswith("(smoothed)")
        return f"lowest {metric}{', smoothed' if smoothed else ''} ({metric_value(self.value)} at step {step})"

    def as_json(self) -> dict[str, Any]:
        return {"fine_tuned_model_checkpoint": self.checkpoint.fine_tuned_model_checkpoint,
                "step": self.checkpoint.step_number, "rule": self.rule, "metrics": dict(self.checkpoint.metrics)}


def best_checkpoint(checkpoints: Sequence[Checkpoint], metrics: MetricsView | None,
                    smoothing: float) -> BestCheckpoint | None:
    """The checkpoint to use and the rule that chose it; None when there are no checkpoints."""
    if not checkpoints:
        return None
    total = metrics.total_steps if metrics is not None else None
    weight = rule_weight(smoothing, total)
    rules: list[tuple[str, Callable[[], Callable[[Checkpoint], float | None] | None]]] = [
        ("full_valid_loss", lambda: _own("full_valid_loss")),
        ("valid_loss (smoothed)", lambda: _series_reader(metrics, "valid_loss", weight)),
        ("valid_loss", lambda: _own("valid_loss")),
        ("train_loss (smoothed)", lambda: _series_reader(metrics, "train_loss", weight)),
        ("train_loss", lambda: _own("train_loss")),
    ]
    for rule, reader in rules:          # a series is smoothed only when the rules before it could not choose
        read = reader()
        if read is None:
            continue
        values = [read(c) for c in checkpoints]
        if all(v is not None and math.isfinite(v) for v in values):
            value, _, chosen = min(zip(values, (-c.step_number for c in checkpoints), checkpoints),
                                   key=lambda item: (item[0], item[1]))
            return BestCheckpoint(chosen, rule, value)
    newest = max(checkpoints, key=lambda c: (c.step_number, c.created_at))
    return BestCheckpoint(newest, "newest", None)


def _own(name: str) -> Callable[[Checkpoint], float | None]:
    def read(checkpoint: Checkpoint) -> float | None:
        value = checkpoint.metrics.get(name) if hasattr(checkpoint.metrics, "get") else None
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    return read


def _series_reader(metrics: MetricsView | None, name: str, weight: float) -> Callable[[Checkpoint], float | None] | None:
    """A reader of the smoothed series at a checkpoint's step (or the nearest point before it), or None when
    the job has no such series."""
    series = metrics.get(name) if metrics is not None else None
    if series is None or not len(series):
        return None
    if hasattr(series, "smoothed"):              # a snapshot's view: its cached smoothing, shared with the chart
        line = series.smoothed(weight)
        steps, values = line.steps, line.values
    else:
        steps = list(series.steps)
        values = smooth(steps, list(series.values), weight)

    def read(checkpoint: Checkpoint) -> float | None:
        i = bisect_right(steps, checkpoint.step_number)
        return float(values[i - 1]) if i else None
    return read
