"""JobTracker: what the poller drives and the UI and `follow` read — lossless, ordered, cheap snapshots."""

from __future__ import annotations

import pytest

from domain.factories import make_event, metrics_dict, running_job, sample_page
from ftwatch.domain.models import JobEvent, MetricPoint, Phase
from ftwatch.domain.parse import parse_event, parse_job
from ftwatch.domain.metrics.store import auto_weight, smooth
from ftwatch.domain.snapshot import Connection, LinkState, Trend
from ftwatch.domain.tracker import JobTracker

OK = Connection(state=LinkState.OK)


def job_history(total: int, start: int = 1_700_000_000) -> list[dict]:
    """A whole supervised job as the API would list it, oldest first (events as dicts)."""
    messages = ["Created fine-tuning job: ftjob-test", "Validating training file: file-1",
                "Files validated, moving job to queued state"]
    history = [{"id": f"ftevent-msg{i}", "created_at": start + i, "level": "info", "message": m, "data": {},
                "type": "message", "object": "fine_tuning.job.event"} for i, m in enumerate(messages)]
    history.append({"id": "ftevent-started", "created_at": start + 10, "level": "info",
                    "message": "Fine-tuning job started", "data": None, "type": "message"})
    for step in range(1, total + 1):
        extra = {"valid_loss": 2.0 / step} if step % 10 == 0 else {}
        history.append(metrics_dict(step, total, 3.0 / step ** 0.5, created_at=start + 20 + step // 2, **extra))
    end = start + 20 + total // 2
    history.append({"id": "ftevent-ckpt", "created_at": end, "level": "info",
                    "message": f"Checkpoint created at step {total // 2}", "data": {}, "type": "message"})
    history.append({"id": "ftevent-model", "created_at": end, "level": "info",
                    "message": "New fine-tuned model created", "data": {}, "type": "message"})
    return history


def poll_pages(history: list[dict], limit: int):
    """What a lossless poller fetches when everything is new: newest page, then `after` pages back."""
    newest_first = list(reversed(history))
    for start in range(0, len(newest_first), limit):
        yield [parse_event(d) for d in newest_first[start:start + limit]], (
            newest_first[start - 1]["id"] if start else None)


def test_follow_a_whole_job_every_event_once_in_order():
    history = job_history(120)
    tracker = JobTracker(running_job())
    printed: list[JobEvent] = []
    for step_block in range(0, len(history), 7):   # the job advances 7 events between polls
        visible = history[: step_block + 7]
        page = [parse_event(d) for d in reversed(visible[-10:])]
        tracker.merge(page)
        printed.extend(tracker.snapshot(connection=OK, now=1_700_000_100).new_events)
    assert [e.id for e in printed] == [d["id"] for d in history]
    assert all(e.raw and e.raw["id"] == e.id for e in printed), "new events carry the API's own dict"
    snap = tracker.snapshot(connection=OK, now=1_700_000_200)
    assert snap.new_events == () and len(snap.events) == len(history)
    assert [e.id for e in snap.events] == [d["id"] for d in history]
    assert snap.phase is Phase.EVALUATING and snap.progress.label.startswith("evaluating for")
    assert len(snap.metrics.get("train_loss")) == 120 and list(snap.metrics.get("valid_loss").steps) == list(
        range(10, 121, 10))


def test_backfill_page_by_page_with_cursor_then_snapshot_in_order():
    history = job_history(60)
    tracker = JobTracker(running_job())
    for page, after in poll_pages(history, 25):
        tracker.merge(page, after=after)
    snap = tracker.snapshot(connection=OK, now=0)
    assert [e.id for e in snap.new_events] == [d["id"] for d in history]
    assert [e.id for e in snap.events] == [d["id"] for d in history]
    assert list(snap.metrics.get("train_loss").steps) == list(range(1, 61))
    assert [e.data for e in snap.events] == [d["data"] for d in history], "older metrics read back whole"


def test_snapshots_are_frozen_views():
    history = job_history(40)
    tracker = JobTracker(running_job())
    tracker.merge([parse_event(d) for d in reversed(history[:20])])
    first = tracker.snapshot(connection=OK, now=0)
    tracker.merge([parse_event(d) for d in reversed(history)])
    second = tracker.snapshot(connection=OK, now=0)
    assert len(first.events) == 20 and [e.id for e in first.events] == [d["id"] for d in history[:20]]
    assert len(first.metrics.get("train_loss")) == 16 and first.metrics.last_step == 16
    assert len(second.metrics.get("train_loss")) == 40 and len(second.new_events) == len(history) - 20


def test_real_end_page_gives_phase_metrics_and_full_events(samples):
    raw = sample_page("events_llme_hayatu_gpt41nano_750steps_tail10_checkpoints.json")
    tracker = JobTracker(running_job())
    added = tracker.merge([parse_event(d) for d in raw])
    assert [e.id for e in added] == [d["id"] for d in reversed(raw)]
    snap = tracker.snapshot(connection=OK, now=1e10)
    assert snap.phase is Phase.EVALUATING
    steps = [d["data"]["step"] for d in reversed(raw) if d.get("type") == "metrics"]
    assert list(snap.metrics.get("train_loss").steps) == steps
    for event, original in zip(snap.events, reversed(raw)):
        assert (event.id, event.message, event.data) == (original["id"], original["message"], original["data"])
    done = tracker.snapshot(connection=OK, now=1e10)
    assert done.new_events == ()


def test_phase_follows_the_job_object():
    tracker = JobTracker(running_job(status="queued"))
    assert tracker.snapshot(connection=OK, now=0).phase is Phase.QUEUED
    tracker.update_job(running_job(status="running", finished_at=1_700_000_500))
    assert tracker.phase is Phase.EVALUATING
    tracker.update_job(parse_job({**tracker.job.raw, "status": "succeeded"}))
    tracker.merge([make_event(1, created_at=1_700_000_843)])
    snap = tracker.snapshot(connection=OK, now=0)
    # One duration everywhere (job_took): to the API's finished_at, which the jobs list row has on first
    # paint too, not to the last event it would have to fetch (the row and the header used to disagree).
    assert snap.phase is Phase.SUCCEEDED and snap.progress.label == "took 8m 20s"
    tracker.update_job(parse_job({**tracker.job.raw, "status": "failed", "finished_at": None}))
    assert tracker.snapshot(connection=OK, now=0).progress.label == "took 14m 03s"   # no finished_at: last event


def test_a_finished_jobs_row_and_header_say_the_same_duration():
    from ftwatch.domain.progress import job_took

    assert job_took(1_700_000_000, 1_700_000_500, 1_700_000_843) == 500
    assert job_took(1_700_000_000, None, 1_700_000_843) == 843
    assert job_took(None, 1_700_000_500) is None and job_took(1_700_000_000, None) is None


def test_eta_appears_while_running():
    history = job_history(200)
    tracker = JobTracker(running_job())
    tracker.merge([parse_event(d) for d in reversed(history[:4 + 100])])   # up to step 100
    snap = tracker.snapshot(connection=OK, now=1_700_000_000 + 20 + 50)
    assert snap.phase is Phase.RUNNING and snap.progress.step == 100 and snap.progress.fraction == 0.5
    assert snap.progress.eta_seconds == pytest.approx(100 / 2.0, rel=0.1)
    assert snap.progress.label.startswith("ETA ") and snap.connection is OK


def test_result_points_fill_gaps_without_duplicating_steps():
    tracker = JobTracker(running_job(status="succeeded"))
    tracker.merge([parse_event(metrics_dict(s, 30, 9.0)) for s in (30, 20, 10)])
    tracker.add_result_points([MetricPoint(step=s, total_steps=30, values={"train_loss": 1.0}) for s in range(1, 31)])
    series = tracker.snapshot(connection=OK, now=0).metrics.get("train_loss")
    assert list(series.steps) == list(range(1, 31)) and series.value_at(10) == 9.0 and series.value_at(11) == 1.0


def test_smoothing_is_fixed_or_auto_and_feeds_the_smoothed_loss():
    auto = JobTracker(running_job())
    assert auto.smoothing == auto_weight(None)
    auto.merge([parse_event(metrics_dict(s, 1000, 1.0 / s)) for s in (3, 2, 1)])
    assert auto.smoothing == auto_weight(1000)
    assert auto.smoothed_loss(3) == pytest.approx(smooth([1, 2, 3], [1.0, 0.5, 1 / 3], auto_weight(1000))[-1])
    fixed = JobTracker(running_job(), smoothing=0.0)
    fixed.merge([parse_event(metrics_dict(1, 10, 2.0))])
    assert fixed.smoothed_loss(1) == 2.0 and fixed.snapshot(connection=OK, now=0).smoothing == 0.0
    assert JobTracker(running_job()).smoothed_loss(1) is None
    with pytest.raises(ValueError):
        JobTracker(running_job(), smoothing=1.0)


def test_trend_is_the_train_loss_trend():
    tracker = JobTracker(running_job())
    tracker.merge([parse_event(metrics_dict(s, 300, 3.0 - 0.005 * s)) for s in range(300, 0, -1)])
    assert tracker.snapshot(connection=OK, now=0).trend is Trend.IMPROVING
    assert JobTracker(running_job()).snapshot(connection=OK, now=0).trend is Trend.UNKNOWN


def test_the_trend_follows_the_loss_refitted_at_most_once_a_second():
    """A back-fill paged in fits once, not once per page; the next poll (seconds later) sees the turn."""
    tracker = JobTracker(running_job())
    tracker.merge([parse_event(metrics_dict(s, 600, 3.0 - 0.005 * s)) for s in range(300, 0, -1)])
    assert tracker.snapshot(connection=OK, now=100.0).trend is Trend.IMPROVING
    rising = [parse_event(metrics_dict(s, 600, 1.5 + 0.02 * (s - 300))) for s in range(600, 300, -1)]
    tracker.merge(rising, newer_than=metrics_dict(300, 600, 0)["id"])
    assert tracker.snapshot(connection=OK, now=100.4).trend is Trend.IMPROVING      # same second: not refitted
    assert tracker.snapshot(connection=OK, now=101.5).trend is Trend.WORSENING


def test_knows_and_hostile_events_do_not_break_the_tracker():
    tracker = JobTracker(running_job())
    hostile = [
        parse_event({"id": "h1", "created_at": "soon", "type": "metrics", "data": {"step": "x"}, "message": None}),
        parse_event({"id": "h2", "created_at": 5, "type": "metrics", "data": {"step": 2, "train_loss": float("nan")},
                     "message": "Step 2/?: training loss=nan"}),
        parse_event({"id": "h3", "created_at": 6, "type": {"odd": 1}, "data": [1, 2], "level": 3,
                     "message": "\x1b]52;c;AAAA\x07"}),
    ]
    tracker.merge(list(reversed(hostile)))
    snap = tracker.snapshot(connection=OK, now=10)
    assert tracker.knows("h2") and not tracker.knows("h9")
    assert [e.id for e in snap.new_events] == ["h1", "h2", "h3"]
    assert snap.metrics.get("train_loss") is None or all(v == v for v in snap.metrics.get("train_loss").values)
