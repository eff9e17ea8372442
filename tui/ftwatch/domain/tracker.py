"""One job as the poller sees it: the aggregate that turns API pages into snapshots for the UI.

The source layer drives it (`update_job` with each job object, `merge` with each page of events,
`add_result_points` with the result CSV) and asks for a `snapshot()` after each poll. A snapshot is O(1)-ish
however long the job: it shares the append-only event and metric stores through views, and its
`new_events` are exactly the events added since the previous snapshot, in timeline order, each once — what
an event log appends and what `ftwatch follow` prints, with the API's own dict in `raw`.

Single-threaded by design (one poll loop per job); not thread-safe.
"""

from __future__ import annotations

from typing import Sequence

from ftwatch.domain.events.api_events import concat, event_types
from ftwatch.domain.insight.health import curve_verdicts, stall_verdicts
from ftwatch.domain.insight.verdict import Verdict
from ftwatch.domain.models import Checkpoint, Job, JobEvent, MetricPoint, Phase
from ftwatch.domain.phase import detect_phase, phase_of_status
from ftwatch.domain.progress import estimate_progress
from ftwatch.domain.metrics.store import MetricStore, auto_weight
from ftwatch.domain.snapshot import Connection, JobSnapshot, Trend
from ftwatch.domain.events.timeline import APPENDED, PREPENDED, Timeline
from ftwatch.domain.metrics.trend import trend

RATE_WINDOW = 50          # metrics events the ETA's step rate is measured over
RATE_SCAN = 400           # newest events searched for them (messages and checkpoints sit in between)
PHASE_TAIL = 8            # newest events the phase is read from
_STARTED = "Fine-tuning job started"


