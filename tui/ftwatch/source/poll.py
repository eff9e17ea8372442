"""The polling engine shared by the TUI and the headless commands: async iterators of immutable snapshots.

Rhythm: poll, then sleep, then poll again (never a fixed beat: a slow API stretches the interval instead of
stacking requests). Fast while a job trains or evaluates, slow while it is queued or validating, and a job
that reached a terminal phase gets one final snapshot and the iterator ends.

Requests per poll of a running job in steady state: exactly ONE (the newest events page; see catchup.py).
The job object itself is re-read only when the events suggest its state changed:
- a new event that is not a `metrics` event arrived ("Fine-tuning job started", "New fine-tuned model
  created", "The job has successfully completed", an error message...), or
- the stream went quiet (a poll brought no new event) and the job was last read `job_refresh_polls` polls
  ago: that is how a cancellation or failure that emits no event is noticed, without costing a request on
  every poll of a job that is busy emitting metrics.
When a re-read shows a terminal status, the events are read once more so the final snapshot holds the very
last events (they can land between the events page and the job read).

The job's checkpoints are read only when they can have changed (see checkpoints_fetch.py): on the first poll
of a job that has trained, after a poll that brought "Checkpoint created at step" or "New fine-tuned model
created", and once at the end of a finished job. A fault on that read never costs an event or the watch.

With a `history` (ftwatch.history), a watch first shows what the history has of its job (a snapshot marked
cached, before any request) and then fetches only what is newer; its tracker writes every new job object,
event and checkpoint list through to the history, off the event loop. A finished job the history holds
whole costs two requests to confirm: the job read and one events page.

Faults never raise into the caller: a TransientSourceError becomes a snapshot whose connection is RETRYING
with `retry_at`, then a back-off sleep (capped, jittered, honouring retry-after), then the poll resumes where
it stopped. A FatalSourceError becomes one FAILED snapshot and the end of the iterator; the error itself is
kept on `.last_error` for the headless commands' exit status. `.refresh()` (the TUI's `r` key) cuts the
current sleep short.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, AsyncIterator, Sequence

from ftwatch.domain.events.api_events import event_types
from ftwatch.domain.models import Job, JobEvent
from ftwatch.domain.metrics.result_file import parse_result_csv
from ftwatch.domain.snapshot import Connection, JobSnapshot, JobsSnapshot
from ftwatch.domain.tracker import JobTracker
from ftwatch.errors import FatalSourceError, TransientSourceError
from ftwatch.source.backoff import Backoff
from ftwatch.source.base import JobSource
from ftwatch.source.catchup import EventCatchUp
from ftwatch.source.checkpoints_fetch import CheckpointsFetch, says_checkpoint
from ftwatch.source.watching import Clock, Link, PollIntervals, Sleep, Watch, is_offline

if TYPE_CHECKING:
    from ftwatch.history.history import History

__all__ = ["JobWatch", "JobsWatch", "PollIntervals", "watch_job", "watch_jobs"]

TERMINAL_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
RESULT_FILE_ATTEMPTS = 3
FINAL_EMPTY_ATTEMPTS = 3       # empty answers about a finished job before believing it has no events


class JobWatch(Watch[JobSnapshot]):
    def __init__(self, source: JobSource, job_id: str, *, smoothing: float | None, clock: Clock, sleep: Sleep,
                 intervals: PollIntervals, backoff: Backoff, refresh: asyncio.Event | None, page_limit: int,
                 backfill_limit: int, job_refresh_polls: int, history: History | None = None) -> None:
        super().__init__(sleep=sleep, refresh=refresh)
        self._source = source
        self._job_id = job_id
        self._smoothing = smoothing
        self._history = history          # seeds the tracker, and the tracker writes through to it
        self._clock = clock
        self._intervals = intervals
        self._backoff = backoff
        self._catchup = EventCatchUp(source, job_id, page_limit=page_limit, backfill_limit=backfill_limit)
        self._job_refresh_polls = max(1, job_refresh_polls)
        self._tracker = JobTracker(_placeholder_job(job_id), smoothing=smoothing)
        self._job_known = False
        self._polls_since_job_read = 0
        self._final_empty_answers = 0
        self._checkpoints = CheckpointsFetch(source, job_id)
        self._first_poll_done = False

    async def _run(self) -> AsyncIterator[JobSnapshot]:
        link = Link(self._clock, offline=is_offline(self._source))
        if self._history is not None:
            # What the history has is shown before the first request (marked cached), and the watch then
            # asks only for what is newer: a finished job stored whole costs the job read and one page.
            self._tracker, seeded = await self._history.seed(self._job_id, self._smoothing)
            if seeded:
                yield self._snapshot(link.cached())
        while True:
            try:
                finished = await self._poll_once()
            except TransientSourceError as error:
                self.last_error = error
                link.attempt += 1
                delay = self._backoff.delay(link.attempt, error.retry_after)
                yield self._snapshot(link.retrying(error, delay))
                await self._pause(delay)
                continue
            except FatalSourceError as error:
                self.last_error = error
                yield self._snapshot(link.failed(error))
                return
            connection = link.ok()
            if finished:
                await self._import_result_file()
                if not _complete_in_history(self._tracker):
                    await self._checkpoints.final(self._tracker, backoff=self._backoff, pause=self._pause)
                if self._history is not None:
                    self._history.record_complete(self._job_id)
                yield self._snapshot(connection)
                return
            snapshot = self._snapshot(connection)
            yield snapshot
            await self._pause(self._intervals.active if snapshot.phase.is_active else self._intervals.idle)

    async def _poll_once(self) -> bool:
        """One poll; True when the job is finished and this was its last poll."""
        tracker = self._tracker
        if not self._job_known:
            tracker.update_job(await self._source.get_job(self._job_id))
            self._job_known = True
            self._polls_since_job_read = 0
        if tracker.job.status in TERMINAL_STATUSES:
            # That status was read before these events are fetched, so they include the last ones.
            await self._final_catch_up()
            return True
        chunk = await self._catchup.fetch(tracker, backfill=len(tracker.timeline) == 0)
        added = tracker.merge(chunk.events, newer_than=chunk.newer_than) if chunk and chunk.events else []
        if (not self._first_poll_done and tracker.metrics.last_step is not None) or says_checkpoint(added):
            self._checkpoints.mark_stale()
        self._first_poll_done = True
        self._polls_since_job_read += 1
        if _suggests_change(added) or (not added and self._polls_since_job_read > self._job_refresh_polls):
            tracker.update_job(await self._source.get_job(self._job_id))
            self._polls_since_job_read = 0
            if tracker.job.status in TERMINAL_STATUSES:
                # Events may have landed between the events page and this read: one more catch-up. (If it
                # fails, the retry starts at the check above with the terminal status already read.)
                await self._final_catch_up()
                return True
        await self._checkpoints.refresh_if_stale(tracker)
        return False

    async def _final_catch_up(self) -> None:
        """The last read of a finished job's events, which must be complete: the watch ends after it.

        A page that came back empty where events must exist (a finished job always has some; events never
        disappear) is a fault, so it raises a TransientSourceError and the poll is retried with back-off rather
        than ending the watch short. After `FINAL_EMPTY_ATTEMPTS` such answers an eventless job is believed."""
        tracker = self._tracker
        chunk = await self._catchup.fetch(tracker, backfill=len(tracker.timeline) == 0)
        if chunk is not None and chunk.events:
            tracker.merge(chunk.events, newer_than=chunk.newer_than)
        if chunk is None or (len(tracker.timeline) == 0 and self._final_empty_answers < FINAL_EMPTY_ATTEMPTS):
            self._final_empty_answers += 1
            raise TransientSourceError("the events page came back empty")

    async def _import_result_file(self) -> None:
        """Fill the chart from the result CSV when the events did not carry every step (old jobs logged every
        10th step; pruned histories). Best effort: a finished job's final snapshot must not wait on it for long."""
        tracker = self._tracker
        job = tracker.job
        if job.status != "succeeded" or not job.result_files or not _lacks_steps(tracker):
            return
        for attempt in range(1, RESULT_FILE_ATTEMPTS + 1):
            try:
                csv_text = await self._source.result_csv(job.result_files[0])
            except TransientSourceError as error:
                if attempt == RESULT_FILE_ATTEMPTS:
                    return
                await self._pause(self._backoff.delay(attempt, error.retry_after))
                continue
            except FatalSourceError:
                return
            try:
                points = parse_result_csv(csv_text)
            except ValueError:      # a result file that is not one: the events are all there is
                return
            tracker.add_result_points(points)
            return

    def _snapshot(self, connection: Connection) -> JobSnapshot:
        return self._tracker.snapshot(connection=connection, now=self._clock())


