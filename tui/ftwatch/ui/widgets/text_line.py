"""One line of text that repaints only the cells that changed (see `DiffLines`).

Used for every label that a poll or the clock tick rewrites: the header, the age, the status line, the
chart and log captions. `Static.update` would ask for a layout pass and repaint the whole line every time.
"""

from __future__ import annotations

from rich.text import Text

from ftwatch.ui.widgets.diff_lines import DiffLines


class TextLine(DiffLines):
    DEFAULT_CSS = """
    TextLine { height: 1; }
    """

    def __init__(self, text: Text | str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = text if isinstance(text, Text) else Text(text)

    @property
    def text(self) -> Text:
        return self._text

    @property
    def plain(self) -> str:
        return self._text.plain

    def show(self, text: Text | str) -> bool:
        """Display `text` (a plain string is never parsed as markup); True when something changed."""
        new = text if isinstance(text, Text) else Text(text)
        if new.plain == self._text.plain and new.spans == self._text.spans and new.style == self._text.style:
            return False
        resized = new.cell_len != self._text.cell_len and self._auto_width
        self._text = new
        if resized:
            self.refresh(layout=True)
        self.rebuild()
        return True

    def build_lines(self, width: int, height: int) -> list[Text]:
        """The text, ending in an ellipsis where the width cuts it (a cut caption never looks whole)."""
        if width > 0 and self._text.cell_len > width:
            cut = self._text.copy()
            cut.truncate(width, overflow="ellipsis")
            return [cut]
        return [self._text]

    def get_content_width(self, container, viewport) -> int:
        return self._text.cell_len

    @property
    def _auto_width(self) -> bool:
        width = self.styles.width
        return width is not None and width.is_auto
