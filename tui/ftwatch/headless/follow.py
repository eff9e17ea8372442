"""`ftwatch follow JOB_ID [--json]`: the job's whole history, then each new event as it arrives, until it ends.

Every event exactly once, oldest first: the lines come from `JobSnapshot.new_events`, which the timeline fills
only with events no earlier snapshot carried. Plain mode is for people (time, level, cleaned message; metrics
as step/total with raw and smoothed loss); `--json` is for programs: each event's dict exactly as the API sent
it (same keys, same values, unknown fields included), one per line, ASCII-escaped so nothing in it can drive
the terminal.
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import TextIO

from ftwatch.config import Settings
from ftwatch.domain.format import clock_time, event_line
from ftwatch.domain.models import JobEvent
from ftwatch.domain.parse import metric_point
from ftwatch.domain.snapshot import JobSnapshot
from ftwatch.domain.metrics.smoothing import Ema, auto_weight
from ftwatch.domain.text import clean
from ftwatch.headless.common import Notices, Runtime, end_line, exit_status, watch_to_end


class PlainPrinter:
    """Readable lines; keeps its own O(1)-per-step EMA so each metrics line can show the smoothed loss."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._ema: Ema | None = None

    def print(self, snapshot: JobSnapshot) -> None:
        lines = [self._line(event, snapshot.smoothing) for event in snapshot.new_events]
        if lines:
            self._out.write("\n".join(lines) + "\n")
            self._out.flush()

    def _line(self, event: JobEvent, weight: float | None) -> str:
        smoothed = None
        point = metric_point(event)
        if point is not None and "train_loss" in point.values:
            if self._ema is None:
                self._ema = Ema(weight if weight is not None else auto_weight(point.total_steps))
            smoothed = self._ema.update(point.step, point.values["train_loss"])
        stamp = clock_time(event.created_at, "%Y-%m-%d %H:%M:%S")
        return f"{stamp}  {clean(event.level, max_len=5):<5}  {event_line(event, smoothed_loss=smoothed)}"


class JsonPrinter:
    def __init__(self, out: TextIO) -> None:
        self._out = out

    def print(self, snapshot: JobSnapshot) -> None:
        if snapshot.new_events:
            self._out.write("".join(json.dumps(dict(e.raw) or _fields(e)) + "\n" for e in snapshot.new_events))
            self._out.flush()


def _fields(event: JobEvent) -> dict:
    """Only for an event built without its API dict (never from the API source)."""
    return {"object": "fine_tuning.job.event", "id": event.id, "created_at": event.created_at,
            "level": event.level, "message": event.message, "type": event.type, "data": event.data}


async def follow(settings: Settings, job_id: str, *, json_lines: bool = False, runtime: Runtime | None = None) -> int:
    runtime = runtime or Runtime(out=sys.stdout, err=sys.stderr)
    printer = JsonPrinter(runtime.out) if json_lines else PlainPrinter(runtime.out)
    last = None
    async with contextlib.aclosing(watch_to_end(settings, job_id, runtime)) as snapshots:
        async for snapshot in snapshots:
            printer.print(snapshot)
            last = snapshot
    assert last is not None
    Notices(runtime, job_id).say(end_line(last))
    return exit_status(last)
