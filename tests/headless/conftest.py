"""Fixtures for the headless commands: the simulator fixtures of tests/source, a Runtime that captures the
command's stdout/stderr, and a simulator served from a background thread for whole-CLI runs (`main([...])`
calls asyncio.run, so its server cannot live in the test's own loop)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterator

import pytest

from ftwatch.headless.common import Runtime
from simkit import ThreadedSim
from source.conftest import API_KEY, fast_sleep, no_jitter, server, source  # noqa: F401

REAL_SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "real-samples"   # a copy of ../shared


@pytest.fixture
def runtime(source: Any, clock: Any, fast_sleep: Any, no_jitter: Any) -> Runtime:
    return Runtime(out=io.StringIO(), err=io.StringIO(), clock=clock, sleep=fast_sleep, backoff=no_jitter,
                   source=source)


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
