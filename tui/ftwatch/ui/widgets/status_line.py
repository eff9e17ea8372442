"""The calm bottom line: where the data comes from and how fresh it is.

    SIMULATION  simulated API on 127.0.0.1 · updated every 10 s                 7 jobs · sort: newest
    api.openai.com · rate limited (429) · retrying in 8 s                        7 jobs · sort: newest

A demo always says it is a simulation. Trouble is a state with a countdown, not a pop-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from ftwatch.ui.widgets.diff_lines import ViewLines


@dataclass(frozen=True, slots=True)
class StatusView:
    source: str = ""             # "api.openai.com", "simulated API at 127.0.0.1:40411"
    link: str = "connecting…"
    tone: str = "muted"          # good | warn | bad | muted
    demo: bool = False
    jobs: int | None = None
    sort: str = "newest"
    filter: str = ""


class StatusLine(ViewLines[StatusView]):
    # Few component classes: each is styled like a widget of its own at startup. A calm link ("good") and
    # the right-hand counts read in the line's own muted colour.
    COMPONENT_CLASSES = {"status-line--demo", "status-line--warn", "status-line--bad"}
    DEFAULT_CSS = """
    StatusLine { height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(StatusView(), id=id)

    def _style(self, name: str):
        if name not in ("demo", "warn", "bad"):
            return None
        return self.component_style(f"status-line--{name}")

    def build_lines(self, width: int, height: int) -> list[Text]:
        view = self._view
        left = Text(no_wrap=True)
        if view.demo:
            left.append(" SIMULATION ", self._style("demo"))
            left.append(" ")
        if view.source:
            left.append(f"{view.source} · ")
        left.append(view.link, self._style(view.tone))
        parts = []
        if view.jobs is not None:
            parts.append(f"{view.jobs} job{'s' if view.jobs != 1 else ''}")
        if view.filter:
            parts.append(f"filter: {view.filter}")
        parts.append(f"sort: {view.sort}")
        right = Text(" · ".join(parts) + " ", self._style("right"))
        room = max(0, width - right.cell_len - 1)
        if left.cell_len > room:
            left.truncate(room, overflow="ellipsis")
        left.append(" " * max(1, width - left.cell_len - right.cell_len))
        left.append_text(right)
        return [left]
