"""Realistic fine-tuning events, made lazily page by page (a million of them never sit in memory at once).

The shape follows the real recorded events in shared/real-samples: `Step n/N: training loss=...` metrics events
with train loss/accuracy every step and validation every 10th step, plus the occasional message event
(checkpoints at epoch ends), newest first within a page as the API serves them.
"""

from __future__ import annotations

import random
import string
from typing import Iterator

ALPHABET = string.ascii_letters + string.digits
START = 1_764_000_000


def event_id(rng: random.Random) -> str:
    return "ftevent-" + "".join(rng.choices(ALPHABET, k=24))


def metrics_event(step: int, total: int, rng: random.Random, *, created_at: int | None = None) -> dict:
    loss = 2.5 / (1 + step / 500) + rng.random() * 0.3
    data = {"step": step, "train_loss": loss, "total_steps": total, "train_mean_token_accuracy": rng.random()}
    message = f"Step {step}/{total}: training loss={loss:.2f}"
    if step % 10 == 0:
        data["valid_loss"] = loss + 0.1
        data["valid_mean_token_accuracy"] = rng.random()
        message += f", validation loss={loss + 0.1:.2f}"
    return {"object": "fine_tuning.job.event", "id": event_id(rng),
            "created_at": START + step if created_at is None else created_at, "level": "info",
            "message": message, "data": data, "type": "metrics"}


def message_event(text: str, created_at: int, rng: random.Random, level: str = "info") -> dict:
    return {"object": "fine_tuning.job.event", "id": event_id(rng), "created_at": created_at, "level": level,
            "message": text, "data": {}, "type": "message"}


def pages(total: int, page: int, *, seed: int = 7, start: int = 1) -> Iterator[list[dict]]:
    """Pages of `page` new events (newest first), steps `start`..`total`, with a checkpoint message every
    `total // 3` steps, the way a 3-epoch job logs them."""
    rng = random.Random(seed)
    epoch = max(1, total // 3)
    for first in range(start, total + 1, page):
        chunk = []
        for step in range(first, min(first + page, total + 1)):
            chunk.append(metrics_event(step, total, rng))
            if step % epoch == 0 and step != total:
                chunk.append(message_event(f"Checkpoint created at step {step}", START + step, rng))
        chunk.reverse()
        yield chunk