class JobTracker:
    def __init__(self, job: Job, *, smoothing: float | None = None) -> None:
        """`smoothing`: a fixed EMA weight in [0, 1), or None for the auto weight of the job's length."""
        if smoothing is not None and not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
        self.job = job
        self.metrics = MetricStore()
        self.timeline = Timeline(self.metrics)
        self._phase: Phase | None = None              # recomputed lazily after a change
        self._fixed_smoothing = smoothing
        self._front: list[Sequence[JobEvent]] = []   # prepended since the last snapshot, per merge
        self._back: list[Sequence[JobEvent]] = []    # appended since the last snapshot, per merge
        self._inserted = False                       # an out-of-order merge happened since then
        self._started_at: float | None = None        # "Fine-tuning job started", else the first step seen
        self._trend = (-1, Trend.UNKNOWN, 0.0)      # (points fitted, verdict, snapshot time of the fit)
        self._curve_health: tuple[tuple, tuple[Verdict, ...], float] | None = None   # (what was judged, verdicts, when)
        self.checkpoints: tuple[Checkpoint, ...] = ()

    @property
    def smoothing(self) -> float:
        """The EMA weight in use: the fixed one, or auto from total steps (known after the first metrics event)."""
        if self._fixed_smoothing is not None:
            return self._fixed_smoothing
        return auto_weight(self.metrics.total_steps)

    @property
    def phase(self) -> Phase:
        """The job's phase from its status and newest events (see `phase.detect_phase`)."""
        if self._phase is None:
            self._phase = self._training_phase() or detect_phase(self.job, self.timeline.view().last(PHASE_TAIL))
        return self._phase

    def _training_phase(self) -> Phase | None:
        """`detect_phase` without building an event in the usual case: a running job whose newest event is a
        compact metrics event whose message is no post-training notice is training, or evaluating
        once that step reached the total. None when `detect_phase` must read the events."""
        if phase_of_status(self.job.status) is not Phase.RUNNING or self.job.finished_at is not None:
            return None
        newest = self.timeline.newest_plain_step()
        if newest is None:
            return None
        step, total = newest
        return Phase.EVALUATING if total is not None and step >= total else Phase.RUNNING

    def update_job(self, job: Job) -> None:
        self.job = job
        self._phase = None

    def knows(self, event_id: str) -> bool:
        return event_id in self.timeline

    def merge(self, page_newest_first: Sequence[JobEvent], *, after: str | None = None,
              newer_than: str | None = None) -> Sequence[JobEvent]:
        """Merge one page, or several fetched together (concatenated, newest first); returns the new events,
        oldest first (unparsed until read when the page was `ApiEvents`). Hints that place a page exactly whatever its timestamps (see `Timeline.merge`):
        `after`, the cursor the page was fetched with; `newer_than`, the known event just below it."""
        added = self.timeline.merge(page_newest_first, after=after, newer_than=newer_than)
        if not added:
            return added
        where = self.timeline.last_merge
        if where == PREPENDED:
            self._front.append(added)
        else:
            self._back.append(added)
            self._inserted = self._inserted or where != APPENDED
        self._note_start(added)
        self._phase = None
        return added

    def update_checkpoints(self, checkpoints: Sequence[Checkpoint]) -> None:
        """The job's checkpoints as last listed (the API keeps the last three epochs'), kept in step order."""
        self.checkpoints = tuple(sorted(checkpoints, key=lambda c: (c.step_number, c.created_at, c.id)))

    def add_result_points(self, points: list[MetricPoint]) -> None:
        """Back-fill from the result CSV: only steps a series does not have yet are added."""
        self.metrics.add_points(points)

    def smoothed_loss(self, step: int) -> float | None:
        """The smoothed train loss at `step` (what `ftwatch follow` prints next to the raw one)."""
        series = self.metrics.get("train_loss")
        return series.smoothed(self.smoothing).value_at(step) if series is not None else None

    def snapshot(self, *, connection: Connection, now: float) -> JobSnapshot:
        recent = self.timeline.recent_step_span(RATE_WINDOW, RATE_SCAN)      # oldest and newest
        last_step_at = None
        if recent and recent[-1][1] is not None and recent[-1][0] >= recent[-1][1]:
            last_step_at = float(recent[-1][2])
        started_at = self._started_at
        if started_at is None and recent:
            started_at = float(recent[0][2]) if recent[0][0] <= 1 else None
        return JobSnapshot(
            job=self.job,
            phase=self.phase,
            events=self.timeline.view(),
            new_events=self._take_new_events(),
            metrics=self.metrics.view(),
            progress=estimate_progress(
                phase=self.phase,
                step=self.metrics.last_step,
                total_steps=self.metrics.total_steps,
                recent=[(step, float(at)) for step, _, at in recent],
                created_at=self.job.created_at or None,
                training_started_at=started_at,
                training_ended_at=self.job.finished_at if self.job.finished_at is not None else last_step_at,
                ended_at=self._ended_at(),
                finished_at=self.job.finished_at,
                now=now,
            ),
            trend=self._train_loss_trend(now),
            connection=connection,
            taken_at=now,
            smoothing=self.smoothing,
            checkpoints=self.checkpoints,
            health=(*self._curve_verdicts(now),
                    *stall_verdicts(phase=self.phase, metrics=self.metrics, events=self.timeline.view(),
                                    connection=connection, now=now)),
        )

    def _take_new_events(self) -> Sequence[JobEvent]:
        """Oldest first; left unparsed (only `ftwatch follow` reads them) unless an insert must sort them."""
        events = concat([*reversed(self._front), *self._back])
        if self._inserted:
            events = tuple(self.timeline.in_timeline_order(list(events)))
        self._front, self._back, self._inserted = [], [], False
        return events

    def _note_start(self, added: Sequence[JobEvent]) -> None:
        if self._started_at is not None:
            return
        for i, kind in enumerate(event_types(added)):     # metrics events are not even parsed
            if kind != "metrics":
                event = added[i]
                if event.message.startswith(_STARTED):
                    self._started_at = float(event.created_at)
                    return

    def _ended_at(self) -> float | None:
        if not self.phase.is_terminal:
            return None
        newest = self.timeline.newest_created_at
        candidates = [t for t in (newest, self.job.finished_at) if t is not None]
        return float(max(candidates)) if candidates else None

    def _train_loss_trend(self, now: float) -> Trend:
        """Cached: refitted when train_loss has grown by 2% (or one point on short jobs), at most once a second
        of snapshot time, so polls stay cheap and a burst of snapshots (a back-fill paged in) fits once, not
        once per page (a fit reads up to 1,000 points: half a millisecond here)."""
        series = self.metrics.get("train_loss")
        if series is None:
            return Trend.UNKNOWN
        fitted_at, verdict, fitted_when = self._trend
        length = len(series)
        if length != fitted_at and (fitted_at < 0 or length < fitted_at or (
                length - fitted_at >= max(1, fitted_at // 50) and abs(now - fitted_when) >= 1.0)):
            view = series.view()
            verdict = trend(view.steps, view.values)
            self._trend = (length, verdict, now)
        return verdict

    def _curve_verdicts(self, now: float) -> tuple[Verdict, ...]:
        """`health.curve_verdicts`, cached like the trend so that a poll stays cheap and a back-fill judges a
        few times, not once per page (a judgement reads ~1,000 points a series: about a millisecond)."""
        sizes = tuple(len(self.metrics.get(name) or ()) for name in _JUDGED)
        key = (self.job.validation_file, self.metrics.total_steps, self.smoothing)
        cached = self._curve_health
        if cached is not None and not _judge_again(cached, key, sizes, now, self.phase.is_terminal):
            return cached[1]
        verdicts = curve_verdicts(job=self.job, metrics=self.metrics.view(), smoothing=self.smoothing)
        self._curve_health = ((key, sizes), verdicts, now)
        return verdicts


_JUDGED = ("train_loss", "valid_loss", "full_valid_loss")     # the series the curve rules read


def _judge_again(cached: tuple[tuple, tuple[Verdict, ...], float], key: tuple, sizes: tuple[int, ...], now: float,
                 finished: bool) -> bool:
    """Whether the cached curve verdicts are stale. Judged again when what they depend on changed (validation
    file, total steps, smoothing), a series shrank (rebuilt), or grew and: by 2% (a point on short series) with
    a second of snapshot time passed; or to twice its judged size; or at all once the job is finished (its
    last snapshot must judge the whole history, however fast the back-fill came)."""
    (old_key, old_sizes), _, when = cached
    if old_sizes == sizes and old_key == key:
        return False
    if old_key != key or any(new < old for new, old in zip(sizes, old_sizes)) or finished:
        return True
    grew = [(new, old) for new, old in zip(sizes, old_sizes) if new > old]
    return any(new >= 2 * max(1, old) or (new - old >= max(1, old // 50) and abs(now - when) >= 1.0)
               for new, old in grew)
