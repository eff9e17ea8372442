"""A job's events, merged from API pages: each event once, in the API's order, nothing dropped.

The API lists events newest first and pages backwards with `after`; there is no "since". Ids are random and
`created_at` is whole seconds shared by many events, so identity is the id and order is the position in the
API's list, never `created_at` alone. A page is a contiguous slice of that list, which is all the merge
relies on: new events that sit next to a known event in the page go next to it in the timeline.

  * the common case, a poll: the page's new events are newer than its first known event, which is the
    newest one we have -> appended (O(page));
  * back-fill with `after`: the page holds only older events -> prepended (O(page) for the order; the
    metric series take one rebuild in C per merge, so merging a whole history in one call is cheapest);
  * anything else (a burst paged in newest-first, one page at a time) -> inserted where the page says,
    which rebuilds the order once (O(n), in C).

Two optional hints make placement exact whatever the timestamps: `after=<id>` (the cursor the page was
fetched with: the page is the events just older than that id) and `newer_than=<id>` (the known event where
a catch-up walk stopped: the page is the events just newer than it). Without a hint, a page that shares no
event with the timeline is placed by `created_at`: at the newest end when it is not older than the newest
event (the usual case: a catch-up chunk), at the oldest end when strictly older than everything, otherwise
where its times fit. Only when neighbours share one second is that a guess; a caller that pages in a burst
one page at a time should pass `after`.
"""

from __future__ import annotations

from array import array
from typing import Sequence

from ftwatch.domain.events.api_events import event_ids, take
from ftwatch.domain.events.store import EventStore
from ftwatch.domain.events.order import EventsSnapshot, Order, consecutive
from ftwatch.domain.metrics.page_columns import plain_page
from ftwatch.domain.metrics.event_points import metric_fields
from ftwatch.domain.models import JobEvent
from ftwatch.domain.metrics.store import MetricStore

_NEW, _REPEAT = -1, -2
APPENDED, PREPENDED, INSERTED = "appended", "prepended", "inserted"


