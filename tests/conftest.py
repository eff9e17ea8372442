"""Shared fixtures: keep the developer's real credentials out of every test; a simulated world on a fake clock and
its server on loopback (folders override `world` or `server` where they need another seed or a key)."""

from __future__ import annotations

import shutil

import pytest
from ftwatch.sim.server import SimServer
from ftwatch.sim.world import FakeClock, World
from simkit import START
from tmux_driver import Tmux

_LEAKY_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "OPENAI_API_VERSION",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "FTWATCH_PROFILE",
    "FTWATCH_OFFLINE",
    "FTWATCH_NO_CACHE",
    "FTWATCH_CACHE_DIR",          # the history's directory is the per-test FTWATCH_DATA_DIR below, never the shell's
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A real key or endpoint in the developer's shell must never reach a test, nor their profiles file
    (~/.config/ftwatch/config.toml): XDG_CONFIG_HOME points at a directory that does not exist; nor their
    local history: FTWATCH_DATA_DIR is a fresh directory per test."""
    for name in _LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "no-user-config"))
    # Each test's local history (ftwatch.history) lives in a directory of its own, never the user's data dir,
    # and no test sees another's cached jobs.
    monkeypatch.setenv("FTWATCH_DATA_DIR", str(tmp_path_factory.mktemp("ftwatch-data")))


@pytest.fixture
def tmux():
    """A detached tmux session for end-to-end tests; skipped only where tmux is missing (CI installs it)."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    terminal = Tmux("demo")
    yield terminal
    terminal.run("kill-server", check=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=START)


@pytest.fixture
def world(clock: FakeClock) -> World:
    return World(seed=7, clock=clock)


@pytest.fixture
async def server(world: World):
    async with SimServer(world) as running:
        yield running
