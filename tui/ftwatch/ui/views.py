"""From domain snapshots to what each widget shows: pure functions, no Textual state.

The monitor screen routes data; these functions decide the words. Keeping them pure makes the wording
testable without an app, and keeps every server string on the `clean` -> `Text` path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ftwatch.domain.format import human_duration, metric_value
from ftwatch.domain.insight.verdict import Badge, Verdict
from ftwatch.domain.models import Job, Phase
from ftwatch.domain.phase import job_phase
from ftwatch.domain.progress import job_took, step_fraction
from ftwatch.domain.row_peek import RowPeek
from ftwatch.domain.metrics.smoothing import half_life, next_weight, weight_for
from ftwatch.domain.snapshot import JobSnapshot, MetricsView, Trend
from ftwatch.domain.text import clean
from ftwatch.ui import presentation as p
from ftwatch.ui.widgets.job_header import HeaderView
from ftwatch.ui.widgets.job_list import JobRow
from ftwatch.ui.widgets.job_progress import ProgressView
from ftwatch.ui.widgets.loss_chart import ChartData

SPARK_WIDTH = 8
REASON_MAX = 300        # a verdict's reason is one line; the header cuts it to the width, `i` shows this much
TREND_WORDS = {Trend.IMPROVING: "improving ↘", Trend.FLAT: "flat →", Trend.WORSENING: "worsening ↗",
               Trend.UNKNOWN: "too early to tell"}


@dataclass(frozen=True, slots=True)
class Family:
    """A metric and its validation companions, charted together (`m` cycles families)."""

    label: str
    train: str
    valid: str | None = None
    full: str | None = None


KNOWN_FAMILIES = (
    Family("loss", "train_loss", "valid_loss", "full_valid_loss"),
    Family("token accuracy", "train_mean_token_accuracy", "valid_mean_token_accuracy",
           "full_valid_mean_token_accuracy"),
)


def families(metrics: MetricsView | None) -> list[Family]:
    """The loss first, then accuracy, then any other metric the job reports (RFT rewards...) on its own."""
    names = metrics.names() if metrics is not None else ()
    found = [f for f in KNOWN_FAMILIES if f.train in names]
    covered = {n for f in KNOWN_FAMILIES for n in (f.train, f.valid, f.full)}
    found += [Family(clean(n, max_len=40), n) for n in names if n not in covered]
    return found or [KNOWN_FAMILIES[0]]


def pick_family(metrics: MetricsView | None, label: str) -> Family:
    options = families(metrics)
    return next((f for f in options if f.label == label), options[0])


def job_row(job: Job, snapshot: JobSnapshot | None, smoothing: float | None, peek: RowPeek | None = None,
            health: Sequence[Verdict] = ()) -> JobRow:
    """One row of the jobs list. `peek`: one look at an unvisited job's newest events, so its row shows its
    last step and loss on first paint (the snapshot wins once the job is followed). `health`: the verdicts the
    row shows (the monitor state's `row_health`: the snapshot's, or those of a cheap look at the job)."""
    phase = job_phase(job, snapshot)
    spark = eta = ""
    step = total = None
    if snapshot is not None:
        progress = snapshot.progress
        step, total = progress.step, progress.total_steps
        eta = progress.label if phase is not Phase.EVALUATING else "evaluating"
        spark = _sparkline(snapshot, smoothing)
    elif peek is not None:
        step, total = peek.step, peek.total_steps
        spark = metric_value(peek.last_loss) if peek.last_loss is not None else ""    # the last loss, whole
    fraction = step_fraction(step, total)
    counts = p.steps_text(step, total)
    steps = f"{counts} {p.mini_bar(fraction)}".strip() if counts else ""
    if not eta and phase.is_terminal:
        took = job_took(job.created_at, job.finished_at, peek.last_event_at if peek is not None else None)
        eta = f"took {human_duration(took)}" if took is not None else ""
    return JobRow(job_id=job.id, phase=phase, tone=p.TONES[phase], badge=p.badge(phase, job.status),
                  name=p.job_name(job), steps=steps, spark=spark, eta=eta, created_at=job.created_at,
                  fraction=fraction, created=p.created_text(job.created_at), tokens=p.tokens_text(job.trained_tokens),
                  hyper=p.hyperparameters_text(job.hyperparameters), health=row_health_text(health))


def row_health_text(health: Sequence[Verdict]) -> str:
    """`⚠ overfitting`, and `+1` for each further verdict: the row has room for one word (the header and `i`
    list every verdict with its reason). `stalled` comes first: it is about now (nothing is moving), the
    others are about the curve so far."""
    if not health:
        return ""
    first = min(health, key=lambda v: v.badge is not Badge.STALLED)
    word = p.health_badge(clean(str(first.badge), max_len=20))
    return f"{word} +{len(health) - 1}" if len(health) > 1 else word


def _sparkline(snapshot: JobSnapshot, smoothing: float | None) -> str:
    series = snapshot.metrics.get("train_loss")
    if series is None or not len(series):
        return ""
    smoothed = series.smoothed(weight_for(smoothing, snapshot.metrics.total_steps))
    xs, ys = smoothed.downsample(SPARK_WIDTH)
    return p.sparkline(p.bucket_means(xs, ys, SPARK_WIDTH), SPARK_WIDTH)


def header_view(snapshot: JobSnapshot, now: float) -> HeaderView:
    job, phase, progress = snapshot.job, snapshot.phase, snapshot.progress
    if phase.is_active and phase is not Phase.EVALUATING and progress.elapsed_seconds is not None:
        doing = f"for {p.elapsed_text(progress.elapsed_seconds + max(0.0, now - snapshot.taken_at))}"
    else:
        doing = progress.label if progress.label != phase.value else ""     # the badge already says "paused"
    details = [p.hyperparameters_text(job.hyperparameters), p.tokens_text(job.trained_tokens)]
    if job.error is not None:
        details.insert(0, clean(f"{job.error.code or 'error'}: {job.error.message or ''}", max_len=120))
    return HeaderView(job_id=clean(job.id, max_len=40), model=clean(job.model, max_len=48),
                      fine_tuned=clean(job.fine_tuned_model or "", max_len=64), badge=p.badge(phase, job.status),
                      tone=p.TONES[phase], doing=doing, details=" · ".join(d for d in details if d),
                      health=health_lines(snapshot))


def health_lines(snapshot: JobSnapshot) -> tuple[tuple[str, str], ...]:
    """(badge, reason) per health verdict, cleaned: the reasons are built from numbers, the badge from the
    rule's word, but a verdict is still text that reaches the terminal."""
    return tuple((p.health_badge(clean(str(v.badge), max_len=20)), clean(v.reason, max_len=REASON_MAX))
                 for v in snapshot.health)


