"""The calm bottom line: where the data comes from and how fresh it is.

    SIMULATION  simulated API on 127.0.0.1 · jobs list updated every 10 s       7 jobs · sort: newest
    SIMULATION  simulated A… · jobs list updated every 10 s  9 jobs · ⚠ 2 flagged · sort: newest
    api.openai.com · rate limited (429) · retrying in 8 s                        7 jobs · sort: newest

A demo always says it is a simulation. Trouble is a state with a countdown, not a pop-up. When the line is
short of room (80 columns), the source's name gives way first: the link's words (how fresh the list is, or
what went wrong and when the next try is) are the part that changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from ftwatch.ui.widgets.diff_lines import ViewLines

SOURCE_LEAST = 8          # a source cut shorter than this says nothing; it is left out instead


@dataclass(frozen=True, slots=True)
class StatusView:
    source: str = ""             # "api.openai.com", "simulated API at 127.0.0.1:40411"
    link: str = "connecting…"
    tone: str = "muted"          # good | warn | bad | muted
    demo: bool = False
    jobs: int | None = None
    shown: int | None = None     # rows the filter leaves (None: no filter)
    sort: str = "newest"
    filter: str = ""
    flagged: int = 0             # jobs with a health verdict ("⚠ 2 flagged"): they may be off screen


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
        parts = []
        if view.jobs is not None:
            of = f"{view.shown} of " if view.filter and view.shown is not None else ""
            parts.append(f"{of}{view.jobs} job{'s' if view.jobs != 1 else ''}")
        if view.flagged:
            parts.append(f"⚠ {view.flagged} flagged")
        if view.filter:
            parts.append(f"filter: {view.filter}")
        parts.append(f"sort: {view.sort}")
        right = Text(" · ".join(parts) + " ", self._style("right"))
        room = max(0, width - right.cell_len - 2)           # two spaces at least between the halves
        left = Text(no_wrap=True)
        if view.demo:
            left.append(" SIMULATION ", self._style("demo"))
            left.append(" ")
        link = Text(view.link, self._style(view.tone))
        if view.source:
            source = Text(view.source)
            source_room = room - left.cell_len - link.cell_len - 3         # 3: the " · " between them
            if source_room < SOURCE_LEAST:                                 # gone (Text.truncate(0) keeps it all)
                source = Text()
            elif source_room < source.cell_len:                            # "simulated API on 127…"
                source.truncate(source_room, overflow="ellipsis")
            if source.cell_len:
                left.append_text(source)
                left.append(" · ")
        left.append_text(link)
        if left.cell_len > room:
            left.truncate(room, overflow="ellipsis")
        left.append(" " * max(2, width - left.cell_len - right.cell_len))
        left.append_text(right)
        return [left]
