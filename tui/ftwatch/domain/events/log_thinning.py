"""Which events get a line in the event log: every message, and about fifty metrics lines per job.

A scrolling log repaints every visible row, and the chart already shows every step, so a per-step metrics
line would scroll the log once a second for nothing. The log keeps the first and last step, every
`total / 50`-th step (every 10th when the total is unknown) and every full-validation step; anything else
is always shown. The full history stays in the timeline either way.

`kept_positions` decides for a slice of a timeline view without building events: a run of compact metrics
events counting up by one (what polls append) is thinned by arithmetic over its steps, O(lines kept);
anything else is read event by event from the compact step index.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from ftwatch.domain.metrics.event_points import metric_point
from ftwatch.domain.models import JobEvent

METRIC_LINES_PER_JOB = 50


def keep_in_log(event: JobEvent, total_steps: int | None) -> bool:
    """Thin per-step metric lines to ~50 per job; every other event is always shown."""
    if event.type != "metrics":
        return True
    point = metric_point(event)
    if point is None:
        return True
    return keep_step(point.step, point.total_steps, point.values, total_steps)


def keep_step(step: int, total: int | None, names: Iterable[str], total_steps: int | None) -> bool:
    """`keep_in_log` for a metrics event known by its step, total and metric names (no event built)."""
    total = total or total_steps
    every = _every(total)
    return (step % every == 0 or step == 1 or step == total
            or any(name.startswith("full_valid") for name in names))


def _every(total: int | None) -> int:
    return max(1, math.ceil(total / METRIC_LINES_PER_JOB)) if total else 10


def kept_positions(events: Sequence[JobEvent], start: int, total_steps: int | None) -> list[int]:
    """The positions in `events[start:]` that the log shows, in order.

    A timeline view (`EventsSnapshot`) is read through its compact step index; any other sequence of
    events is read event by event."""
    stop = len(events)
    run = getattr(events, "step_run", None)
    if run is None:
        return [i for i in range(start, stop) if keep_in_log(events[i], total_steps)]
    found = run(start, stop)
    if found is not None:
        kept = _kept_in_run(start, stop, found[0], found[1], total_steps)
        if kept is not None:
            return kept
    return _kept_one_by_one(events, start, stop, total_steps)


def _kept_in_run(start: int, stop: int, first_step: int, layouts: list[tuple[tuple[str, ...], int | None]],
                 total_steps: int | None) -> list[int] | None:
    """Positions kept in a run whose steps are first_step, first_step + 1, ...: the multiples of `every`,
    step 1 and the last step, when every event of the run has the same rule (one total, no full validation);
    None otherwise."""
    totals = {total or total_steps for _, total in layouts}
    if len(totals) != 1 or any(name.startswith("full_valid") for names, _ in layouts for name in names):
        return None
    (total,) = totals
    every = _every(total)
    last_step = first_step + (stop - start) - 1
    steps = set(range(first_step + (-first_step) % every, last_step + 1, every))
    steps.update(step for step in (1, total) if step is not None and first_step <= step <= last_step)
    return [start + step - first_step for step in sorted(steps)]


def _kept_one_by_one(events, start: int, stop: int, total_steps: int | None) -> list[int]:
    rules: dict[tuple, tuple[int, int | None, bool]] = {}     # per (total, names): every, total, full valid
    kept = []
    for index, metric in enumerate(events.metrics_between(start, stop), start):
        if metric is not None:
            step, total, names = metric
            rule = rules.get((total, names))
            if rule is None:
                whole = total or total_steps
                rule = rules[(total, names)] = (
                    _every(whole), whole, any(name.startswith("full_valid") for name in names))
            every, whole, full = rule
            if not (step % every == 0 or step == 1 or step == whole or full):
                continue
        kept.append(index)
    return kept
