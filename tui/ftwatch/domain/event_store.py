"""Every event a timeline has seen, by event number, stored so a million of them fit in memory.

Metrics events are nearly all of a job's events and nearly all alike: their `data` is a flat dict of
numbers and their message is printed from it (`Step 12/500: training loss=1.23, ...`). Such an event is
kept as a few array entries (id, time, step, total, which keys it had); its values already live in the
metric series, and the event is rebuilt from both when someone looks at it. A message that differs from
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
from ftwatch.domain.parse import metric_fields
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
        self._total = array("q")
        self._keyset = array("H")
        self._keysets: list[tuple[str, ...]] = []
        self._keyset_numbers: dict[tuple[str, ...], int] = {}
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
        self._total.append(0)
        self._keyset.append(0)
        self._objects[number] = event
        return number

    def add_compact(self, event: JobEvent, step: int, total: int | None) -> int:
        """Keep a metrics event whose every data value is already in the metric series at `step`."""
        data = event.data
        keys = tuple(data)
        keyset = self._keyset_numbers.get(keys)
        if keyset is None:
            if len(self._keysets) >= 0xFFFF:
                return self.add_object(event)
            keyset = self._keyset_numbers[keys] = len(self._keysets)
            self._keysets.append(keys)
        number = self.ids.add(event.id)
        self.created.append(event.created_at)
        self._step.append(step)
        self._total.append(-1 if total is None else total)
        self._keyset.append(keyset)
        if event.message != metrics_message(step, total, data):
            self._messages[number] = event.message
        if event.level != "info":
            self._levels[number] = event.level
        return number

    def event(self, number: int) -> JobEvent:
        step = self._step[number]
        if step == NOT_COMPACT:
            return self._objects[number]
        total: int | None = self._total[number]
        total = None if total == -1 else total
        metrics = self.metrics
        data: dict[str, Any] = {}
        for key in self._keysets[self._keyset[number]]:
            if key == "step":
                data[key] = step
            elif key == "total_steps":
                data[key] = total
            else:
                series = metrics.get(key) if metrics is not None else None
                data[key] = series.value_at(step) if series is not None else None
        message = self._messages.get(number)
        if message is None:
            message = metrics_message(step, total, data) or ""
        event_id, created_at = self.ids.id_of(number), self.created[number]
        level = self._levels.get(number, "info")
        raw = {"object": "fine_tuning.job.event", "id": event_id, "created_at": created_at, "level": level,
               "message": message, "data": data, "type": "metrics"}
        return JobEvent(event_id, created_at, level, message, "metrics", data, raw)

    def is_compact(self, number: int) -> bool:
        return self._step[number] != NOT_COMPACT

    def step_of(self, number: int) -> tuple[int, int | None] | None:
        """(step, total_steps) of a metrics event, None for other events; cheap for compact ones."""
        step = self._step[number]
        if step != NOT_COMPACT:
            total = self._total[number]
            return step, (None if total == -1 else total)
        fields = metric_fields(self._objects[number])
        return (fields[0], fields[1]) if fields is not None else None
