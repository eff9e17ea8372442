"""Fixtures for the TUI tests: the real app, the real OpenAI source and the simulator on loopback.

Time is a FakeClock shared by the simulated world and the app (ages, ETAs); polling uses real (short)
sleeps, so a test moves the jobs forward with `clock.advance(...)` and waits for the screen to catch up with
`wait_for`. Event times are printed in UTC so screenshots and log lines are the same on every machine.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from ftwatch.config import Secret, Settings
from ftwatch.sim.server import SimServer
from ftwatch.sim.world import FakeClock, World
from ftwatch.source.client import open_source
from ftwatch.ui.app import FtwatchApp
from simkit import START, wait_for  # noqa: F401  (re-exported to the tests of this folder)

HERE = Path(__file__).parent
FAST = Settings(poll_interval=0.05)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch):
    """Log lines show local clock times: pin the zone so every machine prints the same."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def make_app(server: SimServer, clock: FakeClock) -> Callable[..., FtwatchApp]:
    """`make_app(notify_cmd=...)`: the app watching the test's world through the real SDK."""

    def make(**settings_changes: Any) -> FtwatchApp:
        settings = dataclasses.replace(FAST, **settings_changes)

        async def factory():
            return await open_source(dataclasses.replace(settings, base_url=server.base_url, api_key=Secret("sim")))

        return FtwatchApp(factory, settings, clock=clock)

    return make
