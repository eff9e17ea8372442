"""The selected job in two lines: who it is, and what it is doing; and a line per health verdict, if any.

    ftjob-7Kq…  gpt-4.1-nano-2025-04-14 → ft:gpt-4.1-nano:acme:demo:9xY   updated every 2 s
    ▶ running for 4m · epochs 3 · batch 8 · lr× 1.8 · 1.2M tokens
    ⚠ overfitting · validation loss up 38% from its minimum at step 500 while training loss falls

A verdict is a mark and a word (never a colour alone) and its one-line reason, cut with "… (i: all)" where
the width ends it (`i` shows it whole). No verdict, no line: the header never claims a job is healthy. The
header grows by those lines (at most `HEALTH_LINES`; further verdicts share the last one by their words).

All server strings arrive cleaned and are placed in `Text` objects, never in markup. The link text on the
right is re-set by the screen's once-a-second tick; it stays the same while polls are on time (an age shows
only once one is late), and the line diff repaints only its changed cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
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
    health: tuple[tuple[str, str], ...] = ()    # (badge "⚠ overfitting", reason), cleaned, in the rules' order


HEALTH_LINES = 2        # verdict lines at most (four verdicts at once would take the chart's rows at 80x24)
BASE_LINES = 2
MORE = " (i: all)"


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

    def show(self, view: HeaderView) -> None:
        """As `ViewLines.show`, and as tall as its lines: two, plus one per health verdict shown."""
        rows = BASE_LINES + min(len(view.health), HEALTH_LINES)
        if self.styles.height is None or self.styles.height.value != rows:
            self.styles.height = rows
        super().show(view)

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
        return [title, doing, *self._health_lines(view.health, width)]

    def _health_lines(self, health: tuple[tuple[str, str], ...], width: int) -> list[Text]:
        """One line per verdict (badge, then its reason); beyond `HEALTH_LINES` the last line names the rest
        by their badges only, and says where the reasons are."""
        if not health:
            return []
        warn, muted = self._style("warn"), self._style("details")
        whole = list(health[:HEALTH_LINES - 1]) if len(health) > HEALTH_LINES else list(health)
        lines = [_cut(_verdict_line(badge, reason, warn, muted), width, muted) for badge, reason in whole]
        rest = health[len(whole):]
        if rest:
            line = Text(no_wrap=True)
            for index, (badge, _) in enumerate(rest):
                line.append(" · " if index else "", muted)
                line.append(badge, warn)
            line.append(MORE, muted)
            lines.append(_cut(line, width, muted, more=False))
        return lines


def _verdict_line(badge: str, reason: str, warn: Style | None, muted: Style | None) -> Text:
    line = Text(no_wrap=True)
    line.append(badge, warn)
    if reason:
        line.append(f" · {reason}", muted)
    return line


def _cut(line: Text, width: int, muted: Style | None, more: bool = True) -> Text:
    """`line` within `width`, ending in "… (i: all)" when cut (the details screen shows it whole)."""
    if width <= 0 or line.cell_len <= width:
        return line
    if more and width > len(MORE) + 8:
        line.truncate(width - len(MORE), overflow="ellipsis")
        line.append(MORE, muted)
    line.truncate(width, overflow="ellipsis")
    return line
