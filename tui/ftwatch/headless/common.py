"""What the headless commands share: exit statuses, stderr notices, and the loop over poll.watch_job.

Stdout carries the command's product (events, a summary, an export) and nothing else, so it can be piped;
everything about the connection and the job's state goes to stderr as calm one-liners ("ftwatch: rate limited
(429); retrying in 8 s").
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, AsyncIterator, Awaitable, Callable, TextIO

from ftwatch.config import Settings
from ftwatch.domain.format import human_duration
from ftwatch.domain.snapshot import JobSnapshot, LinkState
from ftwatch.domain.text import clean
from ftwatch.errors import ConfigError, FatalSourceError
from ftwatch.source.backoff import Backoff
from ftwatch.source.base import JobSource, UnreachableError
from ftwatch.source.poll import PollIntervals, watch_job

if TYPE_CHECKING:
    from ftwatch.history.history import History

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED, EXIT_API = 0, 1, 2, 3, 4
EXIT_BY_STATUS = {"succeeded": EXIT_OK, "failed": EXIT_FAILED, "cancelled": EXIT_CANCELLED}
UNREACHABLE_ATTEMPTS = 3   # a host never reached after this many tries is a typo, not a blip: give up (exit 4)


@dataclass
class Runtime:
    """The injectable edges of a headless run: tests pass a FakeClock, a fast sleep and their own streams."""

    out: TextIO
    err: TextIO
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    backoff: Backoff = Backoff()
    source: JobSource | None = None
    history: History | None = None      # a test's own; else the settings' (none with --no-cache)


def open_history(settings: Settings, runtime: Runtime) -> tuple[History | None, bool]:
    """The local history this run reads and writes, and whether we own (must close) it. A problem with it is
    one line on stderr, then the run carries on without it (offline runs say it in their error instead)."""
    if runtime.source is not None or runtime.history is not None:
        return runtime.history, False
    from ftwatch.source.history_source import history_for

    def report(reason: str) -> None:
        print(f"ftwatch: cache off: {reason}; carrying on without it", file=runtime.err, flush=True)

    return history_for(settings, on_problem=None if settings.offline else report), True


def open_source(settings: Settings, runtime: Runtime, history: History | None = None) -> tuple[JobSource, bool]:
    """The runtime's source if a test gave one, else the real API (or, `--offline`, the local history alone);
    and whether we own (must close) it. With a history, result files are read through it."""
    if settings.offline:
        from ftwatch.source.offline_source import OfflineSource

        if history is None:
            raise ConfigError("--offline reads only the local history, and this run has none")
        return OfflineSource(history), True
    if runtime.source is not None:
        source, owned = runtime.source, False
    else:
        from ftwatch.source.client import build_source

        source, owned = build_source(settings), True
    if history is not None:
        from ftwatch.source.history_source import CachingSource

        source = CachingSource(source, history)
    return source, owned


class Notices:
    """Connection and phase changes as stderr lines, each said once."""

    def __init__(self, runtime: Runtime, job_id: str) -> None:
        self._runtime = runtime
        self._job_id = job_id
        self._phase: str | None = None
        self._state = LinkState.CONNECTING

    def say(self, text: str) -> None:
        print(f"ftwatch: {text}", file=self._runtime.err, flush=True)

    def update(self, snapshot: JobSnapshot, *, phases: bool = True) -> None:
        link = snapshot.connection
        if link.state is LinkState.RETRYING:
            wait = math.ceil(max(1.0, (link.retry_at or 0.0) - self._runtime.clock()))
            self.say(f"{clean(link.message)}; retrying in {human_duration(wait)} (attempt {link.attempt})")
        elif link.state is LinkState.OK and self._state is LinkState.RETRYING:
            self.say("connected again")
        self._state = link.state
        if phases and link.state is LinkState.OK and snapshot.phase.value != self._phase:
            self._phase = snapshot.phase.value
            if not snapshot.phase.is_terminal:
                self.say(f"{self._job_id} is {self._phase.replace('_', ' ')}")


async def watch_to_end(settings: Settings, job_id: str, runtime: Runtime, *, phases: bool = True
                       ) -> AsyncIterator[JobSnapshot]:
    """Every snapshot of `job_id` until it ends. Fatal errors raise (exit 4); so does a host never reached.

    With the local history, its events come first (the watch then asks only for newer ones). `--offline`
    reads the history alone and stops at what it holds: a job it last saw running is not followed further."""
    history, history_owned = open_history(settings, runtime)
    try:
        source, owned = open_source(settings, runtime, history)
    except BaseException:
        if history_owned and history is not None:
            await asyncio.to_thread(history.close)
        raise
    notices = Notices(runtime, job_id)
    if settings.offline and history is not None:
        notices.say(f"offline: reading only the local history ({history.path})")
    watch = watch_job(source, job_id, smoothing=settings.smoothing, clock=runtime.clock, sleep=runtime.sleep,
                      intervals=PollIntervals.from_settings(settings), backoff=runtime.backoff,
                      history=None if settings.offline else history)
    try:
        async for snapshot in watch:
            link = snapshot.connection
            if link.state is LinkState.FAILED:
                assert watch.last_error is not None
                raise watch.last_error
            never_reached = (link.state is LinkState.RETRYING and link.last_success is None
                             and isinstance(watch.last_error, UnreachableError))
            if never_reached and link.attempt >= UNREACHABLE_ATTEMPTS:
                raise _unreachable(watch.last_error)
            if not never_reached:       # a typo'd host gets one line when we give up, not a line per attempt
                notices.update(snapshot, phases=phases)
            yield snapshot
            if settings.offline and link.state is LinkState.OK and not snapshot.phase.is_terminal:
                notices.say(f"offline: the local history last saw {clean(job_id)} {clean(snapshot.job.status)}; "
                            "its newer events need the API (run without --offline to follow it)")
                return
    finally:
        await watch.aclose()
        if owned:
            await source.aclose()
        if history_owned and history is not None:
            await asyncio.to_thread(history.close)


def _unreachable(error: UnreachableError) -> FatalSourceError:
    return FatalSourceError(f"{error.message} (gave up after {UNREACHABLE_ATTEMPTS} attempts)")


def end_line(snapshot: JobSnapshot) -> str:
    """One line saying how a job ended: status, duration, model or error."""
    job = snapshot.job
    parts = [f"{clean(job.id)} {clean(job.status)}"]
    if snapshot.progress.label:
        parts.append(f"({clean(snapshot.progress.label)})")
    if job.fine_tuned_model:
        parts.append(f"model {clean(job.fine_tuned_model)}")
    if job.error is not None:
        code = f"{clean(job.error.code)}: " if job.error.code else ""
        parts.append(f"error {code}{clean(job.error.message, max_len=300)}")
    return " ".join(parts)


def exit_status(snapshot: JobSnapshot) -> int:
    return EXIT_BY_STATUS.get(snapshot.job.status, EXIT_OK)
