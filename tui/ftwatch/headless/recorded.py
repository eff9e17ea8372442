"""Read a local SOURCE for `summary` / `export`: a result CSV (base64 as served, or decoded) or a recorded job.

Recorded jobs use the simulator's scenario shapes (issue 2) — `{"jobs": [{"job", "events", "checkpoints",
"result_csv", ...}]}`, a bare list of events, or an events page `{"object": "list", "data": [...]}` — read here
directly rather than through ftwatch.sim (headless code does not depend on the simulator). A checkpoints page
(`GET .../checkpoints` as saved, or a bare list of checkpoint objects) is a source too: it names the models
to choose from and their metrics, though it says nothing of the steps in between or of how the job ended.
Events with ids are in API order (newest first) unless their timestamps rise; recordings without ids (printed
by notebook monitors, oldest first) get local ids. A job object without a status has it inferred from the newest recognisable message.

Every problem is a one-line ConfigError naming the file (exit 2): the user must fix the input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftwatch.domain.models import Checkpoint, Job, MetricPoint
from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.parse import parse_checkpoint, parse_job
from ftwatch.domain.metrics.result_file import parse_result_csv
from ftwatch.domain.tracker import JobTracker
from ftwatch.errors import ConfigError

MAX_FILE_BYTES = 512 * 1024 * 1024
CHECKPOINT_OBJECT = "fine_tuning.job.checkpoint"

# What a file is, for the words of a summary ("checkpoints: none in a result file").
RESULT_FILE, RECORDED_JOB, CHECKPOINTS_PAGE = "result file", "recorded job", "checkpoints page"


@dataclass(frozen=True)
class Recorded:
    tracker: JobTracker
    status: str | None          # None for a bare CSV or checkpoints page: they say nothing of how the job ended
    kind: str = RECORDED_JOB    # RESULT_FILE, RECORDED_JOB or CHECKPOINTS_PAGE


def looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.lower().endswith((".csv", ".json", ".txt", ".jsonl"))


def load_file(path: str, *, smoothing: float | None) -> Recorded:
    content = _read(path)
    stripped = content.lstrip()
    if stripped[:1] in (b"{", b"["):
        return _recorded_job(path, content, smoothing)
    return Recorded(tracker=_csv_tracker(path, content, smoothing), status=None, kind=RESULT_FILE)


def _read(path: str) -> bytes:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{path}: too large to be a result file or a recorded job")
        return file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None


def _csv_tracker(path: str, content: bytes, smoothing: float | None) -> JobTracker:
    points = _points(path, content)
    tracker = JobTracker(Job(id=Path(path).name, created_at=0, status="unknown", model=""), smoothing=smoothing)
    tracker.add_result_points(points)
    return tracker


def _recorded_job(path: str, content: bytes, smoothing: float | None) -> Recorded:
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc})") from None
    entry = _first_entry(path, document)
    job_dict = entry.get("job") if isinstance(entry.get("job"), dict) else {}
    checkpoints = _checkpoints(path, entry.get("checkpoints"))
    if set(entry) == {"checkpoints"}:
        return _checkpoints_page(path, checkpoints, smoothing)
    events = _events_newest_first(path, entry.get("events"))
    status = job_dict.get("status") if isinstance(job_dict.get("status"), str) else _infer_status(events)
    job = parse_job({"id": Path(path).stem, "created_at": 0, "model": "", **job_dict, "status": status})
    tracker = JobTracker(job, smoothing=smoothing)
    if events:
        tracker.merge(ApiEvents(list(events)))
    csv = entry.get("result_csv")
    if isinstance(csv, str) and csv.strip():
        tracker.add_result_points(_points(path, csv))
    if not events and not (isinstance(csv, str) and csv.strip()) and not checkpoints:
        raise ConfigError(f"{path}: the recorded job has no events, checkpoints or result_csv to summarise")
    tracker.update_checkpoints(checkpoints)
    return Recorded(tracker=tracker, status=status)


def _checkpoints_page(path: str, checkpoints: list[Checkpoint], smoothing: float | None) -> Recorded:
    if not checkpoints:
        raise ConfigError(f"{path}: a checkpoints page with no checkpoints to summarise")
    tracker = JobTracker(Job(id=Path(path).stem, created_at=0, status="unknown", model=""), smoothing=smoothing)
    tracker.update_checkpoints(checkpoints)
    return Recorded(tracker=tracker, status=None, kind=CHECKPOINTS_PAGE)


def _checkpoints(path: str, items: Any) -> list[Checkpoint]:
    """A list of checkpoint objects or a checkpoints page, as the API serves them (newest first)."""
    if isinstance(items, dict) and isinstance(items.get("data"), list):
        items = items["data"]
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(c, dict) for c in items):
        raise ConfigError(f"{path}: checkpoints must be a list of checkpoint objects or a checkpoints page")
    return [parse_checkpoint(c) for c in items]


def _is_checkpoints(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and i.get("object") == CHECKPOINT_OBJECT for i in items)


def _first_entry(path: str, document: Any) -> dict:
    if isinstance(document, list):
        return {"checkpoints": document} if _is_checkpoints(document) else {"events": document}
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: expected a JSON object or list")
    if "jobs" in document:
        jobs = document["jobs"]
        if not isinstance(jobs, list) or not jobs or not isinstance(jobs[0], dict):
            raise ConfigError(f'{path}: "jobs" must be a non-empty list of objects')
        if len(jobs) > 1:
            raise ConfigError(f"{path}: holds {len(jobs)} jobs; summary and export take a file with one job")
        return jobs[0]
    if isinstance(document.get("data"), list):
        data = document["data"]
        return {"checkpoints": data} if _is_checkpoints(data) else {"events": data}
    if "events" in document or "job" in document or "checkpoints" in document:
        return document
    raise ConfigError(f'{path}: not a recorded job (expected {{"jobs": [...]}}, a list of events, an events page '
                      f'or a checkpoints page)')


def _events_newest_first(path: str, items: Any) -> list[dict]:
    if isinstance(items, dict) and isinstance(items.get("data"), list):
        items = items["data"]
    if items is None:
        return []
    if not isinstance(items, list):
        raise ConfigError(f"{path}: events must be a list")
    events = [{"message": e} if isinstance(e, str) else e for e in items]
    if not all(isinstance(e, dict) for e in events):
        raise ConfigError(f"{path}: every event must be an object or a message string")
    if all(isinstance(e.get("id"), str) for e in events):
        stamps = [e.get("created_at") for e in events]
        if all(isinstance(s, int) for s in stamps) and any(a < b for a, b in zip(stamps, stamps[1:])):
            return list(reversed(events))
        return events
    # A recording without ids is oldest first (printed by a monitor loop): give it ids, newest first.
    return [{"id": f"recorded-{i}", "created_at": 0, "level": "info", "type": None, "data": None, **e}
            for i, e in reversed(list(enumerate(events)))]


def _points(path: str, content: bytes | str) -> list[MetricPoint]:
    try:
        points = parse_result_csv(content)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if not points:
        raise ConfigError(f"{path}: a result CSV header but no metric rows")
    return points


def _infer_status(events_newest_first: list[dict]) -> str:
    for event in events_newest_first:
        message = str(event.get("message", "")).lower()
        if "successfully completed" in message or "job completed" in message:
            return "succeeded"
        if "cancel" in message:
            return "cancelled"
        if event.get("level") == "error" or "failed" in message:
            return "failed"
        if message.startswith("step ") or "fine-tuning job started" in message or "checkpoint" in message:
            return "running"
        if "files validated" in message or "queued" in message:
            return "queued"
        if "validating" in message:
            return "validating_files"
    return "unknown"
