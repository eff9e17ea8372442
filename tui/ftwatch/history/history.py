"""History: what the rest of ftwatch holds to read and write the local history of one account.

Making one costs nothing (no file is touched until the first read or write, and those run in a worker
thread or the writer thread, never in the event loop). Reads are synchronous functions with `async`
wrappers that run them in a thread; writes (`record_*`) only queue an operation for the writer.

Any failure (a damaged or foreign file, a lock that does not clear, a read-only directory, a full disk)
is reported once through `on_problem` and switches the history off for the rest of the run: reads give
"nothing cached" and writes are dropped, so ftwatch behaves as with `--no-cache` instead of stopping.

Importing this module is cheap (the TUI makes a History before its first frame): SQLite, the writer and the
domain's tracker are imported by the methods that use them, which run after it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from ftwatch.history.account import Account

if TYPE_CHECKING:
    import sqlite3

    from ftwatch.domain.models import Checkpoint, Job, JobEvent
    from ftwatch.history.reads import CachedJob
    from ftwatch.history.recording import RecordingTracker
    from ftwatch.history.writer import Writer
    from ftwatch.history.writes import Operation

T = TypeVar("T")


class History:
    def __init__(self, path: Path, account: Account, *, clock: Callable[[], float] = time.time,
                 on_problem: Callable[[str], None] | None = None, busy_timeout: float | None = None) -> None:
        self.path = Path(path)
        self.account = account
        self.problem: str | None = None
        self._clock = clock
        self._on_problem = on_problem
        self._busy_timeout = busy_timeout
        self._lock = threading.Lock()
        self._writer_made: Writer | None = None

    # --- problems ------------------------------------------------------------------------------------------

    def set_reporter(self, on_problem: Callable[[str], None]) -> None:
        """Who hears about the (one) problem; told at once if it already happened."""
        with self._lock:
            self._on_problem = on_problem
            problem = self.problem
        if problem is not None:
            on_problem(problem)

    def _report(self, reason: str) -> None:
        with self._lock:
            if self.problem is not None:
                return
            self.problem = reason
            callback = self._on_problem
        if callback is not None:
            callback(reason)

    def _connect(self) -> sqlite3.Connection:
        from ftwatch.history.connect import open_connection

        return open_connection(self.path, busy_timeout=self._busy_timeout)

    def _read(self, query: str, *args: Any, default: T, **options: Any) -> T:
        """`reads.<query>(conn, account, *args, **options)` on a connection of its own (this thread's)."""
        if self.problem is not None:
            return default
        import sqlite3

        from ftwatch.history import reads
        from ftwatch.history.connect import HistoryError, describe

        try:
            conn = self._connect()
        except HistoryError as error:
            self._report(error.message)
            return default
        try:
            return getattr(reads, query)(conn, self.account, *args, **options)
        except sqlite3.Error as exc:
            self._report(describe(exc, self.path))
            return default
        finally:
            conn.close()

    # --- reads (call from a thread; the async forms do) ----------------------------------------------------

    def read_jobs(self) -> list[Job]:
        from ftwatch.domain.parse import parse_job

        return [parse_job(d) for d in self._read("cached_jobs", default=[])]

    def read_job(self, job_id: str, *, with_events: bool = True) -> CachedJob | None:
        return self._read("cached_job", job_id, with_events=with_events, default=None)

    def read_page(self, job_id: str, *, after: str | None, limit: int) -> tuple[list[dict], bool] | None:
        return self._read("events_page", job_id, after=after, limit=limit, default=None)

    def read_checkpoints(self, job_id: str) -> list[Checkpoint] | None:
        from ftwatch.domain.parse import parse_checkpoint

        found = self._read("checkpoints", job_id, default=None)
        return None if found is None else [parse_checkpoint(d) for d in found]

    def read_result_file(self, file_id: str) -> str | None:
        return self._read("result_file", file_id, default=None)

    def read_newest_events(self, job_id: str, limit: int) -> list[dict] | None:
        """The newest `limit` events of a finished job whose whole history is stored; None otherwise."""
        cached = self.read_job(job_id, with_events=False)
        if cached is None or not cached.complete:
            return None
        page = self.read_page(job_id, after=None, limit=limit)
        return None if page is None else page[0]

    def seeded_tracker(self, job_id: str, smoothing: float | None = None) -> tuple[RecordingTracker, bool]:
        """A tracker holding what the history has of `job_id` (job, events, checkpoints, the result file's
        steps when the events lack some), recording from then on; and whether anything was cached."""
        from ftwatch.domain.events.api_events import ApiEvents
        from ftwatch.domain.models import Job
        from ftwatch.domain.parse import parse_checkpoint, parse_job
        from ftwatch.history.recording import RecordingTracker
        from ftwatch.history.schema import TERMINAL

        tracker = RecordingTracker(Job(id=job_id, created_at=0, status="unknown", model=""), smoothing=smoothing)
        cached = self.read_job(job_id)
        seeded = False
        if cached is not None:
            job = parse_job(cached.job)
            if job.id == job_id and job.created_at:
                seeded = True
                tracker.update_job(job)
                if cached.events:
                    tracker.merge(ApiEvents(cached.events))
                if cached.checkpoints is not None:
                    tracker.update_checkpoints([parse_checkpoint(d) for d in cached.checkpoints])
                self._seed_result_file(tracker)
                if cached.complete and job.status in TERMINAL:
                    tracker.complete_from_history = len(tracker.timeline)
        tracker.attach(self if self.problem is None else None)
        return tracker, seeded

    def _seed_result_file(self, tracker: RecordingTracker) -> None:
        job = tracker.job
        if job.status != "succeeded" or not job.result_files or not lacks_steps(tracker):
            return
        text = self.read_result_file(job.result_files[0])
        if text is None:
            return
        from ftwatch.domain.metrics.result_file import parse_result_csv

        try:
            tracker.add_result_points(parse_result_csv(text))
        except ValueError:
            return

    async def cached_jobs(self) -> list[Job]:
        return await asyncio.to_thread(self.read_jobs)

    async def has_jobs(self) -> bool:
        """Whether the history holds any job of the account (one indexed query)."""
        return await asyncio.to_thread(self._read, "has_jobs", default=False)

    async def seed(self, job_id: str, smoothing: float | None = None) -> tuple[RecordingTracker, bool]:
        return await asyncio.to_thread(self.seeded_tracker, job_id, smoothing)

    async def result_file(self, file_id: str) -> str | None:
        return await asyncio.to_thread(self.read_result_file, file_id)

    async def newest_events(self, job_id: str, limit: int) -> list[dict] | None:
        return await asyncio.to_thread(self.read_newest_events, job_id, limit)

    # --- writes (never block: queued for the writer thread) ------------------------------------------------

    def _put(self, operation: Operation) -> None:
        self.writer.put(operation)

    def record_jobs(self, jobs: Sequence[Job]) -> None:
        from ftwatch.history.writes import JobsSeen

        if self.problem is None and jobs:
            self._put(JobsSeen(self.account, tuple(j for j in jobs if j.created_at), self._clock()))

    def record_job(self, job: Job) -> None:
        self.record_jobs((job,))

    def record_events(self, job_id: str, events: Sequence[JobEvent], *, below: str | None = None,
                      above: str | None = None) -> None:
        from ftwatch.history.writes import EventsSeen

        if self.problem is None and len(events):
            self._put(EventsSeen(self.account, job_id, events, below=below, above=above))

    def record_checkpoints(self, job_id: str, checkpoints: Sequence[Checkpoint]) -> None:
        from ftwatch.history.writes import CheckpointsSeen

        if self.problem is None:
            self._put(CheckpointsSeen(self.account, job_id, tuple(checkpoints), self._clock()))

    def record_result_file(self, file_id: str, content: str) -> None:
        from ftwatch.history.writes import ResultFileSeen

        if self.problem is None:
            self._put(ResultFileSeen(self.account, file_id, content, self._clock()))

    def record_complete(self, job_id: str) -> None:
        from ftwatch.history.writes import JobComplete

        if self.problem is None:
            self._put(JobComplete(self.account, job_id))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything recorded so far is stored (tests, and before a read that needs it)."""
        return self._writer_made is None or self._writer_made.flush(timeout)

    def close(self, timeout: float = 5.0) -> bool:
        """Store what is queued (for at most `timeout` s) and stop the writer."""
        return self._writer_made is None or self._writer_made.close(timeout)

    @property
    def writer(self) -> Writer:
        if self._writer_made is None:
            with self._lock:
                if self._writer_made is None:
                    from ftwatch.history.writer import Writer

                    self._writer_made = Writer(self._connect, self.path, self._report)
        return self._writer_made


def lacks_steps(tracker: RecordingTracker) -> bool:
    """The events hold fewer train_loss points than the job's steps (old jobs logged every 10th step)."""
    view = tracker.metrics.view()
    series = view.get("train_loss")
    expected = view.total_steps or view.last_step
    return series is None or expected is None or len(series) < expected
