"""What the source layer hands to the UI and the headless commands: immutable snapshots.

A snapshot is cheap to make however long the job: event and metric histories are append-only stores, and a
snapshot holds *views* of them (store + length), so later appends never change what a snapshot shows and
making one is O(1). `new_events` is the delta since the previous snapshot of the same stream, which is what
an event log appends and what `ftwatch follow` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, Sequence

from ftwatch.domain.insight.verdict import Verdict
from ftwatch.domain.models import Checkpoint, Job, JobEvent, Phase


class Trend(StrEnum):
    IMPROVING = "improving"
    FLAT = "flat"
    WORSENING = "worsening"
    UNKNOWN = "unknown"


class LinkState(StrEnum):
    CONNECTING = "connecting"
    OK = "ok"
    RETRYING = "retrying"     # a transient fault; `retry_at` says when the next attempt is
    FAILED = "failed"         # a fatal fault (401, 404): polling stopped, `message` says why


class Freshness(StrEnum):
    """Where what a snapshot shows was read: the API, or the local history (`ftwatch.history`)."""

    LIVE = "live"             # read from the API in this run
    CACHED = "cached"         # from the local history; the API has not answered yet in this run
    OFFLINE = "offline"       # from the local history only (--offline): nothing is asked of the API


@dataclass(frozen=True, slots=True)
class Connection:
    state: LinkState = LinkState.CONNECTING
    message: str = ""                 # calm, one line: "rate limited (429)", "server error 503"
    retry_at: float | None = None     # wall-clock time of the next attempt while RETRYING
    last_success: float | None = None # wall-clock time of the last successful poll
    attempt: int = 0                  # consecutive failures so far
    freshness: Freshness = Freshness.LIVE


@dataclass(frozen=True, slots=True)
class Progress:
    step: int | None
    total_steps: int | None
    fraction: float | None            # 0..1, None when unknown
    eta_seconds: float | None         # None until enough steps are seen (>= 10 steps or 5%)
    elapsed_seconds: float | None     # since training started, or total duration once finished
    label: str                        # "ETA 3m 12s", "evaluating for 2m 05s", "took 14m 03s", ""


class SeriesView(Protocol):
    """One metric over steps, in step order; sparse series stay sparse."""

    name: str

    def __len__(self) -> int: ...
    @property
    def steps(self) -> Sequence[int]: ...
    @property
    def values(self) -> Sequence[float]: ...
    def downsample(self, width: int) -> tuple[list[float], list[float]]:
        """Min/max per column over `width` columns: at most 2*width points, cost independent of len."""
        ...


class MetricsView(Protocol):
    def names(self) -> tuple[str, ...]: ...
    def get(self, name: str) -> SeriesView | None: ...
    @property
    def last_step(self) -> int | None: ...
    @property
    def total_steps(self) -> int | None: ...


class EventsView(Protocol):
    """The whole timeline so far, oldest first; supports len(), indexing and slicing."""

    def __len__(self) -> int: ...
    def __getitem__(self, index): ...


@dataclass(frozen=True, slots=True)
class JobSnapshot:
    job: Job
    phase: Phase
    events: EventsView                # full history, oldest -> newest
    new_events: Sequence[JobEvent]    # oldest -> newest, only the ones no earlier snapshot carried
    metrics: MetricsView
    progress: Progress
    trend: Trend                      # of train_loss
    connection: Connection
    taken_at: float                   # wall clock
    smoothing: float | None = None    # the EMA weight the tracker uses (fixed or auto), for the chart and log
    checkpoints: tuple[Checkpoint, ...] = ()   # step order (oldest first); empty until the source read them
    health: tuple[Verdict, ...] = ()  # the health rules' verdicts (domain.insight.health), empty on a healthy run


@dataclass(frozen=True, slots=True)
class JobsSnapshot:
    jobs: tuple[Job, ...]             # newest first, all pages
    connection: Connection
    taken_at: float
