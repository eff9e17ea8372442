"""Events as the API sent them (its dicts, newest first), turned into `JobEvent`s only when one is read.

Nearly every event a job logs is a metrics event, and the timeline keeps those as columns (`events.store`),
never as objects: building a `JobEvent` for each on the way in was the largest single cost of ingesting a
long job (issue 6: >= 100k events/s). So a page stays a list of dicts; the timeline reads the columns it
needs straight from them (`metrics.page_columns.plain_page`), the catch-up reads only ids, the poll only types,
and an event object exists only for whoever looks at one: `ftwatch follow` printing `new_events`, or an
event the store keeps whole. Parsing is the same `parse_event` either way, so a lazily built event is
equal to an eagerly built one.

Functions here accept any sequence of events (tests and other sources hand plain tuples of `JobEvent`s)
and take the cheap way when given `ApiEvents`.
"""

from __future__ import annotations

from itertools import chain, repeat
from operator import itemgetter
from typing import Any, Iterator, Sequence, overload

from ftwatch.domain.models import JobEvent
from ftwatch.domain.parse import parse_event

_ONLY_DICT, _ONLY_STR = {dict}, {str}


class ApiEvents(Sequence[JobEvent]):
    """A sequence of events backed by the API's dicts; each event is parsed on first read and kept."""

    __slots__ = ("dicts", "_parsed", "_columns")

    def __init__(self, dicts: list[Any], columns: dict[str, list[Any]] | None = None) -> None:
        self.dicts = dicts
        self._parsed: list[JobEvent | None] | None = None
        self._columns = columns          # FIELDS read out of every dict at once, when first asked

    def __len__(self) -> int:
        return len(self.dicts)

    @overload
    def __getitem__(self, index: int) -> JobEvent: ...
    @overload
    def __getitem__(self, index: slice) -> ApiEvents: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ApiEvents(self.dicts[index])
        parsed = self._parsed
        if parsed is None:
            parsed = self._parsed = [None] * len(self.dicts)
        event = parsed[index]
        if event is None:
            event = parsed[index] = parse_event(self.dicts[index])
        return event

    def __iter__(self) -> Iterator[JobEvent]:
        return map(self.__getitem__, range(len(self.dicts)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes)):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ApiEvents({len(self.dicts)} events)"

    def field(self, key: str) -> list[Any] | None:
        """The raw value of `key` (one of FIELDS) in every dict, missing as None; None when an item is not a
        dict. All FIELDS are read in one pass the first time (one C-level sweep, then a transpose)."""
        columns = self._columns
        if columns is None:
            columns = self._columns = _columns(self.dicts)
        return columns.get(key)

    def picked(self, indices: range | Sequence[int]) -> ApiEvents:
        """The events at `indices` (columns already read come along)."""
        if isinstance(indices, range):
            where = slice(indices.start, indices.stop if indices.stop >= 0 else None, indices.step)
            dicts = self.dicts[where]
            columns = None if self._columns is None else {k: v[where] for k, v in self._columns.items()}
        else:
            dicts = list(map(self.dicts.__getitem__, indices))
            columns = None
        return ApiEvents(dicts, columns)


FIELDS = ("id", "created_at", "level", "message", "type", "data")
_READ_FIELDS = itemgetter(*FIELDS)


def _columns(dicts: list[Any]) -> dict[str, list[Any]]:
    if not dicts:
        return dict.fromkeys(FIELDS, [])
    if set(map(type, dicts)) != _ONLY_DICT:
        return {}
    try:
        rows = list(zip(*map(_READ_FIELDS, dicts)))
    except KeyError:                      # a field missing somewhere: read each with a default
        rows = [list(map(dict.get, dicts, repeat(key))) for key in FIELDS]
    return {key: list(column) for key, column in zip(FIELDS, rows)}


def event_ids(events: Sequence[JobEvent]) -> list[str]:
    """Each event's id, as `parse_event` reads it, without building the events when they are API dicts."""
    if isinstance(events, ApiEvents):
        ids = events.field("id")
        if ids is not None and set(map(type, ids)) <= _ONLY_STR:
            return ids
    return [event.id for event in events]


def event_types(events: Sequence[JobEvent]) -> list[str | None]:
    """Each event's type, as `parse_event` reads it (None stays None, anything else becomes a str)."""
    if isinstance(events, ApiEvents):
        kinds = events.field("type")
        if kinds is not None and set(map(type, kinds)) <= {str, type(None)}:
            return kinds
    return [event.type for event in events]


def take(events: Sequence[JobEvent], indices: range | Sequence[int]) -> Sequence[JobEvent]:
    """The events at `indices`, in that order; still unparsed when they were."""
    if isinstance(events, ApiEvents):
        return events.picked(indices)
    return list(map(events.__getitem__, indices))


def concat(parts: Sequence[Sequence[JobEvent]]) -> Sequence[JobEvent]:
    """The parts one after another; API dicts stay unparsed when every part is `ApiEvents`."""
    parts = [part for part in parts if len(part)]
    if not parts:
        return ()
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(part, ApiEvents) for part in parts):
        return ApiEvents(list(chain.from_iterable(part.dicts for part in parts)))  # type: ignore[attr-defined]
    return tuple(chain.from_iterable(parts))
