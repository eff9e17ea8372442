"""Following a job through the real SDK against the simulator: every event exactly once, oldest first,
whatever arrives between two polls and whatever faults the API throws."""

from __future__ import annotations

import pytest

from ftwatch.domain.models import Phase
from ftwatch.domain.snapshot import LinkState
from ftwatch.source.poll import PollIntervals, watch_job
from simkit import sleep_with_actions

from .conftest import event_requests, follow_raw, quick_job

INTERVALS = PollIntervals(active=2.0, idle=10.0, jobs=10.0)


def oldest_first(world, job_id):
    return list(reversed(world.events_json(job_id)))


async def test_follows_a_whole_job_every_event_once_in_order(world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=80)
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS))
    assert raws == oldest_first(world, job_id)
    assert [s.connection.state for s in snapshots] == [LinkState.OK] * len(snapshots)
    final = snapshots[-1]
    assert final.phase is Phase.SUCCEEDED and final.job.status == "succeeded"
    assert len(final.events) == len(raws)
    assert final.metrics.get("train_loss") is not None and len(final.metrics.get("train_loss")) == 80
    assert final.progress.label.startswith("took")


async def test_more_than_a_page_arrives_between_two_polls(world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=300)
    slow_polls = PollIntervals(active=45.0, idle=10.0, jobs=10.0)
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep,
                                                 intervals=slow_polls, page_limit=10))
    assert raws == oldest_first(world, job_id)
    biggest = max(len(s.new_events) for s in snapshots[1:])
    assert biggest > 3 * 10, "the test must really put several pages between two polls"
    assert any("after" in query for _, _, query in event_requests(server, job_id))


async def test_a_burst_of_1000_events_between_two_polls(world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=1200, step_seconds=0.2, validation=False)
    sleep_through_the_burst = sleep_with_actions(fast_sleep, {1: lambda: 230.0})
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=sleep_through_the_burst,
                                                 intervals=PollIntervals(active=20.0, idle=10.0)))
    assert raws == oldest_first(world, job_id)
    assert max(len(s.new_events) for s in snapshots[1:]) >= 1000


@pytest.mark.parametrize("hint", ["retry-after=2", "retry-after-ms=700"])
async def test_random_faults_lose_nothing_and_duplicate_nothing(world, server, source, clock, fast_sleep, hint):
    job_id = quick_job(world, total_steps=150)
    server.faults.configure(f"429:0.08,500:0.04,502:0.03,503:0.04,drop:0.03,badjson:0.03,{hint}")
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS))
    assert raws == oldest_first(world, job_id)
    retrying = [s for s in snapshots if s.connection.state is LinkState.RETRYING]
    assert len(retrying) >= 5, "faults must really have been injected"
    messages = {s.connection.message.split(" (")[0].split(":")[0] for s in retrying}
    assert "rate limited" in messages
    wanted = 2.0 if hint == "retry-after=2" else 0.7
    rate_limited = [s for s in retrying if s.connection.message.startswith("rate limited")]
    assert all(wanted <= s.connection.retry_at - s.taken_at <= wanted * 1.1 + 1e-6 for s in rate_limited)
    assert snapshots[-1].connection.state is LinkState.OK and snapshots[-1].phase is Phase.SUCCEEDED


async def test_empty_pages_and_lying_has_more_lose_nothing(world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=200)
    server.faults.configure("empty:0.1,lying-has-more:0.15,only=/events")
    _, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep,
                                         intervals=PollIntervals(active=9.0, idle=10.0), page_limit=5))
    assert raws == oldest_first(world, job_id)


async def test_each_scripted_fault_is_a_calm_retry_state(world, server, source, clock, fast_sleep, no_jitter):
    job_id = quick_job(world, total_steps=40)
    clock.advance(60)   # mid-training
    server.faults.script(["429;retry-after=3", "500", "502", "503", "drop", "badjson", "429;retry-after-ms=250"])
    watch = watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS, backoff=no_jitter)
    snapshots, raws = await follow_raw(watch)
    assert raws == oldest_first(world, job_id)
    troubles = [(s.connection.message, round(s.connection.retry_at - s.taken_at, 3), s.connection.attempt)
                for s in snapshots[:7]]
    assert troubles[0][0].startswith("rate limited (429)") and troubles[0][1] == 3.0
    assert troubles[1][0] == "server error 500" and troubles[1][1] == 1.0
    assert troubles[2][0] == "server error 502" and troubles[2][1] == 2.0
    assert troubles[3][0] == "server error 503" and troubles[3][1] == 4.0
    assert troubles[4][0].startswith("cannot reach sim")
    assert troubles[5][0] == "malformed response (not JSON)"
    assert troubles[6][0].startswith("rate limited (429)") and troubles[6][1] == 0.25
    assert [t[2] for t in troubles] == [1, 2, 3, 4, 5, 6, 7]
    assert snapshots[7].connection.state is LinkState.OK and snapshots[7].connection.attempt == 0
    assert all("\n" not in s.connection.message for s in snapshots)


