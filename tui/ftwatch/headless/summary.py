"""`ftwatch summary SOURCE [--json]`: how far a job got, its losses, and whether it is still learning.

`--json` keys (issue 3): steps (number of metric points), last_step, total_steps (null if unknown), smoothing
(the weight used), train_loss / valid_loss / full_valid_loss as {first, last, min, smoothed_last} (or null when
the job has no such series), trend, status (null for a bare CSV), and for a job: model, fine_tuned_model,
error ({code, message} or null), took_seconds (see `domain.progress.job_took`). The weight is `--smoothing`
or, by default, the auto weight for the job's length (its total steps, or its last step for a result file,
which covers the whole job).

Issue 14 adds, for every source: `health` (the verdicts of `domain.insight.health`, each {badge, reason};
empty when no rule fires, which includes too little data to judge), `checkpoints` (oldest first, each {id,
step, fine_tuned_model_checkpoint, metrics, created_at}; empty for a result file, which has none) and
`best_checkpoint` (`domain.insight.best_checkpoint`: {fine_tuned_model_checkpoint, step, rule, metrics}, or
null without checkpoints). A job read through the API is judged as the TUI judges it (its snapshot's verdicts);
a file is judged as a finished job (a recording is not live, so `stalled` never applies to it).

The exit status is the job's, as `wait`'s: 0 succeeded (or not finished, or a result file), 1 failed,
3 cancelled, so a script can branch on a summary as on a wait.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from typing import Any, Sequence

from ftwatch.config import Settings
from ftwatch.domain.insight.best_checkpoint import BestCheckpoint, best_checkpoint
from ftwatch.domain.insight.health import assess
from ftwatch.domain.insight.verdict import Verdict
from ftwatch.domain.metrics.smoothing import auto_weight, half_life, smooth
from ftwatch.domain.models import Checkpoint, Phase
from ftwatch.domain.progress import job_took
from ftwatch.domain.snapshot import JobSnapshot
from ftwatch.domain.format import human_duration
from ftwatch.domain.text import clean
from ftwatch.headless.common import EXIT_BY_STATUS, EXIT_OK, Runtime
from ftwatch.headless.load import JOB, load_source
from ftwatch.headless.recorded import CHECKPOINTS_PAGE, RESULT_FILE
from ftwatch.ui.presentation import health_badge   # a verdict written as the TUI writes it

LOSS_SERIES = ("train_loss", "valid_loss", "full_valid_loss")
LABEL = 16                # the width of the text output's labels


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


def health(snapshot: JobSnapshot, kind: str) -> tuple[Verdict, ...]:
    """A job's verdicts as its snapshot has them; a file's as a finished job's (nothing of it is still live)."""
    if kind == JOB:
        return tuple(snapshot.health)
    phase = snapshot.phase if snapshot.phase.is_terminal else Phase.SUCCEEDED
    return tuple(assess(job=snapshot.job, phase=phase, metrics=snapshot.metrics, events=snapshot.events,
                        connection=snapshot.connection, now=snapshot.taken_at, smoothing=smoothing_weight(snapshot)))


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"id": checkpoint.id, "step": checkpoint.step_number,
            "fine_tuned_model_checkpoint": checkpoint.fine_tuned_model_checkpoint,
            "metrics": _finite(dict(checkpoint.metrics)), "created_at": checkpoint.created_at}


@dataclass(frozen=True)
class Insight:
    """The answers beyond the curves: the health verdicts, the checkpoints and the one to use."""

    health: tuple[Verdict, ...]
    checkpoints: tuple[Checkpoint, ...]
    best: BestCheckpoint | None

    def as_json(self) -> dict[str, Any]:
        return {"health": [verdict.as_json() for verdict in self.health],
                "checkpoints": [checkpoint_json(c) for c in self.checkpoints],
                "best_checkpoint": _finite(self.best.as_json()) if self.best is not None else None}


def insight_of(snapshot: JobSnapshot, kind: str = JOB) -> Insight:
    best = best_checkpoint(snapshot.checkpoints, snapshot.metrics, smoothing_weight(snapshot))
    return Insight(health=health(snapshot, kind), checkpoints=tuple(snapshot.checkpoints), best=best)


