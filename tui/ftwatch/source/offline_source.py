"""OfflineSource: a JobSource that reads only the local history (`--offline`), so nothing is asked of the API.

It answers as the API would have, from what earlier runs stored: the jobs list newest first, a job object,
events in newest-first pages walked with `after`, the checkpoints list, result files. The poll engine runs on
it unchanged (back-fill, final catch-up, result file for a job whose events lack steps), and says `offline`
in every snapshot (`offline = True`: see `watching.Link`). What the history never saw is a 404 ("not in the
local history"), never an invented empty answer; cancel, pause and resume need the API and are refused.
Every read runs in a worker thread: SQLite must not stall the event loop.
"""

from __future__ import annotations

import asyncio
from typing import Callable, TypeVar

from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.models import Checkpoint, Job
from ftwatch.domain.parse import parse_job
from ftwatch.errors import FatalSourceError, NotFoundError
from ftwatch.history.history import History
from ftwatch.source.base import EventPage

T = TypeVar("T")


class OfflineSource:
    offline = True

    def __init__(self, history: History) -> None:
        self._history = history
        self.description = f"cache of {history.account.label()}"

    async def list_jobs(self) -> list[Job]:
        return await self._read(self._history.read_jobs)

    async def get_job(self, job_id: str) -> Job:
        cached = await self._read(lambda: self._history.read_job(job_id, with_events=False))
        if cached is None:
            raise self._unknown(job_id)
        return parse_job(cached.job)

    async def list_events(self, job_id: str, *, after: str | None = None, limit: int = 100) -> EventPage:
        page = await self._read(lambda: history_page(self._history, job_id, after=after, limit=limit))
        if page is None:
            raise self._unknown(job_id)
        return page

    async def list_checkpoints(self, job_id: str) -> list[Checkpoint]:
        found = await self._read(lambda: self._history.read_checkpoints(job_id))
        if found is None:
            raise NotFoundError(f"the checkpoints of {job_id} are not in the local history (offline)", status=404)
        return found

    async def result_csv(self, file_id: str) -> str:
        content = await self._read(lambda: self._history.read_result_file(file_id))
        if content is None:
            raise NotFoundError(f"the result file {file_id} is not in the local history (offline)", status=404)
        return content

    async def cancel_job(self, job_id: str) -> Job:
        raise self._refused("cancel")

    async def pause_job(self, job_id: str) -> Job:
        raise self._refused("pause")

    async def resume_job(self, job_id: str) -> Job:
        raise self._refused("resume")

    async def aclose(self) -> None:
        return None

    async def _read(self, read: Callable[[], T]) -> T:
        result = await asyncio.to_thread(read)
        check_readable(self._history)
        return result

    def _unknown(self, job_id: str) -> NotFoundError:
        return NotFoundError(f"{job_id} is not in the local history (offline: nothing is asked of the API)",
                             status=404)

    def _refused(self, verb: str) -> FatalSourceError:
        return FatalSourceError(f"offline: cannot {verb} a job without the API (run ftwatch without --offline)")


def history_page(history: History, job_id: str, *, after: str | None, limit: int) -> EventPage | None:
    """One newest-first page of a job's events from the history, as the API would page it; None: never seen."""
    found = history.read_page(job_id, after=after, limit=limit)
    if found is None:
        return None
    dicts, has_more = found
    return EventPage(events=ApiEvents(dicts), has_more=has_more)


def check_readable(history: History) -> None:
    """Offline there is nothing else to read: a history that cannot be read ends the command, saying why."""
    if history.problem is not None:
        raise FatalSourceError(f"offline, and the local history cannot be read: {history.problem}")
