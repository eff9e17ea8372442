"""Fixtures for the local history's tests: the simulator on a FakeClock, the real SDK, a History in the test's own
directory (tests/conftest.py points FTWATCH_DATA_DIR at a fresh one), and helpers to follow a job whole."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable

import pytest

from ftwatch.history.account import Account
from ftwatch.history.history import History
from ftwatch.history.paths import history_path
from ftwatch.sim.simulated import Timing
from ftwatch.sim.world import FakeClock, World
from simkit import follow_raw, sim_source, wait_for  # noqa: F401  (wait_for re-exported)

FAST = Timing(validate=6.0, queue=2.0, warmup=4.0, step=1.0, full_validation=2.0, build_model=5.0,
              safety_eval=30.0, complete=2.0)


@pytest.fixture
def path() -> Path:
    """Where every ftwatch of this test keeps its history (the per-test directory)."""
    return history_path()


@pytest.fixture
async def source(server: Any):
    made = sim_source(server)
    yield made
    await made.aclose()


@pytest.fixture
def account(server: Any) -> Account:
    return Account.of(server.base_url)


@pytest.fixture
def open_history(path: Path, account: Account):
    """`open_history()`: a History of the test's account on the test's file, closed at the end (each call is a
    separate History, as each ftwatch process has its own)."""
    made: list[History] = []

    def make(**options: Any) -> History:
        history = History(path, options.pop("account", account), **options)
        made.append(history)
        return history

    yield make
    for history in made:
        history.close()


@pytest.fixture
def fast_sleep(clock: FakeClock) -> Callable[[float], Any]:
    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    return sleep


def finished_job(world: World, clock: FakeClock, *, steps: int, **spec: Any) -> str:
    """A simulated job that has already run to its end (all its events exist)."""
    job_id = world.create_job(total_steps=steps, timing=FAST, **spec)
    clock.advance(steps * 2 + 600)
    return job_id


def requests_since(server: Any, mark: int) -> list[tuple]:
    return list(server.requests[mark:])


async def follow_whole(watch: Any, limit_seconds: float = 60.0) -> tuple[list[Any], list[dict]]:
    """`follow_raw` with the longer limit a history round trip (a whole 1,000-step job, twice) may need."""
    return await follow_raw(watch, limit_seconds=limit_seconds)
