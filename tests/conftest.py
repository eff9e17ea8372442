"""Shared fixtures: keep the developer's real credentials and endpoints out of every test."""

from __future__ import annotations

import shutil

import pytest
from tmux_driver import Tmux

_LEAKY_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "OPENAI_API_VERSION",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real key or endpoint in the developer's shell must never reach a test."""
    for name in _LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tmux():
    """A detached tmux session for end-to-end tests; skipped only where tmux is missing (CI installs it)."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    terminal = Tmux("demo")
    yield terminal
    terminal.run("kill-server", check=False)
