"""One log line folded into rows of a pane: breaks at spaces, continuation rows hang under the message.

The event log prints "HH:MM:SS LEVEL message"; a message longer than the pane used to be cut at its edge
("Created fine-tuning job: ftjob-f"), losing exactly the part people look for (ids, file names, numbers).
`wrap_rows` folds it instead. The rule is plain text work, so it lives here, pure and property-tested, and
the widget only calls it again when its width changes:

- a line that fits is returned as it is (the common case: no copy, no measuring beyond `len` for ASCII);
- rows break at a run of spaces, which becomes the break (it is not carried to either row), so a word or a
  number ("0.412", "ftjob-abc123") is never split while it fits in a row;
- a run of two or more spaces separates fields (`step 10/500  loss 3.546  val 2.665`): a row breaks there
  when it can, so a label stays with its number ("val 2.665", never "val" / "2.665");
- only a word longer than a whole row is cut, as late as the row allows;
- continuation rows start with `indent` spaces (the message column, 15 for the log), but never more than
  half the width, so a very narrow pane still shows some text on each row.

Widths are terminal cells. `char_cells` is a stdlib estimate (East Asian wide and full-width characters take
two cells, combining marks none); the TUI passes the measure its renderer uses, so rows never overflow.
"""

from __future__ import annotations

import unicodedata
from typing import Callable

LOG_MESSAGE_COLUMN = 15      # "HH:MM:SS LEVEL ": where a log line's message starts


def char_cells(char: str) -> int:
    """Cells one character takes on a terminal (stdlib estimate)."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def wrap_rows(line: str, width: int, indent: int = 0,
              cell_width: Callable[[str], int] = char_cells) -> list[str]:
    """The rows that show `line` in `width` cells, continuation rows indented by `indent` spaces.

    Nothing is dropped but the spaces where a row breaks, nothing is reordered, and every row fits in
    `width` (a single character wider than a row's room still takes a row of its own). A width of 0 or
    less means "not known yet": the line is one row.
    """
    if width <= 0:
        return [line]
    if line.isascii():
        if len(line) <= width:
            return [line]
        cells = None
    else:
        cells = [cell_width(char) for char in line]
        if sum(cells) <= width:
            return [line]
    hang = min(max(indent, 0), width // 2)
    rows: list[str] = []
    pos, stop, room = 0, len(line), width
    while pos < stop:
        end = _fit(cells, pos, stop, room)
        if end >= stop:
            rows.append(line[pos:].rstrip(" ") if rows else line[pos:])
            break
        # a field break ("loss 1.45  val 2.66") keeps its pair; never the gap before the message column
        field = line.rfind("  ", pos + max(1, hang), end + 1)
        cut = field if field > pos else end if line[end] == " " else line.rfind(" ", pos, end)
        body_end = pos + len(line[pos:cut].rstrip(" ")) if cut > pos else pos
        if body_end == pos:       # no space after some text: a word longer than the row, cut where it ends
            body_end = cut = end
        rows.append(line[pos:body_end])
        pos = cut
        while pos < stop and line[pos] == " ":
            pos += 1
        room = width - hang
    if len(rows) > 1:
        pad = " " * hang
        rows[1:] = [pad + row for row in rows[1:]]
    return rows


def _fit(cells: list[int] | None, pos: int, stop: int, room: int) -> int:
    """The furthest end such that line[pos:end] fits in `room` cells; at least one character."""
    if cells is None:
        return min(stop, pos + max(room, 1))
    used, end = 0, pos
    while end < stop and used + cells[end] <= room:
        used += cells[end]
        end += 1
    return max(end, pos + 1)


class WrappedLines:
    """A log's lines (the newest `max_lines`) and the rows they take at the current width.

    The lines are what the log *says* (one per event, what "+N new" counts); the rows are what it draws.
    Appending wraps only the new lines; a new width rewraps them all (a resize, not a poll). `line_at` and
    `row_of` translate between the two, so a paused view can stay on the same line across a rewrap.
    """

    def __init__(self, max_lines: int | None = None, indent: int = LOG_MESSAGE_COLUMN,
                 cell_width: Callable[[str], int] = char_cells) -> None:
        self.max_lines = max_lines
        self.indent = indent
        self.width = 0
        self._cell_width = cell_width
        self.lines: list[str] = []
        self.rows: list[str] = []
        self._heights: list[int] = []        # rows of each line
        self._first = bytearray()            # 1 where a row is the first of its line

    def is_first(self, row: int) -> bool:
        """Whether `row` starts a line (continuation rows carry no time or level)."""
        return bool(self._first[row])

    def clear(self) -> None:
        self.lines.clear()
        self.rows.clear()
        self._heights.clear()
        self._first.clear()

    def append(self, lines: list[str]) -> tuple[int, int]:
        """Add lines at the end; returns (rows added, rows dropped from the top to stay within max_lines)."""
        before = len(self.rows)
        self.lines.extend(lines)
        self._wrap_into(lines)
        added = len(self.rows) - before
        dropped = 0
        excess = len(self.lines) - self.max_lines if self.max_lines is not None else 0
        if excess > 0:
            dropped = sum(self._heights[:excess])
            del self.lines[:excess], self._heights[:excess], self.rows[:dropped], self._first[:dropped]
        return added, dropped

    def rewrap(self, width: int) -> None:
        """Fold every line again for `width` cells."""
        self.width = width
        self.rows, self._heights, self._first = [], [], bytearray()
        self._wrap_into(self.lines)

    def line_at(self, row: int) -> tuple[int, int]:
        """(line, row within that line) of a row; the last row's line past the end."""
        for line, height in enumerate(self._heights):
            if row < height:
                return line, row
            row -= height
        if not self._heights:
            return 0, 0
        return len(self._heights) - 1, self._heights[-1] - 1

    def row_of(self, line: int, within: int = 0) -> int:
        """The row showing `line` (its `within`-th row, or its last when it has fewer now)."""
        heights = self._heights
        if not heights:
            return 0
        line = min(line, len(heights) - 1)
        return sum(heights[:line]) + min(within, heights[line] - 1)

    def _wrap_into(self, lines: list[str]) -> None:
        width, indent, measure = self.width, self.indent, self._cell_width
        rows, heights, first = self.rows, self._heights, self._first
        for line in lines:
            wrapped = wrap_rows(line, width, indent, measure)
            rows.extend(wrapped)
            heights.append(len(wrapped))
            first.append(1)
            if len(wrapped) > 1:
                first.extend(bytes(len(wrapped) - 1))
