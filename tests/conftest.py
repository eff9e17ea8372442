"""Shared fixtures: keep the developer's real credentials and endpoints out of every test."""

from __future__ import annotations

import pytest

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
