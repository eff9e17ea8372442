"""Issue 5's fault matrix for `ftwatch follow --json`: one test per fault, named after it. In every case the
command does not crash, says on stderr what happened and when it retries, and once the fault clears its stdout
equals the simulator's full event list: none missing, none twice, oldest first."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from ftwatch.config import Settings
from ftwatch.headless.follow import follow
from source.conftest import make_source, quick_job
from simkit import sleep_with_actions

SETTINGS = Settings(poll_interval=3.0)

SCRIPTED = {
    "429_retry_after": (["429;retry-after=3"] * 3, "rate limited (429); retrying in 3s"),
    "429_retry_after_ms": (["429;retry-after-ms=1500"] * 3, "rate limited (429); retrying in 2s"),
    "429_retry_after_above_120s": (["429;retry-after=600"], "rate limited (429); retrying in 2m 00s"),
    "500": (["500", "500"], "server error 500; retrying in"),
    "502_html_page": (["502"], "server error 502; retrying in"),
    "503": (["503", "503", "503"], "server error 503; retrying in"),
    "dropped_mid_body": (["drop", "drop"], "cannot reach sim"),
    "malformed_json": (["badjson"], "malformed response (not JSON); retrying in"),
}


def printed(runtime) -> list[dict]:
    return [json.loads(line) for line in runtime.out.getvalue().splitlines()]


async def run_with_fault_midway(world, server, runtime, clock, script):
    job_id = quick_job(world, total_steps=60)
    # the 15th poll is mid-training, after the backfill
    sleep = sleep_with_actions(runtime.sleep, {15: lambda: server.faults.script(list(script))})
    status = await follow(SETTINGS, job_id, json_lines=True, runtime=replace(runtime, sleep=sleep))
    return job_id, status


@pytest.mark.parametrize("fault", sorted(SCRIPTED))
async def test_fault_matrix_follow_json(world, server, runtime, clock, fault):
    script, notice = SCRIPTED[fault]
    job_id, status = await run_with_fault_midway(world, server, runtime, clock, script)
    assert status == 0
    assert printed(runtime) == list(reversed(world.events_json(job_id)))
    assert notice in runtime.err.getvalue()


async def test_fault_matrix_follow_json_hang_past_the_timeout(world, server, runtime, clock):
    impatient = make_source(server, timeout=0.3)
    try:
        job_id, status = await run_with_fault_midway(world, server, replace(runtime, source=impatient), clock,
                                                     ["slow;slow-seconds=3"])
    finally:
        await impatient.aclose()
    assert status == 0 and printed(runtime) == list(reversed(world.events_json(job_id)))
    assert "request timed out; retrying in" in runtime.err.getvalue()


@pytest.mark.parametrize("spec", ["empty:0.2,only=/events", "lying-has-more:0.3,only=/events"])
async def test_fault_matrix_follow_json_empty_and_lying_pages(world, server, runtime, clock, spec):
    job_id = quick_job(world, total_steps=120)
    server.faults.configure(spec)
    settings = replace(SETTINGS, poll_interval=25.0)   # many events per poll, so pages really chain
    assert await follow(settings, job_id, json_lines=True, runtime=runtime) == 0
    assert printed(runtime) == list(reversed(world.events_json(job_id)))


async def test_fault_matrix_follow_json_simulator_restarted_on_the_same_port(world, server, runtime, clock):
    job_id = quick_job(world, total_steps=60)
    sleep = sleep_with_actions(runtime.sleep, {15: server.stop, 18: server.start})
    assert await follow(SETTINGS, job_id, json_lines=True, runtime=replace(runtime, sleep=sleep)) == 0
    assert printed(runtime) == list(reversed(world.events_json(job_id)))
    err = runtime.err.getvalue()
    assert "cannot reach sim" in err and "connected again" in err


async def test_fault_matrix_follow_json_burst_of_1000_events_between_two_polls(world, server, runtime, clock):
    job_id = quick_job(world, total_steps=1100, step_seconds=0.2, validation=False)
    settings = replace(SETTINGS, poll_interval=240.0)
    assert await follow(settings, job_id, json_lines=True, runtime=runtime) == 0
    assert printed(runtime) == list(reversed(world.events_json(job_id)))
