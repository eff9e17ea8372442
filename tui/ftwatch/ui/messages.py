"""Messages the monitor's workers post to the screen: each carries immutable domain values, nothing live.

Workers never touch widgets; they post one of these and the screen's handlers set attributes on the widgets
(messages up, attributes down). A snapshot is frozen, so it can cross from the worker to the UI safely.
The screen posts them to itself and is their only reader: they do not bubble on to the app (one dispatch
less at every poll).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ftwatch.domain.insight.row_health import RowLook
from ftwatch.domain.models import Job
from ftwatch.domain.row_peek import RowPeek
from ftwatch.domain.snapshot import JobSnapshot, JobsSnapshot
from ftwatch.errors import FtwatchError
from ftwatch.source.base import JobSource


@dataclass
class SourceReady(Message, bubble=False):
    """The data source exists (the SDK or the simulator loaded after the first paint)."""

    description: str
    source: JobSource


@dataclass
class SourceUnavailable(Message, bubble=False):
    """Creating the source failed (missing key, bad URL): polling cannot start."""

    error: FtwatchError


@dataclass
class JobsRefreshed(Message, bubble=False):
    snapshot: JobsSnapshot


@dataclass
class JobUpdated(Message, bubble=False):
    snapshot: JobSnapshot


@dataclass
class JobActionAnswered(Message, bubble=False):
    """The server's answer to cancel / pause / resume: the job as it came back, or the error that stopped it."""

    verb: str                    # "cancel", "pause" or "resume"
    job_id: str
    job: Job | None = None
    error: FtwatchError | None = None


@dataclass
class RowPeeked(Message, bubble=False):
    """One look at an unvisited job's newest events, for its row (see `domain.row_peek`); for a running job,
    also whether it stalled (`look`, see `domain.insight.row_health`)."""

    job_id: str
    peek: RowPeek
    look: RowLook | None = None


@dataclass
class RowJudged(Message, bubble=False):
    """A finished job's health judged from its result file, for its row (see `domain.insight.row_health`)."""

    job_id: str
    look: RowLook
