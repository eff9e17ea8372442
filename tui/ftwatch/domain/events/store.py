"""Every event a timeline has seen, by event number, stored so a million of them fit in memory.

Metrics events are nearly all of a job's events and nearly all alike: their `data` is a flat dict of
numbers and their message is printed from it (`Step 12/500: training loss=1.23, ...`). Such an event is
kept as a few array entries (id, time, step, and its "layout": which keys and total_steps it had, shared
by all its siblings); its values already live in the metric series, and the event is rebuilt from both
when someone looks at it. The messages of a plain page (see `metrics.page_columns`: a poll's page, nearly always)
are kept verbatim in compressed packs (`message_packs`); elsewhere a message is dropped when it is exactly
the printed form and kept beside the event when it differs, as is a level other than `info`. Anything else
(messages, moderation checks, RFT metrics with nested data) is kept as the `JobEvent` itself.

A rebuilt event is equal in id, time, level, message, type and data values (ints in `data` come back as
floats); its `raw` is rebuilt from those fields. The API's own dict (`raw`) reaches whoever reads the
events as they arrive (`merge()` results and `new_events`); it is not retained for old metrics events.
"""

from __future__ import annotations

from array import array
from itertools import chain, compress
from operator import attrgetter, itemgetter, lt, ne
from typing import Any, Callable, Iterable, Mapping, Sequence

from ftwatch.domain.events.id_index import IdIndex
from ftwatch.domain.events.message_packs import MessagePacks
from ftwatch.domain.metrics.page_columns import PlainPage
from ftwatch.domain.metrics.event_points import metric_fields
from ftwatch.domain.models import JobEvent
from ftwatch.domain.parse import make_event
from ftwatch.domain.phase import POST_TRAINING_PREFIXES
from ftwatch.domain.metrics.store import MetricStore

NOT_COMPACT = -1
_ID, _CREATED = attrgetter("id"), attrgetter("created_at")


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


_MESSAGE_PARTS = (("train_loss", ": training loss=%.2f"), ("valid_loss", ", validation loss=%.2f"),
                  ("full_valid_loss", ", full validation loss=%.2f"))


def _message_template(keys: tuple[str, ...], total: int | None) -> tuple[str | None, Callable[[Mapping[str, Any]], tuple]]:
    """`metrics_message` for one layout as a %-template and the reader of its values: the same text for
    the numbers a compact event holds, at a fraction of the cost of an f-string per event."""
    names = [name for name, _ in _MESSAGE_PARTS if name in keys]
    if total is None or "train_loss" not in names or "step" not in keys or "total_steps" not in keys:
        return None, tuple
    # A compact event's data holds its step and total as the very ints `metric_fields` read.
    template = "Step %d/%d" + "".join(part for name, part in _MESSAGE_PARTS if name in names)
    return template, itemgetter("step", "total_steps", *names)


def _all_printed(template: str, read: Callable[[Mapping[str, Any]], tuple], datas: list[dict],
                 texts: list[str]) -> bool:
    """Whether every text is exactly what `template` prints from its data: one `%` for the whole group.

    Each printed line ends with a newline, which the template never prints: equal joins mean that no text
    holds a newline either, so each text equals its own line."""
    lines = (template + "\n") * len(datas) % tuple(chain.from_iterable(map(read, datas)))
    return lines == "\n".join(texts) + "\n"


