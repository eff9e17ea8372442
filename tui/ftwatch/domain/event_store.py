"""Every event a timeline has seen, by event number, stored so a million of them fit in memory.

Metrics events are nearly all of a job's events and nearly all alike: their `data` is a flat dict of
numbers and their message is printed from it (`Step 12/500: training loss=1.23, ...`). Such an event is
kept as a few array entries (id, time, step, and its "layout": which keys and total_steps it had, shared
by all its siblings); its values already live in the metric series, and the event is rebuilt from both
when someone looks at it. A message that differs from
the printed form, or a level other than `info`, is kept beside it. Anything else (messages, moderation
checks, RFT metrics with nested data) is kept as the `JobEvent` itself.

A rebuilt event is equal in id, time, level, message, type and data values (ints in `data` come back as
floats); its `raw` is rebuilt from those fields. The API's own dict (`raw`) reaches whoever reads the
events as they arrive (`merge()` results and `new_events`); it is not retained for old metrics events.
"""

from __future__ import annotations

from array import array
from typing import Any, Mapping

from ftwatch.domain.idindex import IdIndex
from ftwatch.domain.models import JobEvent
from ftwatch.domain.metric_parse import metric_fields
from ftwatch.domain.parse import make_event
from ftwatch.domain.series import MetricStore

NOT_COMPACT = -1


def metrics_message(step: int, total: int | None, data: Mapping[str, Any]) -> str | None:
    """The message the API prints for a supervised metrics event, or None without a total or a train loss."""
    loss = data.get("train_loss")
    if loss is None or total is None:
        return None
    text = f"Step {step}/{total}: training loss={loss:.2f}"
    valid = data.get("valid_loss")
    if valid is not None:
        text += f", validation loss={valid:.2f}"
    full = data.get("full_valid_loss")
    if full is not None:
        text += f", full validation loss={full:.2f}"
    return text


class EventStore:
    def __init__(self, metrics: MetricStore | None) -> None:
        self.ids = IdIndex()
        self.created = array("q")
        self._step = array("q")           # step of a compact metrics event, NOT_COMPACT otherwise
        self._layout = array("H")         # which (data keys, total_steps) a compact event had
        self._layouts: list[tuple[tuple[str, ...], int | None]] = []
        self._layout_numbers: dict[tuple[tuple[str, ...], int | None], int] = {}
        self._plans: dict[int, tuple[tuple[str, ...], int | None, tuple]] = {}
        self._objects: dict[int, JobEvent] = {}
        self._messages: dict[int, str] = {}
        self._levels: dict[int, str] = {}
        self.metrics = metrics

    def __len__(self) -> int:
        return len(self.created)

    def add_object(self, event: JobEvent) -> int:
        number = self.ids.add(event.id)
        self.created.append(event.created_at)
        self._step.append(NOT_COMPACT)
        self._layout.append(0)
        self._objects[number] = event
        return number

    def add_compact(self, event: JobEvent, step: int, total: int | None) -> int:
        """Keep a metrics event whose every data value is already in the metric series at `step`."""
        data = event.data
        shape = (tuple(data), total)
        layout = self._layout_numbers.get(shape)
        if layout is None:
            if len(self._layouts) >= 0xFFFF:
                return self.add_object(event)
            layout = self._layout_numbers[shape] = len(self._layouts)
            self._layouts.append(shape)
        number = self.ids.add(event.id)
        self.created.append(event.created_at)
        self._step.append(step)
        self._layout.append(layout)
        message = event.message
        if message != metrics_message(step, total, data):
            self._messages[number] = message
        if event.level != "info":
            self._levels[number] = event.level
        return number

    def event(self, number: int) -> JobEvent:
        step = self._step[number]
        if step == NOT_COMPACT:
            return self._objects[number]
        layout = self._layout[number]
        plan = self._plans.get(layout)
        if plan is None:
            plan = self._plans[layout] = self._plan(layout)
        keys, total, columns = plan
        data: dict[str, Any] = {}
        for key, series in zip(keys, columns):
            data[key] = step if key == "step" else total if key == "total_steps" else (
                series.value_at(step) if series is not None else None)
        message = self._messages.get(number)
        if message is None:
            message = metrics_message(step, total, data) or ""
        event_id, created_at = self.ids.id_of(number), self.created[number]
        level = self._levels.get(number, "info")
        raw = {"object": "fine_tuning.job.event", "id": event_id, "created_at": created_at, "level": level,
               "message": message, "data": data, "type": "metrics"}
        return make_event(event_id, created_at, level, message, "metrics", data, raw)

    def _plan(self, layout: int) -> tuple[tuple[str, ...], int | None, tuple]:
        """A layout's keys with the series each value is read from (looked up once, not per event)."""
        keys, total = self._layouts[layout]
        metrics = self.metrics
        return keys, total, tuple(metrics.get(key) if metrics is not None else None for key in keys)

    def is_compact(self, number: int) -> bool:
        return self._step[number] != NOT_COMPACT

    def step_of(self, number: int) -> tuple[int, int | None] | None:
        """(step, total_steps) of a metrics event, None for other events; cheap for compact ones."""
        step = self._step[number]
        if step != NOT_COMPACT:
            return step, self._layouts[self._layout[number]][1]
        fields = metric_fields(self._objects[number])
        return (fields[0], fields[1]) if fields is not None else None
