"""Which health verdicts a job's row shows: its snapshot's, or those of a newer cheap look at the job.

A followed job's snapshot carries its verdicts (the tracker runs `health.assess` on everything it has). A job
the monitor does not follow is judged from one cheap look instead (`row_looks`): a finished job from its result
file, for the rules that read the curves; a running one from its newest events, for `stalled` only. A look
can be newer or older than the job's last snapshot (a job once selected, then left behind): each badge comes
from the newer source that judges it, so a stale snapshot never hides a fresh look, and a look that judges
only `stalled` never drops the snapshot's `overfitting`.

Kept apart from `row_looks` (which needs the tracker): the monitor's state imports this before the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ftwatch.domain.insight.verdict import Badge, Verdict

ORDER = (Badge.DIVERGING, Badge.OVERFITTING, Badge.MEMORISING, Badge.STALLED)     # as `assess` lists them
CURVE_BADGES = frozenset({Badge.DIVERGING, Badge.OVERFITTING, Badge.MEMORISING})  # what a result file judges
STALL_BADGES = frozenset({Badge.STALLED})                                         # what a newest page judges


@dataclass(frozen=True, slots=True)
class RowLook:
    """What one cheap look said: its verdicts, when it was taken, and which badges it could judge at all."""

    health: tuple[Verdict, ...]
    taken_at: float
    judges: frozenset[Badge]


def row_health(snapshot_health: Iterable[Verdict], snapshot_taken_at: float | None,
               look: RowLook | None) -> tuple[Verdict, ...]:
    """The verdicts a row shows: the snapshot's, except the badges a newer look judged (taken from the look)."""
    kept = tuple(snapshot_health)
    if look is None or (snapshot_taken_at is not None and snapshot_taken_at >= look.taken_at):
        return kept
    merged = [v for v in kept if v.badge not in look.judges] + [v for v in look.health if v.badge in look.judges]
    return tuple(sorted(merged, key=lambda v: ORDER.index(v.badge)))
