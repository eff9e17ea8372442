"""Timeline merge: every event once, in the API's order, however pages arrive (issue 3 §1)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.factories import make_event, metrics_dict
from ftwatch.domain.parse import parse_event
from ftwatch.domain.metrics.store import MetricStore
from ftwatch.domain.events.timeline import Timeline


def true_history(times: list[int]):
    """Events oldest -> newest with the given (non-decreasing) created_at values."""
    return [make_event(i, created_at=t) for i, t in enumerate(times)]


def page(events, start: int, stop: int):
    """The API's page for history[start:stop]: newest first."""
    return list(reversed(events[start:stop]))


def ids(events) -> list[str]:
    return [e.id for e in events]


@st.composite
def overlapping_merges(draw):
    """A history with colliding timestamps and pages that each overlap what is already known."""
    n = draw(st.integers(min_value=1, max_value=60))
    increments = draw(st.lists(st.integers(min_value=0, max_value=2), min_size=n, max_size=n))
    times = [sum(increments[: i + 1]) for i in range(n)]
    lo = draw(st.integers(min_value=0, max_value=n - 1))
    hi = draw(st.integers(min_value=lo + 1, max_value=n))
    windows = [(lo, hi)]
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        start = draw(st.integers(min_value=0, max_value=hi - 1))          # overlaps [lo, hi)
        stop = draw(st.integers(min_value=max(start + 1, lo + 1), max_value=n))
        windows.append((start, stop))
        lo, hi = min(lo, start), max(hi, stop)
    return times, windows, (lo, hi)


@settings(max_examples=300, deadline=None)
@given(overlapping_merges(), st.booleans())
def test_overlapping_pages_give_each_event_once_in_order(case, with_metrics):
    times, windows, (lo, hi) = case
    history = true_history(times)
    timeline = Timeline(MetricStore() if with_metrics else None)
    returned = []
    for start, stop in windows:
        returned.extend(timeline.merge(page(history, start, stop)))
    assert ids(timeline.view()) == ids(history[lo:hi])
    assert sorted(ids(returned)) == sorted(ids(history[lo:hi])), "each event handed out exactly once"
    assert len(timeline) == hi - lo


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=50), st.data())
def test_any_pages_in_any_order_with_distinct_times(n, data):
    """With distinct timestamps even pages that share nothing with what is known land in the right place."""
    history = true_history(list(range(0, 3 * n, 3)))
    windows = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n)).map(
        lambda w: (min(w), max(w[1], min(w) + 1))), min_size=1, max_size=10))
    timeline = Timeline()
    returned = []
    for start, stop in windows:
        returned.extend(timeline.merge(page(history, start, stop)))
    expected = sorted({i for start, stop in windows for i in range(start, stop)})
    assert ids(timeline.view()) == [history[i].id for i in expected]
    assert sorted(ids(returned)) == sorted(history[i].id for i in expected)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=2, max_value=80), st.integers(min_value=1, max_value=30),
       st.integers(min_value=1, max_value=25), st.booleans())
def test_burst_paged_back_one_page_at_a_time(known, burst, limit, same_second):
    """More than a page arrives between two polls (issue 5: a burst of 1,000), merged page by page: exact with
    the `after` cursor even when the whole burst shares one second, and by time alone when it does not."""
    times = [0] * known + ([1] * burst if same_second else list(range(1, burst + 1)))
    history = true_history(times)
    timeline = Timeline()
    timeline.merge(page(history, 0, known))
    after = None
    stop = known + burst
    while True:                                    # the poller: newest page, then `after` until a known id
        start = max(0, stop - limit)
        got = page(history, start, stop)
        timeline.merge(got, after=after if same_second else None)
        if start <= known - 1 or start == 0:
            break
        after, stop = got[-1].id, start
    assert ids(timeline.view()) == ids(history)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=40), st.lists(st.integers(min_value=1, max_value=15), max_size=12))
def test_catch_up_chunks_of_only_new_events_append_even_in_one_second(known, chunks):
    """What the source merges each poll: the new events only, newest first, sharing no event with the
    timeline and often the same second as the newest known one."""
    history = true_history([7] * (known + sum(chunks)))
    timeline = Timeline()
    timeline.merge(page(history, 0, known))
    stop = known
    for size in chunks:
        newest_known = timeline.newest_id
        added = timeline.merge(page(history, stop, stop + size), newer_than=newest_known if size % 2 else None)
        assert ids(added) == ids(history[stop:stop + size])
        stop += size
    assert ids(timeline.view()) == ids(history)


def test_hints_place_events_with_hostile_times_exactly():
    known = [make_event(i, created_at=100) for i in range(3)]
    timeline = Timeline()
    timeline.merge(list(reversed(known)))
    newer = make_event(3, created_at=0)              # a missing created_at parses as 0
    timeline.merge([newer], newer_than=known[-1].id)
    older = make_event(9, created_at=10**9)
    timeline.merge([older], after=known[0].id)
    assert ids(timeline.view()) == [older.id, *ids(known), newer.id]


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=20))
def test_backfill_with_after_in_one_second(n, limit):
    """A whole history walked back with `after`, every event in the same second, passed with its cursor."""
    history = true_history([5] * n)
    timeline = Timeline()
    stop, after = n, None
    while stop > 0:
        got = page(history, max(0, stop - limit), stop)
        timeline.merge(got, after=after)
        after, stop = got[-1].id, stop - len(got)
    assert ids(timeline.view()) == ids(history)