def progress_view(snapshot: JobSnapshot, smoothing: float | None, family_label: str = "loss") -> ProgressView:
    """The bar and the numbers line under it; the numbers are those of the chart's metric family (`m`), so
    the line never shows losses above a token-accuracy chart."""
    progress, metrics = snapshot.progress, snapshot.metrics
    family = pick_family(metrics, family_label)
    word = "loss" if family.train == "train_loss" else family.label
    parts = []
    train = metrics.get(family.train)
    if train is not None and len(train):
        parts.append(f"{word} {metric_value(train.values[-1])}")
        smoothed = train.smoothed(weight_for(smoothing, metrics.total_steps))
        parts.append(f"smoothed {metric_value(smoothed.values[-1])}")
    for name, label in ((family.valid, "val"), (family.full, "full val")):
        series = metrics.get(name) if name else None
        if series is not None and len(series):
            parts.append(f"{label} {metric_value(series.values[-1])} @{series.steps[-1]}")
    label = progress.label or _waiting_words(snapshot.phase)
    return ProgressView(fraction=progress.fraction, counts=p.steps_text(progress.step, progress.total_steps),
                        label=label, metrics=" · ".join(parts), finished=snapshot.phase.is_terminal)


def _waiting_words(phase: Phase) -> str:
    return {Phase.QUEUED: "waiting in the queue", Phase.VALIDATING_FILES: "validating the training files",
            Phase.PAUSED: "paused"}.get(phase, "")


def chart_view(snapshot: JobSnapshot, family_label: str, smoothing: float | None,
               log_scale: bool) -> tuple[ChartData, str]:
    """The chart's data and its caption ("loss · smoothing 0.966 (half-life 20 steps) · improving ↘")."""
    metrics = snapshot.metrics
    family = pick_family(metrics, family_label)
    total = metrics.total_steps
    weight = weight_for(smoothing, total)
    raw = metrics.get(family.train)
    valid = metrics.get(family.valid) if family.valid else None
    full = metrics.get(family.full) if family.full else None
    smoothed = raw.smoothed(weight) if raw is not None and len(raw) and weight > 0 else None
    n_epochs = snapshot.job.hyperparameters.get("n_epochs") if snapshot.job.hyperparameters else None
    epochs = tuple(total * k / n_epochs for k in range(1, n_epochs)) if total and isinstance(n_epochs, int) \
        and 1 < n_epochs <= 100 else ()
    checkpoints = tuple(float(c.step_number) for c in snapshot.checkpoints if c.step_number > 0)
    identity = (snapshot.job.id, family.label, weight, total, log_scale, epochs, checkpoints)
    key = (*identity, _length(raw), _length(valid), _length(full))
    message = "" if raw is not None and len(raw) else _no_points(snapshot.phase)
    newest = float(raw.steps[-1]) if raw is not None and len(raw) else None
    data = ChartData(key=key, identity=identity, newest_step=newest, raw=raw,
                     smoothed=smoothed, valid=valid, full=full, x_max=total, epochs=epochs, checkpoints=checkpoints,
                     log_scale=log_scale, message=message)
    if message:
        return data, family.label
    # The states a key changes come first (l, [ ]), so a narrow pane cuts the trend's words, not them.
    caption = [f"{family.label} (log scale)" if log_scale else family.label,
               p.smoothing_text(weight, half_life(weight), smoothing is None)]
    if family.train == "train_loss":
        caption.append(f"trend: {TREND_WORDS[snapshot.trend]}")
    return data, " · ".join(caption)


def _no_points(phase: Phase) -> str:
    if phase.is_terminal:
        return "no training steps were recorded for this job"
    return {Phase.VALIDATING_FILES: "validating the training files…", Phase.QUEUED: "waiting in the queue…"}.get(
        phase, "waiting for the first training step…")


def _length(series) -> int:
    return len(series) if series is not None else 0
