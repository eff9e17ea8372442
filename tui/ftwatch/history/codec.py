"""Jobs, events and checkpoints as JSON text and back: what the API sent, key for key.

Events and jobs are stored as the API's own dicts (`raw`), so `ftwatch follow --json` prints a cached event
byte for byte as it printed it live; objects built without their dict (tests, other sources) are written
from their fields. JSON is ASCII-escaped: a lone surrogate in hostile server text must not stop a write.
Checkpoints keep no raw dict in the domain, so they are written from their fields, which `parse_checkpoint`
reads back to the same `Checkpoint`.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence

from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.models import Checkpoint, Job, JobEvent

_dumps = json.JSONEncoder(separators=(",", ":")).encode


def dumps(value: Any) -> str:
    return _dumps(value)


def event_dicts(events: Sequence[JobEvent]) -> list[dict]:
    """The API dicts of `events` (oldest first or newest first, as given), without parsing API pages."""
    if isinstance(events, ApiEvents):
        dicts = events.dicts
        if all(type(d) is dict for d in dicts):
            return list(dicts)
        return [d if type(d) is dict else _event_fields(events[i]) for i, d in enumerate(dicts)]
    return [dict(event.raw) if event.raw else _event_fields(event) for event in events]


def event_id(d: dict) -> str:
    """The id the domain gives this event (`parse_event`: strings kept, None as "", anything else str())."""
    value = d.get("id")
    if type(value) is str:
        return value
    return "" if value is None else str(value)


def _event_fields(event: JobEvent) -> dict:
    return {"object": "fine_tuning.job.event", "id": event.id, "created_at": event.created_at,
            "level": event.level, "message": event.message, "type": event.type, "data": event.data}


def job_dict(job: Job) -> dict:
    if job.raw:
        return dict(job.raw)
    out: dict[str, Any] = {"object": "fine_tuning.job", "id": job.id, "created_at": job.created_at,
                           "status": job.status, "model": job.model, "fine_tuned_model": job.fine_tuned_model,
                           "finished_at": job.finished_at, "trained_tokens": job.trained_tokens,
                           "training_file": job.training_file, "validation_file": job.validation_file,
                           "result_files": list(job.result_files), "hyperparameters": dict(job.hyperparameters),
                           "seed": job.seed, "estimated_finish": job.estimated_finish, "metadata": job.metadata,
                           "user_provided_suffix": job.suffix}
    if job.method:
        out["method"] = {"type": job.method}
    if job.error is not None:
        out["error"] = {"code": job.error.code, "message": job.error.message, "param": job.error.param}
    return out


def checkpoint_dict(checkpoint: Checkpoint) -> dict:
    return {"object": "fine_tuning.job.checkpoint", "id": checkpoint.id, "created_at": checkpoint.created_at,
            "step_number": checkpoint.step_number,
            "fine_tuned_model_checkpoint": checkpoint.fine_tuned_model_checkpoint,
            "metrics": dict(checkpoint.metrics)}


def loads_many(texts: Iterable[str]) -> list[Any]:
    """Many stored JSON texts at once (one parse of the joined text: about twice as fast); a row that does not
    parse (a damaged file that SQLite still reads) is left out rather than failing them all."""
    texts = list(texts)
    if not texts:
        return []
    try:
        return json.loads("[" + ",".join(texts) + "]")
    except ValueError:
        out = []
        for text in texts:
            try:
                out.append(json.loads(text))
            except ValueError:
                continue
        return out


def loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None