def test_steady_polling_appends_and_returns_only_new_events():
    history = true_history([0, 0, 1, 1, 1, 2])
    timeline = Timeline()
    assert ids(timeline.merge(page(history, 0, 3))) == ids(history[0:3])
    assert timeline.merge(page(history, 0, 3)) == []
    assert ids(timeline.merge(page(history, 1, 6))) == ids(history[3:6])
    assert timeline.newest_id == history[-1].id and timeline.oldest_id == history[0].id
    assert history[4].id in timeline and "nope" not in timeline


def test_duplicates_inside_a_page_count_once():
    a, b = make_event(1), make_event(2)
    timeline = Timeline()
    assert ids(timeline.merge([b, b, a, a])) == [a.id, b.id]
    assert len(timeline) == 2


def test_views_do_not_change_when_the_timeline_grows_or_reorders():
    history = true_history(list(range(10)))
    timeline = Timeline()
    timeline.merge(page(history, 4, 6))
    first = timeline.view()
    timeline.merge(page(history, 5, 10))             # append
    second = timeline.view()
    timeline.merge(page(history, 0, 5))             # prepend
    third = timeline.view()
    assert ids(first) == ids(history[4:6])
    assert ids(second) == ids(history[4:10])
    assert ids(third) == ids(history)
    assert third[-1] == history[-1] and third[0] == history[0]
    assert ids(third[2:4]) == ids(history[2:4]) and ids(third.tail(3)) == ids(history[7:])


def test_views_survive_an_insertion_in_the_middle():
    history = true_history(list(range(12)))
    timeline = Timeline()
    timeline.merge(page(history, 0, 4))
    timeline.merge(page(history, 8, 12))            # a disjoint newer page leaves a gap
    before = timeline.view()
    timeline.merge(page(history, 3, 9))             # fills it
    assert ids(before) == ids(history[0:4] + history[8:12])
    assert ids(timeline.view()) == ids(history)


def test_compact_metrics_events_read_back_equal():
    """Metrics events are stored as arrays, not objects; what comes back must be the same event."""
    raws = [metrics_dict(s, 30, 2.0 / s, **({"valid_loss": 1.0 + s / 100} if s % 10 == 0 else {}))
            for s in range(1, 31)]
    raws[5]["message"] = "Step 6/30: a message printed differently"
    raws[6]["level"] = "warn"
    events = [parse_event(raw) for raw in raws]
    timeline = Timeline(MetricStore())
    timeline.merge(list(reversed(events)))
    stored = list(timeline.view())
    for original, back in zip(events, stored):
        assert (back.id, back.created_at, back.level, back.message, back.type) == (
            original.id, original.created_at, original.level, original.message, original.type)
        assert back.data == original.data
    assert timeline.view()[0].raw["id"] == events[0].id
    view = timeline.view()
    assert [view.step_at(i) for i in (0, 9, -1)] == [(1, 30), (10, 30), (30, 30)]
    timeline.merge([make_event(99, created_at=2_000_000_000)])
    assert timeline.view().step_at(-1) is None


def test_metrics_events_that_cannot_be_rebuilt_are_kept_whole():
    odd = parse_event({"id": "odd", "created_at": 1, "level": "info", "message": "Step 1/2: training loss=1.00",
                       "type": "metrics", "data": {"step": 1, "total_steps": 2, "train_loss": 1.0, "note": "hi"}})
    repeat = parse_event({**odd.raw, "id": "repeat", "data": {"step": 1, "total_steps": 2, "train_loss": 9.0}})
    timeline = Timeline(MetricStore())
    timeline.merge([repeat, odd])
    assert list(timeline.view()) == [odd, repeat]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["step", "step", "step", "message", "back"]), st.integers(1, 30)),
                min_size=1, max_size=12), st.integers(2, 12))
def test_the_eta_window_shortcut_finds_what_reading_each_event_finds(pages, count):
    """`recent_step_span` proves a run of compact rising steps with array slices; reading every event back
    (`steps_back`) is the reference, whatever sits between the steps: messages, a back-filled older page."""
    timeline = Timeline(MetricStore())
    step, serial, newest = 1, 0, None
    for kind, size in pages:
        if kind == "message":
            events = [make_event(serial + i, created_at=100 + serial + i, message="Checkpoint created") for i in range(size)]
        else:
            first = max(0, step - 40) if kind == "back" else step
            events = [parse_event({**metrics_dict(first + i, 500, 1.0, created_at=100 + serial + i),
                                   "id": f"ftevent-{serial + i}"}) for i in range(size)]
            step = max(step, first + size)
        serial += size
        timeline.merge(list(reversed(events)), newer_than=newest)
        newest = events[-1].id
        view = timeline.view()
        order = timeline._order.as_array()
        found = timeline._store.steps_back(list(reversed(order[-40:])), count)
        assert timeline.recent_step_span(count, 40) == ([found[-1], found[0]] if len(found) > 1 else found)
        assert len(view) == serial
