"""`v`: the marked runs compared, their smoothed losses overlaid and their numbers side by side.

"Is this run better than my last one?" The chart overlays each run's smoothed training loss (`m`: its
smoothed validation loss, where the runs report one) by step, or by fraction of training (`x`), where runs
of different lengths line up at 0..1. Each run has its own colour and its own mark, shown again at the head
of its column in the table under the chart: base model, hyperparameters (epochs · batch size · learning
rate multiplier), status, final value (smoothed at the last step), best (lowest smoothed, with its step),
the best checkpoint's loss (`domain.insight.best_checkpoint`) and the health verdicts.

Which runs: the jobs marked with `space` (at most `MAX_RUNS`, in the order they were marked). With one
marked, `v` compares it with the selected job: mark one run, move to another, press `v`; with none (or
only the selected one) it says calmly to mark two. Marks stay after Escape, so a comparison can be
refined. Smoothing is the monitor's (automatic: each run's weight from its own length, so by fraction the
runs are smoothed alike). Data comes from `CompareWorkers`; the view is a full screen and closes with
Escape (or `v`), which also stops its workers. Server text (suffixes, models) is cleaned and shown as `Text`.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Collection, Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer
from textual.worker import Worker, WorkerState

from ftwatch.domain.format import metric_value
from ftwatch.domain.insight.compare import NO_TOTALS, Axis, RunTotals, run_length, run_totals
from ftwatch.domain.metrics.smoothing import weight_for
from ftwatch.domain.models import Job, Phase
from ftwatch.domain.phase import job_phase
from ftwatch.domain.snapshot import JobSnapshot, LinkState
from ftwatch.domain.text import clean
from ftwatch.source.base import JobSource
from ftwatch.ui import presentation as p
from ftwatch.ui.views import row_health_text
from ftwatch.ui.compare_workers import CompareWorkers, RunUpdated
from ftwatch.ui.widgets.compare_chart import MAX_RUNS, CompareChart, CompareData, RunCurve, run_mark
from ftwatch.ui.widgets.text_line import TextLine

METRICS = (("train_loss", "train loss"), ("valid_loss", "validation loss"))
NAME_MAX = 20           # a run's name in the legend and its column head
ROWS = ("model", "epochs · batch · lr×", "status", "final", "best", "best checkpoint", "health")
ASK_TO_MARK = "Mark two or more jobs with space, then press v to compare them."


def runs_to_compare(marked: Sequence[str], selected: str | None) -> list[str]:
    """The runs `v` compares: the marked ones (the first `MAX_RUNS`, in marking order); one marked job with the
    selected one; nothing (ask for marks) when that makes fewer than two."""
    if len(marked) >= 2:
        return list(marked[:MAX_RUNS])
    if len(marked) == 1 and selected is not None and selected != marked[0]:
        return [marked[0], selected]
    return []


def run_names(jobs: Sequence[Job]) -> list[str]:
    """Each run's short name: its suffix (else its id), cleaned; runs sharing a suffix get their id's tail."""
    names = [clean(job.suffix or job.id, max_len=NAME_MAX) for job in jobs]
    return [f"{name} …{clean(job.id, max_len=40)[-4:]}" if names.count(name) > 1 else name
            for name, job in zip(names, jobs)]


def hyper_cell(job: Job) -> str:
    """`3 · 8 · 1.8` (epochs · batch size · lr multiplier); "auto" and missing values shown as such."""
    hyper = job.hyperparameters or {}

    def shown(key: str) -> str:
        value = hyper.get(key)
        if value is None or isinstance(value, (dict, list, tuple)):
            return "–"
        return f"{value:g}" if isinstance(value, float) else clean(value, max_len=8)

    return " · ".join(shown(k) for k in ("n_epochs", "batch_size", "learning_rate_multiplier"))


def value_at(value: float | None, step: int | None) -> str:
    if value is None:
        return "–"
    return metric_value(value) if step is None else f"{metric_value(value)} @ {step}"


class CompareView(Screen[None]):
    CSS_PATH = "compare.tcss"
    BINDINGS = [
        Binding("x", "axis", "Step/fraction", id="compare.axis"),
        Binding("m", "metric", "Train/validation", id="compare.metric"),
        Binding("escape", "close", "Back", id="compare.close"),
        Binding("v", "close", "Back", show=False, id="compare.close_v"),
    ]

    def __init__(self, jobs: Sequence[Job], snapshots: Mapping[str, JobSnapshot], finished: Collection[str],
                 source: JobSource, settings, *, smoothing: float | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """`snapshots`: what the monitor already holds of these jobs (drawn at once); `finished`: the ones whose
        snapshot is final, which are not read again."""
        super().__init__()
        self.jobs = list(jobs)[:MAX_RUNS]
        self._names = run_names(self.jobs)
        self._snapshots = {job.id: snapshots[job.id] for job in self.jobs if job.id in snapshots}
        self._finished = set(finished)
        self._source = source
        self._smoothing = smoothing
        self._workers = CompareWorkers(self, settings, clock)
        self.axis = Axis.STEP
        self.metric = METRICS[0][0]
        self._totals: dict[str, tuple[tuple, RunTotals]] = {}
        self._table_shown: tuple | None = None
        self._ready = False                 # composed: a message that arrives before waits for on_mount

    # --- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TextLine(id="compare-title")
        yield CompareChart(id="compare-chart")
        yield DataTable(cursor_type="none", zebra_stripes=False, show_row_labels=False, id="compare-table")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._ready = True
        self._workers.start(self._source, [job.id for job in self.jobs if job.id not in self._finished])
        self._show()

    # --- data from the workers -------------------------------------------------------------------
    def on_run_updated(self, message: RunUpdated) -> None:
        snapshot = message.snapshot
        job_id = snapshot.job.id
        old = self._snapshots.get(job_id)
        if snapshot.job.created_at == 0 and old is not None:      # trouble before the first read: keep the data
            snapshot = replace(old, connection=snapshot.connection)
        self._snapshots[job_id] = snapshot
        self._show()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An unexpected worker exception is shown, never swallowed, never fatal (as on the monitor)."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{event.worker.description or event.worker.name}: {type(error).__name__}: {error}",
                        title="Internal error", severity="error", markup=False, timeout=10)

    # --- what it shows ---------------------------------------------------------------------------
    def snapshot(self, job_id: str) -> JobSnapshot | None:
        return self._snapshots.get(job_id)

    def weight(self, snapshot: JobSnapshot) -> float:
        return weight_for(self._smoothing, snapshot.metrics.total_steps)

    def smoothed(self, job_id: str):
        snapshot = self._snapshots.get(job_id)
        series = snapshot.metrics.get(self.metric) if snapshot is not None else None
        return series.smoothed(self.weight(snapshot)) if series is not None and len(series) else None

    def totals(self, job_id: str) -> RunTotals:
        """Final and best of the drawn series, worked out again only when it grew (or the metric changed)."""
        series = self.smoothed(job_id)
        if series is None:
            return NO_TOTALS
        key = (self.metric, len(series), self.weight(self._snapshots[job_id]))
        cached = self._totals.get(job_id)
        if cached is None or cached[0] != key:
            cached = self._totals[job_id] = (key, run_totals(series.steps, series.values))
        return cached[1]

    def _metric_label(self) -> str:
        return dict(METRICS)[self.metric]

    def _show(self) -> None:
        if not self._ready:
            return
        loaded = sum(job.id in self._snapshots and self._snapshots[job.id].job.created_at != 0 for job in self.jobs)
        title = Text(f"Compare {len(self.jobs)} runs", style="bold")
        title.append(f" · smoothed {self._metric_label()} by {self.axis.label}")
        if loaded < len(self.jobs):
            title.append(f" · reading {len(self.jobs) - loaded} of them…")
        self.query_one("#compare-title", TextLine).show(title)
        self._show_chart()
        self._fill_table()

    def _show_chart(self) -> None:
        runs, key = [], [self.axis, self.metric]
        for job, name in zip(self.jobs, self._names):
            snapshot = self._snapshots.get(job.id)
            series = self.smoothed(job.id)
            length = run_length(snapshot.metrics.total_steps, snapshot.metrics.last_step) if snapshot else None
            runs.append(RunCurve(name=name, series=series, length=length))
            key.append((job.id, len(series) if series is not None else 0, length,
                        self.weight(snapshot) if snapshot else None))
        message = "" if any(run.series is not None for run in runs) else self._empty_words()
        self.query_one(CompareChart).set_data(CompareData(runs=tuple(runs), axis=self.axis, key=tuple(key),
                                                          message=message))

    def _empty_words(self) -> str:
        if any(job.id not in self._snapshots or not self._snapshots[job.id].job.created_at for job in self.jobs):
            return "reading the marked runs…"
        return f"none of these runs has reported a {self._metric_label()} yet"

    def _fill_table(self) -> None:
        """Refilled only when a cell's words changed: a running run's quiet poll repaints nothing."""
        colors = self.query_one(CompareChart).run_colors()
        cells = {job.id: self._column(job) for job in self.jobs}
        shown = (colors, tuple(tuple(column) for column in cells.values()))
        if shown == self._table_shown:
            return
        self._table_shown = shown
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column(Text(""), key="row")
        for index, (job, name) in enumerate(zip(self.jobs, self._names)):
            rgb = colors[index] if index < len(colors) else None
            head = Text(run_mark(index), style=f"rgb({rgb[0]},{rgb[1]},{rgb[2]})" if rgb else "")
            head.append(f" {name}", style="bold")
            table.add_column(head, key=job.id)
        for row, label in enumerate(ROWS):
            table.add_row(Text(label, style="bold"), *(Text(cells[job.id][row]) for job in self.jobs), key=label)

    def _column(self, job: Job) -> list[str]:
        snapshot = self._snapshots.get(job.id)
        if snapshot is not None and snapshot.job.created_at:
            job = snapshot.job
        head = [clean(p.short_model(job.model or "?"), max_len=NAME_MAX), hyper_cell(job)]
        if snapshot is None or not snapshot.job.created_at:
            trouble = snapshot is not None and snapshot.connection.state in (LinkState.RETRYING, LinkState.FAILED)
            words = clean(snapshot.connection.message, max_len=40) if trouble else "reading…"
            return [*head, words, "", "", "", ""]
        phase = job_phase(job, snapshot)
        status = p.badge(phase, job.status)
        if phase.is_active and phase is not Phase.EVALUATING:       # how far a training run has got
            status = f"{status} {p.steps_text(snapshot.progress.step, snapshot.progress.total_steps)}".strip()
        totals = self.totals(job.id)
        best = _best_checkpoint(snapshot, self.weight(snapshot)) if snapshot.checkpoints else None
        health = row_health_text(snapshot.health)          # as the jobs row says it: "⚠ overfitting +1"
        return [*head, status, value_at(totals.final, totals.final_step),
                value_at(totals.best, totals.best_step),
                value_at(best.value, best.checkpoint.step_number) if best is not None else "–", health or "–"]

    # --- keys ------------------------------------------------------------------------------------
    def action_axis(self) -> None:
        self.axis = self.axis.other()
        self._show()

    def action_metric(self) -> None:
        """Training loss, then each other loss some run reports (validation), and round again."""
        offered = [key for key, _ in METRICS
                   if key == METRICS[0][0] or any(s.metrics.get(key) for s in self._snapshots.values())]
        index = offered.index(self.metric) if self.metric in offered else -1
        new = offered[(index + 1) % len(offered)]
        if new == self.metric:
            self.notify("None of these runs reports a validation loss", markup=False, timeout=3)
            return
        self.metric = new
        self._show()

    def action_close(self) -> None:
        self._workers.stop()
        self.dismiss(None)

    @property
    def reading(self) -> set[str]:
        """The runs still being read or followed (tests check nothing is once the view closed)."""
        return set(self._workers.reading)


def _best_checkpoint(snapshot: JobSnapshot, weight: float):
    """`domain.insight.best_checkpoint` for a run that has checkpoints, loaded the first time one has (as the
    checkpoints view loads it)."""
    from ftwatch.domain.insight.best_checkpoint import best_checkpoint

    return best_checkpoint(snapshot.checkpoints, snapshot.metrics, weight)
