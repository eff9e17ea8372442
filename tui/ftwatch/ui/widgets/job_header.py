"""The selected job in two lines: who it is, and what it is doing.

    ftjob-7Kq…  gpt-4.1-nano-2025-04-14 → ft:gpt-4.1-nano:acme:demo:9xY   updated every 2 s
    ▶ running for 4m · epochs 3 · batch 8 · lr× 1.8 · 1.2M tokens

All server strings arrive cleaned and are placed in `Text` objects, never in markup. The link text on the
right is re-set by the screen's once-a-second tick; it stays the same while polls are on time (an age shows
only once one is late), and the line diff repaints only its changed cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from ftwatch.ui.widgets.diff_lines import ViewLines


@dataclass(frozen=True, slots=True)
class HeaderView:
    job_id: str = ""
    model: str = ""
    fine_tuned: str = ""
    badge: str = ""
    tone: str = "muted"
    doing: str = ""             # "running for 4m", "took 14m 03s"
    details: str = ""           # hyperparameters · tokens · error
    placeholder: str = "connecting…"


class JobHeader(ViewLines[HeaderView]):
    # Few component classes (each is styled like a widget of its own at startup): muted text (model, details,
    # a calm age) is the widget's own colour; a late age borrows the warning / error tones.
    COMPONENT_CLASSES = {"job-header--id", "job-header--active", "job-header--waiting", "job-header--warn",
                         "job-header--good", "job-header--bad"}
    DEFAULT_CSS = """
    JobHeader { height: 2; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(HeaderView(), id=id)
        self._age = ""
        self._age_tone = "good"

    @property
    def age(self) -> str:
        return self._age

    def show_age(self, text: str, tone: str = "good") -> None:
        if (text, tone) != (self._age, self._age_tone):
            self._age, self._age_tone = text, tone
            self.rebuild()

    def _style(self, name: str):
        if name not in ("id", "active", "waiting", "warn", "good", "bad"):
            return None                     # muted: the widget's own colour
        return self.component_style(f"job-header--{name}")

    def build_lines(self, width: int, height: int) -> list[Text]:
        view = self._view
        if not view.job_id:
            placeholder = Text(view.placeholder, self._style("details"))
            if width > 0 and placeholder.cell_len > width:
                placeholder.truncate(width, overflow="ellipsis")
            return [placeholder]
        age = Text(self._age, self._style(self._age_tone if self._age_tone in ("warn", "bad") else "muted"))
        title = Text(no_wrap=True)
        title.append(view.job_id, self._style("id"))
        title.append("  ")
        title.append(view.model, self._style("model"))
        if view.fine_tuned:
            title.append(" → ")
            title.append(view.fine_tuned, self._style("model"))
        room = max(0, width - age.cell_len - 2)
        if title.cell_len > room:
            title.truncate(room, overflow="ellipsis")
        title.append(" " * (width - title.cell_len - age.cell_len))
        title.append_text(age)
        doing = Text(no_wrap=True)
        doing.append(view.badge, self._style(view.tone))
        if view.doing:
            doing.append(f" {view.doing}", self._style(view.tone))
        if view.details:
            doing.append(f" · {view.details}", self._style("details"))
        if width > 0 and doing.cell_len > width:         # cut, and said so: `i` shows the whole line
            more = " (i: all)"
            doing.truncate(max(0, width - len(more)), overflow="ellipsis")
            doing.append(more, self._style("details"))
        if width > 0 and doing.cell_len > width:
            doing.truncate(width, overflow="ellipsis")
        return [title, doing]
