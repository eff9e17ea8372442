"""Reading scenario files: recorded jobs to serve verbatim, or jobs to simulate.

Accepted shapes (issue 2):
- `{"jobs": [{"job": {...}, "events": [...], "checkpoints": [...], "result_csv": "...", "replay": bool,
  "simulate": {...}}]}` — every key optional; an entry without events is simulated (`simulate` holds
  `World.create_job` arguments, `job` fields are laid over the result, e.g. a hostile suffix); other top-level
  keys are ignored (`ftwatch record` adds `"recorded": {"by", "at", "from", "job"}`, a note for people);
- for one job, a bare list of events or an events page `{"object": "list", "data": [...]}` exactly as the
  API returned it (newest first);
- a job object, or a jobs page, for jobs known only by their job objects;
- a *chronological* recording without ids (a list of message strings, or of `{"local_time", "level",
  "message"}` objects, as printed by notebook monitors). These get synthesised ids, `created_at` from
  `local_time` read as UTC (or 2 s apart when absent), types and `data` parsed from the message text.
  Loss values then have the message's two decimals and no accuracies: nothing is invented beyond what
  the recording says, except ids and the moderation payload.

Recorded dicts are never rewritten: the API serves the very objects read here.
"""

from __future__ import annotations

import calendar
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftwatch.sim import catalogue as cat
from ftwatch.sim.errors import ScenarioError

_NUMBER = r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
STEP_RE = re.compile(
    rf"^Step (\d+)/(\d+)\s*:\s*training loss={_NUMBER}"
    rf"(?:, validation loss={_NUMBER})?(?:, full validation loss={_NUMBER})?"
)
_ENTRY_KEYS = {"job", "events", "checkpoints", "result_csv", "replay", "simulate"}


@dataclass
class ScenarioEntry:
    job: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] | None = None          # newest first, as served
    checkpoints: list[dict[str, Any]] | None = None     # newest first, as served
    result_csv: str | None = None
    replay: bool | None = None
    simulate: dict[str, Any] | None = None
    source: str = "<object>"        # file name, for errors found later (bad simulate arguments)
    where: str = ""                 # "jobs[2]" in the full format