class JobsWatch(Watch[JobsSnapshot]):
    def __init__(self, source: JobSource, *, clock: Clock, sleep: Sleep, intervals: PollIntervals, backoff: Backoff,
                 refresh: asyncio.Event | None, history: History | None = None) -> None:
        super().__init__(sleep=sleep, refresh=refresh)
        self._source = source
        self._clock = clock
        self._intervals = intervals
        self._backoff = backoff
        self._history = history

    async def _run(self) -> AsyncIterator[JobsSnapshot]:
        link = Link(self._clock, offline=is_offline(self._source))
        jobs: tuple[Job, ...] = ()
        if self._history is not None:
            jobs = tuple(await self._history.cached_jobs())      # shown at once, marked cached
            if jobs:
                yield JobsSnapshot(jobs=jobs, connection=link.cached(), taken_at=self._clock())
        while True:
            try:
                jobs = tuple(await self._source.list_jobs())
            except TransientSourceError as error:
                self.last_error = error
                link.attempt += 1
                delay = self._backoff.delay(link.attempt, error.retry_after)
                yield JobsSnapshot(jobs=jobs, connection=link.retrying(error, delay), taken_at=self._clock())
                await self._pause(delay)
                continue
            except FatalSourceError as error:
                self.last_error = error
                yield JobsSnapshot(jobs=jobs, connection=link.failed(error), taken_at=self._clock())
                return
            if self._history is not None:
                self._history.record_jobs(jobs)
            yield JobsSnapshot(jobs=jobs, connection=link.ok(), taken_at=self._clock())
            await self._pause(self._intervals.jobs)


