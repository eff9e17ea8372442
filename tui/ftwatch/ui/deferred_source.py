"""A JobSource that exists before the real one: its calls wait until the source factory has made it.

With a local history the monitor starts its watches at once, so the cached jobs list and the selected job's
cached chart and log are drawn while the SDK is still importing (and whatever the API does next): each
watch shows what the history has, then its first request waits here for the real source. If the factory
fails, every waiting call fails with that reason (a FatalSourceError: the watches stop, the status line
says why). Its description is the real source's once there is one, plus "cache off" once the history
reported a problem (the status line is where that is said).
"""

from __future__ import annotations

import asyncio
from typing import Any

from ftwatch.domain.models import Checkpoint, Job
from ftwatch.errors import FatalSourceError, FtwatchError
from ftwatch.source.base import EventPage, JobSource


class DeferredSource:
    def __init__(self, description: str, *, history: Any = None, offline: bool = False) -> None:
        self._description = description
        self._history = history
        self.offline = offline
        self._ready = asyncio.Event()
        self._source: JobSource | None = None
        self._error: FtwatchError | None = None

    @property
    def description(self) -> str:
        base = self._source.description if self._source is not None else self._description
        problem = getattr(self._history, "problem", None)
        return f"{base} · cache off" if problem else base

    @property
    def target(self) -> JobSource | None:
        return self._source

    def resolve(self, source: JobSource) -> None:
        self._source = source
        self._ready.set()

    def fail(self, error: FtwatchError) -> None:
        self._error = error
        self._ready.set()

    async def _real(self) -> JobSource:
        await self._ready.wait()
        if self._source is None:
            message = self._error.message if self._error is not None else "no source"
            raise FatalSourceError(message)
        return self._source

    async def list_jobs(self) -> list[Job]:
        return await (await self._real()).list_jobs()

    async def get_job(self, job_id: str) -> Job:
        return await (await self._real()).get_job(job_id)

    async def list_events(self, job_id: str, *, after: str | None = None, limit: int = 100) -> EventPage:
        return await (await self._real()).list_events(job_id, after=after, limit=limit)

    async def list_checkpoints(self, job_id: str) -> list[Checkpoint]:
        return await (await self._real()).list_checkpoints(job_id)

    async def result_csv(self, file_id: str) -> str:
        return await (await self._real()).result_csv(file_id)

    async def cancel_job(self, job_id: str) -> Job:
        return await (await self._real()).cancel_job(job_id)

    async def pause_job(self, job_id: str) -> Job:
        return await (await self._real()).pause_job(job_id)

    async def resume_job(self, job_id: str) -> Job:
        return await (await self._real()).resume_job(job_id)

    async def aclose(self) -> None:
        if self._source is not None:
            await self._source.aclose()
