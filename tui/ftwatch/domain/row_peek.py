"""What one cheap look at a finished job's newest events says, for its row in the jobs list.

A finished job that was never followed shows no steps, loss or (for failed and cancelled jobs, which have no
`finished_at`) duration until it is visited, so the list looks empty on first paint. Following each one
would back-fill its whole history; one page of its newest events (`PEEK_LIMIT`) holds its last training step
in practice (real tails: the completion, the safety checks, a few checkpoints, then the last steps) and its
last event's time. Nothing is guessed: a page without a metrics event gives no step and no loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ftwatch.domain.metrics.event_points import metric_fields
from ftwatch.domain.models import JobEvent

PEEK_LIMIT = 20


@dataclass(frozen=True, slots=True)
class RowPeek:
    step: int | None = None
    total_steps: int | None = None
    last_loss: float | None = None
    last_event_at: int | None = None


def peek_events(newest_first: Iterable[JobEvent]) -> RowPeek:
    """The newest training step, its loss and the newest event's time, from a page as the API lists it."""
    step = total = last_at = None
    loss = None
    for event in newest_first:
        if last_at is None and event.created_at:
            last_at = event.created_at
        fields = metric_fields(event)
        if fields is None:
            continue
        step, total, values, _ = fields
        loss = values.get("train_loss")
        break
    return RowPeek(step=step, total_steps=total, last_loss=loss, last_event_at=last_at)
