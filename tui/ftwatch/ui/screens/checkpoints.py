"""`b`: the selected job's checkpoints, the best one marked with the rule that chose it, `y` copies a name.

OpenAI writes a checkpoint at the end of each epoch and keeps the last three; each is a model you can use
instead of the final one. The question is which: `domain.insight.best_checkpoint` answers it and says by
which rule (lowest full validation loss, else smoothed validation loss around the step, else smoothed
training loss), and this view shows that answer beside the numbers it was chosen from, so it can be checked.

Rows are in step order, oldest first (as the chart draws them, left to right). The best is marked `★ best`,
a mark and a word, readable without colour. The metrics are the API's own at each checkpoint; columns that
do not fit the width are left out, losses last. Server text (model names) is cleaned and shown as `Text`.
The job keeps being polled underneath: the monitor hands each new snapshot of this job to `show_snapshot`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ftwatch.domain.format import metric_value
from ftwatch.domain.models import Checkpoint, Phase
from ftwatch.domain.snapshot import JobSnapshot
from ftwatch.domain.text import clean
from ftwatch.ui import presentation as p
from ftwatch.ui.widgets.text_line import TextLine

if TYPE_CHECKING:
    from ftwatch.domain.insight.best_checkpoint import BestCheckpoint

BEST = "★ best"
BOX_WIDTH = 110         # the dialog's widest (checkpoints.tcss); its border and padding take FRAME cells
FRAME = 4
CELL_PADDING = 2        # DataTable's cell padding, one cell either side of every column
MODEL_MIN = 24          # the model column is cut in the middle below this; the whole name is shown under the table
NAME_MAX = 200
HINT = ("By step, oldest first (OpenAI keeps the last three epochs' checkpoints); train, val and full val are "
        "losses. ↑↓ move, y copies the highlighted model name, escape or b closes.")

# (metric key, column header), in the order shown; the API's names, shortened ("val" = validation).
METRICS = (
    ("train_loss", "train"), ("valid_loss", "val"), ("full_valid_loss", "full val"),
    ("train_mean_token_accuracy", "train acc"), ("valid_mean_token_accuracy", "val acc"),
    ("full_valid_mean_token_accuracy", "full val acc"),
)
# Which columns stay when the width runs out: the losses the best is chosen by come first.
KEEP_ORDER = ("full_valid_loss", "valid_loss", "train_loss", "full_valid_mean_token_accuracy",
              "valid_mean_token_accuracy", "train_mean_token_accuracy")


def model_name(checkpoint: Checkpoint) -> str:
    return clean(checkpoint.fine_tuned_model_checkpoint, max_len=NAME_MAX)


def cut_middle(text: str, width: int) -> str:
    """`ft:gpt-4.1-n…:ckpt-step-250`: a checkpoint's name differs from its siblings' at the end (the step)
    and reads from its start (the base model), so the middle goes."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    tail = (width - 1) // 2
    return f"{text[:width - 1 - tail]}…{text[len(text) - tail:]}" if tail else f"{text[:width - 1]}…"


def layout(checkpoints: Sequence[Checkpoint], width: int) -> tuple[list[tuple[str, str]], int]:
    """The metric columns (key, header) that fit in `width` cells beside the mark, the step and a readable
    model name (only metrics some checkpoint has, in `METRICS` order), and the cells left for the name."""
    present = {key for checkpoint in checkpoints for key in checkpoint.metrics}
    sizes = {key: max(len(header), *(len(metric_value(c.metrics[key])) for c in checkpoints if key in c.metrics))
             + CELL_PADDING for key, header in METRICS if key in present}
    step = max([len("step"), *(len(str(c.step_number)) for c in checkpoints)])
    room = width - (len(BEST) + CELL_PADDING) - (step + CELL_PADDING) - CELL_PADDING
    kept = set()
    for key in KEEP_ORDER:
        if key in sizes and sizes[key] <= room - MODEL_MIN:
            kept.add(key)
            room -= sizes[key]
    names = max([len("model"), *(len(model_name(c)) for c in checkpoints)])
    return [(key, header) for key, header in METRICS if key in kept], max(MODEL_MIN, min(names, room))


