"""Cancelling a job cannot be undone, so `c` asks first; the answer comes back as the screen's result."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ftwatch.domain.text import clean


class ConfirmCancel(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Cancel the job", id="confirm.yes"),
        Binding("n", "answer(False)", "Keep it", id="confirm.no"),
        Binding("escape", "answer(False)", "Keep it", show=False, id="confirm.escape"),
    ]

    def __init__(self, job_id: str, name: str) -> None:
        super().__init__()
        self._job_id = clean(job_id, max_len=64)     # both come from the server: never let them reach the tty raw
        self._name = clean(name, max_len=80)

    def compose(self) -> ComposeResult:
        question = Text("Cancel ")
        question.append(self._job_id, style="bold")
        question.append(f" ({self._name})?\nTraining stops for good; this cannot be undone.")
        with Vertical(id="confirm-box"):
            yield Static(question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel job (y)", variant="error", id="confirm-yes")
                yield Button("Keep running (n)", variant="primary", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
