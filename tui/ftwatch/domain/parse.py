"""API dicts -> domain objects, without ever raising on what the server sends.

The API is untrusted and evolving: a field may be missing, null, of the wrong type, NaN, or a huge nested
object. Each parser takes what it can and defaults the rest, so one odd event never stops a monitor that
has been watching for hours. Unknown keys stay in `raw`; unknown statuses and event types pass through as
strings.

`metric_point` (from `metrics.event_points`, re-exported here) reads `data` when it carries a step and falls back
to the message, which is all that some sources (old jobs, printed logs) have.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Mapping

from ftwatch.domain.metrics.event_points import INT_LIMIT, as_int, metric_fields, metric_point, numeric_values
from ftwatch.domain.models import Checkpoint, Job, JobError, JobEvent

__all__ = ["make_event", "metric_fields", "metric_point", "parse_checkpoint", "parse_event", "parse_job"]


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
        created_at=as_int(d.get("created_at")) or 0,
        status=_str(d.get("status"), "unknown"),
        model=_str(d.get("model")),
        fine_tuned_model=_opt_str(d.get("fine_tuned_model")),
        finished_at=as_int(d.get("finished_at")),
        trained_tokens=as_int(d.get("trained_tokens")),
        training_file=_opt_str(d.get("training_file")),
        validation_file=_opt_str(d.get("validation_file")),
        result_files=tuple(_str(f) for f in result_files) if isinstance(result_files, list) else (),
        hyperparameters=dict(_mapping(d.get("hyperparameters"))),
        method=method_type,
        error=JobError(code, message, _opt_str(error.get("param"))) if (code or message) else None,
        suffix=_opt_str(d.get("user_provided_suffix", d.get("suffix"))),
        metadata={_str(k): _str(v) for k, v in metadata.items()} if isinstance(metadata, Mapping) else None,
        seed=as_int(d.get("seed")),
        estimated_finish=as_int(d.get("estimated_finish")),
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


make_event = _event_factory()


def parse_event(d: Mapping[str, Any]) -> JobEvent:
    if type(d) is not dict:
        d = _mapping(d)
    event_id, created_at, level, message = d.get("id"), d.get("created_at"), d.get("level"), d.get("message")
    kind = d.get("type")
    return make_event(
        event_id if type(event_id) is str else _str(event_id),
        created_at if type(created_at) is int and 0 <= created_at < INT_LIMIT else (as_int(created_at) or 0),
        level if type(level) is str else _str(level, "info"),
        message if type(message) is str else _str(message),
        kind if kind is None or type(kind) is str else str(kind),
        d.get("data"),
        d,
    )


def parse_checkpoint(d: Mapping[str, Any]) -> Checkpoint:
    d = _mapping(d)
    metrics, _ = numeric_values(_mapping(d.get("metrics")))
    step = as_int(d.get("step_number"))
    if step is None:
        step = as_int(_mapping(d.get("metrics")).get("step")) or 0
    return Checkpoint(
        id=_str(d.get("id")),
        created_at=as_int(d.get("created_at")) or 0,
        step_number=step,
        fine_tuned_model_checkpoint=_str(d.get("fine_tuned_model_checkpoint")),
        metrics=metrics,
        raw=d,
    )
