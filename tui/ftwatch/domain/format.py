"""Plain-text renderings shared by the TUI's log and `ftwatch follow` (no markup, already cleaned)."""

from __future__ import annotations

import math
import time

from ftwatch.domain.models import JobEvent
from ftwatch.domain.metrics.event_points import metric_fields
from ftwatch.domain.text import clean

MAX_MESSAGE = 500      # a log line; the full text stays in the event for export and --json


def human_duration(seconds: float | None) -> str:
    """"45s", "3m 12s", "1h 04m", "2d 03h": two units at most, so a label never jitters in width much."""
    if seconds is None or not math.isfinite(seconds):
        return ""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def clock_time(timestamp: float, fmt: str = "%H:%M:%S") -> str:
    """Local wall-clock time of an event, "15:32:18"; "--:--:--" for a time the platform cannot convert
    (a hostile `created_at` of 2**62 must not take the event log down with it)."""
    try:
        return time.strftime(fmt, time.localtime(timestamp))
    except (OverflowError, OSError, ValueError):
        return time.strftime(fmt, time.gmtime(0)).translate(_DIGITS_UNKNOWN)


_DIGITS_UNKNOWN = str.maketrans("0123456789", "----------")


def metric_value(value: float) -> str:
    """Three decimals, or three significant digits for the tiny losses of a converged job."""
    if not math.isfinite(value):
        return str(value)
    if value == 0 or abs(value) >= 0.01:
        return f"{value:.3f}"
    return f"{value:.2e}"


def event_line(event: JobEvent, smoothed_loss: float | None = None) -> str:
    """A metrics event as "step 118/500  loss 0.412 (smoothed 0.398)  val 0.431"; others: the cleaned message."""
    fields = metric_fields(event)
    if fields is None or "train_loss" not in fields[2]:
        return clean(event.message, MAX_MESSAGE)
    step, total, values, _ = fields
    parts = [f"step {step}/{total}" if total else f"step {step}"]
    loss = f"loss {metric_value(values['train_loss'])}"
    if smoothed_loss is not None and math.isfinite(smoothed_loss):
        loss += f" (smoothed {metric_value(smoothed_loss)})"
    parts.append(loss)
    if "valid_loss" in values:
        parts.append(f"val {metric_value(values['valid_loss'])}")
    if "full_valid_loss" in values:
        parts.append(f"full val {metric_value(values['full_valid_loss'])}")
    return "  ".join(parts)
