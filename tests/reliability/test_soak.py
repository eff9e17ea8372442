"""Soak (issue 5 §2, `-m slow`): one long-lived source follows 20 simulated jobs at a time, at 100x speed, with
5 % of all responses faulty (429, 5xx, HTML 502, hangs past the timeout, dropped bodies, bad JSON, empty
pages, lying `has_more`), for FTWATCH_SOAK_SECONDS (default 180; CI runs 20). FTWATCH_SOAK_FAULTS replaces the fault mix.

The run is a series of waves: each wave serves 20 fresh jobs from a fresh simulator on the same port (so
every wave also restarts the API under the client), follows all of them to the end with `watch_job`, and
checks every job's events against the simulator's full list: none missing, none twice, in order. After each
wave the follower's memory is measured with tracemalloc (traced from the end of the first wave, once imports
and caches have warmed up); it must stay flat from wave to wave, because a monitor runs for days."""

from __future__ import annotations

import asyncio
import gc
import os
import random
import time
import tracemalloc
from dataclasses import dataclass

import openai
import pytest

from ftwatch.domain.models import Phase
from ftwatch.source.openai_source import OpenAISource
from ftwatch.source.poll import PollIntervals, watch_job
from ftwatch.sim.server import SimServer
from ftwatch.sim.simulated import Timing
from ftwatch.sim.world import World

pytestmark = pytest.mark.slow

JOBS = 20
SPEED = 100.0
STEP = 1.5                                          # simulated seconds per step: 15 ms of real time
TIMING = Timing(validate=5.0, queue=2.0, warmup=5.0, step=STEP, full_validation=3.0, build_model=5.0,
                safety_eval=20.0, complete=2.0)
DEFAULT_FAULTS = ("429:0.012,500:0.006,502:0.004,503:0.006,slow:0.004,drop:0.006,badjson:0.004,empty:0.004,"
          "lying-has-more:0.004,retry-after-ms=150,slow-seconds=2")      # 5 % of responses in all
TIMEOUT = 1.0                                        # a "slow" answer (2 s) is a hang past the timeout
INTERVALS = PollIntervals(active=0.25, idle=0.5, jobs=1.0)
MEMORY_SLACK = 512 * 1024       # bytes later waves may add over the first measured one (connection pool, URL caches)


@dataclass
class Wave:
    events: int = 0
    requests: int = 0
    faults: int = 0
    memory: int = 0


def soak_faults() -> str:
    """FTWATCH_SOAK_FAULTS overrides the mix, e.g. to hunt one fault kind at a high rate."""
    return os.environ.get("FTWATCH_SOAK_FAULTS", DEFAULT_FAULTS)


def soak_seconds() -> float:
    return float(os.environ.get("FTWATCH_SOAK_SECONDS", "180"))


async def follow(source: OpenAISource, job_id: str) -> tuple[list[str], Phase, int]:
    ids: list[str] = []
    last = None
    async for snapshot in watch_job(source, job_id, intervals=INTERVALS, page_limit=100):
        ids.extend(event.id for event in snapshot.new_events)
        last = snapshot
    assert last is not None
    if last.connection.state == "failed":          # a fatal fault ends the watch: say which, for the report
        print(f"{job_id}: watch ended on a fatal fault: {last.connection.message}")
    train = last.metrics.get("train_loss")
    return ids, last.phase, len(train) if train is not None else 0


async def run_wave(number: int, seconds: float, port: int, source_box: list[OpenAISource]) -> Wave:
    rng = random.Random(number)
    world = World(seed=1000 + number, speed=SPEED)
    steps_fit = max(40, int((seconds - 2.0) * SPEED / STEP))
    fates = ["succeed"] * 16 + ["fail"] * 2 + ["cancel"] * 2
    jobs = {}
    for fate in fates:
        steps = max(20, int(steps_fit * rng.uniform(0.6, 1.0)))
        job_id = world.create_job(total_steps=steps, timing=TIMING, fate=fate, n_epochs=rng.choice([1, 2, 3]),
                                  validation=rng.random() < 0.7, start_delay=rng.uniform(0, 10))
        jobs[job_id] = (fate, steps)
    async with SimServer(world, faults=soak_faults(), port=port) as server:
        if not source_box:                       # one client for the whole soak, like a monitor left running
            client = openai.AsyncOpenAI(base_url=server.base_url, api_key="sim", max_retries=0, timeout=TIMEOUT)
            source_box.append(OpenAISource(client, description="soak"))
        results = await asyncio.wait_for(asyncio.gather(*(follow(source_box[0], job) for job in jobs)),
                                         timeout=seconds * 4 + 60)
        for (ids, phase, train_points), job_id in zip(results, jobs):
            expected = [event["id"] for event in reversed(world.events_json(job_id))]
            assert ids == expected, f"{job_id}: {len(ids)} handed out, {len(expected)} served"
            assert phase.is_terminal
            fate, steps = jobs[job_id]
            if fate == "succeed":
                assert (phase, train_points) == (Phase.SUCCEEDED, steps)
        wave = Wave(events=sum(len(r[0]) for r in results), requests=server.request_count,
                    faults=len(server.faults.injected))
    return wave


async def test_soak_20_jobs_with_5_percent_faults_loses_nothing_and_stays_flat():
    total = soak_seconds()
    waves = max(3, round(total / 30))
    seconds = total / waves
    port = _free_port()
    source_box: list[OpenAISource] = []
    done: list[Wave] = []
    started = time.monotonic()
    try:
        for number in range(waves):
            wave = await run_wave(number, seconds, port, source_box)
            gc.collect()
            if number == 0:
                tracemalloc.start()              # after warm-up: imports, SDK and regex caches are in place
            else:
                wave.memory = tracemalloc.get_traced_memory()[0]
            done.append(wave)
    finally:
        tracemalloc.stop()
        if source_box:
            await source_box[0].aclose()
    elapsed = time.monotonic() - started
    report = ", ".join(f"wave {i}: {w.events} events, {w.requests} requests, {w.faults} faults, "
                       f"{w.memory / 1024:.0f} KiB" for i, w in enumerate(done))
    print(f"soak {elapsed:.0f} s: {report}")
    assert sum(w.faults for w in done) >= 0.02 * sum(w.requests for w in done), "faults must really be injected"
    measured = [w.memory for w in done[1:]]
    assert max(measured) - measured[0] <= MEMORY_SLACK, f"memory grew wave to wave: {measured}"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
