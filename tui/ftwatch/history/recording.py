"""RecordingTracker: a JobTracker whose every new fact is also written to the history, off the event loop.

The tracker is where a watch's pages become one job's history (each event once, in the API's order, a
back-fill merged only once it reached the oldest event), so it is the place to record from: what is stored
is exactly what the screen shows, never a page that was not joined up yet. Each merge hands the writer its
new events with the anchor the timeline put them next to (`placement` explains why that keeps the order);
the queue takes references to the API's dicts, the JSON is made in the writer's thread.

Seeding (filling the tracker from the history before it is attached) records nothing back.
"""

from __future__ import annotations

from typing import Protocol, Sequence

from ftwatch.domain.events.timeline import APPENDED, PREPENDED
from ftwatch.domain.models import Checkpoint, Job, JobEvent
from ftwatch.domain.tracker import JobTracker


class Recorder(Protocol):
    def record_job(self, job: Job) -> None: ...
    def record_events(self, job_id: str, events: Sequence[JobEvent], *, below: str | None,
                      above: str | None) -> None: ...
    def record_checkpoints(self, job_id: str, checkpoints: Sequence[Checkpoint]) -> None: ...


class RecordingTracker(JobTracker):
    def __init__(self, job: Job, *, smoothing: float | None = None, recorder: Recorder | None = None) -> None:
        super().__init__(job, smoothing=smoothing)
        self._recorder = recorder
        # Set by seeding when the history held the finished job whole (its last watch read it to the end,
        # final checkpoints included): how many events it had then. A watch that finds nothing newer need
        # not read the final checkpoints again.
        self.complete_from_history: int | None = None

    def attach(self, recorder: Recorder | None) -> None:
        """Record from now on (after seeding)."""
        self._recorder = recorder

    def update_job(self, job: Job) -> None:
        super().update_job(job)
        if self._recorder is not None and job.created_at:
            self._recorder.record_job(job)

    def update_checkpoints(self, checkpoints: Sequence[Checkpoint]) -> None:
        super().update_checkpoints(checkpoints)
        if self._recorder is not None:
            self._recorder.record_checkpoints(self.job.id, self.checkpoints)

    def merge(self, page_newest_first: Sequence[JobEvent], *, after: str | None = None,
              newer_than: str | None = None) -> Sequence[JobEvent]:
        recorder = self._recorder
        if recorder is None:
            return super().merge(page_newest_first, after=after, newer_than=newer_than)
        timeline = self.timeline
        newest, oldest = timeline.newest_id, timeline.oldest_id
        added = super().merge(page_newest_first, after=after, newer_than=newer_than)
        if not added:
            return added
        job_id = self.job.id
        where = timeline.last_merge
        if where == APPENDED:
            recorder.record_events(job_id, added, below=newest, above=None)
        elif where == PREPENDED:
            recorder.record_events(job_id, added, below=None, above=oldest)
        else:
            for below, run in _runs_in_place(timeline.view(), {event.id: event for event in added}):
                recorder.record_events(job_id, run, below=below, above=None)
        return added


def _runs_in_place(view: Sequence[JobEvent], added: dict[str, JobEvent]) -> list[tuple[str | None, list[JobEvent]]]:
    """After an insertion in the middle (rare: a hostile or reordered page), the new events as runs in the
    timeline's order, each with the event just below it (None at the bottom). The events handed on are the
    merged ones, which carry the API's dicts (the timeline's own copies of metrics events are compact)."""
    runs: list[tuple[str | None, list[JobEvent]]] = []
    below: str | None = None
    current: list[JobEvent] | None = None
    for event in view:
        original = added.get(event.id)
        if original is not None:
            if current is None:
                current = []
                runs.append((below, current))
            current.append(original)
        else:
            current = None
        below = event.id
    return runs
