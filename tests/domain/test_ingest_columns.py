"""The columnar ingest of plain metrics pages (issue 6) stores exactly what the event-by-event path stores.

`metrics.page_columns.plain_page` accepts a page only when both ways decide the same things; these tests feed the
same pages to a tracker that may take the fast path and to one held on the slow path, and compare everything
a user can see: the timeline (ids, order, rebuilt events with their messages and levels), which events are
kept compactly, the metric series, the step counters and the snapshots' new events.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.factories import running_job
from ftwatch.domain.events import timeline
from ftwatch.domain.metrics import page_columns as metric_columns
from ftwatch.domain.metrics import store as series
from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.events.store import metrics_message
from ftwatch.domain.metrics.page_columns import plain_page
from ftwatch.domain.models import Phase
from ftwatch.domain.parse import parse_event
from ftwatch.domain.snapshot import Connection
from ftwatch.domain.tracker import JobTracker

TOTAL = 500


def metrics_event(serial: int, step: int, *, loss: float = 1.5, valid: float | None = None,
                  total: object = TOTAL) -> dict:
    """A supervised metrics event as the API prints it; ids are serial, so a repeated step is a new event."""
    data = {"step": step, "train_loss": loss, "total_steps": total, "train_mean_token_accuracy": 0.5 + step % 7 / 16}
    message = f"Step {step}/{total}: training loss={loss:.2f}"
    if valid is not None:
        data["valid_loss"] = valid
        data["valid_mean_token_accuracy"] = 0.25
        message += f", validation loss={valid:.2f}"
    return {"object": "fine_tuning.job.event", "id": f"ftevent-{serial:08d}", "created_at": 1_700_000_000 + step,
            "level": "info", "message": message, "data": data, "type": "metrics"}


def _set(key: str, value: object):
    def change(page: list[dict], at: int) -> None:
        page[at]["data"][key] = value
    return change


def _reorder(page: list[dict], at: int) -> None:
    page[at]["data"] = dict(reversed(list(page[at]["data"].items())))


def _message(page: list[dict], at: int) -> None:
    page[at]["message"] = page[at]["message"].replace("training loss=", "training loss: ")


def _as_message_event(page: list[dict], at: int) -> None:
    page[at].update(type="message", data={}, message="Checkpoint created at step 3")


def _overflow(page: list[dict], at: int) -> None:
    """Two finite values whose sum is inf: the page is read the slow way, which keeps both."""
    for d in page[max(0, at - 1) : at + 1]:
        d["data"]["train_loss"] = 1.7e308


def _step(change: int):
    def step(page: list[dict], at: int) -> None:
        if at > 0:
            page[at]["data"]["step"] = page[at - 1]["data"]["step"] + change
    return step


NOT_PLAIN = {                             # one event of a page changed so that the page is not plain
    "int value": _set("train_loss", 2),
    "bool value": _set("train_mean_token_accuracy", True),
    "nan value": _set("train_loss", math.nan),
    "inf value": _set("train_loss", -math.inf),
    "string value": _set("train_loss", "1.5"),
    "none value": _set("train_loss", None),
    "nested dict": _set("scores", {"reward": 0.5}),
    "float step": _set("step", 3.0),
    "bool total": _set("total_steps", True),
    "zero total": _set("total_steps", 0),
    "other total": _set("total_steps", TOTAL + 1),
    "warn level": lambda page, at: page[at].update(level="warn"),
    "message event": _as_message_event,
    "no data": lambda page, at: page[at].update(data=None),
    "overflowing sum": _overflow,
    "repeated step": _step(0),
    "decreasing step": _step(-5),
}
RAW_ODD = {     # what `parse_event` reads differently from the dict as it stands: not plain as the API's dicts
    "int id": lambda page, at: page[at].update(id=10**9 + at),
    "string time": lambda page, at: page[at].update(created_at=str(page[at]["created_at"])),
    "float time": lambda page, at: page[at].update(created_at=page[at]["created_at"] + 0.5),
    "negative time": lambda page, at: page[at].update(created_at=-5),
    "no level": lambda page, at: page[at].pop("level"),
    "list type": lambda page, at: page[at].update(type=["metrics"]),
    "null message": lambda page, at: page[at].update(message=None),
}
PLAIN_ANYWAY = {                          # odd, but both paths agree on it column by column
    "key order": _reorder,                # another layout, like the validation steps'
    "odd message": _message,              # kept beside the compact event
    "huge value": _set("train_loss", 1.7e308),
    "no total": lambda page, at: page[at]["data"].pop("total_steps"),   # its layout has no total
    "new metrics": lambda page, at: page[at]["data"].update(zeta_reward=0.5, alpha_reward=0.25),
}
ODD = {**NOT_PLAIN, **PLAIN_ANYWAY, **RAW_ODD}


def build_page(first_serial: int, first_step: int, size: int, valid_every: int, odd: str | None,
               at: int) -> list[dict]:
    """`size` events oldest first from `first_step`, validation every `valid_every` steps, one made odd."""
    page = [metrics_event(first_serial + i, first_step + i, loss=1.0 + (first_step + i) % 13 / 8,
                          valid=0.75 if (first_step + i) % valid_every == 0 else None) for i in range(size)]
    if odd in ODD:
        ODD[odd](page, min(at, size - 1))
    return page


@contextmanager
def slow_path():
    with mock.patch.object(timeline, "plain_page", lambda events, last_step: None):
        yield


def compare(fast: JobTracker, slow: JobTracker) -> None:
    assert list(fast.timeline.view()) == list(slow.timeline.view())           # ids, order, rebuilt events
    f_store, s_store = fast.timeline._store, slow.timeline._store
    assert [f_store.is_compact(n) for n in range(len(f_store))] == [s_store.is_compact(n) for n in range(len(s_store))]
    for read in ("plain_step_of", "step_of", "metric_of"):           # what logs, phase and ETA read
        assert [getattr(f_store, read)(n) for n in range(len(f_store))] == \
            [getattr(s_store, read)(n) for n in range(len(s_store))], read
    assert fast.metrics.names() == slow.metrics.names()
    for name in slow.metrics.names():
        assert list(fast.metrics.get(name).steps) == list(slow.metrics.get(name).steps)
        assert list(fast.metrics.get(name).values) == list(slow.metrics.get(name).values)
    assert (fast.metrics.last_step, fast.metrics.total_steps) == (slow.metrics.last_step, slow.metrics.total_steps)


page_plans = st.lists(st.tuples(
    st.integers(1, 30),                                                    # page size
    st.sampled_from([None, None, None, *ODD, "overlap", "twice", "gap back"]),
    st.integers(0, 29),                                                    # where the odd event sits
    st.sampled_from([1, 3, 10, 1000]),                                     # validation every n steps
    st.booleans(),                                                         # merged with a newer_than hint
), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(page_plans)
def test_pages_give_the_same_timeline_series_and_snapshots_on_both_paths(plans):
    """The event-by-event path is the reference; the columnar path over parsed events and over the API's
    dicts (`ApiEvents`, as the source hands them over) must decide exactly the same things."""
    fast, slow, raw = JobTracker(running_job()), JobTracker(running_job()), JobTracker(running_job())
    sent: list[dict] = []
    serial, step = 0, 1
    for size, odd, at, valid_every, hinted in plans:
        page = build_page(serial, step, size, valid_every, odd, at)
        serial, step = serial + size, step + size
        if odd == "overlap" and sent:                       # the newest known events come again with new ones
            page = sent[-at - 1:] + page
        elif odd == "twice":                                 # one id twice in the page
            page.insert(at % len(page), page[at % len(page)])
        elif odd == "gap back":                              # steps below what is stored, all new events
            page = build_page(serial, max(0, step - 3 * size - 10), size, valid_every, None, 0)
            serial += size
        events = [parse_event(d) for d in reversed(page)]   # newest first, as served
        newest = sent[-1]["id"] if hinted and sent and page[0] is not sent[-1] else None
        added_fast = fast.merge(events, newer_than=newest if newest in fast.timeline else None)
        with slow_path():
            added_slow = slow.merge(events, newer_than=newest if newest in slow.timeline else None)
        added_raw = raw.merge(ApiEvents(list(reversed(page))), newer_than=newest if newest in raw.timeline else None)
        assert added_fast == added_slow == list(added_raw)
        sent.extend(page)
        now = 1_700_000_000.0 + step
        snap_fast = fast.snapshot(connection=Connection(), now=now)
        with slow_path():
            snap_slow = slow.snapshot(connection=Connection(), now=now)
        snap_raw = raw.snapshot(connection=Connection(), now=now)
        assert list(snap_fast.new_events) == list(snap_slow.new_events) == list(snap_raw.new_events)
        assert snap_fast.phase is snap_slow.phase is snap_raw.phase
        assert snap_fast.progress == snap_slow.progress == snap_raw.progress
        compare(fast, slow)
        compare(raw, slow)


@contextmanager
def count_fast_pages():
    taken: list[bool] = []
    real = timeline.plain_page

    def spy(events, last_step):
        page = real(events, last_step)
        taken.append(page is not None)
        return page

    with mock.patch.object(timeline, "plain_page", spy):
        yield taken


def test_a_plain_page_takes_the_columnar_path_and_keeps_its_events_compact():
    tracker = JobTracker(running_job())
    page = build_page(0, 1, 40, 10, None, 0)
    with count_fast_pages() as taken:
        added = tracker.merge([parse_event(d) for d in reversed(page)])
    assert taken == [True]
    assert [e.id for e in added] == [d["id"] for d in page]
    store = tracker.timeline._store
    assert all(store.is_compact(n) and store.plain_step_of(n) is not None for n in range(len(store)))
    back = list(tracker.timeline.view())
    assert [e.message for e in back] == [d["message"] for d in page]
    assert back[9].data == page[9]["data"] and back[9].message.endswith("validation loss=0.75")
    assert list(tracker.metrics.get("valid_loss").steps) == [10, 20, 30, 40]
    assert (tracker.metrics.last_step, tracker.metrics.total_steps) == (40, TOTAL)


@pytest.mark.parametrize("odd", NOT_PLAIN)
def test_a_page_with_one_odd_event_is_not_plain(odd):
    assert plain_page([parse_event(d) for d in build_page(0, 1, 12, 3, None, 5)], None) is not None
    assert plain_page([parse_event(d) for d in build_page(0, 1, 12, 3, odd, 5)], None) is None


@pytest.mark.parametrize("odd", RAW_ODD)
def test_api_dicts_that_parsing_would_change_are_not_read_as_columns(odd):
    assert plain_page(ApiEvents(build_page(0, 1, 12, 3, None, 5)), None) is not None
    assert plain_page(ApiEvents(build_page(0, 1, 12, 3, odd, 5)), None) is None


def test_a_total_that_only_equals_the_others_is_not_plain():
    page = [metrics_event(i, i + 1, total=1) for i in range(4)]
    page[2]["data"]["total_steps"] = True                # == 1, but `metric_fields` reads no total from it
    assert plain_page([parse_event(d) for d in page], None) is None
    page[2]["data"]["total_steps"] = 1
    assert plain_page([parse_event(d) for d in page], None).total == 1


def test_a_page_of_too_many_key_orders_is_not_plain():
    page = build_page(0, 1, metric_columns.MAX_SHAPES + 1, 1000, None, 0)
    for i, d in enumerate(page):                   # each with its own metric: its own key tuple
        d["data"][f"reward_{i}"] = 0.5
    assert len({tuple(d["data"]) for d in page}) > metric_columns.MAX_SHAPES
    assert plain_page([parse_event(d) for d in page], None) is None
    assert plain_page([parse_event(d) for d in page[:-1]], None) is not None


def test_a_page_not_newer_than_the_stored_steps_is_not_plain():
    events = [parse_event(d) for d in build_page(0, 20, 5, 3, None, 0)]
    assert plain_page(events, None) is not None and plain_page(events, 19) is not None
    assert plain_page(events, 20) is None


def test_an_odd_message_is_kept_and_the_rest_of_the_page_still_goes_columnar():
    """The columnar path may take a page whose messages differ from the printed form: it keeps those."""
    page = build_page(0, 1, 6, 2, None, 0)
    page[3]["message"] = "Step 4/500: training loss=1.3750"
    tracker = JobTracker(running_job())
    with count_fast_pages() as taken:
        tracker.merge([parse_event(d) for d in reversed(page)])
    assert taken == [True]
    assert [e.message for e in tracker.timeline.view()] == [d["message"] for d in page]
    # What the phase reads: an odd message that is no post-training notice still says "step 4 of 500".
    assert tracker.timeline._store.plain_step_of(3) == (page[3]["data"]["step"], TOTAL)
    assert page[2]["message"] == metrics_message(3, TOTAL, page[2]["data"])


def test_a_metrics_event_whose_message_is_a_post_training_notice_reads_as_evaluating():
    """Kept verbatim by the columnar path, the newest message still decides the phase as `detect_phase` would."""
    page = build_page(0, 1, 6, 2, None, 0)
    page[-1]["message"] = "Checkpoint created at step 6"
    tracker = JobTracker(running_job())
    with count_fast_pages() as taken:
        tracker.merge(ApiEvents(list(reversed(page))))
    assert taken == [True]
    assert tracker.timeline._store.plain_step_of(5) is None
    assert tracker.phase is Phase.EVALUATING


def test_with_no_room_for_a_new_series_the_page_goes_the_slow_way(monkeypatch):
    monkeypatch.setattr(series, "MAX_SERIES", 3)
    fast, slow = JobTracker(running_job()), JobTracker(running_job())
    page = build_page(0, 1, 10, 4, None, 0)            # train loss and accuracy, then the validation pair
    events = [parse_event(d) for d in reversed(page)]
    with count_fast_pages() as taken:
        fast.merge(events)
    with slow_path():
        slow.merge(events)
    assert taken == [True] and not fast.timeline._store.is_compact(3)
    assert fast.metrics.names() == ("train_loss", "valid_loss", "train_mean_token_accuracy")
    compare(fast, slow)


def test_columns_follow_the_rows_that_carry_each_metric():
    page = plain_page([parse_event(d) for d in build_page(0, 1, 7, 3, None, 0)], 0)
    assert page is not None
    assert list(page.columns) == ["train_loss", "train_mean_token_accuracy", "valid_loss", "valid_mean_token_accuracy"]
    assert page.columns["valid_loss"] == ([3, 6], [0.75, 0.75])
    assert page.columns["train_loss"][0] == [1, 2, 3, 4, 5, 6, 7]
    assert [rows for _, rows in page.groups] == [[0, 1, 3, 4, 6], [2, 5]]
    assert metric_columns.MAX_SHAPES >= 2
