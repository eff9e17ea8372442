"""The compare view's workers: read each marked run whole, and keep a running one up to date while it is open.

Marked jobs may never have been followed (a finished job the monitor only peeked at for its row), so the view
reads each one itself through the screen's `JobSource`, with the same `source.poll.watch_job` the monitor
uses: a finished job's watch ends by itself after its final snapshot (its whole history, one backfill); a
running one keeps polling at the monitor's rhythm. A run whose final snapshot the monitor already holds is
not read again (the view is handed that snapshot).

The workers belong to the compare screen (`node`), are `exit_on_error=False` (an API error never quits the
app) and only post `RunUpdated` messages carrying frozen snapshots; `stop()` cancels them all when the view
closes, so nothing keeps polling for a view nobody sees.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Callable, Iterable

from textual.message import Message

from ftwatch.domain.snapshot import JobSnapshot
from ftwatch.source.base import JobSource


@dataclass
class RunUpdated(Message, bubble=False):
    """A new snapshot of one compared run (its first full read, or a later poll of a running job)."""

    snapshot: JobSnapshot


class CompareWorkers:
    def __init__(self, node, settings, clock: Callable[[], float]) -> None:
        self._node = node
        self._settings = settings
        self._clock = clock
        self.reading: set[str] = set()          # runs whose watch has not ended yet

    def start(self, source: JobSource, job_ids: Iterable[str]) -> None:
        for job_id in job_ids:
            self.reading.add(job_id)
            self._node.run_worker(partial(self._watch, source, job_id), group=f"compare:{job_id}", exclusive=True,
                                  exit_on_error=False, description=f"read {job_id} for the comparison")

    async def _watch(self, source: JobSource, job_id: str) -> None:
        from ftwatch.source.poll import PollIntervals, watch_job

        watch = watch_job(source, job_id, clock=self._clock, intervals=PollIntervals.from_settings(self._settings))
        try:
            async for snapshot in watch:
                # The view draws the metrics; the events' delta (a whole backfill's worth) is not kept.
                self._node.post_message(RunUpdated(replace(snapshot, new_events=())))
        finally:
            self.reading.discard(job_id)

    def stop(self) -> None:
        self._node.workers.cancel_node(self._node)
        self.reading.clear()
