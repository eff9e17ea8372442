"""The machinery every poller shares: its intervals, its connection state, and a sleep that `refresh()` can cut.

A `Watch` is an async iterator of snapshots (so `async for snapshot in watch_job(...)` reads naturally) that
also carries the two things a consumer needs besides the snapshots: a `refresh()` nudge (the TUI's `r` key)
and `last_error`, the SourceError behind the latest RETRYING or FAILED state (the headless commands turn a
fatal one into exit status 4).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import AsyncIterator, Awaitable, Callable, Generic, TypeVar

from ftwatch.config import Settings
from ftwatch.domain.snapshot import Connection, Freshness, LinkState
from ftwatch.errors import SourceError, TransientSourceError

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PollIntervals:
    """Seconds to sleep after a poll completes (so a slow API stretches the rhythm instead of stacking)."""

    active: float = 2.0       # running / evaluating: events may arrive every second
    idle: float = 10.0        # validating files, queued, paused, unknown
    jobs: float = 10.0        # the jobs list

    @classmethod
    def from_settings(cls, settings: Settings) -> PollIntervals:
        return cls(active=settings.poll_interval, idle=settings.idle_interval, jobs=settings.idle_interval)


class Link:
    """Turns successes and failures into Connection values (attempt counts, last success, freshness).

    `freshness`: CACHED after a watch showed what the local history had, until the API answers once;
    OFFLINE for ever when the source reads only the history (it says so with `offline = True`)."""

    def __init__(self, clock: Clock, *, offline: bool = False) -> None:
        self._clock = clock
        self.last_success: float | None = None
        self.attempt = 0
        self.freshness = Freshness.OFFLINE if offline else Freshness.LIVE
        self.current = Connection(freshness=self.freshness)

    def cached(self) -> Connection:
        """What the history had is about to be shown: CONNECTING, marked cached (unless offline)."""
        if self.freshness is Freshness.LIVE:
            self.freshness = Freshness.CACHED
        self.current = Connection(freshness=self.freshness)
        return self.current

    def ok(self) -> Connection:
        self.last_success = self._clock()
        self.attempt = 0
        if self.freshness is Freshness.CACHED:
            self.freshness = Freshness.LIVE
        self.current = Connection(state=LinkState.OK, last_success=self.last_success, freshness=self.freshness)
        return self.current

    def retrying(self, error: TransientSourceError, delay: float) -> Connection:
        self.current = Connection(state=LinkState.RETRYING, message=error.message, retry_at=self._clock() + delay,
                                  last_success=self.last_success, attempt=self.attempt, freshness=self.freshness)
        return self.current

    def failed(self, error: SourceError) -> Connection:
        self.current = Connection(state=LinkState.FAILED, message=error.message, last_success=self.last_success,
                                  attempt=self.attempt, freshness=self.freshness)
        return self.current


def is_offline(source: object) -> bool:
    """Whether a source reads only the local history (source/offline_source.py)."""
    return bool(getattr(source, "offline", False))


class Watch(ABC, Generic[T]):
    """An async iterator of snapshots with a `refresh()` nudge and the last error seen."""

    def __init__(self, *, sleep: Sleep, refresh: asyncio.Event | None) -> None:
        self._sleep = sleep
        self._nudge = refresh if refresh is not None else asyncio.Event()
        self.last_error: SourceError | None = None
        self._stream: AsyncIterator[T] | None = None

    def refresh(self) -> None:
        """Poll now instead of waiting for the rest of the interval (or of a back-off)."""
        self._nudge.set()

    def __aiter__(self) -> Watch[T]:
        return self

    async def __anext__(self) -> T:
        if self._stream is None:
            self._stream = self._run()
        return await self._stream.__anext__()

    async def aclose(self) -> None:
        if self._stream is not None:
            await self._stream.aclose()  # type: ignore[attr-defined]

    @abstractmethod
    def _run(self) -> AsyncIterator[T]:
        """The snapshot stream itself (an async generator), started on the first `__anext__`."""

    async def _pause(self, seconds: float) -> None:
        """Sleep for `seconds` unless refresh() is called first."""
        if self._nudge.is_set():
            self._nudge.clear()
            return
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        nudged = asyncio.ensure_future(self._nudge.wait())
        try:
            await asyncio.wait({sleeper, nudged}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, nudged):
                if not task.done():
                    task.cancel()
            await asyncio.gather(sleeper, nudged, return_exceptions=True)
            self._nudge.clear()