class EventStore:
    def __init__(self, metrics: MetricStore | None) -> None:
        self.ids = IdIndex()
        self.created = array("q")
        self._step = array("q")           # step of a compact metrics event, NOT_COMPACT otherwise
        self._layout = array("H")         # which (data keys, total_steps) a compact event had
        self._layouts: list[tuple[tuple[str, ...], int | None]] = []
        self._layout_numbers: dict[tuple[tuple[str, ...], int | None], int] = {}
        self._templates: list[tuple[str | None, Callable[[Mapping[str, Any]], tuple]]] = []
        self._plans: dict[int, tuple[tuple[str, ...], int | None, tuple]] = {}
        self._objects: dict[int, JobEvent] = {}
        self._messages: dict[int, str] = {}
        self._levels: dict[int, str] = {}
        self._packs = MessagePacks()      # plain pages' messages, verbatim
        self.metrics = metrics

    def __len__(self) -> int:
        return len(self.created)

    def add_events(self, events: Sequence[JobEvent],
                   compact: Sequence[Sequence | None] | None = None) -> list[int]:
        """Store new events (unknown ids) in one pass; returns their event numbers.

        `compact[i]`: (step, total_steps, ...) of a metrics event whose every data value is already in the metric
        series at that step, so it can be kept as array entries; None keeps the event object itself.
        """
        first = self.ids.add_many(list(map(_ID, events)))
        self.created.fromlist(list(map(_CREATED, events)))
        numbers = list(range(first, first + len(events)))
        steps, layouts, objects = self._step, self._layout, self._objects
        if compact is None:
            steps.extend([NOT_COMPACT] * len(events))
            layouts.extend([0] * len(events))
            objects.update(zip(numbers, events))
            return numbers
        if None not in compact and self._add_metrics_page(first, events, compact):
            return numbers
        layout_numbers, templates, messages, levels = self._layout_numbers, self._templates, self._messages, self._levels
        for number, event, fields in zip(numbers, events, compact):
            if fields is not None:
                step, total = fields[0], fields[1]
                data = event.data
                shape = (tuple(data), total)
                layout = layout_numbers.get(shape)
                if layout is None:
                    layout = self._new_layout(shape)
                if layout is not None:
                    steps.append(step)
                    layouts.append(layout)
                    template, read = templates[layout]
                    # The printed message is dropped only when it is exactly what `metrics_message` prints.
                    message = event.message
                    if template is None or message != template % read(data):
                        messages[number] = message
                    if event.level != "info":
                        levels[number] = event.level
                    continue
            steps.append(NOT_COMPACT)
            layouts.append(0)
            objects[number] = event
        return numbers

    def _add_metrics_page(self, first: int, events: Sequence[JobEvent], compact: Sequence[Sequence]) -> bool:
        """`add_events` for a page of compact `info` events, column by column (a poll's page of metrics events):
        layouts looked up with one `map`, messages checked against each layout's template with another.
        False, and nothing stored, when a level or a layout needs the event-by-event loop."""
        levels = [event.level for event in events]
        if levels.count("info") != len(levels):
            return False
        datas = [event.data for event in events]
        shapes = list(zip(map(tuple, datas), [fields[1] for fields in compact]))
        layouts = list(map(self._layout_numbers.get, shapes))
        for i, layout in enumerate(layouts):
            if layout is None:
                layout = layouts[i] = self._layout_numbers.get(shapes[i])    # made earlier in this page
                if layout is None:
                    layout = layouts[i] = self._new_layout(shapes[i])
                    if layout is None:
                        return False
        self._step.extend([fields[0] for fields in compact])
        self._layout.extend(layouts)
        by_layout: dict[int, list[int]] = {}
        for i, layout in enumerate(layouts):
            by_layout.setdefault(layout, []).append(i)
        messages = self._messages
        for layout, rows in by_layout.items():
            template, read = self._templates[layout]
            printed = [events[i].message for i in rows]
            if template is None:
                differ = rows
            else:          # the printed message is dropped only when it is exactly what the template prints
                expected = map(template.__mod__, map(read, map(datas.__getitem__, rows)))
                differ = list(compress(rows, map(ne, expected, printed)))
            for i in differ:
                messages[first + i] = events[i].message
        return True

    def add_plain_page(self, page: PlainPage) -> list[int] | None:
        """`add_events` for a plain page (see `metrics.page_columns`), whose events are all compact: one layout
        lookup per key tuple of the page, and each group's messages checked against its layout's template
        in one pass. None, and nothing stored, when the layouts ran out (`add_events` keeps such events whole).
        """
        layouts = []
        for shape, _ in page.groups:
            key = (shape, page.total if "total_steps" in shape else None)
            layout = self._layout_numbers.get(key)
            if layout is None:
                layout = self._new_layout(key)
                if layout is None:
                    return None
            layouts.append(layout)
        count = len(page.ids)
        first = self.ids.add_many(page.ids)
        self.created.fromlist(page.created)
        self._step.fromlist(page.steps)
        if page.kinds is None:
            self._layout.extend(array("H", layouts) * count)
        else:
            self._layout.fromlist(list(map(layouts.__getitem__, page.kinds)))
        printed = page.messages
        if self._packs.add(first, printed):
            return list(range(first, first + count))
        for layout, (_, rows) in zip(layouts, page.groups):
            template, read = self._templates[layout]
            if rows is None:
                rows, datas, texts = range(count), page.datas, printed
            else:
                datas, texts = list(map(page.datas.__getitem__, rows)), list(map(printed.__getitem__, rows))
            if template is not None and _all_printed(template, read, datas, texts):
                continue
            # The printed message is dropped only when it is exactly what the template prints.
            kept = rows if template is None else compress(rows, map(ne, map(template.__mod__, map(read, datas)), texts))
            for i in kept:
                self._messages[first + i] = printed[i]
        return list(range(first, first + count))

    def _new_layout(self, shape: tuple[tuple[str, ...], int | None]) -> int | None:
        """Number a new (data keys, total_steps) layout, with its message template; None when they ran out."""
        if len(self._layouts) >= 0xFFFF:
            return None
        layout = self._layout_numbers[shape] = len(self._layouts)
        self._layouts.append(shape)
        self._templates.append(_message_template(*shape))
        return layout

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
            message = self._packs.get(number)
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

    def plain_step_of(self, number: int) -> tuple[int, int | None] | None:
        """(step, total_steps) of a compact event whose message is no post-training notice: all `detect_phase`
        needs to read from a newest event that is one, without building it. None otherwise."""
        step = self._step[number]
        if step == NOT_COMPACT:
            return None
        message = self._messages.get(number) or self._packs.get(number)    # None: the printed one
        if message is not None and message.lstrip().startswith(POST_TRAINING_PREFIXES):
            return None
        return step, self._layouts[self._layout[number]][1]

    def step_run(self, start: int, stop: int) -> tuple[int, list[tuple[tuple[str, ...], int | None]]] | None:
        """(first step, distinct layouts) when events start..stop-1 are compact with steps counting up by one."""
        steps = self._step[start:stop]
        if not steps or NOT_COMPACT in steps or steps[-1] - steps[0] != len(steps) - 1 \
                or not all(map(lt, steps, steps[1:])):
            return None
        layouts = self._layouts
        return steps[0], [layouts[k] for k in set(self._layout[start:stop])]

    def rising_run_span(self, start: int, stop: int) -> list[tuple[int, int | None, int]] | None:
        """(step, total_steps, created_at) of events `start` and `stop - 1` when every event in between is
        compact and the steps rise throughout (what `steps_back` would find, read in C); else None."""
        steps = self._step[start:stop]
        if not steps or NOT_COMPACT in steps or not all(map(lt, steps, steps[1:])):
            return None
        layouts, layout_of, created = self._layouts, self._layout, self.created
        return [(steps[0], layouts[layout_of[start]][1], created[start]),
                (steps[-1], layouts[layout_of[stop - 1]][1], created[stop - 1])]

    def steps_back(self, numbers: Iterable[int], count: int) -> list[tuple[int, int | None, int]]:
        """(step, total_steps, created_at) of up to `count` metrics events among `numbers` (newest first),
        newest first, stopping where the steps stop decreasing: the ETA's recent step rate, read from arrays."""
        steps, layout_of, layouts, created, step_of = self._step, self._layout, self._layouts, self.created, self.step_of
        found: list[tuple[int, int | None, int]] = []
        for number in numbers:
            step = steps[number]
            if step == NOT_COMPACT:
                pair = step_of(number)
                if pair is None:
                    continue
                step, total = pair
            else:
                total = layouts[layout_of[number]][1]
            if found and step >= found[-1][0]:
                break
            found.append((step, total, created[number]))
            if len(found) >= count:
                break
        return found

    def metric_of(self, number: int) -> tuple[int, int | None, tuple[str, ...]] | None:
        """(step, total_steps, metric names) of a metrics event, None for other events; O(1) for compact ones
        (the names may include `step` and `total_steps`)."""
        step = self._step[number]
        if step != NOT_COMPACT:
            keys, total = self._layouts[self._layout[number]]
            return step, total, keys
        fields = metric_fields(self._objects[number])
        return (fields[0], fields[1], tuple(fields[2])) if fields is not None else None

    def metrics_of(self, numbers: Iterable[int]) -> list[tuple[int, int | None, tuple[str, ...]] | None]:
        """`metric_of` for many events in one loop (a log thins a whole poll's worth at once)."""
        steps, layout_of, layouts, metric_of = self._step, self._layout, self._layouts, self.metric_of
        out: list[tuple[int, int | None, tuple[str, ...]] | None] = []
        append = out.append
        for number in numbers:
            step = steps[number]
            if step == NOT_COMPACT:
                append(metric_of(number))
            else:
                keys, total = layouts[layout_of[number]]
                append((step, total, keys))
        return out
