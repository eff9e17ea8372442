"""Fixtures for the reliability tests: the simulator on loopback with a FakeClock, the real TUI and the real
headless commands pointed at it, and a fake API key distinctive enough to grep for.

Time: the simulated world and the app share a FakeClock, so a job moves only when a test advances it, and a
"retrying in 3 s" on screen stays exactly that while the test reads it. The app's own polling uses real
short sleeps (poll interval 0.05 s); a back-off is cut short with the app's `r` key, which is what a user
would press.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
from typing import Any, Callable, Iterator

import pytest

from ftwatch.config import Secret, Settings
from ftwatch.domain.parse import parse_event
from ftwatch.headless.common import Runtime
from ftwatch.sim.server import SimServer
from ftwatch.sim.simulated import Timing
from ftwatch.sim.world import FakeClock, World
from ftwatch.source.backoff import Backoff
from ftwatch.source.client import open_source
from ftwatch.source.openai_source import OpenAISource
from ftwatch.ui.app import FtwatchApp
from simkit import ThreadedSim, sim_source

# A distinctive fake key: its middle part ("LEAKCHECK-7f3a9c") is what a leak check greps for, because
# masks like "sk-...wxyz" legitimately keep the ends.
LEAK_KEY = "sk-LEAKCHECK-7f3a9c1e5b2d4f6a8c0e-Zq"
LEAK_MIDDLE = "LEAKCHECK-7f3a9c1e5b2d"
FAST = Settings(poll_interval=0.05)
# Quiet phases compressed, training at the real cadence: a 40-step job is over in ~60 simulated seconds.
QUICK = Timing(validate=2.0, queue=1.0, warmup=2.0, step=1.0, full_validation=1.0, build_model=2.0,
               safety_eval=10.0, complete=1.0)
ALREADY_TRAINING = -(2 + 1 + 2 + 3)      # start_delay that puts a QUICK job a few steps into training


@pytest.fixture
def world(clock: FakeClock) -> World:
    return World(seed=5, clock=clock)


def running_job(world: World, total_steps: int = 40, **kwargs: Any) -> str:
    """A job already a few steps into training, with short quiet phases."""
    kwargs.setdefault("timing", QUICK)
    kwargs.setdefault("start_delay", ALREADY_TRAINING)
    kwargs.setdefault("step_seconds", kwargs["timing"].step)
    return world.create_job(total_steps=total_steps, **kwargs)


@pytest.fixture
def make_app(server: SimServer, clock: FakeClock) -> Callable[..., FtwatchApp]:
    """`make_app(timeout=0.4)`: the real app watching the test's world through the real SDK."""

    def make(*, api_key: str = "sim", **settings_changes: Any) -> FtwatchApp:
        settings = dataclasses.replace(FAST, api_key=Secret(api_key), **settings_changes)

        async def factory():
            return await open_source(dataclasses.replace(settings, base_url=server.base_url))

        return FtwatchApp(factory, settings, clock=clock)

    return make


async def wait_for(pilot: Any, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    """Let the app run until `predicate()` is truthy (returns its value), or fail after `timeout` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.03)


class Notifications:
    """Every toast the app shows (wraps `app.notify`, the one door all of them go through)."""

    def __init__(self, app: FtwatchApp) -> None:
        self.shown: list[tuple[str, str, str]] = []      # (title, message, severity)
        original = app.notify

        def notify(message: str, *, title: str = "", severity: str = "information", **kwargs: Any) -> None:
            self.shown.append((title, str(message), severity))
            original(message, title=title, severity=severity, **kwargs)

        app.notify = notify  # type: ignore[method-assign]

    def errors(self) -> list[tuple[str, str, str]]:
        return [n for n in self.shown if n[2] == "error"]


def oldest_first(world: World, job_id: str) -> list[dict]:
    return list(reversed(world.events_json(job_id)))


def sim_events(world: World, job_id: str) -> list:
    return [parse_event(e) for e in oldest_first(world, job_id)]


# --- headless: the source and a captured Runtime, sleeping on the fake clock ---------------------------------

@pytest.fixture
def fast_sleep(clock: FakeClock) -> Callable[[float], Any]:
    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    return sleep


@pytest.fixture
async def source(server: SimServer):
    made = sim_source(server)
    yield made
    await made.aclose()


@pytest.fixture
def runtime(source: OpenAISource, clock: FakeClock, fast_sleep: Any) -> Runtime:
    return Runtime(out=io.StringIO(), err=io.StringIO(), clock=clock, sleep=fast_sleep,
                   backoff=Backoff(random=lambda: 0.0), source=source)


# --- whole CLI runs: a simulator at high speed in its own thread (main() calls asyncio.run) -------------------

@pytest.fixture
def threaded_sim() -> Iterator[ThreadedSim]:
    sim = ThreadedSim(api_key=LEAK_KEY)
    yield sim
    sim.close()