def read_scenario(source: str | Path | dict[str, Any] | list[Any], *, ids: cat.IdMaker,
                  now: float) -> list[ScenarioEntry]:
    """Parse and validate; raise ScenarioError naming the file and what is wrong with it."""
    name = "<object>" if isinstance(source, (dict, list)) else str(source)
    data = source if isinstance(source, (dict, list)) else _read_json(Path(source))
    return _Parser(name, ids, now).document(data)


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), "no such file") from None
    except IsADirectoryError:
        raise ScenarioError(str(path), "is a directory, not a JSON file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), f"cannot be read ({exc.__class__.__name__}: {exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ScenarioError(str(path), f"is not valid JSON: {exc.msg} at {where}") from None


class _Parser:
    def __init__(self, name: str, ids: cat.IdMaker, now: float) -> None:
        self.name, self.ids, self.now = name, ids, now

    def fail(self, problem: str) -> ScenarioError:
        return ScenarioError(self.name, problem)

    def document(self, data: Any) -> list[ScenarioEntry]:
        entries = self._entries(data)
        for entry in entries:
            entry.source = self.name
        return entries

    def _entries(self, data: Any) -> list[ScenarioEntry]:
        if isinstance(data, list):
            return [ScenarioEntry(events=self.events(data, "the event list"))]
        if not isinstance(data, dict):
            raise self.fail(f"expected a JSON object or list at the top level, got {type(data).__name__}")
        if "jobs" in data:
            jobs = data["jobs"]
            if not isinstance(jobs, list) or not jobs:
                raise self.fail('"jobs" must be a non-empty list')
            return [self.entry(item, f"jobs[{i}]") for i, item in enumerate(jobs)]
        if data.get("object") == "fine_tuning.job":
            return [ScenarioEntry(job=self.job(data, "the job"))]
        if data.get("object") == "list" or "data" in data:
            items = data.get("data")
            if not isinstance(items, list):
                raise self.fail('a page needs a "data" list')
            if items and all(isinstance(i, dict) and i.get("object") == "fine_tuning.job" for i in items):
                return [ScenarioEntry(job=self.job(i, f"data[{n}]")) for n, i in enumerate(items)]
            if items and any(isinstance(i, dict) and i.get("object") == "fine_tuning.job.checkpoint" for i in items):
                raise self.fail('a checkpoints page alone is not a job: put it in {"jobs": [{"events": ..., '
                                '"checkpoints": ...}]}')
            return [ScenarioEntry(events=self.events(items, "data"))]
        raise self.fail('unrecognised shape: expected {"jobs": [...]}, a list of events, an events page '
                        '{"object": "list", "data": [...]}, or a job object')

    def entry(self, item: Any, where: str) -> ScenarioEntry:
        if not isinstance(item, dict):
            raise self.fail(f"{where} must be an object")
        unknown = set(item) - _ENTRY_KEYS
        if unknown:
            raise self.fail(f"{where} has unknown key(s) {sorted(unknown)}; allowed: {sorted(_ENTRY_KEYS)}")
        entry = ScenarioEntry(job=self.job(item.get("job", {}), f"{where}.job"), source=self.name, where=where)
        if item.get("events") is not None:
            entry.events = self.events(_page_data(item["events"]), f"{where}.events")
        if item.get("checkpoints") is not None:
            entry.checkpoints = self.checkpoints(_page_data(item["checkpoints"]), f"{where}.checkpoints")
        if item.get("result_csv") is not None:
            if not isinstance(item["result_csv"], str):
                raise self.fail(f"{where}.result_csv must be a string (the decoded CSV)")
            entry.result_csv = item["result_csv"]
        if item.get("replay") is not None:
            if not isinstance(item["replay"], bool):
                raise self.fail(f"{where}.replay must be true or false")
            entry.replay = item["replay"]
        if item.get("simulate") is not None:
            if not isinstance(item["simulate"], dict):
                raise self.fail(f"{where}.simulate must be an object of create_job arguments")
            if entry.events is not None:
                raise self.fail(f"{where} has both events and simulate; give one")
            entry.simulate = item["simulate"]
        return entry

    def job(self, job: Any, where: str) -> dict[str, Any]:
        if not isinstance(job, dict):
            raise self.fail(f"{where} must be an object")
        if "id" in job and not isinstance(job["id"], str):
            raise self.fail(f"{where}.id must be a string")
        return job

    def checkpoints(self, items: Any, where: str) -> list[dict[str, Any]]:
        if not isinstance(items, list):
            raise self.fail(f"{where} must be a list or a checkpoints page")
        for i, ck in enumerate(items):
            if not isinstance(ck, dict) or not isinstance(ck.get("id"), str):
                raise self.fail(f"{where}[{i}] must be a checkpoint object with an id")
            if not isinstance(ck.get("step_number"), int):
                raise self.fail(f"{where}[{i}] needs an integer step_number")
        return items

    def events(self, items: Any, where: str) -> list[dict[str, Any]]:
        if not isinstance(items, list):
            raise self.fail(f"{where} must be a list of events")
        if not items:
            raise self.fail(f"{where} is empty: a recorded job needs at least one event")
        if all(isinstance(e, dict) and "id" in e for e in items):
            return self.recorded_events(items, where)
        if any(isinstance(e, dict) and "id" in e for e in items):
            raise self.fail(f"{where} mixes events with and without ids")
        return self.chronological(items, where)

    def recorded_events(self, items: list[dict[str, Any]], where: str) -> list[dict[str, Any]]:
        seen: set[str] = set()
        for i, ev in enumerate(items):
            for key, kind in (("id", str), ("created_at", int), ("message", str)):
                if not isinstance(ev.get(key), kind) or isinstance(ev.get(key), bool):
                    raise self.fail(f"{where}[{i}].{key} must be a {kind.__name__}")
            if ev["id"] in seen:
                raise self.fail(f"{where}[{i}] repeats event id {ev['id']}")
            seen.add(ev["id"])
        stamps = [ev["created_at"] for ev in items]
        falls = any(a > b for a, b in zip(stamps, stamps[1:]))
        rises = any(a < b for a, b in zip(stamps, stamps[1:]))
        if rises and falls:
            raise self.fail(f"{where} is in neither API order (newest first) nor chronological order")
        return list(reversed(items)) if rises else items

    def chronological(self, items: list[Any], where: str) -> list[dict[str, Any]]:
        base = int(self.now) - 2 * len(items)
        out: list[dict[str, Any]] = []
        for i, raw in enumerate(items):
            record = {"message": raw} if isinstance(raw, str) else raw
            if not isinstance(record, dict) or not isinstance(record.get("message"), str):
                raise self.fail(f"{where}[{i}] must be a message string or an object with a \"message\"")
            created = base + 2 * i
            if "local_time" in record:
                created = self._parse_time(record["local_time"], f"{where}[{i}].local_time")
            level = record.get("level", "info")
            out.append(synthesize_event(self.ids.event(), created, record["message"],
                                        level if isinstance(level, str) else "info"))
        stamps = [e["created_at"] for e in out]
        if any(a > b for a, b in zip(stamps, stamps[1:])):
            raise self.fail(f"{where} is not in chronological order (local_time goes backwards)")
        return list(reversed(out))

    def _parse_time(self, value: Any, where: str) -> int:
        try:
            return calendar.timegm(time.strptime(str(value), "%Y-%m-%d %H:%M:%S"))
        except ValueError:
            raise self.fail(f"{where} must look like 2026-03-06 15:28:08, got {value!r}") from None


def _page_data(value: Any) -> Any:
    if isinstance(value, dict) and "data" in value:
        return value["data"]
    return value


def synthesize_event(event_id: str, created_at: int, message: str, level: str) -> dict[str, Any]:
    """An API event rebuilt from a printed message: type and data follow the message catalogue."""
    step = STEP_RE.match(message)
    if step:
        data: dict[str, Any] = {"step": int(step[1]), "train_loss": float(step[3])}
        if step[4] is not None:
            data["valid_loss"] = float(step[4])
        data["total_steps"] = int(step[2])
        if step[5] is not None:
            data["full_valid_loss"] = float(step[5])
        return cat.event(event_id, created_at, message, data=data, type_="metrics", level=level)
    if message == "Fine-tuning job started":
        ev = cat.started_event(event_id, created_at)
        ev["level"] = level
        return ev
    moderation = re.match(r"^Moderation checks for snapshot (\S+) passed\.$", message)
    if moderation:
        ev = cat.moderation_event(event_id, created_at, moderation[1])
        ev["level"] = level
        return ev
    return cat.event(event_id, created_at, message, level=level)