def summarize(snapshot: JobSnapshot, *, status: str | None, insight: Insight | None = None) -> dict[str, Any]:
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
    result.update((insight or insight_of(snapshot)).as_json())
    return result


def render_text(summary: dict[str, Any], *, kind: str = JOB, best_explained: str | None = None) -> str:
    """Aligned lines, every loss with four decimals (comparable at a glance), server text cleaned, and a
    final newline (the caller prints it as is). `kind` words what a file lacks ("none in a result file");
    `best_explained` is `BestCheckpoint.explain()`, the rule that chose the best checkpoint."""
    total = summary["total_steps"]
    status = clean(summary["status"], max_len=60) if summary["status"] is not None else f"n/a ({kind})"
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
    if summary["last_step"] is None and kind == CHECKPOINTS_PAGE:    # no curve: no smoothing or trend to tell
        lines.append("steps           n/a (a checkpoints page has no step metrics)")
        return "\n".join(lines + _insight_lines(summary, kind, best_explained)) + "\n"
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
    return "\n".join(lines + _insight_lines(summary, kind, best_explained)) + "\n"


def _insight_lines(summary: dict[str, Any], kind: str, best_explained: str | None) -> list[str]:
    health = (["health          n/a (no step metrics to judge)"] if kind == CHECKPOINTS_PAGE and not summary["health"]
              else health_lines(summary["health"]))
    lines = health + checkpoint_lines(summary["checkpoints"], summary["status"], kind)
    if summary["best_checkpoint"] is not None:
        name = clean(summary["best_checkpoint"]["fine_tuned_model_checkpoint"], max_len=200) or "(unnamed)"
        lines.append(_label("best checkpoint") + name
                     + (f" · {clean(best_explained, max_len=200)}" if best_explained else ""))
    return lines


def health_lines(verdicts: Sequence[dict[str, str]]) -> list[str]:
    """One line per verdict, `⚠ overfitting: why`; or plainly that no rule fired (which is all it can say:
    the rules are silent both on a healthy run and on too little data to judge)."""
    if not verdicts:
        return [_label("health") + "no warnings"]
    return [_label("health" if i == 0 else "") + f"{health_badge(clean(v['badge'], max_len=40))}: "
            + clean(v["reason"], max_len=300) for i, v in enumerate(verdicts)]


def checkpoint_lines(checkpoints: Sequence[dict[str, Any]], status: str | None, kind: str) -> list[str]:
    """`step 300  train_loss 0.0014  valid_loss 0.0001  ft:...`, oldest first; or why there are none."""
    if not checkpoints:
        if kind == RESULT_FILE:
            why = "none in a result file"
        elif kind != JOB:
            why = "none in this recording"
        elif status not in EXIT_BY_STATUS:
            why = "none yet"
        else:
            why = "none"
        return [_label("checkpoints") + why]
    width = max(len(str(c["step"])) for c in checkpoints)
    lines = []
    for i, checkpoint in enumerate(checkpoints):
        metrics = checkpoint["metrics"]
        losses = "".join(f"  {name} {metrics[name]:.4f}" for name in LOSS_SERIES
                         if isinstance(metrics.get(name), float))
        name = clean(checkpoint["fine_tuned_model_checkpoint"], max_len=200) or "(unnamed)"
        lines.append(_label("checkpoints" if i == 0 else "") + f"step {checkpoint['step']:>{width}}{losses}  {name}")
    return lines


def _label(text: str) -> str:
    return f"{text:<{LABEL - 1}} "


def _finite(value: Any) -> Any:
    """JSON without NaN or Infinity (not JSON at all): a non-finite number becomes null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


async def summary(settings: Settings, source_arg: str, *, as_json: bool = False, runtime: Runtime | None = None) -> int:
    runtime = runtime or Runtime(out=sys.stdout, err=sys.stderr)
    loaded = await load_source(settings, source_arg, runtime)
    found = insight_of(loaded.snapshot, loaded.kind)
    result = summarize(loaded.snapshot, status=loaded.status, insight=found)
    explained = found.best.explain() if found.best is not None else None
    text = json.dumps(result) + "\n" if as_json else render_text(result, kind=loaded.kind, best_explained=explained)
    runtime.out.write(text)
    runtime.out.flush()
    return EXIT_BY_STATUS.get(loaded.status or "", EXIT_OK)
