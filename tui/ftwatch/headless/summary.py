"""`ftwatch summary SOURCE [--json]`: how far a job got, its losses, and whether it is still learning.

`--json` keys (issue 3): steps (number of metric points), last_step, total_steps (null if unknown), smoothing
(the weight used), train_loss / valid_loss / full_valid_loss as {first, last, min, smoothed_last} (or null when
the job has no such series), trend, status (null for a bare CSV). The weight is `--smoothing` or, by default,
the auto weight for the job's length (its total steps, or its last step for a result file, which covers
the whole job).
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, Sequence

from ftwatch.config import Settings
from ftwatch.domain.metrics.smoothing import auto_weight, half_life, smooth
from ftwatch.domain.snapshot import JobSnapshot
from ftwatch.domain.text import clean
from ftwatch.headless.common import Runtime
from ftwatch.headless.load import load_source

LOSS_SERIES = ("train_loss", "valid_loss", "full_valid_loss")


def smoothing_weight(snapshot: JobSnapshot) -> float:
    """The weight the tracker smooths with (fixed by --smoothing, or auto for the job's length)."""
    if snapshot.smoothing is not None:
        return snapshot.smoothing
    return auto_weight(snapshot.metrics.total_steps or snapshot.metrics.last_step)


def loss_stats(steps: Sequence[int], values: Sequence[float], weight: float) -> dict[str, float | None] | None:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return None
    smoothed = [s for s in smooth(steps, values, weight) if math.isfinite(s)]
    return {"first": finite[0], "last": finite[-1], "min": min(finite),
            "smoothed_last": smoothed[-1] if smoothed else None}


def summarize(snapshot: JobSnapshot, *, status: str | None) -> dict[str, Any]:
    metrics = snapshot.metrics
    weight = smoothing_weight(snapshot)
    steps = set()
    for name in metrics.names():
        series = metrics.get(name)
        if series is not None:
            steps.update(series.steps)
    result: dict[str, Any] = {
        "steps": len(steps),
        "last_step": metrics.last_step,
        "total_steps": metrics.total_steps,
        "smoothing": weight,
    }
    for name in LOSS_SERIES:
        series = metrics.get(name)
        result[name] = loss_stats(list(series.steps), list(series.values), weight) if series is not None else None
    result["trend"] = snapshot.trend.value
    result["status"] = status
    return result


def render_text(summary: dict[str, Any]) -> str:
    total = summary["total_steps"]
    status = clean(summary["status"], max_len=60) if summary["status"] is not None else "n/a (result file)"
    lines = [f"status      {status}",
             f"steps       {summary['steps']} metric points, last step {summary['last_step']}"
             + (f" of {total}" if total else ""),
             f"smoothing   w={summary['smoothing']:.4g} (half-life {half_life(summary['smoothing']):.1f} steps)"]
    for name in LOSS_SERIES:
        stats = summary[name]
        if stats is not None:
            smoothed = stats["smoothed_last"]
            lines.append(f"{name:<16}first {stats['first']:.4g}  last {stats['last']:.4g}  min {stats['min']:.4g}"
                         + (f"  smoothed {smoothed:.4g}" if smoothed is not None else ""))
    lines.append(f"trend       {summary['trend']}")
    return "\n".join(lines)


async def summary(settings: Settings, source_arg: str, *, as_json: bool = False, runtime: Runtime | None = None) -> int:
    runtime = runtime or Runtime(out=sys.stdout, err=sys.stderr)
    loaded = await load_source(settings, source_arg, runtime)
    result = summarize(loaded.snapshot, status=loaded.status)
    text = json.dumps(result) if as_json else render_text(result)
    print(text, file=runtime.out, flush=True)
    return 0
