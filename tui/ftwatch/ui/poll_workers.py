"""The monitor's workers: create the source once, poll the jobs list, follow each job that needs it.

They belong to the screen (`node`), so Textual cancels them with it; each is `exit_on_error=False`, so an
API error never quits the app. A worker only polls and posts frozen snapshots as messages to the screen;
it never touches a widget. Which jobs are followed is `JobWatchers`' bookkeeping; which jobs *should* be
is the monitor state's.

- `connect`: awaits the source factory once, after the first frame (the SDK import costs ~0.5 s). A factory
  that carries a local history (`factory.history`, see launch.py) starts the watches at once on a
  `DeferredSource`: they draw what the history has (jobs list, the selected job's chart and log, marked
  cached) before the SDK is even loaded, and their requests wait for the real source;
- `poll-jobs`: the account's jobs list;
- `job:<id>`: one per followed job. The selected job's detail reuses its row's watcher, so no job is ever
  polled twice, and j/k between jobs is instant (the latest snapshot is cached);
- `peek`, `peek-running`, `results`: one cheap look at each job that is not followed, for its row: a finished
  job's newest events (once) and result file (once, for its health), a running job's newest events (at every
  jobs-list poll, for `stalled`). A round of looks is not started while the previous one is still out, so a
  slow API never has them pile up.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from functools import partial
from typing import Any, Awaitable, Callable, Iterable

from ftwatch.domain.models import Job
from ftwatch.errors import FtwatchError
from ftwatch.source.base import JobSource
from ftwatch.ui import messages as m
from ftwatch.ui.deferred_source import DeferredSource
from ftwatch.ui.watchers import JobWatchers

SourceFactory = Callable[[], Awaitable[JobSource]]
CACHE_FIRST_S = 1.5        # at most this long the SDK import waits for the history's view to be drawn


class PollWorkers:
    def __init__(self, node, settings, clock: Callable[[], float]) -> None:
        self._node = node
        self._settings = settings
        self._clock = clock
        self._intervals = None                     # PollIntervals, once the poll engine is loaded
        self.source: JobSource | None = None
        self.watchers = JobWatchers(self._follow, self._unfollow)
        self._out: set[str] = set()                # the rounds of looks still running ("peek-running", "results")
        self.history: Any = None                   # the factory's local history (ftwatch.history.History)
        self._watch_history: Any = None            # what the watches seed from and write to (none offline)
        self._deferred: DeferredSource | None = None
        self._started = False
        self._cache_shown = asyncio.Event()        # the history's view is up: the SDK import may start

    def connect(self, factory: SourceFactory) -> None:
        history = getattr(factory, "history", None)
        if history is not None:
            self._start_from_history(history)
        self._node.run_worker(partial(self._connect, factory), group="connect", exclusive=True, exit_on_error=False,
                              description="create the API source")

    def _start_from_history(self, history: Any) -> None:
        offline = bool(getattr(self._settings, "offline", False))
        self.history = history
        self._watch_history = None if offline else history      # offline, the source itself reads the history
        loop = asyncio.get_running_loop()
        history.set_reporter(lambda reason: loop.call_soon_threadsafe(self._history_problem, reason))
        self._deferred = DeferredSource(getattr(self._settings, "description", ""), history=history, offline=offline)
        self.start(self._deferred)

    def _history_problem(self, reason: str) -> None:
        """Said once: a toast now, and "cache off" in the status line for the rest of the run."""
        self._node.notify(f"Running without the local history: {reason}", title="Cache off", severity="warning",
                          markup=False, timeout=10)

    async def _connect(self, factory: SourceFactory) -> None:
        if self._deferred is not None and await self.history.has_jobs():
            # The SDK import (~0.5 s of CPU in a thread) would halve the speed of seeding the selected job from
            # the history (the same GIL): the cached chart first, then the import. Bounded, so a history that
            # is slow to read never holds the API back for long.
            try:
                await asyncio.wait_for(self._cache_shown.wait(), CACHE_FIRST_S)
            except asyncio.TimeoutError:
                pass
        try:
            source = await factory()
        except FtwatchError as error:
            if self._deferred is not None:
                self._deferred.fail(error)
            self._node.post_message(m.SourceUnavailable(error))
            return
        if self._deferred is not None:
            self._deferred.resolve(source)
        self._node.post_message(m.SourceReady(getattr(source, "description", ""), source))

    def start(self, source: JobSource) -> None:
        if self._started:           # already watching through the DeferredSource, which now has `source`
            return
        self._started = True
        self.source = source
        self._node.run_worker(partial(self._poll_jobs, source), group="poll-jobs", exclusive=True, exit_on_error=False,
                              description="poll the jobs list")

    async def _poll_jobs(self, source: JobSource) -> None:
        # The poll engine (and the domain's tracker under it) is imported here, after the first frame:
        # ~40 ms that the first paint does not need.
        from ftwatch.source.poll import PollIntervals, watch_jobs

        self._intervals = PollIntervals.from_settings(self._settings)
        self.watchers.jobs_watch = watch = watch_jobs(source, clock=self._clock, intervals=self._intervals,
                                                      history=self._watch_history)
        async for snapshot in watch:
            self._node.post_message(m.JobsRefreshed(snapshot))

    async def _poll_job(self, source: JobSource, job_id: str) -> None:
        from ftwatch.source.poll import PollIntervals, watch_job

        intervals = self._intervals or PollIntervals.from_settings(self._settings)
        watch = watch_job(source, job_id, clock=self._clock, intervals=intervals, history=self._watch_history)
        self.watchers.started(job_id, watch)
        try:
            async for snapshot in watch:
                # The screen never reads `new_events` (the log reads the timeline view): dropped here, so the
                # latest snapshot of a job does not hold on to a whole back-fill's API dicts.
                self._node.post_message(m.JobUpdated(replace(snapshot, new_events=())))
                self._cache_shown.set()
        finally:
            self.watchers.ended(job_id, watch)

    def _follow(self, job_id: str) -> None:
        if self.source is not None:
            self._node.run_worker(partial(self._poll_job, self.source, job_id), group=f"job:{job_id}", exclusive=True,
                                  exit_on_error=False, description=f"follow {job_id}")

    def _unfollow(self, job_id: str) -> None:
        self._node.workers.cancel_group(self._node, f"job:{job_id}")

    def peek(self, job_ids: list[str]) -> None:
        """One page of newest events for each finished, unvisited job (its row's steps and last loss)."""
        if self.source is not None and job_ids:
            self._node.run_worker(partial(self._peek, self.source, job_ids), group="peek", exit_on_error=False,
                                  description="read finished jobs' last steps")

    async def _peek(self, source: JobSource, job_ids: list[str]) -> None:
        from ftwatch.domain.events.api_events import ApiEvents
        from ftwatch.domain.row_peek import PEEK_LIMIT, peek_events

        for job_id in job_ids:
            if self.history is not None:         # a finished job the history holds whole costs no request
                newest = await self.history.newest_events(job_id, PEEK_LIMIT)
                if newest is not None:
                    self._node.post_message(m.RowPeeked(job_id, peek_events(ApiEvents(newest))))
                    continue
            try:
                page = await source.list_events(job_id, limit=PEEK_LIMIT)
            except FtwatchError as error:        # the row stays as it is; a visit reads the job whole
                self._node.log.warning(f"peek at {job_id}: {error}")
                continue
            self._node.post_message(m.RowPeeked(job_id, peek_events(page.events)))

    def peek_running(self, jobs: list[Job]) -> None:
        """One page of newest events for each running job nobody follows: its row's steps, and `stalled`."""
        self._round("peek-running", jobs, self._peek_running, "read unfollowed running jobs' newest events")

    async def _peek_running(self, source: JobSource, jobs: list[Job]) -> None:
        from ftwatch.domain.insight.row_looks import judge_newest_page
        from ftwatch.domain.row_peek import PEEK_LIMIT, peek_events

        for job in jobs:
            try:
                page = await source.list_events(job.id, limit=PEEK_LIMIT)
            except FtwatchError as error:        # no badge this round; the next jobs-list poll looks again
                self._node.log.warning(f"peek at {job.id}: {error}")
                continue
            look = judge_newest_page(job, page.events, self._clock())
            self._node.post_message(m.RowPeeked(job.id, peek_events(page.events), look))

    def judge_results(self, jobs: list[Job]) -> None:
        """Each finished job's result file, read once, judged for its row's health badge."""
        self._round("results", jobs, self._judge_results, "judge finished jobs' result files")

    @property
    def judging_results(self) -> bool:
        return "results" in self._out

    async def _judge_results(self, source: JobSource, jobs: list[Job]) -> None:
        from ftwatch.domain.insight.row_looks import judge_result_file

        for job in jobs:
            try:
                content = await source.result_csv(job.result_files[0])
                # Parsing every step of a long job is CPU work: off the event loop.
                look = await asyncio.to_thread(judge_result_file, job, content, self._clock())
            except FtwatchError as error:        # silent: the row has no badge; a visit reads the job whole
                self._node.log.warning(f"result file of {job.id}: {error}")
                continue
            self._node.post_message(m.RowJudged(job.id, look))

    def _round(self, group: str, jobs: list[Job], work: Callable, description: str) -> None:
        if self.source is None or not jobs or group in self._out:
            return
        self._out.add(group)

        async def run(source: JobSource) -> None:
            try:
                await work(source, jobs)
            finally:
                self._out.discard(group)

        self._node.run_worker(partial(run, self.source), group=group, exit_on_error=False, description=description)

    def sync(self, active: Iterable[str], selected: str | None, done: Callable[[str], bool]) -> None:
        """Follow the active jobs and the selected one; stop following the rest."""
        self.watchers.sync(active, selected, done)

    def refresh_all(self) -> bool:
        """Poll everything now; True when stopped watchers may restart (call `sync` next)."""
        return self.watchers.refresh_all()

    async def aclose(self) -> None:
        self._node.workers.cancel_node(self._node)
        if self.source is not None:
            try:
                await self.source.aclose()
            except FtwatchError as error:
                self._node.log.warning(f"closing the source: {error}")
        if self.history is not None:             # what the writer still holds is stored before we go
            await asyncio.to_thread(self.history.close)
