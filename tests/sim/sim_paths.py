"""Where the reference material lives: a copy of ../shared in tests/fixtures, so a fresh clone can run the tests."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parents[1] / "fixtures"
REAL_SAMPLES = SHARED / "real-samples"
OPENAPI_YAML = SHARED / "openai-openapi-fine-tuning.yaml"
from simkit import START  # noqa: F401  (re-exported for the sim tests)


def sample_event_files() -> list[Path]:
    files = sorted(REAL_SAMPLES.glob("events_*.json"))
    assert files, f"no recorded samples in {REAL_SAMPLES}"
    return files
