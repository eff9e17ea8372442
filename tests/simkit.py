"""The simulator as test fixtures need it: a fixed start time, and a server in its own thread for whole-CLI runs.

`ftwatch.cli.main([...])` calls `asyncio.run`, so a server it talks to cannot live in the test's own loop.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable

import openai

from ftwatch.sim.server import SimServer
from ftwatch.sim.world import World
from ftwatch.source.openai_source import OpenAISource

START = 1_764_000_000.0          # 2025-11-24: every FakeClock in the tests starts here


def sim_source(server: Any, *, api_key: str = "sim", timeout: float = 5.0) -> OpenAISource:
    """The real SDK pointed at a simulator, with the SDK's own retries off (ftwatch's back-off is under test)."""
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key=api_key, max_retries=0, timeout=timeout)
    return OpenAISource(client, description="sim", secrets=[api_key])


class ThreadedSim:
    """A SimServer on a real clock at high speed, served from a background thread and loop."""

    def __init__(self, *, speed: float = 1000.0, api_key: str | None = None, seed: int = 11) -> None:
        self.world = World(seed=seed, speed=speed)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = SimServer(self.world, api_key=api_key)
        self.call(self.server.start())

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    def run(self, function: Callable[[], Any]) -> Any:
        async def inside() -> Any:
            return function()
        return self.call(inside())

    def close(self) -> None:
        self.call(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def sleep_with_actions(inner: Callable[[float], Any], actions: dict[int, Callable[[], Any]]) -> Callable[[float], Any]:
    """A poller's sleep that, on its Nth call (1-based), first runs `actions[N]`: inject a fault script, stop or
    start the server, mid-follow. An action may be async; a number it returns replaces that sleep's length
    (a long look-away, so a burst of events lands between two polls)."""
    calls = 0

    async def sleep(seconds: float) -> None:
        nonlocal calls
        calls += 1
        action = actions.get(calls)
        if action is not None:
            result = action()
            if asyncio.iscoroutine(result):
                result = await result
            if isinstance(result, (int, float)):
                seconds = float(result)
        await inner(seconds)

    return sleep


async def wait_for(pilot: Any, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    """Let the app run until `predicate()` is truthy (returns its value), or fail after `timeout` s."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.03)


async def follow_raw(watch: Any, *, limit_seconds: float = 20.0) -> tuple[list[Any], list[dict]]:
    """Run a watch to its end: every snapshot, and the raw dicts of every new event in the order handed out."""
    snapshots: list[Any] = []
    raws: list[dict] = []

    async def run() -> None:
        async for snapshot in watch:
            snapshots.append(snapshot)
            raws.extend(dict(event.raw) for event in snapshot.new_events)

    await asyncio.wait_for(run(), limit_seconds)
    return snapshots, raws
