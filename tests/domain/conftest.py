"""Fixtures for the domain tests (helpers live in `factories.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.factories import SAMPLES


@pytest.fixture(scope="session")
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("the shared real samples are not available")
    return SAMPLES
