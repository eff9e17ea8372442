"""Which events the log shows: ~50 metrics lines per job plus everything said; the arithmetic shortcut for
runs of steps must pick exactly the lines that reading each event picks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.factories import make_event, metrics_dict
from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.events.log_thinning import keep_in_log, kept_positions
from ftwatch.domain.parse import parse_event
from ftwatch.domain.metrics.store import MetricStore
from ftwatch.domain.events.timeline import Timeline


def test_a_job_of_500_steps_logs_about_fifty_metrics_lines_and_every_message():
    timeline = Timeline(MetricStore())
    page = [{**metrics_dict(s, 500, 1.0), "created_at": 100 + s} for s in range(1, 501)]
    timeline.merge(ApiEvents(page[::-1]))
    timeline.merge([make_event(9999, created_at=700, message="Checkpoint created at step 500")],
                   newer_than=page[-1]["id"])
    view = timeline.view()
    kept = kept_positions(view, 0, 500)
    assert [view[i].message for i in kept][-1] == "Checkpoint created at step 500"
    steps = [view.step_at(i)[0] for i in kept[:-1]]
    assert steps == [1, *range(10, 501, 10)]                      # step 1, every 10th, the last


plans = st.lists(st.tuples(
    st.sampled_from(["steps", "steps", "steps", "message", "full valid", "no total", "other total", "back"]),
    st.integers(1, 40)), min_size=1, max_size=10)


@settings(max_examples=150, deadline=None)
@given(plans, st.sampled_from([None, 30, 200, 5000]), st.data())
def test_the_shortcut_keeps_exactly_what_reading_each_event_keeps(plans, total_steps, data):
    timeline = Timeline(MetricStore())
    step, serial, newest = 1, 0, None
    for kind, size in plans:
        if kind == "message":
            page = [make_event(serial + i, created_at=serial + i).raw for i in range(size)]
        else:
            first = max(0, step - 50) if kind == "back" else step
            total = None if kind == "no total" else 777 if kind == "other total" else 200
            extra = {"full_valid_loss": 0.5} if kind == "full valid" else {}
            page = []
            for i in range(size):
                d = metrics_dict(first + i, total or 200, 1.0, created_at=serial + i, **extra)
                if total is None:
                    d["data"].pop("total_steps")
                page.append({**d, "id": f"ftevent-{serial + i}"})
            step = max(step, first + size)
        serial += size
        timeline.merge(ApiEvents(page[::-1]), newer_than=newest)
        newest = page[-1]["id"]
    view = timeline.view()
    start = data.draw(st.integers(0, len(view)))
    expected = [i for i in range(start, len(view)) if keep_in_log(view[i], total_steps)]
    assert kept_positions(view, start, total_steps) == expected
    assert kept_positions(list(view), start, total_steps) == expected       # any sequence, read one by one


def test_a_job_without_totals_logs_every_tenth_step():
    timeline = Timeline(MetricStore())
    page = []
    for s in range(1, 36):
        d = metrics_dict(s, 1, 1.0)
        d["data"].pop("total_steps")
        page.append(d)
    timeline.merge([parse_event(d) for d in reversed(page)])
    view = timeline.view()
    assert [view.step_at(i)[0] for i in kept_positions(view, 0, None)] == [1, 10, 20, 30]