def watch_job(source: JobSource, job_id: str, *, smoothing: float | None = None, clock: Clock = time.time,
              sleep: Sleep = asyncio.sleep, intervals: PollIntervals = PollIntervals(), backoff: Backoff = Backoff(),
              refresh: asyncio.Event | None = None, page_limit: int = 100, backfill_limit: int = 100,
              job_refresh_polls: int = 5, history: History | None = None) -> JobWatch:
    """Follow one job until it ends: async-iterate the result for JobSnapshots (see the module docstring).
    With `history`, the first snapshot shows what it has of the job (marked cached) before any request."""
    return JobWatch(source, job_id, smoothing=smoothing, clock=clock, sleep=sleep, intervals=intervals,
                    backoff=backoff, refresh=refresh, page_limit=page_limit, backfill_limit=backfill_limit,
                    job_refresh_polls=job_refresh_polls, history=history)


def watch_jobs(source: JobSource, *, clock: Clock = time.time, sleep: Sleep = asyncio.sleep,
               intervals: PollIntervals = PollIntervals(), backoff: Backoff = Backoff(),
               refresh: asyncio.Event | None = None, history: History | None = None) -> JobsWatch:
    """The account's jobs list (all pages, newest first), re-read every `intervals.jobs` seconds, forever.
    With `history`, the cached list comes first (marked cached), and each list read is written to it."""
    return JobsWatch(source, clock=clock, sleep=sleep, intervals=intervals, backoff=backoff, refresh=refresh,
                     history=history)


def _placeholder_job(job_id: str) -> Job:
    """What a snapshot shows before the first successful read of the job (e.g. while the first request retries)."""
    return Job(id=job_id, created_at=0, status="unknown", model="")


def _complete_in_history(tracker: JobTracker) -> bool:
    """The history held this finished job whole (final checkpoints included) and no event came since."""
    complete_at = getattr(tracker, "complete_from_history", None)
    return complete_at is not None and complete_at == len(tracker.timeline)


def _suggests_change(added: Sequence[JobEvent]) -> bool:
    return any(kind != "metrics" for kind in event_types(added))


def _lacks_steps(tracker: JobTracker) -> bool:
    view = tracker.metrics.view()
    series = view.get("train_loss")
    expected = view.total_steps or view.last_step
    return series is None or expected is None or len(series) < expected

