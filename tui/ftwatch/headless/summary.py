"""`ftwatch summary SOURCE [--json]`: how far a job got, its losses, and whether it is still learning.

`--json` keys (issue 3): steps (number of metric points), last_step, total_steps (null if unknown), smoothing
(the weight used), train_loss / valid_loss / full_valid_loss as {first, last, min, smoothed_last} (or null when
the job has no such series), trend, status (null for a bare CSV), and for a job: model, fine_tuned_model,
error ({code, message} or null), took_seconds (see `domain.progress.job_took`). The weight is `--smoothing`
or, by default, the auto weight for the job's length (its total steps, or its last step for a result file,
which covers the whole job).

The exit status is the job's, as `wait`'s: 0 succeeded (or not finished, or a result file), 1 failed,
3 cancelled, so a script can branch on a summary as on a wait.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, Sequence

from ftwatch.config import Settings
from ftwatch.domain.metrics.smoothing import auto_weight, half_life, smooth
from ftwatch.domain.progress import job_took
from ftwatch.domain.snapshot import JobSnapshot
from ftwatch.domain.format import human_duration
from ftwatch.domain.text import clean
from ftwatch.headless.common import EXIT_BY_STATUS, EXIT_OK, Runtime
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
    if status is not None:
        job = snapshot.job
        result["model"] = job.model or None
        result["fine_tuned_model"] = job.fine_tuned_model
        error = job.error
        result["error"] = ({"code": error.code, "message": error.message}
                           if error is not None and (error.code or error.message) else None)
        last_at = snapshot.events[-1].created_at if len(snapshot.events) else None
        result["took_seconds"] = (job_took(job.created_at or None, job.finished_at, last_at)
                                  if status in EXIT_BY_STATUS else None)
    return result


def render_text(summary: dict[str, Any]) -> str:
    """Aligned lines, every loss with four decimals (comparable at a glance), server text cleaned, and a
    final newline (the caller prints it as is)."""
    total = summary["total_steps"]
    status = clean(summary["status"], max_len=60) if summary["status"] is not None else "n/a (result file)"
    lines = [f"status          {status}"]
    if summary.get("took_seconds") is not None:
        lines[0] += f" · took {human_duration(summary['took_seconds'])}"
    error = summary.get("error")
    if error is not None:
        lines.append(f"error           {clean(error.get('code') or 'error', max_len=60)}: "
                     f"{clean(error.get('message') or '', max_len=2000)}")
    if summary.get("model"):
        lines.append(f"base model      {clean(summary['model'], max_len=120)}")
    if summary.get("fine_tuned_model"):
        lines.append(f"model           {clean(summary['fine_tuned_model'], max_len=200)}")
    if summary["last_step"] is None:
        lines.append("steps           no training steps" + (f" (of {total})" if total else ""))
    else:
        lines.append(f"steps           {summary['last_step']}" + (f" of {total}" if total else "")
                     + f" ({summary['steps']} metric points)")
    lines.append(f"smoothing       {summary['smoothing']:.4f} (half-life {half_life(summary['smoothing']):.0f} steps)")
    for name in LOSS_SERIES:
        stats = summary[name]
        if stats is not None:
            smoothed = stats["smoothed_last"]
            lines.append(f"{name:<16}first {stats['first']:.4f}  last {stats['last']:.4f}  min {stats['min']:.4f}"
                         + (f"  smoothed {smoothed:.4f}" if smoothed is not None else ""))
    lines.append(f"trend           {summary['trend']}")
    return "\n".join(lines) + "\n"


async def summary(settings: Settings, source_arg: str, *, as_json: bool = False, runtime: Runtime | None = None) -> int:
    runtime = runtime or Runtime(out=sys.stdout, err=sys.stderr)
    loaded = await load_source(settings, source_arg, runtime)
    result = summarize(loaded.snapshot, status=loaded.status)
    text = json.dumps(result) + "\n" if as_json else render_text(result)
    runtime.out.write(text)
    runtime.out.flush()
    return EXIT_BY_STATUS.get(loaded.status or "", EXIT_OK)
