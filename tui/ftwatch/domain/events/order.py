"""A timeline's order of events, and frozen O(1) views of it (implements `snapshot.EventsView`).

Events join a timeline at its newest end (polling) or its oldest end (back-filling with `after`), so the
order is two append-only arrays of event numbers: `back` grows newer, `front` grows older (stored newest
first). A view records the two lengths; since neither array is ever rewritten, the view keeps showing the
same events, oldest -> newest, however the timeline grows. The rare insertion in the middle (a burst that
was paged in out of order) builds a new `Order`, so existing views keep the old one.
"""

from __future__ import annotations

from array import array
from operator import lt
from typing import Iterable, Iterator, Protocol, Sequence

from ftwatch.domain.models import JobEvent


class _Events(Protocol):
    def event(self, number: int) -> JobEvent: ...
    def step_of(self, number: int) -> tuple[int, int | None] | None: ...
    def metrics_of(self, numbers: Iterable[int]) -> list[tuple[int, int | None, tuple[str, ...]] | None]: ...
    def step_run(self, start: int, stop: int) -> tuple[int, list[tuple[tuple[str, ...], int | None]]] | None: ...


def consecutive(numbers: array) -> bool:
    """Whether `numbers` (not empty) count up by one: events stored one after the other, in that order."""
    return numbers[-1] - numbers[0] == len(numbers) - 1 and all(map(lt, numbers, numbers[1:]))


class Order:
    __slots__ = ("front", "back")

    def __init__(self, back: array | None = None) -> None:
        self.front = array("q")
        self.back = back if back is not None else array("q")

    def __len__(self) -> int:
        return len(self.front) + len(self.back)

    def newest(self) -> int:
        return self.back[-1] if self.back else self.front[0]

    def oldest(self) -> int:
        return self.front[-1] if self.front else self.back[0]

    def as_array(self) -> array:
        """The whole order oldest -> newest, as one new array."""
        whole = array("q", self.front)
        whole.reverse()
        whole.extend(self.back)
        return whole

    def position(self, number: int) -> int:
        """Where event `number` sits (0 = oldest); O(n) in C, for the rare non-append merge."""
        try:
            return len(self.front) - 1 - self.front.index(number)
        except ValueError:
            return len(self.front) + self.back.index(number)

    def at(self, position: int) -> int:
        front = len(self.front)
        if position < front:
            return self.front[front - 1 - position]
        return self.back[position - front]


class EventsSnapshot:
    """The whole timeline as it was when the view was taken, oldest first; indexing materialises events."""

    __slots__ = ("_events", "_order", "_front", "_back")

    def __init__(self, events: _Events, order: Order) -> None:
        self._events = events
        self._order = order
        self._front = len(order.front)
        self._back = len(order.back)

    def __len__(self) -> int:
        return self._front + self._back

    def _number(self, position: int) -> int:
        if position < self._front:
            return self._order.front[self._front - 1 - position]
        return self._order.back[position - self._front]

    def __getitem__(self, index):
        size = len(self)
        if isinstance(index, slice):
            return [self._events.event(self._number(i)) for i in range(*index.indices(size))]
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("event index out of range")
        return self._events.event(self._number(index))

    def __iter__(self) -> Iterator[JobEvent]:
        event = self._events.event
        for position in range(len(self)):
            yield event(self._number(position))

    def step_at(self, index: int) -> tuple[int, int | None] | None:
        """(step, total_steps) if the event at `index` is a metrics event, else None — without building the
        event (O(1) for the compact metrics events), so a log can thin per-step lines cheaply."""
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("event index out of range")
        return self._events.step_of(self._number(index))

    def metrics_between(self, start: int, stop: int) -> list[tuple[int, int | None, tuple[str, ...]] | None]:
        """(step, total_steps, metric names) of each event in [start, stop), None for non-metrics events:
        what a log needs to thin per-step lines, read from the compact store without building any event."""
        size = len(self)
        start, stop, _ = slice(start, stop).indices(size)
        n_front = self._front
        numbers = array("q")
        if start < n_front:                 # the front is stored newest first
            numbers.extend(reversed(self._order.front[max(0, n_front - stop) : n_front - start]))
        if stop > n_front:
            numbers.extend(self._order.back[max(0, start - n_front) : stop - n_front])
        return self._events.metrics_of(numbers)

    def step_run(self, start: int, stop: int) -> tuple[int, list[tuple[tuple[str, ...], int | None]]] | None:
        """(first step, the distinct (metric names, total_steps) layouts) when the events in [start, stop) are
        compact metrics events whose steps count up by one, stored in that order (a poll's pages, nearly
        always); None otherwise. Lets a log thin a million events by arithmetic instead of reading each."""
        if start < self._front or stop <= start or stop > len(self):
            return None
        numbers = self._order.back[start - self._front : stop - self._front]
        if not consecutive(numbers):
            return None
        return self._events.step_run(numbers[0], numbers[-1] + 1)

    def tail(self, count: int) -> list[JobEvent]:
        """The newest `count` events, oldest first: what a bounded on-screen log needs."""
        return self[max(0, len(self) - count):]

    def last(self, count: int) -> Sequence[JobEvent]:
        """The newest `count` events as a lazy sequence: only the events actually read are materialised."""
        return _Window(self, max(0, len(self) - count), len(self))

    def __repr__(self) -> str:
        return f"EventsSnapshot({len(self)} events)"


class _Window(Sequence):
    __slots__ = ("_view", "_start", "_stop")

    def __init__(self, view: EventsSnapshot, start: int, stop: int) -> None:
        self._view, self._start, self._stop = view, start, stop

    def __len__(self) -> int:
        return self._stop - self._start

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("event index out of range")
        return self._view[self._start + index]
