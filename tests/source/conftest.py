"""Fixtures: the real simulator on loopback, driven by a FakeClock, and the real SDK pointed at it.

`fast_sleep` is the poller's sleep: it advances the fake clock instead of waiting, so a job of hundreds of
steps is followed in a fraction of a second while the simulator sees exactly the time the poller "slept".
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, Callable

import pytest

from ftwatch.sim.server import SimServer
from ftwatch.sim.world import FakeClock, World
from ftwatch.source.backoff import Backoff
from simkit import follow_raw, sim_source  # noqa: F401  (follow_raw re-exported to this folder's tests)

API_KEY = "sk-test-SourceLayerKey0123456789"


@pytest.fixture
async def server(world: World):
    async with SimServer(world, api_key=API_KEY) as running:
        yield running


make_source = partial(sim_source, api_key=API_KEY)      # this folder's server asks for API_KEY


@pytest.fixture
async def source(server: Any):
    made = make_source(server)
    yield made
    await made.aclose()


@pytest.fixture
def fast_sleep(clock: FakeClock) -> Callable[[float], Any]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)
        await asyncio.sleep(0)

    sleep.slept = slept  # type: ignore[attr-defined]
    return sleep


@pytest.fixture
def no_jitter() -> Backoff:
    return Backoff(random=lambda: 0.0)


def event_requests(server: Any, job_id: str) -> list[tuple]:
    return [r for r in server.requests if r[1].endswith(f"/fine_tuning/jobs/{job_id}/events")]


def job_requests(server: Any, job_id: str) -> list[tuple]:
    return [r for r in server.requests if r[1].endswith(f"/fine_tuning/jobs/{job_id}")]


FAST_TIMING_FIELDS = dict(validate=6.0, queue=2.0, warmup=4.0, full_validation=2.0, build_model=5.0,
                          safety_eval=30.0, complete=2.0)


def quick_job(world: World, **kwargs: Any) -> str:
    """A simulated job whose quiet phases (validation, queue, safety evaluation) are short, so following it
    whole takes few polls; the training itself keeps the real cadence of metrics events."""
    from ftwatch.sim.simulated import Timing

    step = kwargs.pop("step_seconds", 1.0)
    timing = {name: kwargs.pop(name, value) for name, value in FAST_TIMING_FIELDS.items()}
    return world.create_job(timing=Timing(step=step, **timing), **kwargs)
