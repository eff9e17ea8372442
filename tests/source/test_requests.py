"""Requests per poll (issue 6): one in steady state, and a backfill bounded by ceil(N / limit) + 1."""

from __future__ import annotations

import math

import pytest

from ftwatch.source.poll import PollIntervals, watch_job
from simkit import sleep_with_actions

from .conftest import event_requests, follow_raw, job_requests, quick_job


async def test_steady_state_is_exactly_one_request_per_poll(world, server, source, clock, fast_sleep):
    """While a job trains, each poll is one events request; the job object is read only when an event says its
    state changed (or when the stream goes quiet)."""
    job_id = quick_job(world, total_steps=400, step_seconds=1.0)
    per_poll: list[tuple[int, tuple]] = []
    seen = 0
    watch = watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=PollIntervals(active=2.0, idle=10.0))
    async for snapshot in watch:
        per_poll.append((len(server.requests) - seen, snapshot.new_events))
        seen = len(server.requests)
    training = [(n, events) for n, events in per_poll[1:] if events and all(e.type == "metrics" for e in events)]
    assert len(training) > 150, "most polls of a 400-step job must land mid-training"
    assert [n for n, _ in training] == [1] * len(training)
    changes = [n for n, events in per_poll[1:] if any(e.type != "metrics" for e in events)]
    assert changes and set(changes) <= {2, 3}   # events + the job re-read (+ the final events read at the end)


@pytest.mark.parametrize("limit", [7, 10, 25, 100])
async def test_backfill_of_a_finished_job_is_bounded(world, server, source, clock, fast_sleep, limit):
    job_id = quick_job(world, total_steps=90)
    clock.advance(2_000)
    n_events = len(world.events_json(job_id))
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep,
                                                 backfill_limit=limit, page_limit=limit))
    assert len(snapshots) == 1 and len(raws) == n_events
    assert len(event_requests(server, job_id)) <= math.ceil(n_events / limit) + 1
    assert len(job_requests(server, job_id)) == 1
    assert len(server.requests) <= math.ceil(n_events / limit) + 2


async def test_backfill_when_the_last_page_is_exactly_full(world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=90)
    clock.advance(2_000)
    n_events = len(world.events_json(job_id))
    await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, backfill_limit=n_events))
    assert len(event_requests(server, job_id)) <= 2


async def test_a_quiet_stream_rereads_the_job_every_few_polls(world, server, source, clock, fast_sleep):
    """During the safety evaluation no event arrives for minutes: the job is re-read every
    `job_refresh_polls + 1` polls, never on every poll."""
    job_id = quick_job(world, total_steps=10, safety_eval=100.0)
    clock.advance(60)   # training is over, the evaluation is running
    watch = watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=PollIntervals(active=1.0, idle=1.0),
                      job_refresh_polls=5)
    quiet = 0
    async for snapshot in watch:
        if not snapshot.new_events:
            quiet += 1
    events, reads = len(event_requests(server, job_id)), len(job_requests(server, job_id))
    assert quiet > 30
    assert reads <= 2 + events / 6 + 1


async def test_steady_state_pages_are_sized_to_what_arrives_not_to_the_maximum(world, server, source, clock,
                                                                               fast_sleep):
    """Two steps between polls: after the first catch-ups the newest page is asked for with a limit of a dozen,
    not 100, so each poll downloads and decodes a tenth of the JSON; nothing is lost doing so."""
    job_id = quick_job(world, total_steps=300, step_seconds=1.0)
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep,
                                                 intervals=PollIntervals(active=2.0, idle=10.0)))
    assert raws == list(reversed(world.events_json(job_id)))
    limits = [int(query["limit"]) for _, _, query in event_requests(server, job_id) if "after" not in query]
    steady = limits[len(limits) // 4: -len(limits) // 4]
    assert len(steady) > 50 and max(steady) <= 16, steady


async def test_a_burst_after_small_pages_costs_full_pages_and_loses_nothing(world, server, source, clock,
                                                                           fast_sleep):
    job_id = quick_job(world, total_steps=1500, step_seconds=0.2, validation=False)
    one_long_pause = sleep_with_actions(fast_sleep, {20: lambda: 220.0})   # 1,100 steps land meanwhile
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=one_long_pause,
                                                 intervals=PollIntervals(active=2.0, idle=10.0)))
    assert raws == list(reversed(world.events_json(job_id)))
    burst = max(snapshots, key=lambda s: len(s.new_events))
    assert len(burst.new_events) >= 1000
    walk = [q for _, _, q in event_requests(server, job_id) if "after" in q]
    assert walk and {int(q["limit"]) for q in walk} == {100}, "the walk through a burst uses full pages"
