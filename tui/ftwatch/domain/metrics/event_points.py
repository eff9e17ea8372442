"""Metric points from metrics events: from `data` when it carries a step, else from the message.

`data` is untrusted: only finite numbers become values (NaN, Infinity, strings, bools and nulls are missing
values, never errors); nested objects (RFT `scores`, `timing`...) are flattened to dotted names so they stay
chartable, within a bound so a huge payload costs bounded work. Without usable `data` (old jobs, printed
logs), the message is parsed: `Step 12/500: training loss=1.23, validation loss=...`, or the RFT form
`Step 10/20 , train mean reward=0.42, ...`, with words mapped to the data keys they stand for
(training -> train, validation -> valid: `full validation loss` -> `full_valid_loss`).
"""

from __future__ import annotations

import math
import re
from itertools import islice
from typing import Any, Mapping

from ftwatch.domain.models import JobEvent, MetricPoint

INT_LIMIT = 2**62             # fits array('q') with room; anything bigger is garbage, not a step or a time
MAX_FLAT_KEYS = 256          # a hostile "huge nested" payload is cut, not walked forever
_MAX_DEPTH = 3
STEP_KEYS = frozenset(("step", "total_steps"))
_MAX_MESSAGE_SCAN = 4096      # a metrics line is short; a megabyte message is not parsed whole


def as_int(value: object) -> int | None:
    """An integer from an int or an integral finite float; anything else (bool, "12", NaN) is missing."""
    kind = type(value)
    if kind is int:
        return value if -INT_LIMIT < value < INT_LIMIT else None  # type: ignore[operator,return-value]
    if kind is float and math.isfinite(value) and value == int(value):  # type: ignore[arg-type]
        return as_int(int(value))  # type: ignore[arg-type]
    return None


def numeric_values(data: Mapping[str, Any]) -> tuple[dict[str, float], bool]:
    """Every finite number in `data` except step/total_steps, and whether that was *all* of `data`.

    Nested objects (RFT `scores`, `timing`...) are flattened to dotted names so they stay chartable; lists
    and strings are skipped. The flag tells a caller that the payload can be rebuilt from the values alone.
    """
    values: dict[str, float] = {}
    flat = len(data) <= MAX_FLAT_KEYS
    items = data.items() if flat else islice(data.items(), MAX_FLAT_KEYS)
    for key, value in items:
        kind = type(value)
        if key in STEP_KEYS:
            flat = flat and kind is int
        elif kind is float:
            if value - value == 0.0:          # finite: inf - inf and nan - nan are nan
                values[key] = value
            else:
                flat = False
        elif kind is int and -INT_LIMIT < value < INT_LIMIT:
            values[key] = float(value)
        elif kind is dict:
            flat = False
            _flatten(value, f"{key}.", values, 1)
        else:
            flat = False
    return values, flat


def _flatten(data: Mapping[str, Any], prefix: str, out: dict[str, float], depth: int) -> None:
    for key, value in data.items():
        if len(out) >= MAX_FLAT_KEYS:
            return
        kind = type(value)
        if (kind is float and math.isfinite(value)) or (kind is int and -INT_LIMIT < value < INT_LIMIT):
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
            step = as_int(step)
        if step is not None and 0 <= step < INT_LIMIT:
            total = data.get("total_steps")
            if total is not None and (type(total) is not int or not 0 < total < INT_LIMIT):
                total = as_int(total)
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
