"""A page of plain metrics events read column by column: the ingest fast path (issue 6: >= 100k events/s).

A poll's page is nearly always a run of supervised metrics events whose `data` is a flat dict of a few keys
(two shapes in practice: with and without the validation keys), `step` counting up, every value a finite
float. Reading such a page one key at a time (a C-level `map` per key) costs a fraction of reading it one
event at a time (`metric_fields`). `plain_page` accepts only pages on which both ways decide exactly the
same things (every value new in its series, every event compact); anything else is `None` and takes the
event-by-event way, which stays the reference.
"""

from __future__ import annotations

from itertools import compress, islice
from operator import attrgetter, itemgetter, lt
from typing import Sequence

from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.metrics.event_points import INT_LIMIT, MAX_FLAT_KEYS, STEP_KEYS   # read exactly as `metric_fields` does
from ftwatch.domain.models import JobEvent

MAX_SHAPES = 8                # distinct key tuples in one page; more is not a plain page
_TYPE, _LEVEL, _DATA = attrgetter("type"), attrgetter("level"), attrgetter("data")
_ID, _CREATED, _MESSAGE = attrgetter("id"), attrgetter("created_at"), attrgetter("message")
_STEP, _TOTAL = itemgetter("step"), itemgetter("total_steps")
_ONLY_INT, _ONLY_FLOAT, _ONLY_DICT, _ONLY_STR = {int}, {float}, {dict}, {str}
_MIXED = object()             # `_total`: the page's totals are not one plain int


class PlainPage:
    """The columns of a plain page (events oldest first).

    `ids`, `created`, `messages`: each event's, as `parse_event` reads them; `groups`: each distinct key tuple
    (first seen first) with the rows that have it (None: every row); `kinds`: each row's group number (None
    when there is one group); `columns`: per metric name, first seen first (the order the series are created
    in), the steps and values of the rows that have it.
    """

    __slots__ = ("ids", "created", "messages", "datas", "steps", "total", "groups", "kinds", "columns")

    def __init__(self, ids: list[str], created: list[int], messages: list[str], datas: list[dict],
                 steps: list[int], total: int | None, groups: list[tuple[tuple[str, ...], list[int] | None]],
                 kinds: list[int] | None, columns: dict[str, tuple[list[int], list[float]]]) -> None:
        self.ids = ids
        self.created = created
        self.messages = messages
        self.datas = datas
        self.steps = steps
        self.total = total
        self.groups = groups
        self.kinds = kinds
        self.columns = columns


