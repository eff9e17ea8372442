"""API dicts -> domain objects, without ever raising on what the server sends.

The API is untrusted and evolving: a field may be missing, null, of the wrong type, NaN, or a huge nested
object. Each parser takes what it can and defaults the rest, so one odd event never stops a monitor that
has been watching for hours. Unknown keys stay in `raw`; unknown statuses and event types pass through as
strings.

`metric_point` reads `data` when it carries a step and falls back to the message
(`Step 12/500: training loss=1.23, validation loss=...`, RFT: `Step 10/20 , train mean reward=0.42, ...`),
which is all that some sources (old jobs, printed logs) have.
"""

from __future__ import annotations

import math
import re
from dataclasses import fields
from itertools import islice
from typing import Any, Mapping

from ftwatch.domain.models import Checkpoint, Job, JobError, JobEvent, MetricPoint

_INT_LIMIT = 2**62             # fits array('q') with room; anything bigger is garbage, not a step or a time
_MAX_FLAT_KEYS = 256           # a hostile "huge nested" payload is cut, not walked forever
_MAX_DEPTH = 3
_MAX_MESSAGE_SCAN = 4096      # a metrics line is short; a megabyte message is not parsed whole


def _str(value: object, default: str = "") -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return default
    return str(value)


def _opt_str(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return str(value)


def _opt_int(value: object) -> int | None:
    """An integer from an int or an integral finite float; anything else (bool, "12", NaN) is missing."""
    kind = type(value)
    if kind is int:
        return value if -_INT_LIMIT < value < _INT_LIMIT else None  # type: ignore[operator,return-value]
    if kind is float and math.isfinite(value) and value == int(value):  # type: ignore[arg-type]
        return _opt_int(int(value))  # type: ignore[arg-type]
    return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_job(d: Mapping[str, Any]) -> Job:
    d = _mapping(d)
    error = _mapping(d.get("error"))
    code, message = _opt_str(error.get("code")), _opt_str(error.get("message"))
    method = d.get("method")
    method_type = _opt_str(method.get("type")) if isinstance(method, Mapping) else _opt_str(method)
    metadata = d.get("metadata")
    result_files = d.get("result_files")
    return Job(
        id=_str(d.get("id")),
        created_at=_opt_int(d.get("created_at")) or 0,
        status=_str(d.get("status"), "unknown"),
        model=_str(d.get("model")),
        fine_tuned_model=_opt_str(d.get("fine_tuned_model")),
        finished_at=_opt_int(d.get("finished_at")),
        trained_tokens=_opt_int(d.get("trained_tokens")),
        training_file=_opt_str(d.get("training_file")),
        validation_file=_opt_str(d.get("validation_file")),
        result_files=tuple(_str(f) for f in result_files) if isinstance(result_files, list) else (),
        hyperparameters=dict(_mapping(d.get("hyperparameters"))),
        method=method_type,
        error=JobError(code, message, _opt_str(error.get("param"))) if (code or message) else None,
        suffix=_opt_str(d.get("user_provided_suffix", d.get("suffix"))),
        metadata={_str(k): _str(v) for k, v in metadata.items()} if isinstance(metadata, Mapping) else None,
        seed=_opt_int(d.get("seed")),
        estimated_finish=_opt_int(d.get("estimated_finish")),
        raw=d,
    )


def _event_factory():
    """JobEvent(...) without the frozen dataclass's per-field `object.__setattr__` (half the cost).

    Parsing is the first step of ingesting a million events (issue 6); this builds the very same object by
    setting its slots directly. If `JobEvent` ever gains fields, the plain constructor is used instead.
    """
    names = tuple(f.name for f in fields(JobEvent))
    if names != ("id", "created_at", "level", "message", "type", "data", "raw"):
        return JobEvent
    new = object.__new__
    s_id, s_created, s_level, s_message, s_type, s_data, s_raw = (getattr(JobEvent, n).__set__ for n in names)

    def make(event_id, created_at, level, message, kind, data, raw):
        event = new(JobEvent)
        s_id(event, event_id)
        s_created(event, created_at)
        s_level(event, level)
        s_message(event, message)
        s_type(event, kind)
        s_data(event, data)
        s_raw(event, raw)
        return event

    return make


_make_event = _event_factory()


def parse_event(d: Mapping[str, Any]) -> JobEvent:
    if type(d) is not dict:
        d = _mapping(d)
    event_id, created_at, level, message = d.get("id"), d.get("created_at"), d.get("level"), d.get("message")
    kind = d.get("type")
    return _make_event(
        event_id if type(event_id) is str else _str(event_id),
        created_at if type(created_at) is int and 0 <= created_at < _INT_LIMIT else (_opt_int(created_at) or 0),
        level if type(level) is str else _str(level, "info"),
        message if type(message) is str else _str(message),
        kind if kind is None or type(kind) is str else str(kind),
        d.get("data"),
        d,
    )


def parse_checkpoint(d: Mapping[str, Any]) -> Checkpoint:
    d = _mapping(d)
    metrics, _ = numeric_values(_mapping(d.get("metrics")))
    step = _opt_int(d.get("step_number"))
    if step is None:
        step = _opt_int(_mapping(d.get("metrics")).get("step")) or 0
    return Checkpoint(
        id=_str(d.get("id")),
        created_at=_opt_int(d.get("created_at")) or 0,
        step_number=step,
        fine_tuned_model_checkpoint=_str(d.get("fine_tuned_model_checkpoint")),
        metrics=metrics,
    )


def numeric_values(data: Mapping[str, Any]) -> tuple[dict[str, float], bool]:
    """Every finite number in `data` except step/total_steps, and whether that was *all* of `data`.

    Nested objects (RFT `scores`, `timing`...) are flattened to dotted names so they stay chartable; lists
    and strings are skipped. The flag tells a caller that the payload can be rebuilt from the values alone.
    """
    values: dict[str, float] = {}
    flat = len(data) <= _MAX_FLAT_KEYS
    items = data.items() if flat else islice(data.items(), _MAX_FLAT_KEYS)
    for key, value in items:
        kind = type(value)
        if key == "step" or key == "total_steps":
            flat = flat and kind is int
        elif kind is float:
            if value - value == 0.0:          # finite: inf - inf and nan - nan are nan
                values[key] = value
            else:
                flat = False
        elif kind is int and -_INT_LIMIT < value < _INT_LIMIT:
            values[key] = float(value)
        elif kind is dict:
            flat = False
            _flatten(value, f"{key}.", values, 1)
        else:
            flat = False
    return values, flat


def _flatten(data: Mapping[str, Any], prefix: str, out: dict[str, float], depth: int) -> None:
    for key, value in data.items():
        if len(out) >= _MAX_FLAT_KEYS:
            return
        kind = type(value)
        if (kind is float and math.isfinite(value)) or (kind is int and -_INT_LIMIT < value < _INT_LIMIT):
            out[f"{prefix}{key}"] = float(value)
        elif kind is dict and depth < _MAX_DEPTH:
            _flatten(value, f"{prefix}{key}.", out, depth + 1)


_STEP_LINE = re.compile(r"\s*Step\s+(\d{1,15})\s*/\s*(\d{1,15})\s*[:,]?(.*)", re.DOTALL)
_PAIR = re.compile(r"\s*([A-Za-z][A-Za-z _-]{0,80}?)\s*=\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?:,|$)")
_WORDS = {"training": "train", "validation": "valid"}


def _metric_name(words: str) -> str:
    return "_".join(_WORDS.get(w, w) for w in words.lower().replace("-", " ").split())


def point_from_message(message: str) -> tuple[int, int | None, dict[str, float]] | None:
    """`Step 12/500: training loss=1.23, validation loss=1.5` -> (12, 500, {"train_loss": 1.23, ...})."""
    match = _STEP_LINE.match(message[:_MAX_MESSAGE_SCAN])
    if match is None:
        return None
    step, total, rest = int(match.group(1)), int(match.group(2)), match.group(3)
    values: dict[str, float] = {}
    for name, number in _PAIR.findall(rest):
        value = float(number)
        if math.isfinite(value):
            values[_metric_name(name)] = value
    return step, (total or None), values


def metric_fields(event: JobEvent) -> tuple[int, int | None, dict[str, float], bool] | None:
    """(step, total_steps, values, data_is_flat) of a metrics event, or None; the fast path of `metric_point`."""
    kind = event.type
    if kind is not None and kind != "metrics":
        return None
    data = event.data
    if type(data) is dict and data:
        step = data.get("step")
        if type(step) is not int:
            step = _opt_int(step)
        if step is not None and 0 <= step < _INT_LIMIT:
            total = data.get("total_steps")
            if total is not None and (type(total) is not int or not 0 < total < _INT_LIMIT):
                total = _opt_int(total)
                total = total if total is not None and total > 0 else None
            values, flat = numeric_values(data)
            return step, total, values, flat
    parsed = point_from_message(event.message)
    if parsed is None:
        return None
    return parsed[0], parsed[1], parsed[2], False


def metric_point(event: JobEvent) -> MetricPoint | None:
    fields = metric_fields(event)
    if fields is None:
        return None
    step, total, values, _ = fields
    return MetricPoint(step=step, total_steps=total, values=values, created_at=event.created_at)
