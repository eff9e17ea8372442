"""`c` (cancel) and `p` (pause / resume) act on a real job, so each asks first; the answer is the screen's result.

Cancelling cannot be undone, pausing stops training (and its billing) until a resume: the question says
which, names the job, and the safe answer has the focus, so an Enter pressed out of habit changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ftwatch.domain.text import clean


@dataclass(frozen=True, slots=True)
class Wording:
    verb: str            # "Cancel", "Pause", "Resume"
    consequence: str     # the second line of the question
    do: str              # the button that acts
    keep: str            # the button that does nothing
    variant: str         # the acting button's variant (error for what can't be undone)


WORDINGS = {
    "cancel": Wording("Cancel", "Training stops for good; this cannot be undone.", "Cancel job", "Keep running",
                      "error"),
    "pause": Wording("Pause", "Training stops until you resume it (p again); its progress is kept.", "Pause job",
                     "Keep running", "warning"),
    "resume": Wording("Resume", "The job queues again, then trains on from where it paused.", "Resume job",
                      "Keep paused", "success"),
}


class ConfirmJobAction(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes, do it", id="confirm.yes"),
        Binding("n", "answer(False)", "No, leave it", id="confirm.no"),
        Binding("escape", "answer(False)", "Leave it", show=False, id="confirm.escape"),
    ]

    def __init__(self, verb: str, job_id: str, name: str) -> None:
        super().__init__()
        self.verb = verb
        self._wording = WORDINGS[verb]
        self._job_id = clean(job_id, max_len=64)     # both come from the server: never let them reach the tty raw
        self._name = clean(name, max_len=80)

    def compose(self) -> ComposeResult:
        wording = self._wording
        question = Text(f"{wording.verb} ")
        question.append(self._job_id, style="bold")
        question.append(f" ({self._name})?\n{wording.consequence}")
        with Vertical(id="confirm-box", classes=f"-{self.verb}"):
            yield Static(question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{wording.do} (y)", variant=wording.variant, id="confirm-yes")
                yield Button(f"{wording.keep} (n)", variant="primary", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

