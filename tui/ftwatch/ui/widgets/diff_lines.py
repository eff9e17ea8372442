"""A widget that keeps the lines it drew last and repaints only the cells that changed.

Bytes on the terminal are the budget that matters over SSH (issue 6: <= 1 KB/s while following a job at one
step per second). Textual repaints a widget's whole region when it is refreshed; a progress line whose
counter ticks, or a chart that gains one point, would rewrite every row. Subclasses describe their content
as a list of `rich.text.Text` lines (`build_lines`); `rebuild()` diffs them against the previous lines and
refreshes just the changed span of each changed row. Identical content costs nothing but the comparison.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


class DiffLines(Widget):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[Text] = []
        self._strips: list[Strip] = []
        self._built_for: tuple[int, int] | None = None
        self._component_memo: dict[str, tuple[object, Style]] = {}

    def component_style(self, name: str) -> Style:
        """`get_component_rich_style(name, partial=True)`, kept for as long as that component's CSS is the same.

        Textual's own cache of it is emptied by every `refresh()`, and these widgets refresh a few cells at every
        poll: working the style out again (it also builds the full style, walking every ancestor) was half the
        cost of a progress-bar update. The memo holds while Textual keeps the same styles object for the
        component (it makes a new one whenever the CSS or the theme changes)."""
        source = getattr(self, "_component_styles", {}).get(name)      # Textual's own, private
        if source is None:
            return self.get_component_rich_style(name, partial=True)
        memo = self._component_memo.get(name)
        if memo is not None and memo[0] is source:
            return memo[1]
        style = self.get_component_styles(name).partial_rich_style
        self._component_memo[name] = (source, style)
        return style

    @property
    def lines(self) -> list[Text]:
        return list(self._lines)

    @property
    def rendered_text(self) -> str:
        """The words the widget shows for its current content and size (for tests and tools)."""
        width, height = self.size
        if width <= 0 or height <= 0:
            return ""
        return "\n".join(line.plain for line in self.build_lines(width, height)[:height])

    def build_lines(self, width: int, height: int) -> list[Text]:
        raise NotImplementedError

    def rebuild(self) -> None:
        """Content changed: repaint just the cells that differ from what is on screen."""
        width, height = self.size
        if not self.is_mounted or self._built_for != (width, height):
            self.refresh()          # not painted at this size yet: the next paint builds everything
            return
        old = self._lines
        self._build(width, height)
        if len(old) != len(self._lines):
            self.refresh()
            return
        regions = [Region(start, y, min(width, end) - start, 1)
                   for y, (before, after) in enumerate(zip(old, self._lines))
                   for start, end in changed_spans(before, after) if min(width, end) > start]
        if regions:
            self.refresh(*regions)          # one call: Textual clears its caches and wakes the widget once

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._built_for = None      # colours come from the styles: rebuild on the next paint
        self.refresh()

    def _build(self, width: int, height: int) -> None:
        lines = self.build_lines(width, height)[:height]
        lines += [Text()] * (height - len(lines))
        base = self.rich_style
        console = self.app.console
        # A line that did not change keeps its strip: rendering Text to segments is most of a rebuild's cost.
        same_size = self._built_for == (width, height)
        old_lines, old_strips = self._lines, self._strips
        strips = []
        for y, line in enumerate(lines):
            if same_size and y < len(old_lines) and _same(line, old_lines[y]):
                strips.append(old_strips[y])
                continue
            strips.append(Strip([segment for segment in line.render(console) if segment.text]).apply_style(base)
                          .extend_cell_length(width, base).crop(0, width))
        self._lines = lines
        self._strips = strips
        self._built_for = (width, height)

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        if self._built_for != (width, height):
            self._build(width, height)      # first paint, or a new size: everything is repainted anyway
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, self.rich_style)


def _same(before: Text, after: Text) -> bool:
    return before is after or (before.plain == after.plain and before.spans == after.spans
                               and before.style == after.style)


def _cells(text: Text) -> list[tuple[str, Style | str | None]]:
    """(character, style) per character; these widgets draw single-width text, so characters are cells."""
    styles: list[Style | str | None] = [None] * len(text.plain)
    for span in text.spans:
        for i in range(span.start, min(span.end, len(styles))):
            styles[i] = span.style
    return list(zip(text.plain, styles))


def changed_spans(before: Text, after: Text, gap: int = 8) -> list[tuple[int, int]]:
    """The [start, end) cell ranges where two lines differ; runs closer than `gap` cells are merged
    (moving the cursor costs about as much as rewriting a few cells)."""
    if _same(before, after):
        return []
    if before.style != after.style or before.cell_len != len(before.plain) or after.cell_len != len(after.plain):
        return [(0, max(before.cell_len, after.cell_len))]   # styled as a whole, or wide characters
    old, new = _cells(before), _cells(after)
    length = max(len(old), len(new))
    old += [(" ", None)] * (length - len(old))
    new += [(" ", None)] * (length - len(new))
    spans: list[tuple[int, int]] = []
    for i in range(length):
        if old[i] == new[i]:
            continue
        if spans and i - spans[-1][1] < gap:
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans


V = TypeVar("V")


class ViewLines(DiffLines, Generic[V]):
    """A DiffLines drawn from one immutable view (a frozen dataclass): `show` rebuilds only when the view is
    not equal to the one on screen, so a poll or a clock tick that changes nothing costs one comparison."""

    def __init__(self, view: V, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._view = view

    @property
    def view(self) -> V:
        return self._view

    def show(self, view: V) -> None:
        if view != self._view:
            self._view = view
            self.rebuild()
