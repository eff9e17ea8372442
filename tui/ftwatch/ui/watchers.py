"""Which jobs are being followed right now, so that no job is ever polled twice.

The monitor screen follows every running/evaluating job (for its row's bar and sparkline) plus the selected
job, whatever its phase. `JobWatchers` is the bookkeeping only: it decides what to start and stop and keeps
each watch's `refresh()` handle; the screen starts the workers (it owns them, so Textual cancels them with it).
"""

from __future__ import annotations

from typing import Callable, Iterable, Protocol

MAX_ROW_WATCHERS = 16          # running jobs followed at once for their rows (the selected one always is)


class Watch(Protocol):
    def refresh(self) -> None: ...


class JobWatchers:
    def __init__(self, start: Callable[[str], None], stop: Callable[[str], None]) -> None:
        self._start = start
        self._stop = stop
        self._watches: dict[str, Watch | None] = {}    # None between the start and the first poll
        self._stopped: set[str] = set()                # ended on a fatal error; `r` tries them again
        self.jobs_watch: Watch | None = None

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._watches

    @property
    def followed(self) -> list[str]:
        return list(self._watches)

    def started(self, job_id: str, watch: Watch) -> None:
        self._watches[job_id] = watch

    def ended(self, job_id: str, watch: Watch) -> None:
        if self._watches.get(job_id) is watch:
            del self._watches[job_id]

    def failed(self, job_id: str) -> None:
        self._stopped.add(job_id)

    def sync(self, active: Iterable[str], selected: str | None, finished: Callable[[str], bool]) -> None:
        """Follow the active jobs (up to the cap) and the selected one; stop following the rest."""
        wanted = list(active)[:MAX_ROW_WATCHERS]
        if selected is not None:
            wanted.append(selected)
        for job_id in wanted:
            if job_id not in self._watches and job_id not in self._stopped and not finished(job_id):
                self._watches[job_id] = None
                self._start(job_id)
        for job_id in list(self._watches):
            if job_id not in wanted:
                del self._watches[job_id]
                self._stop(job_id)

    def refresh_all(self) -> bool:
        """Poll everything now; True when some stopped watchers may be restarted (call `sync` next)."""
        for watch in [self.jobs_watch, *self._watches.values()]:
            if watch is not None:
                watch.refresh()
        retry = bool(self._stopped)
        self._stopped.clear()
        return retry
