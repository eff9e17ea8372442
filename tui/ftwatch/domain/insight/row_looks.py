"""Judging a job the monitor does not follow from the one cheap look it gets, by the very rules a followed
job is judged by (the same tracker runs `health.assess`: no second copy of a threshold anywhere).

The jobs list shows every job, and a new user should see which one overfits or stalled without visiting each:

- a finished job: its result file (one request; every step's metrics; it never changes, so it is read once)
  is judged for the rules that read the curves (overfitting, diverging, memorising). Stalled is about a
  running job, so a finished one is not judged for it;
- a running job beyond the followed ones: its newest page of events (`row_peek.PEEK_LIMIT`), read again at the
  jobs-list cadence, is judged for `stalled` only, which needs just the newest events' times and cadence. The
  curve rules are not judged from it: twenty steps of the end of a curve would be read as the whole curve.

`row_health` says how a look and a snapshot of the same job combine.
"""

from __future__ import annotations

from typing import Sequence

from ftwatch.domain.insight.row_health import CURVE_BADGES, STALL_BADGES, RowLook
from ftwatch.domain.insight.verdict import Badge
from ftwatch.domain.metrics.result_file import parse_result_csv
from ftwatch.domain.models import Job, JobEvent
from ftwatch.domain.snapshot import Connection, JobSnapshot, LinkState
from ftwatch.domain.tracker import JobTracker


def judge_result_file(job: Job, content: bytes | str, now: float) -> RowLook:
    """A finished job judged from its result file (base64 or decoded CSV, as the Files API serves it).

    Raises `ResultFileError` (a ValueError) when the content is no result file."""
    tracker = JobTracker(job)
    tracker.add_result_points(parse_result_csv(content))
    return _look(_fresh_snapshot(tracker, now), now, CURVE_BADGES)


def judge_newest_page(job: Job, newest_first: Sequence[JobEvent], now: float) -> RowLook:
    """A running job judged for `stalled` from one page of its newest events (as the API lists them)."""
    return _look(page_snapshot(job, newest_first, now), now, STALL_BADGES)


def page_snapshot(job: Job, newest_first: Sequence[JobEvent], now: float,
                  smoothing: float | None = None) -> JobSnapshot:
    """The job as one page of its newest events shows it (`ftwatch jobs` and `status` read rows the same way).
    The page was just read, so the connection is fine: a silence it shows is the job's own."""
    tracker = JobTracker(job, smoothing=smoothing)
    if len(newest_first):
        tracker.merge(newest_first)
    return _fresh_snapshot(tracker, now)


def _fresh_snapshot(tracker: JobTracker, now: float) -> JobSnapshot:
    return tracker.snapshot(connection=Connection(LinkState.OK, last_success=now), now=now)


def _look(snapshot: JobSnapshot, now: float, judges: frozenset[Badge]) -> RowLook:
    return RowLook(tuple(v for v in snapshot.health if v.badge in judges), now, judges)