def empty_words(snapshot: JobSnapshot | None) -> str:
    """Why there is no checkpoint to show, in the job's own terms."""
    if snapshot is None:
        return "This job is still loading; its checkpoints show here once it is read."
    phase = snapshot.phase
    if phase is Phase.SUCCEEDED:
        return "OpenAI listed no checkpoints for this job (it writes one at the end of each epoch)."
    if phase.is_terminal:
        return (f"No checkpoints: OpenAI writes one at the end of each epoch, and this job {phase.value} "
                "before one was written.")
    return "No checkpoints yet: OpenAI writes one at the end of each epoch; none yet." + _first_due(snapshot)


def _first_due(snapshot: JobSnapshot) -> str:
    total = snapshot.progress.total_steps
    epochs = (snapshot.job.hyperparameters or {}).get("n_epochs")
    if not total or not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        return ""
    return f" The first is due at step {max(1, round(total / epochs))} (the end of epoch 1)."


class CheckpointsView(ModalScreen[None]):
    CSS_PATH = "checkpoints.tcss"
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="checkpoints.close"),
        Binding("b", "dismiss", "Close", show=False, id="checkpoints.close_b"),
        Binding("q", "dismiss", "Close", show=False, id="checkpoints.close_q"),
        Binding("y", "copy", "Copy model name", id="checkpoints.copy"),
    ]

    def __init__(self, job_id: str, snapshot: JobSnapshot | None, smoothing: float) -> None:
        """`smoothing`: the EMA weight the chart uses, so a "smoothed" rule means the curve on screen."""
        super().__init__()
        self.job_id = job_id
        self._smoothing = smoothing
        self._snapshot = snapshot
        self._checkpoints: tuple[Checkpoint, ...] = ()
        self._best: BestCheckpoint | None = None
        self._key: tuple | None = None
        self._picked: str | None = None      # the row the user moved to; None: the highlight follows the best
        self._columns: list[tuple[str, str]] = []
        self._ready = False                  # composed: a poll that arrives before keeps its snapshot for on_mount

    # --- what it shows ----------------------------------------------------------------------------
    @property
    def best(self) -> BestCheckpoint | None:
        return self._best

    @property
    def highlighted(self) -> Checkpoint | None:
        table = self.query_one(DataTable)
        if not self._checkpoints or table.row_count == 0:
            return None
        return self._checkpoints[min(max(table.cursor_row, 0), len(self._checkpoints) - 1)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="checkpoints-body"):
            yield TextLine(Text("Checkpoints", style="bold"), id="checkpoints-title")
            yield Static(id="checkpoints-rule")
            yield DataTable(cursor_type="row", zebra_stripes=False, show_row_labels=False, id="checkpoints-table")
            yield Static(id="checkpoints-model")
            yield Static(Text(HINT), id="checkpoints-hint")

    def on_mount(self) -> None:
        self._ready = True
        self.show_snapshot(self._snapshot, force=True)
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        if self._checkpoints and self._layout()[0] != self._columns:
            self._fill()

    def show_snapshot(self, snapshot: JobSnapshot | None, force: bool = False) -> None:
        """A new poll of the job: redrawn only if its checkpoints (or the series the best is chosen by) grew."""
        self._snapshot = snapshot
        if not self._ready:
            return
        checkpoints = snapshot.checkpoints if snapshot is not None else ()
        metrics = snapshot.metrics if snapshot is not None else None
        key = (checkpoints, *(_length(metrics, name) for name in ("full_valid_loss", "valid_loss", "train_loss")))
        if key == self._key and not force:
            return
        self._key = key
        self._checkpoints = tuple(checkpoints)
        self._best = _best(self._checkpoints, metrics, self._smoothing) if self._checkpoints else None
        self._show_title(snapshot)
        self._fill()

    def _show_title(self, snapshot: JobSnapshot | None) -> None:
        title = Text("Checkpoints", style="bold")
        if snapshot is not None:
            title.append(f" · {p.job_name(snapshot.job)} · {clean(snapshot.job.id, max_len=40)}")
        self.query_one("#checkpoints-title", TextLine).show(title)
        rule = self.query_one("#checkpoints-rule", Static)
        if self._best is None:
            rule.update(Text(empty_words(snapshot)))
            return
        line = Text(BEST, style="bold")
        line.append(f" · {clean(self._best.explain(), max_len=200)}")
        rule.update(line)

    def _layout(self) -> tuple[list[tuple[str, str]], int]:
        return layout(self._checkpoints, min(BOX_WIDTH, self.app.size.width) - FRAME)

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        self.set_class(not self._checkpoints, "-empty")
        table.clear(columns=True)
        if not self._checkpoints:
            self.query_one("#checkpoints-model", Static).update("")
            return
        self._columns, model_width = self._layout()
        table.add_column(Text("best"), key="best")
        table.add_column(Text("step", justify="right"), key="step")
        for key, header in self._columns:
            table.add_column(Text(header, justify="right"), key=key)
        table.add_column(Text("model"), key="model")
        best_id = self._best.checkpoint.id if self._best is not None else None
        for index, checkpoint in enumerate(self._checkpoints):
            cells = [Text(BEST if checkpoint.id == best_id else "", style="bold"),
                     Text(str(checkpoint.step_number), justify="right")]
            cells += [Text(metric_value(checkpoint.metrics[key]) if key in checkpoint.metrics else "–",
                           justify="right") for key, _ in self._columns]
            cells.append(Text(cut_middle(model_name(checkpoint), model_width)))
            table.add_row(*cells, key=f"{index}:{checkpoint.id}")
        table.move_cursor(row=self._row_to_highlight(best_id), animate=False)
        self._show_model()

    def _row_to_highlight(self, best_id: str | None) -> int:
        ids = [c.id for c in self._checkpoints]
        wanted = self._picked if self._picked in ids else best_id
        return ids.index(wanted) if wanted in ids else len(ids) - 1

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The user moved (or the table was refilled, which lands where `_row_to_highlight` said): a row
        other than the best is remembered, so a new poll keeps it highlighted."""
        checkpoint = self.highlighted
        best = self._best.checkpoint.id if self._best is not None else None
        if checkpoint is not None:
            self._picked = None if checkpoint.id == best else checkpoint.id
        self._show_model()

    def _show_model(self) -> None:
        checkpoint = self.highlighted
        shown = Text()
        if checkpoint is not None:
            shown.append("model ", style="bold")
            shown.append(model_name(checkpoint) or "(the API gave no model name)")
        self.query_one("#checkpoints-model", Static).update(shown)

    # --- keys ---------------------------------------------------------------------------------------
    def action_copy(self) -> None:
        checkpoint = self.highlighted
        if checkpoint is None:
            self.notify("No checkpoint to copy yet", markup=False, timeout=3)
            return
        name = model_name(checkpoint)
        if not name:
            self.notify("This checkpoint has no model name to copy", markup=False, timeout=3)
            return
        self.app.copy_to_clipboard(name)
        self.notify(f"Copied {clean(name, max_len=80)}", markup=False, timeout=3)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)


def _best(checkpoints: tuple[Checkpoint, ...], metrics, smoothing: float) -> BestCheckpoint | None:
    from ftwatch.domain.insight.best_checkpoint import best_checkpoint   # loaded with the view, not at startup

    return best_checkpoint(checkpoints, metrics, smoothing)


def _length(metrics, name: str) -> int:
    series = metrics.get(name) if metrics is not None else None
    return len(series) if series is not None else 0
