"""`?`: every key that works right now, read from the active bindings (never a hand-kept list).

The bindings are captured by the caller *before* this modal opens (a modal's own bindings would hide the
screen's), so the help always matches what the footer offered, including keys the footer had no room for.
Below them: the keys of the checkpoints and compare views, and every health verdict's rule with its
thresholds, read from `domain.insight.health.RULES` (the rules themselves, not a copy that could drift).
"""

from __future__ import annotations

from typing import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ftwatch.ui.presentation import health_badge
from ftwatch.ui.widgets.text_line import TextLine
from ftwatch.ui.widgets.two_columns import two_columns

INTRO = ("ftwatch follows your fine-tuning jobs live. The chart's legend names each mark: ⠿ the raw training "
         "loss, • its smoothed curve, × batch validation, ◆ full validation, ┊ epoch boundaries (e1, e2…), "
         "▲ checkpoints (on the x axis). "
         "Enter moves to the selected job's events, tab cycles the panes, escape goes back to the jobs; "
         "i shows the selected job whole, z zooms the chart, ctrl+p runs any action or jumps to a job.")

# Keys that work inside the views `b` and `v` open (their own bindings, not the monitor's).
VIEW_KEYS = (
    ("b", "the selected job's checkpoints, by step: ★ best marks the one to use and a line says the rule that "
          "chose it (lowest full validation loss, else smoothed validation loss, else smoothed training loss); "
          "▲ on the chart's x axis marks each checkpoint's step"),
    ("  y", "(in checkpoints) copy the highlighted checkpoint's model name; the best is highlighted first"),
    ("space", "mark or unmark the selected job for comparing"),
    ("v", "compare the marked jobs: their smoothed losses overlaid, each with its own mark, and their final, "
          "best and best-checkpoint losses side by side"),
    ("  x", "(in compare) line the runs up by step or by fraction of training"),
    ("  m", "(in compare) training or validation loss"),
    ("escape", "back from either view (b closes the checkpoints too, v the comparison)"),
)
HEALTH_INTRO = ("A verdict shows as a badge in the job's row and in its header, with one line of why (i shows "
                "it whole). The rules stay silent until there is enough data, and no badge is not a promise "
                "that a run is healthy.")


def binding_rows(bindings: Iterable[tuple[str, str]]) -> Text:
    """Two aligned columns: the key as the user types it, then what it does."""
    text = Text()
    rows = list(bindings)
    width = max((len(key) for key, _ in rows), default=0)
    for key, description in rows:
        text.append(f"  {key:<{width}}  ", style="bold")
        text.append(f"{description}\n")
    return text


def health_rows() -> list[tuple[str, str]]:
    from ftwatch.domain.insight.health import RULES     # the rules' module, loaded when the help opens

    return [(health_badge(str(badge)), rule) for badge, rule in RULES]


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
            yield TextLine(Text("Checkpoints and comparing", style="bold"), id="help-views-title")
            yield Static(two_columns(VIEW_KEYS, indent=2), id="help-views")
            yield TextLine(Text("Health verdicts", style="bold"), id="help-health-title")
            yield Static(Text(HEALTH_INTRO), id="help-health-intro")
            yield Static(two_columns(health_rows(), indent=2), id="help-health")
            yield TextLine("escape or ? closes this help", id="help-hint")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
