"""`i`: the selected job whole — every field the API gave, wrapped, nothing cut to fit a header line.

The header and the jobs row shorten what they must (a failure reason, a long fine-tuned model name); here
each value is shown in full, cleaned of control sequences like every server string, in plain `Text`.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ftwatch.domain.format import human_duration
from ftwatch.domain.insight.verdict import Verdict
from ftwatch.domain.models import Job
from ftwatch.domain.progress import job_took
from ftwatch.domain.text import clean
from ftwatch.ui import presentation as p
from ftwatch.ui.widgets.text_line import TextLine
from ftwatch.ui.widgets.two_columns import two_columns

LONG = 4000     # a value is shown whole up to here (a hostile server could send megabytes)


def detail_rows(job: Job, phase_words: str = "", health: Sequence[Verdict] = ()) -> list[tuple[str, str]]:
    """(label, value) for every field of the job that has a value, in the order a person asks for them; the
    health verdicts (`⚠ overfitting` and its whole reason, which the header may cut) right after the status."""
    rows: list[tuple[str, Any]] = [("job", job.id), ("status", phase_words or job.status)]
    rows += [(p.health_badge(str(verdict.badge)), verdict.reason) for verdict in health]
    rows += [("base model", job.model), ("fine-tuned model", job.fine_tuned_model), ("suffix", job.suffix)]
    if job.error is not None:
        rows += [("error", job.error.code), ("reason", job.error.message), ("error in", job.error.param)]
    took = job_took(job.created_at or None, job.finished_at)
    rows += [
        ("created", p.created_text(job.created_at) if job.created_at else None),
        ("finished", p.created_text(job.finished_at) if job.finished_at else None),
        ("took", human_duration(took) if took is not None and job.finished_at else None),
        ("trained tokens", f"{job.trained_tokens:,}" if job.trained_tokens is not None else None),
        ("method", job.method), ("hyperparameters", p.hyperparameters_text(job.hyperparameters)),
        ("training file", job.training_file), ("validation file", job.validation_file),
        ("result files", ", ".join(job.result_files)), ("seed", job.seed),
    ]
    for key, value in sorted((job.metadata or {}).items()):
        rows.append((f"metadata {key}", value))
    shown = []
    for label, value in rows:
        if value is None or value == "":
            continue
        text = value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        shown.append((clean(label, max_len=80), clean(text, max_len=LONG)))
    return shown


class JobDetails(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="details.close"),
        Binding("i", "dismiss", "Close", show=False, id="details.close_i"),
        Binding("q", "dismiss", "Close", show=False, id="details.close_q"),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="details-body"):
            yield TextLine(Text("Job details", style="bold"), id="details-title")
            yield Static(two_columns(self._rows), id="details-fields")
            yield TextLine("escape or i closes this", id="details-hint")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