def plain_page(events: Sequence[JobEvent], last_step: int | None) -> PlainPage | None:
    """The page as columns when every event is a plain metrics event newer than `last_step`, else None.

    Plain: type "metrics", level "info", `data` a dict with at most MAX_FLAT_KEYS keys in one of at most
    MAX_SHAPES key tuples; an int `step` in [0, 2**62) strictly increasing through the page and above
    `last_step`; `total_steps` absent or the same int > 0 on every event that has it; every other value a
    float (exactly) and finite. These are the pages on which `metric_fields` finds every event flat and
    `MetricStore.add_rows` finds every value new. Events still in the API's dicts (`ApiEvents`) are read from
    the dicts, and only when `parse_event` would read each field as it stands (an id, a message that is a
    str; a time that is an int in range), so nothing here differs from parsing them first.
    """
    if not events:
        return None
    if isinstance(events, ApiEvents):
        kinds, levels, datas = events.field("type"), events.field("level"), events.field("data")
        if kinds is None or levels is None or datas is None:
            return None
    else:
        kinds, levels, datas = list(map(_TYPE, events)), list(map(_LEVEL, events)), list(map(_DATA, events))
    # `count` compares with ==, so an unhashable value from the server cannot raise here.
    if (kinds.count("metrics") != len(kinds) or levels.count("info") != len(levels)
            or set(map(type, datas)) != _ONLY_DICT):
        return None
    shapes = list(map(tuple, datas))
    distinct = list(dict.fromkeys(shapes))
    if len(distinct) > MAX_SHAPES or any(len(s) > MAX_FLAT_KEYS or "step" not in s for s in distinct):
        return None
    steps = list(map(_STEP, datas))
    if (set(map(type, steps)) != _ONLY_INT or steps[0] < 0 or steps[-1] >= INT_LIMIT
            or (last_step is not None and steps[0] <= last_step) or not all(map(lt, steps, islice(steps, 1, None)))):
        return None
    identity = _identity(events)
    if identity is None:
        return None
    kinds_of_rows, masks = _kinds(shapes, distinct)
    total = _total(datas, distinct, masks)
    if total is _MIXED:
        return None
    columns: dict[str, tuple[list[int], list[float]]] = {}
    for name in dict.fromkeys(key for shape in distinct for key in shape if key not in STEP_KEYS):
        holders = tuple(name in shape for shape in distinct)
        if all(holders):
            rows, row_steps = datas, steps
        else:
            mask = _union(masks, holders)
            rows, row_steps = list(compress(datas, mask)), list(compress(steps, mask))
        values = list(map(itemgetter(name), rows))
        if set(map(type, values)) != _ONLY_FLOAT:
            return None
        total_of_values = sum(values)
        if total_of_values - total_of_values != 0.0:       # an inf or a NaN (or an overflow): not plain
            return None
        columns[name] = (row_steps, values)
    groups = [(shape, None if masks is None else list(compress(range(len(events)), mask)))
              for shape, mask in zip(distinct, masks or [None])]
    ids, created, messages = identity
    return PlainPage(ids, created, messages, datas, steps, total, groups, kinds_of_rows, columns)  # type: ignore[arg-type]


def _identity(events: Sequence[JobEvent]) -> tuple[list[str], list[int], list[str]] | None:
    """Ids, times and messages; from API dicts only when each is what `parse_event` would keep as it is."""
    if not isinstance(events, ApiEvents):
        return list(map(_ID, events)), list(map(_CREATED, events)), list(map(_MESSAGE, events))
    ids, created, messages = events.field("id"), events.field("created_at"), events.field("message")
    if (created is None or set(map(type, ids)) != _ONLY_STR
            or set(map(type, messages)) != _ONLY_STR or set(map(type, created)) != _ONLY_INT
            or min(created) < 0 or max(created) >= INT_LIMIT):
        return None
    return ids, created, messages


def _kinds(shapes: list[tuple[str, ...]], distinct: list[tuple[str, ...]]) -> tuple[list[int] | None, list[list[bool]] | None]:
    """Each row's group number and each group's row mask; (None, None) for a page of one shape."""
    if len(distinct) == 1:
        return None, None
    kinds = list(map({shape: i for i, shape in enumerate(distinct)}.__getitem__, shapes))
    return kinds, [list(map(i.__eq__, kinds)) for i in range(len(distinct))]


def _union(masks: list[list[bool]], holders: tuple[bool, ...]) -> list[bool]:
    chosen = list(compress(masks, holders))
    return list(map(any, zip(*chosen))) if len(chosen) > 1 else chosen[0]


def _total(datas: list[dict], distinct: list[tuple[str, ...]], masks: list[list[bool]] | None) -> object:
    """The page's one `total_steps` (None when no event has one); _MIXED when they differ or one is not an
    int in (0, 2**62), which `metric_fields` would read differently."""
    holders = tuple("total_steps" in shape for shape in distinct)
    if not any(holders):
        return None
    rows = datas if all(holders) else compress(datas, _union(masks, holders))   # type: ignore[arg-type]
    totals = list(map(_TOTAL, rows))
    if set(map(type, totals)) != _ONLY_INT or totals.count(totals[0]) != len(totals):   # 1 == True == 1.0
        return _MIXED
    total = totals[0]
    return total if 0 < total < INT_LIMIT else _MIXED
