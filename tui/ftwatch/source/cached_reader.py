"""The two reads of `ftwatch jobs` and `ftwatch status` answered from the local history (`--offline`): no request.

The same interface as rest_reader.RestReader (`jobs_page`, `events_pages`), so the commands do not care where
their answers come from; the history's own reads (ftwatch.history) are synchronous, which suits these
commands (they have no event loop to keep free). A job whose events the history never saw maps to a
NotFoundError, as a failed request would: its row is shown without them, never with invented ones.
"""

from __future__ import annotations

from typing import Sequence

from ftwatch.domain.models import Job
from ftwatch.errors import NotFoundError, SourceError
from ftwatch.source.base import EventPage
from ftwatch.source.offline_source import check_readable, history_page


class CachedReader:
    cached = True

    def __init__(self, history) -> None:
        self._history = history
        self.description = f"cache of {history.account.label()}"
        self._jobs: list[Job] | None = None

    def jobs_page(self, *, after: str | None = None, limit: int = 100) -> tuple[list[Job], bool]:
        if self._jobs is None:
            self._jobs = self._checked(self._history.read_jobs())
        start = 0
        if after is not None:
            ids = [job.id for job in self._jobs]
            start = ids.index(after) + 1 if after in ids else len(ids)
        page = self._jobs[start:start + limit]
        return page, start + limit < len(self._jobs)

    def events_pages(self, job_ids: Sequence[str], *, limit: int) -> dict[str, EventPage | SourceError]:
        pages: dict[str, EventPage | SourceError] = {}
        for job_id in job_ids:
            page = self._checked(history_page(self._history, job_id, after=None, limit=limit))
            pages[job_id] = page if page is not None else NotFoundError(
                f"the events of {job_id} are not in the local history (offline)", status=404)
        return pages

    def _checked(self, value):
        check_readable(self._history)
        return value
