"""Fixtures for the headless commands: the simulator fixtures of tests/source, a Runtime that captures the
command's stdout/stderr, and a simulator served from a background thread for whole-CLI runs (`main([...])`
calls asyncio.run, so its server cannot live in the test's own loop)."""

from __future__ import annotations

import asyncio
import io
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from ftwatch.headless.common import Runtime
from source.conftest import API_KEY, clock, fast_sleep, no_jitter, server, source, world  # noqa: F401

REAL_SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "real-samples"   # a copy of ../shared


@pytest.fixture
def runtime(source: Any, clock: Any, fast_sleep: Any, no_jitter: Any) -> Runtime:
    return Runtime(out=io.StringIO(), err=io.StringIO(), clock=clock, sleep=fast_sleep, backoff=no_jitter,
                   source=source)


class ThreadedSim:
    """A SimServer with a real clock at high speed, in its own thread and loop."""

    def __init__(self, speed: float, api_key: str | None) -> None:
        from ftwatch.sim.server import SimServer
        from ftwatch.sim.world import World

        self.world = World(seed=11, speed=speed)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = SimServer(self.world, api_key=api_key)
        self.call(self.server.start())

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    def run(self, function: Any) -> Any:
        async def inside() -> Any:
            return function()
        return self.call(inside())

    def close(self) -> None:
        self.call(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def threaded_sim() -> Iterator[ThreadedSim]:
    sim = ThreadedSim(speed=1000.0, api_key=API_KEY)
    yield sim
    sim.close()


@pytest.fixture
def api_env(monkeypatch: pytest.MonkeyPatch, threaded_sim: ThreadedSim) -> ThreadedSim:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", threaded_sim.server.base_url)
    return threaded_sim
