"""The chart's legend and epoch labels: which mark is which series, readable without colour.

Colour alone cannot tell the curves apart (NO_COLOR, a monochrome terminal, colour blindness), so every
series has its own mark in the plot and the legend shows that same mark beside the series' name: raw
training as braille dots, the smoothed curve as a line of `•`, batch validation as `×` points, full
validation as `◆`, epoch boundaries as dotted `┊` lines, labelled `e2`, `e3`... in the plot's top edge, and
the job's checkpoints as `▲` in the plot's bottom edge, at their steps.
In colour the marks keep the series' theme colours (`ChartColors`), the names the widget's own colour.

The legend names only the series that are drawn and is shortened to the width it gets ("raw train" ->
"raw", "validation" -> "val"...), so no series name is cut off. Everything here is pure and memoised: a
redraw that draws the same series at the same width gets the same `Text` object back.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rich.color import Color
from rich.style import Style
from rich.text import Text

RGB = tuple[int, int, int]

RAW_MARK = "⠿"          # the legend's sample of the braille dots the raw curve is drawn with
SMOOTHED_MARK = "•"
VALID_MARK = "×"
FULL_MARK = "◆"
EPOCH_MARK = "┊"        # plotext's "dotted" line style
EPOCH_LINE_STYLE = "dotted"
CHECKPOINT_MARK = "▲"   # written into the plot's bottom edge (the x axis) at each checkpoint's step


@dataclass(frozen=True, slots=True)
class Entry:
    mark: str
    names: tuple[str, ...]      # longest first; the legend takes the longest that fits


ENTRIES = {
    "raw": Entry(RAW_MARK, ("raw train", "raw", "raw", "raw", "raw", "r")),
    "smoothed": Entry(SMOOTHED_MARK, ("smoothed train", "smoothed", "smoothed", "smooth", "smooth", "s")),
    "valid": Entry(VALID_MARK, ("validation", "validation", "val", "val", "val", "v")),
    "full": Entry(FULL_MARK, ("full validation", "full validation", "full val", "full", "full", "f")),
    "epoch": Entry(EPOCH_MARK, ("epoch boundary", "epoch", "epoch", "ep", "ep", "e")),
    "checkpoint": Entry(CHECKPOINT_MARK, ("checkpoint", "checkpoint", "checkpoint", "ckpt", "ckpt", "c")),
}
_GAPS = ("  ", "  ", "  ", " ", " ", " ")         # between entries, per level of shortening
_MARK_GAPS = (" ", " ", " ", " ", "", "")         # between a mark and its name


@lru_cache(maxsize=64)
def legend(kinds: tuple[str, ...], width: int, colors: tuple[RGB | None, ...] = ()) -> Text:
    """`⠿ raw train  • smoothed train  × validation ...` for the drawn `kinds` (keys of `ENTRIES`, in
    order), in at most `width` cells; `colors` are the marks' colours, one per kind (None: uncoloured)."""
    text = Text(no_wrap=True, end="")
    if not kinds or width <= 0:
        return text
    level = next((i for i in range(len(_GAPS)) if _length(kinds, i) <= width), len(_GAPS) - 1)
    for index, kind in enumerate(kinds):
        if index:
            text.append(_GAPS[level])
        rgb = colors[index] if index < len(colors) else None
        text.append(ENTRIES[kind].mark, Style(color=Color.from_rgb(*rgb)) if rgb else None)
        text.append(_MARK_GAPS[level] + ENTRIES[kind].names[level])
    text.truncate(width)
    return text


def _length(kinds: tuple[str, ...], level: int) -> int:
    return sum(len(ENTRIES[k].mark) + len(_MARK_GAPS[level]) + len(ENTRIES[k].names[level]) for k in kinds) \
        + len(_GAPS[level]) * (len(kinds) - 1)


def in_frame(frame: Text, legend_text: Text) -> Text:
    """The plot's top edge (`┌────┐`) with the legend written into it (`┌ ⠿ raw  • smoothed ─┐`), for a
    chart too low to give the legend a row of its own. The legend is shortened to fit inside the corners."""
    left, right = frame.plain.find("┌"), frame.plain.rfind("┐")
    room = right - left - 3
    if left < 0 or room <= 0 or not legend_text:
        return frame
    piece = Text(" ", no_wrap=True, end="") + legend_text[:room] + Text(" ")
    return _overlay(frame, left + 1, piece)


def label_epochs(frame: Text, count: int, bare: Text | None = None) -> Text:
    """`e1`, `e2`... right of the left corner and of each epoch line's `┬` in the plot's top edge, where
    the edge is still bare for the label and one cell after it. `count` is the number of epoch lines drawn;
    if the edge shows another number of them (two lines in one column), they are left unlabelled rather
    than numbered wrong. `bare`: the edge as plotext drew it, when `frame` already carries the legend."""
    drawn = (bare or frame).plain
    left = drawn.find("┌")
    junctions = [i for i, c in enumerate(drawn) if c == "┬"]
    if left < 0 or not count or len(junctions) != count:
        return frame
    plain = frame.plain
    for number, column in enumerate([left, *junctions], start=1):
        label = f"e{number}"
        start, end = column + 1, column + 1 + len(label)
        if end < len(plain) and set(plain[start:end + 1]) == {"─"}:
            frame = _overlay(frame, start, Text(label))
            plain = frame.plain
    return frame


def mark_columns(edge: Text, columns: tuple[int, ...], style: Style | None = None) -> Text:
    """The plot's bottom edge (`└┬────┴────┘`) with `▲` at each of `columns` that falls between its corners
    (a checkpoint's step, placed by the caller); outside them, or with no edge, it is left as it is."""
    plain = edge.plain
    left, right = plain.find("└"), plain.rfind("┘")
    for column in columns:
        if 0 <= left < column < right:
            edge = _overlay(edge, column, Text(CHECKPOINT_MARK, style=style or "", end=""))
    return edge


def _overlay(line: Text, at: int, piece: Text) -> Text:
    """`line` with the cells from `at` replaced by `piece` (same length: the row keeps its width)."""
    result = line[:at]
    result.append_text(piece)
    result.append_text(line[at + len(piece.plain):])
    result.no_wrap = True
    return result