class Timeline:
    def __init__(self, metrics: MetricStore | None = None) -> None:
        """With `metrics`, metrics events feed the store and are kept compactly (see `events.store`)."""
        self._store = EventStore(metrics)
        self._order = Order()
        self.last_merge = APPENDED          # where the previous merge put its new events

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, str) and self._store.ids.find(event_id) >= 0

    @property
    def newest_id(self) -> str | None:
        return self._store.ids.id_of(self._order.newest()) if len(self._order) else None

    @property
    def oldest_id(self) -> str | None:
        return self._store.ids.id_of(self._order.oldest()) if len(self._order) else None

    @property
    def newest_created_at(self) -> int | None:
        return self._store.created[self._order.newest()] if len(self._order) else None

    def newest_plain_step(self) -> tuple[int, int | None] | None:
        """(step, total_steps) when the newest event is a compact metrics event whose message is no
        post-training notice, else None (cheap: nothing is built)."""
        return self._store.plain_step_of(self._order.newest()) if len(self._order) else None

    def view(self) -> EventsSnapshot:
        return EventsSnapshot(self._store, self._order)

    def recent_step_span(self, count: int, scan: int) -> list[tuple[int, int | None, int]]:
        """(step, total_steps, created_at) of the oldest and the newest of the newest `count` metrics events
        among the newest `scan` events, stopping where the steps stop increasing (an out-of-order back-fill):
        the ETA's step rate. One entry when there is one such event, none when there is none.

        Asked after every poll: while training, the newest `count` events are the last ones stored, one after
        the other, all compact with rising steps, which two array slices prove without a loop over them."""
        order = self._order
        back = order.back
        if len(back) >= count:
            window = back[-count:]
            if consecutive(window):
                span = self._store.rising_run_span(window[0], window[-1] + 1)
                if span is not None:
                    return span
        newest = back[-scan:]
        if len(newest) < scan:                  # the rest from the older part (stored newest first)
            older = order.front[: scan - len(newest)]
            older.reverse()
            older.extend(newest)
            newest = older
        found = self._store.steps_back(reversed(newest), count)
        return [found[-1], found[0]] if len(found) > 1 else found

    def in_timeline_order(self, events: Sequence[JobEvent]) -> list[JobEvent]:
        """Known `events` sorted by their place in the timeline; O(n), for after an out-of-order merge."""
        find = self._store.ids.find
        wanted = {find(event.id): event for event in events}
        return [wanted[n] for n in self._order.as_array() if n in wanted]

    def _add_all(self, events: Sequence[JobEvent], *, older: bool = False) -> list[int]:
        """Store events (oldest first); returns their event numbers. The ingest hot path: a plain page of
        metrics events (`metrics.page_columns`) goes to the series and the store column by column; any other page's
        metric values go to the series as one batch (`MetricStore.add_rows`), its events to the store as another.

        `older`: the events go below newer ones, so their metric points are merged into the series in one
        pass (see `MetricStore.batch`) rather than one rebuild per point.
        """
        store = self._store
        metrics = store.metrics
        if metrics is None:
            return store.add_events(events)
        if older:
            with metrics.batch():
                return self._add_all(events)
        page = plain_page(events, metrics.last_step)
        if page is not None and metrics.has_room_for(page.columns):
            numbers = store.add_plain_page(page)
            if numbers is not None:
                metrics.add_columns(page.columns, page.steps[-1], page.total)
                return numbers
        fields = [metric_fields(event) for event in events]
        new = metrics.add_rows(fields)
        compact = [f if all_new and f[3] and event.type == "metrics" else None   # type: ignore[index]
                   for event, f, all_new in zip(events, fields, new)]
        return store.add_events(events, compact)

    def merge(self, page_newest_first: Sequence[JobEvent], *, after: str | None = None,
              newer_than: str | None = None) -> Sequence[JobEvent]:
        """Add a page (newest first, as the API returns it); returns the events that were new, oldest first
        (still unparsed when the page was `ApiEvents`).

        `after`: the cursor the page was fetched with (its event sits just above the page);
        `newer_than`: a known event just below the page (where a catch-up walk met known events).
        """
        find = self._store.ids.find
        page = page_newest_first
        page_ids = event_ids(page)
        numbers = self._store.ids.find_many(page_ids)
        fresh = {event_id for event_id, number in zip(page_ids, numbers) if number < 0}
        if not fresh:
            return []
        if len(fresh) != numbers.count(_NEW):   # an id twice in the page: only its first (newest) is new
            seen: set[str] = set()
            for i, (event_id, number) in enumerate(zip(page_ids, numbers)):
                if number == _NEW:
                    if event_id in seen:
                        numbers[i] = _REPEAT
                    seen.add(event_id)
        all_new = len(fresh) == len(page)      # the usual poll: every event new, each once
        shift = 0                               # `numbers` index - page index
        for hint, at_head in ((after, True), (newer_than, False)):
            anchor = find(hint) if hint is not None else -1
            if anchor >= 0:                     # the hinted event joins the page as a known one
                numbers.insert(0 if at_head else len(numbers), anchor)
                shift += at_head
        if all_new:                             # one run between the hinted anchors, if any (`_runs` shortcut)
            newer = numbers[0] if numbers[0] >= 0 else None
            older = numbers[-1] if numbers[-1] >= 0 else None
            runs = [(newer, older, range(len(page)))]
        else:
            runs = [(newer, older, [i - shift for i in run]) for newer, older, run in _runs(numbers)]
        order = self._order
        if len(runs) == 1:
            newer, older, run = runs[0]
            if newer is None and older is not None and older == order.newest():
                return self._append(page, run)
            if older is None and newer is not None and newer == order.oldest():
                return self._prepend(page, run)
            if newer is None and older is None:
                return self._place_disjoint(page, run)
        return self._insert_runs(page, runs)

    def _append(self, page: Sequence[JobEvent], run: Sequence[int]) -> Sequence[JobEvent]:
        added = take(page, run[::-1])
        self._order.back.fromlist(self._add_all(added))      # fromlist: half the cost of extend per item
        self.last_merge = APPENDED
        return added

    def _prepend(self, page: Sequence[JobEvent], run: Sequence[int]) -> Sequence[JobEvent]:
        added = take(page, run[::-1])
        numbers = self._add_all(added, older=True)
        numbers.reverse()                         # the front is stored newest first
        self._order.front.fromlist(numbers)
        self.last_merge = PREPENDED
        return added

    def _place_disjoint(self, page: Sequence[JobEvent], run: Sequence[int]) -> Sequence[JobEvent]:
        """A page sharing no event with the timeline, and no hint: placed by `created_at`."""
        order, created = self._order, self._store.created
        if not len(order):
            return self._append(page, run)
        low = min(page[i].created_at for i in run)
        high = max(page[i].created_at for i in run)
        if low >= created[order.newest()]:
            return self._append(page, run)
        if high < created[order.oldest()]:
            return self._prepend(page, run)
        position = len(order) - 1                 # the newest place where the page's times fit
        while position > 0 and not (created[order.at(position - 1)] <= low and high <= created[order.at(position)]):
            position -= 1
        if position == 0:                          # inconsistent times: shown at the newest end, not dropped
            return self._append(page, run)
        return self._insert_runs(page, [(None, None, run)], at=position)

    def _insert_runs(self, page: Sequence[JobEvent], runs: list[tuple[int | None, int | None, Sequence[int]]],
                     at: int | None = None) -> list[JobEvent]:
        """The general case: put each run next to its anchor, rebuilding the order once (O(n), in C)."""
        old = self._order
        placed: list[tuple[int, int, list[JobEvent]]] = []
        for rank, (newer, older, run) in enumerate(runs):
            if at is not None:
                position = at
            elif older is not None:
                position = old.position(older) + 1
            else:
                position = old.position(newer)    # type: ignore[arg-type]
            placed.append((position, -rank, [page[i] for i in reversed(run)]))
        placed.sort(key=lambda p: (p[0], p[1]))   # at one place, the older run (later in the page) first
        whole = old.as_array()
        rebuilt = array("q")
        previous = 0
        added: list[JobEvent] = []
        for position, _, events in placed:
            rebuilt.extend(whole[previous:position])
            previous = position
            rebuilt.extend(self._add_all(events, older=True))
            added.extend(events)
        rebuilt.extend(whole[previous:])
        self._order = Order(rebuilt)
        self.last_merge = INSERTED
        return added


def _runs(numbers: list[int]) -> list[tuple[int | None, int | None, list[int]]]:
    """Split a page into runs of new events with the known events around them: (newer, older, indices)."""
    runs: list[tuple[int | None, int | None, list[int]]] = []
    newer: int | None = None
    run: list[int] = []
    for i, number in enumerate(numbers):
        if number == _NEW:
            run.append(i)
        elif number >= 0:
            if run:
                runs.append((newer, number, run))
                run = []
            newer = number
    if run:
        runs.append((newer, None, run))
    return runs
