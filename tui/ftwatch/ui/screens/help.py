"""`?`: every key that works right now, read from the active bindings (never a hand-kept list).

The bindings are captured by the caller *before* this modal opens (a modal's own bindings would hide the
screen's), so the help always matches what the footer offered, including keys the footer had no room for.
"""

from __future__ import annotations

from typing import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ftwatch.ui.widgets.text_line import TextLine

INTRO = ("ftwatch follows your fine-tuning jobs live. The chart's legend names each mark: ⠿ the raw training "
         "loss, • its smoothed curve, × batch validation, ◆ full validation, ┊ epoch boundaries (e1, e2…). "
         "Enter moves to the selected job's events, tab cycles the panes, escape goes back to the jobs; "
         "i shows the selected job whole, z zooms the chart, ctrl+p runs any action or jumps to a job.")


def binding_rows(bindings: Iterable[tuple[str, str]]) -> Text:
    """Two aligned columns: the key as the user types it, then what it does."""
    text = Text()
    rows = list(bindings)
    width = max((len(key) for key, _ in rows), default=0)
    for key, description in rows:
        text.append(f"  {key:<{width}}  ", style="bold")
        text.append(f"{description}\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", show=False, id="help.close_question"),
        Binding("q", "dismiss", "Close", show=False, id="help.close_q"),
    ]

    def __init__(self, bindings: list[tuple[str, str]], widget_keys: list[tuple[str, str]] = ()) -> None:
        super().__init__()
        self._rows = bindings
        self._widget_keys = list(widget_keys)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield TextLine(Text("Keys", style="bold"), id="help-title")
            yield Static(Text(INTRO), id="help-intro")
            yield Static(binding_rows(self._rows), id="help-keys")
            if self._widget_keys:
                yield TextLine(Text("In the focused pane", style="bold"), id="help-widget-title")
                yield Static(binding_rows(self._widget_keys), id="help-widget-keys")
            yield TextLine("escape or ? closes this help", id="help-hint")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