async def test_retry_after_above_120_s_is_waited_out_calmly(world, server, source, clock, fast_sleep, no_jitter):
    job_id = quick_job(world, total_steps=30)
    server.faults.script(["429;retry-after=900"])
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS,
                                                 backoff=no_jitter))
    first = snapshots[0].connection
    assert first.state is LinkState.RETRYING and first.retry_at - snapshots[0].taken_at == 120.0
    assert fast_sleep.slept[0] == 120.0
    assert raws == oldest_first(world, job_id)


async def test_a_hung_response_times_out_and_is_retried(world, server, clock, fast_sleep):
    from .conftest import make_source

    job_id = quick_job(world, total_steps=20)
    impatient = make_source(server, timeout=0.3)
    server.faults.script(["slow;slow-seconds=3"])
    try:
        snapshots, raws = await follow_raw(watch_job(impatient, job_id, clock=clock, sleep=fast_sleep,
                                                     intervals=INTERVALS))
    finally:
        await impatient.aclose()
    assert snapshots[0].connection.message == "request timed out"
    assert raws == oldest_first(world, job_id)


async def test_simulator_killed_and_restarted_on_the_same_port(world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=120)
    port = server.port
    polls = 0

    async def sleep_and_sometimes_kill(seconds: float) -> None:
        nonlocal polls
        polls += 1
        if polls == 20:
            await server.stop()
        if polls == 24:
            await server.start()
        await fast_sleep(seconds)

    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=sleep_and_sometimes_kill,
                                                 intervals=INTERVALS))
    assert server.port == port
    assert any(s.connection.state is LinkState.RETRYING and s.connection.message.startswith("cannot reach")
               for s in snapshots)
    assert raws == oldest_first(world, job_id)


@pytest.mark.parametrize(("fate", "status", "phase"), [("fail", "failed", Phase.FAILED),
                                                        ("cancel", "cancelled", Phase.CANCELLED)])
async def test_failed_and_cancelled_jobs_end_the_watch(world, server, source, clock, fast_sleep, fate, status, phase):
    job_id = quick_job(world, total_steps=100, fate=fate)
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS))
    assert snapshots[-1].job.status == status and snapshots[-1].phase is phase
    assert raws == oldest_first(world, job_id)
    if fate == "fail":
        assert snapshots[-1].job.error is not None and snapshots[-1].job.error.code == "invalid_training_file"


async def test_a_cancel_that_emits_no_event_is_noticed_within_a_few_polls(world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=100, fate="cancel")
    snapshots, _ = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS,
                                              job_refresh_polls=3))
    last_event_at = snapshots[-1].events[len(snapshots[-1].events) - 1].created_at
    assert snapshots[-1].taken_at - last_event_at <= 3 * INTERVALS.active + 2 * 2.0


async def test_a_fault_in_the_middle_of_a_page_walk_resumes_where_it_stopped(world, server, source, clock,
                                                                             fast_sleep):
    """Each poll walks ~5 pages; a fault on any of them is retried with the same cursor (no restart from the
    top, no gap, no duplicate)."""
    job_id = quick_job(world, total_steps=300)
    server.faults.configure("500:0.15,drop:0.05,only=/events")
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, page_limit=10,
                                                 intervals=PollIntervals(active=45.0, idle=10.0)))
    assert raws == oldest_first(world, job_id)
    assert sum(s.connection.state is LinkState.RETRYING for s in snapshots) >= 5
    assert max(len(s.new_events) for s in snapshots) > 30
    walked = [query for _, _, query in event_requests(server, job_id)]
    assert any("after" in a and a == b for a, b in zip(walked, walked[1:])), "a retry resumed mid-walk"
