"""One job as a schedule of things that become visible at given wall-clock times.

Simulated and recorded jobs both compile down to a `JobTimeline`: job-object snapshots, events,
checkpoints and a result file, each tagged with the wall time it appears. Reading "what the API shows
now" is then a bisect, which is what lets a test advance a fake clock and see a burst of 1,000 events
at once, and lets cancel/pause/resume be plain edits of the future (cut it, shift it, re-append it).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ResultFile:
    file: dict[str, Any]      # the FileObject served by GET /v1/files/{id}
    csv: str                  # decoded CSV; the API serves it base64-encoded


class _Schedule:
    """Items sorted by the wall time they appear; ties keep insertion order (API order)."""

    def __init__(self) -> None:
        self._times: list[float] = []
        self._items: list[Any] = []

    def add(self, at: float, item: Any) -> None:
        index = bisect_right(self._times, at)
        self._times.insert(index, at)
        self._items.insert(index, item)

    def visible(self, now: float) -> list[Any]:
        return self._items[: bisect_right(self._times, now)]

    def latest(self, now: float) -> Any | None:
        count = bisect_right(self._times, now)
        return self._items[count - 1] if count else None

    def cut_after(self, now: float) -> list[tuple[float, Any]]:
        """Remove and return everything not yet visible at `now`."""
        count = bisect_right(self._times, now)
        future = list(zip(self._times[count:], self._items[count:]))
        del self._times[count:], self._items[count:]
        return future

    def timed(self) -> list[tuple[float, Any]]:
        return list(zip(self._times, self._items))

    def first_time(self) -> float | None:
        return self._times[0] if self._times else None

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class _Future:
    paused_at: float
    states: list[tuple[float, Any]]
    events: list[tuple[float, Any]]
    checkpoints: list[tuple[float, Any]]
    results: list[tuple[float, Any]]
    resume_state: dict[str, Any]


@dataclass
class JobTimeline:
    job_id: str
    states: _Schedule = field(default_factory=_Schedule)
    events: _Schedule = field(default_factory=_Schedule)
    checkpoints: _Schedule = field(default_factory=_Schedule)
    results: _Schedule = field(default_factory=_Schedule)
    _paused: _Future | None = None

    # --- reading -----------------------------------------------------------------------------
    def appears_at(self) -> float:
        first = self.states.first_time()
        return float("inf") if first is None else first

    def is_visible(self, now: float) -> bool:
        return self.appears_at() <= now

    def job(self, now: float) -> dict[str, Any]:
        state = self.states.latest(now)
        if state is None:
            raise LookupError(self.job_id)
        return state

    def visible_events(self, now: float) -> list[dict[str, Any]]:
        """Chronological (oldest first); the API serves the reverse."""
        return self.events.visible(now)

    def visible_checkpoints(self, now: float) -> list[dict[str, Any]]:
        return self.checkpoints.visible(now)

    def result_file(self, now: float) -> ResultFile | None:
        return self.results.latest(now)

    # --- changing the future -----------------------------------------------------------------
    def cancel(self, now: float, state: dict[str, Any]) -> None:
        """Nothing scheduled happens any more; `state` (status cancelled) shows from now on."""
        for schedule in (self.states, self.events, self.checkpoints, self.results):
            schedule.cut_after(now)
        self._paused = None
        self.states.add(now, state)

    def pause(self, now: float, paused_state: dict[str, Any], resume_state: dict[str, Any]) -> None:
        self._paused = _Future(
            now,
            self.states.cut_after(now),
            self.events.cut_after(now),
            self.checkpoints.cut_after(now),
            self.results.cut_after(now),
            resume_state,
        )
        self.states.add(now, paused_state)

    @property
    def is_paused(self) -> bool:
        return self._paused is not None

    def resume(self, now: float, queued_state: dict[str, Any], requeue_delay: float) -> None:
        """Back to `queued` now, to the state it was paused in after `requeue_delay`, then the rest
        of the old schedule, shifted by however long the pause lasted."""
        future = self._paused
        if future is None:
            return
        self._paused = None
        shift = now + requeue_delay - future.paused_at
        self.states.add(now, queued_state)
        self.states.add(now + requeue_delay, future.resume_state)
        for schedule, items in ((self.states, future.states), (self.events, future.events),
                                (self.checkpoints, future.checkpoints), (self.results, future.results)):
            for at, item in items:
                key = "finished_at" if schedule is self.states else "created_at"
                schedule.add(at + shift, _shifted(item, key, shift))


def _shifted(item: Any, key: str, shift: float) -> Any:
    """A resumed job does everything later: move its timestamps with the schedule (a job's own
    `created_at` stays, its `finished_at` moves; events and checkpoints move their `created_at`)."""
    if isinstance(item, dict) and isinstance(item.get(key), int):
        return {**item, key: item[key] + int(round(shift))}
    return item
