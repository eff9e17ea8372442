"""The ingest fast paths (issue 6: 1M events at >= 100k/s) give exactly what the one-at-a-time paths give.

A page is stored in batches: ids indexed together, metric values appended per series with one `extend`, the
events' printed messages checked against a per-layout template. Each batch must agree with the plain path
it replaces, whatever the page holds (repeats, steps out of order, odd messages, new metric names).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.factories import metrics_dict
from ftwatch.domain.events.store import metrics_message
from ftwatch.domain.events.id_index import IdIndex
from ftwatch.domain.models import Phase
from ftwatch.domain.parse import parse_event
from ftwatch.domain.phase import detect_phase
from ftwatch.domain.metrics.store import MetricStore
from ftwatch.domain.events.timeline import Timeline
from ftwatch.domain.tracker import JobTracker


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=40), min_size=1, max_size=30))
def test_ids_added_in_batches_are_found_like_ids_added_one_by_one(pages):
    batched, single = IdIndex(), IdIndex()
    known: set[str] = set()
    for page in pages:
        fresh = list(dict.fromkeys(i for i in page if i not in known))
        assert batched.find_many(page) == [single.find(i) for i in page]
        if fresh:
            first = batched.add_many(fresh)
            assert [single.add(i) for i in fresh] == list(range(first, first + len(fresh)))
            known.update(fresh)
    everything = sorted(known)
    assert batched.find_many(everything) == [single.find(i) for i in everything]
    assert all(batched.id_of(batched.find(i)) == i for i in everything)
    assert batched.find_many(["never-seen"]) == [-1]


rows = st.lists(st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(1, 80)),
                          st.dictionaries(st.sampled_from(["train_loss", "valid_loss", "reward"]),
                                          st.floats(-5, 5), max_size=3)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(st.lists(rows, min_size=1, max_size=5))
def test_a_batch_of_rows_stores_what_add_values_stores(batches):
    batched, single = MetricStore(), MetricStore()
    for batch in batches:
        flags = batched.add_rows(batch)
        assert flags == [single.add_values(step, total, values) for step, total, values in batch]
    assert batched.names() == single.names()
    for name in single.names():
        assert list(batched.get(name).steps) == list(single.get(name).steps)
        assert list(batched.get(name).values) == list(single.get(name).values)
    assert (batched.last_step, batched.total_steps) == (single.last_step, single.total_steps)


def test_compact_metrics_events_come_back_with_their_exact_message_and_level():
    """The message of a compact event is dropped only when the template prints exactly the same text."""
    dicts = [metrics_dict(1, 30, 1.005), metrics_dict(2, 30, 0.5, valid_loss=0.25),
             metrics_dict(3, 30, 0.75, valid_loss=0.5, full_valid_loss=0.375), metrics_dict(4, 30, 2)]
    odd = metrics_dict(5, 30, 0.4)
    odd["message"] = "Step 5/30: training loss=0.4000"          # the server printed it its own way
    warned = metrics_dict(6, 30, 0.3)
    warned["level"] = "warn"
    timeline = Timeline(MetricStore())
    timeline.merge([parse_event(d) for d in reversed([*dicts, odd, warned])])
    back = list(timeline.view())
    assert [e.message for e in back] == [d["message"] for d in (*dicts, odd, warned)]
    assert [e.level for e in back] == ["info"] * 5 + ["warn"]
    assert back[3].message == metrics_message(4, 30, {"train_loss": 2})    # an int loss prints as 2.00


def test_a_log_reads_which_events_are_metrics_without_building_them():
    timeline = Timeline(MetricStore())
    page = [metrics_dict(s, 30, 1.0 / s, **({"full_valid_loss": 0.5} if s == 7 else {})) for s in range(1, 11)]
    page.insert(4, {"id": "ev-note", "created_at": 1_700_000_004, "level": "info", "message": "Checkpoint",
                    "data": {}, "type": "message", "object": "fine_tuning.job.event"})
    events = [parse_event(d) for d in reversed(page)]          # newest first, as served
    timeline.merge(events[:6])
    timeline.merge(events[6:], after=events[5].id)              # the older half back-filled below it
    view = timeline.view()
    metrics = view.metrics_between(0, len(view))
    assert [m[0] if m else None for m in metrics] == [1, 2, 3, 4, None, 5, 6, 7, 8, 9, 10]
    assert [m[:2] for m in metrics if m] == [view.step_at(i) for i in range(len(view)) if view.step_at(i)]
    assert any(name.startswith("full_valid") for name in metrics[7][2])
    assert not any(name.startswith("full_valid") for name in metrics[6][2])
    assert view.metrics_between(3, 8) == metrics[3:8]


def test_the_phase_read_from_the_newest_compact_event_is_the_one_detect_phase_reads():
    from domain.factories import running_job

    tracker = JobTracker(running_job())
    seen = []
    last = metrics_dict(30, 30, 0.2)
    custom = metrics_dict(31, 30, 0.2)
    custom["message"] = "Checkpoint created at step 31"       # post-training words in a metrics event
    for page in ([metrics_dict(s, 30, 1.0) for s in range(1, 11)], [last], [custom]):
        tracker.merge([parse_event(d) for d in reversed(page)])
        tracker.update_job(tracker.job)                           # forget the cached phase
        seen.append(tracker.phase)
        assert tracker.phase is detect_phase(tracker.job, list(tracker.timeline.view())[-8:])
    assert seen == [Phase.RUNNING, Phase.EVALUATING, Phase.EVALUATING]


def test_the_id_table_grows_past_its_first_size_without_losing_an_id():
    index = IdIndex()
    ids = [f"ftevent-{n:08d}" for n in range(12_000)]          # several doublings of the 4,096-slot table
    for start in range(0, len(ids), 100):
        assert index.find_many(ids[start : start + 100]) == [-1] * 100
        assert index.add_many(ids[start : start + 100]) == start
    assert index.find_many(ids) == list(range(len(ids)))
    assert index.find_many(["ftevent-x", "ftevent-00000000 "]) == [-1, -1]
