"""The local history as the source layer uses it: which history belongs to these settings, and a source that
serves result files from it.

`history_for(settings)` is the one place that turns settings into a `History`: none with `--no-cache` (or for
the demo, whose simulated jobs are new at every launch), else the file under the user's data directory (or
FTWATCH_CACHE_DIR), keyed by the account the settings point at. Making it touches no file.

`CachingSource` wraps a real source and reads each result file once per account, ever: a result file never
changes, and a finished job's health badge or chart needs the whole of it (a 10,000-step job's is ~1 MB). All
other calls go straight through; events and job objects are recorded by the watches' trackers, where they are
known to be contiguous (see history/recording.py).
"""

from __future__ import annotations

from typing import Any, Callable

from ftwatch.config import Settings
from ftwatch.history.account import Account
from ftwatch.history.history import History
from ftwatch.history.paths import history_path
from ftwatch.source.base import JobSource


def account_of(settings: Settings) -> Account:
    """Whose jobs these settings watch (never the key): the Azure resource, or base URL + org + project."""
    if settings.is_azure:
        return Account.of(settings.azure_endpoint)
    return Account.of(settings.base_url, settings.organization, settings.project)


def history_for(settings: Settings, *, on_problem: Callable[[str], None] | None = None) -> History | None:
    if settings.no_cache:
        return None
    return History(history_path(settings.cache_dir), account_of(settings), on_problem=on_problem)


class CachingSource:
    """A JobSource whose result files come from the history when it has them (and go into it when not)."""

    def __init__(self, source: JobSource, history: History) -> None:
        self._source = source
        self._history = history

    @property
    def description(self) -> str:
        return self._source.description

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    async def result_csv(self, file_id: str) -> str:
        cached = await self._history.result_file(file_id)
        if cached is not None:
            return cached
        content = await self._source.result_csv(file_id)
        self._history.record_result_file(file_id, content)
        return content

    async def aclose(self) -> None:
        await self._source.aclose()
