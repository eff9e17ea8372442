"""Helpers shared by the domain tests: where the real samples are, and small event factories.

The folder is a package (`domain`), so its module names cannot collide with other test folders':
`from domain.factories import ...`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ftwatch.domain.models import Job, JobEvent
from ftwatch.domain.parse import parse_event, parse_job

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "real-samples"   # a copy of ../shared/real-samples


def sample_json(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def sample_page(name: str) -> list[dict]:
    """The `data` list of a recorded events file, newest first as the API returned it."""
    loaded = sample_json(name)
    return loaded["data"] if isinstance(loaded, dict) else loaded


def api_event_files() -> list[str]:
    """Every recorded events file that holds API objects (with ids), not printed logs."""
    return sorted(p.name for p in SAMPLES.glob("events_*.json") if "chronological" not in p.name)


def result_files() -> list[str]:
    return sorted(p.name for p in SAMPLES.glob("metrics_*"))


def make_event(number: int, created_at: int | None = None, message: str | None = None, **fields: Any) -> JobEvent:
    """A message event with a readable id (`ev-0007`); `created_at` defaults to the number."""
    raw = {
        "object": "fine_tuning.job.event",
        "id": f"ev-{number:04d}",
        "created_at": number if created_at is None else created_at,
        "level": "info",
        "message": message if message is not None else f"event {number}",
        "data": {},
        "type": "message",
        **fields,
    }
    return parse_event(raw)


def metrics_dict(step: int, total: int, loss: float, created_at: int | None = None, **extra: Any) -> dict:
    """A supervised metrics event exactly as the API shapes it (message printed from the data)."""
    data = {"step": step, "train_loss": loss, "total_steps": total, "train_mean_token_accuracy": 0.5, **extra}
    message = f"Step {step}/{total}: training loss={loss:.2f}"
    if "valid_loss" in extra:
        message += f", validation loss={extra['valid_loss']:.2f}"
    if "full_valid_loss" in extra:
        message += f", full validation loss={extra['full_valid_loss']:.2f}"
    return {"object": "fine_tuning.job.event", "id": f"ftevent-step{step:06d}",
            "created_at": 1_700_000_000 + step if created_at is None else created_at,
            "level": "info", "message": message, "data": data, "type": "metrics"}


def running_job(**overrides: Any) -> Job:
    base = {"id": "ftjob-test", "object": "fine_tuning.job", "created_at": 1_700_000_000, "status": "running",
            "model": "gpt-4o-mini-2024-07-18", "error": {"code": None, "message": None, "param": None}}
    base.update(overrides)
    return parse_job(base)
