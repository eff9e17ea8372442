"""Where the shared reference material lives (../shared from the repo root)."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared"
REAL_SAMPLES = SHARED / "real-samples"
OPENAPI_YAML = SHARED / "openai-openapi-fine-tuning.yaml"
START = 1_764_000_000.0


def sample_event_files() -> list[Path]:
    return sorted(REAL_SAMPLES.glob("events_*.json"))
