"""What goes into the local history comes back: the job, every event once and in the API's order (byte for byte
the API's dicts), the checkpoints, the result file; and the stored order is the timeline's, whatever order the
pages were merged in (hypothesis)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.models import Job
from ftwatch.domain.snapshot import Freshness, LinkState
from ftwatch.history.account import Account
from ftwatch.history.history import History
from ftwatch.history.recording import RecordingTracker
from ftwatch.source.poll import watch_job

from .conftest import finished_job, follow_whole


async def test_a_watched_job_comes_back_whole_from_the_history(server, world, clock, source, fast_sleep,
                                                               open_history):
    job_id = finished_job(world, clock, steps=240)
    writer = open_history()
    first_snapshots, first_raws = await follow_whole(watch_job(source, job_id, clock=clock, sleep=fast_sleep,
                                                               history=writer))
    assert writer.flush()
    first = first_snapshots[-1]
    assert first.job.status == "succeeded" and len(first_raws) > 240

    history = open_history()
    tracker, seeded = history.seeded_tracker(job_id)
    assert seeded
    cached = tracker.snapshot(connection=first.connection, now=clock())
    assert [dict(e.raw) for e in cached.new_events] == first_raws            # every event once, in order
    assert json.dumps([dict(e.raw) for e in cached.new_events]) == json.dumps(first_raws)   # byte for byte
    assert cached.job == first.job and dict(cached.job.raw) == dict(first.job.raw)
    assert cached.checkpoints == first.checkpoints and len(cached.checkpoints) >= 1
    for name in first.metrics.names():
        assert list(cached.metrics.get(name).values) == list(first.metrics.get(name).values)
    assert history.read_job(job_id).complete


async def test_a_relaunched_watch_shows_the_history_first_marked_cached(server, world, clock, source, fast_sleep,
                                                                        open_history):
    job_id = finished_job(world, clock, steps=120)
    writer = open_history()
    _, first_raws = await follow_whole(watch_job(source, job_id, clock=clock, sleep=fast_sleep, history=writer))
    assert writer.flush()
    snapshots, raws = await follow_whole(watch_job(source, job_id, clock=clock, sleep=fast_sleep,
                                                   history=open_history()))
    cached, final = snapshots[0], snapshots[-1]
    assert cached.connection.state is LinkState.CONNECTING and cached.connection.freshness is Freshness.CACHED
    assert cached.phase.value == "succeeded" and len(cached.events) == len(first_raws)
    assert final.connection.state is LinkState.OK and final.connection.freshness is Freshness.LIVE
    assert raws == first_raws                       # follow prints each event once, cached ones first


def _events(n: int, *, same_second: bool) -> list[dict]:
    return [{"object": "fine_tuning.job.event", "id": f"ftevent-{i:04d}", "level": "info", "type": "metrics",
             "created_at": 1_764_000_000 + (0 if same_second else i), "message": f"Step {i + 1}/{n}",
             "data": {"step": i + 1, "total_steps": n, "train_loss": 1.0 / (i + 1)}} for i in range(n)]


JOB = Job(id="ftjob-prop", created_at=1_764_000_000, status="running", model="m",
          raw={"id": "ftjob-prop", "created_at": 1_764_000_000, "status": "running", "model": "m"})


def _stored_ids(history: History) -> list[str]:
    page = history.read_page(JOB.id, after=None, limit=100_000)
    assert page is not None
    return [d["id"] for d in reversed(page[0])]


@st.composite
def merges(draw):
    """A job's events (oldest first) cut into pages merged in a random order with correct or missing hints:
    first a back-fill of some oldest piece, then any of: newer runs (polls), older runs (paged in with
    `after`), runs in the middle (a burst paged in newest first)."""
    n = draw(st.integers(min_value=2, max_value=40))
    cuts = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=n - 1), max_size=6))))
    pieces = [list(range(a, b)) for a, b in zip([0, *cuts], [*cuts, n])]
    first = draw(st.sampled_from(range(len(pieces))))
    rest = [i for i in range(len(pieces)) if i != first]
    order = [first, *draw(st.permutations(rest))]
    hinted = draw(st.lists(st.booleans(), min_size=len(order), max_size=len(order)))
    return n, pieces, order, hinted, draw(st.booleans())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(merges())
def test_the_stored_order_is_the_timelines_whatever_the_merge_order(case):
    n, pieces, order, hinted, same_second = case
    events = _events(n, same_second=same_second)
    with tempfile.TemporaryDirectory() as where:
        history = History(Path(where) / "h.sqlite3", Account.of("http://127.0.0.1:1/v1"))
        tracker = RecordingTracker(JOB, recorder=history)
        tracker.update_job(JOB)
        merged: set[int] = set()
        for index, hint in zip(order, hinted):
            piece = pieces[index]
            newer_than = after = None
            if hint and piece[0] - 1 in merged:
                newer_than = events[piece[0] - 1]["id"]
            elif hint and piece[-1] + 1 in merged:
                after = events[piece[-1] + 1]["id"]
            tracker.merge(ApiEvents([events[i] for i in reversed(piece)]), after=after, newer_than=newer_than)
            merged.update(piece)
        assert history.flush()
        assert history.problem is None
        assert _stored_ids(history) == [event.id for event in tracker.timeline.view()]
        assert len(_stored_ids(history)) == n
        history.close()


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=5, max_value=60), st.data())
def test_two_writers_with_different_views_store_each_event_once_in_order(n, data):
    """Two processes following one job: each knows a prefix of it and writes it in its own chunks; whichever
    order their batches land in, the file holds every event once, in the API's order."""
    events = _events(n, same_second=True)
    views = [data.draw(st.integers(min_value=1, max_value=n)) for _ in range(2)]
    with tempfile.TemporaryDirectory() as where:
        path = Path(where) / "h.sqlite3"
        writers = []
        for known in views:
            history = History(path, Account.of("http://127.0.0.1:1/v1"))
            tracker = RecordingTracker(JOB, recorder=history)
            tracker.update_job(JOB)
            cuts = sorted(set(data.draw(st.lists(st.integers(min_value=1, max_value=max(1, known - 1)), max_size=4))))
            chunks = [list(range(a, b)) for a, b in zip([0, *cuts], [*cuts, known]) if a < b]
            writers.append((history, tracker, chunks))
        turns = data.draw(st.lists(st.sampled_from([0, 1]), min_size=12, max_size=12))
        for turn in turns + [0, 1] * 6:
            history, tracker, chunks = writers[turn]
            if chunks:
                chunk = chunks.pop(0)
                newest = tracker.timeline.newest_id
                tracker.merge(ApiEvents([events[i] for i in reversed(chunk)]), newer_than=newest)
                assert history.flush()
        for history, _, _ in writers:
            assert history.problem is None
        assert _stored_ids(writers[0][0]) == [e["id"] for e in events[:max(views)]]
        for history, _, _ in writers:
            history.close()
