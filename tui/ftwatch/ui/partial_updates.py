"""Make Textual's partial screen updates cost what changed: only the dirty rows are rendered, and each row is
written from where its change starts, not from the widget's left edge.

Why this exists (issue 6: <= 1 KB/s on the terminal and <= 1.5 % of a core while following a job):

- Rows. Textual 8 renders a partial update by cropping the screen to the box around every dirty region, then
  rendering every widget that box touches, whole (`Compositor._render_chops`), and finally keeping only the
  dirty rows. A poll dirties the job's row in the jobs table near the top and the status line at the bottom, so
  every frame rendered all ~170 rows of the screen's widgets to write five or six. `_render_partial_update`
  has each widget render only its rows that a written span crosses (`Widget.render_lines` takes any crop):
  the event log beside the chart is not rendered because the chart gained a dot.
- Columns. Textual writes each affected line from the left edge of the widget ("chop") up to the end of the
  region (`ChopsUpdate.render_segments` crops only on the right). A status line whose age changes from "3 s"
  to "4 s" rewrites everything to its left, and a chart that gains one point at 60% of its width rewrites
  60% of each changed row, in 3-byte braille characters. `_render_segments` adds a left crop. Lines
  containing wide characters are left alone: cutting inside a double-width cell would misdraw it.

`install()` swaps these methods in only when the originals are byte-for-byte the ones they were written
against (see `textual_fingerprint`), each pair on its own, so a Textual upgrade that changes them silently
falls back to the stock behaviour (correct, just costlier).
"""

from __future__ import annotations

from bisect import bisect_left

from rich.cells import cell_len
from rich.console import Console
from textual import _compositor
from textual.geometry import Region
from textual.strip import Strip

from ftwatch.ui.textual_fingerprint import fingerprint

# Fingerprints of textual 8.2.x `ChopsUpdate.render_segments`, and of `Compositor.render_partial_update` with
# the two methods it renders through (`_render_chops`, `_get_renders`).
KNOWN_SEGMENTS = frozenset({"207e18fd45e5db9b"})
KNOWN_PARTIAL = frozenset({("6730ee8ac3fc2c38", "81002af89c413706", "4f71a00d32e60861")})

_installed: dict[str, bool] = {}
STOCK_PARTIAL_UPDATE = _compositor.Compositor.render_partial_update      # Textual's own (tests compare)


def _narrow(strip: Strip) -> bool:
    return all(len(text) == cell_len(text) for text, _, _ in strip)


def _render_segments(self, console: Console) -> str:
    sequences: list[str] = []
    append = sequences.append
    move_to = _compositor.Control.move_to
    chops = self.chops
    chop_ends = self.chop_ends
    last_y = self.spans[-1][0]
    for y, x1, x2 in self.spans:
        line = chops[y]
        ends = chop_ends[y]
        for end, (x, strip) in zip(ends, line.items()):
            if strip is None or x > x2 or end <= x1:
                continue
            if x2 > x >= x1 and end <= x2:
                append(move_to(x, y).segment.text)
                append(strip.render(console))
                continue
            strip = strip.crop(0, min(end, x2) - x)
            if x < x1 and _narrow(strip):
                strip = strip.crop(x1 - x)
                x = x1
            append(move_to(x, y).segment.text)
            append(strip.render(console))
        if y != last_y:
            append("\n")
    return "".join(sequences)


def _render_partial_update(self) -> _compositor.ChopsUpdate | None:
    """`Compositor.render_partial_update`, rendering only what the update writes."""
    update_regions = self._dirty_regions.copy()
    self._dirty_regions.clear()
    if not update_regions:
        return None
    crop = Region.from_union(update_regions).intersection(self.size.region)
    spans = list(self._regions_to_spans(update_regions))
    written: dict[int, list[tuple[int, int]]] = {}
    for y, x1, x2 in spans:
        written.setdefault(y, []).append((x1, x2))
    chops = _render_written(self, crop, written)
    return _compositor.ChopsUpdate(chops, spans, [cut_set[1:] for cut_set in self.cuts])


def _render_written(self, crop: Region, written: dict[int, list[tuple[int, int]]]) -> list[dict[int, Strip | None]]:
    """`Compositor._render_chops` for the written spans only: each widget renders just its rows that a span
    crosses (a chop that is written always belongs to such a widget; the others are never looked at). Front
    to back, the first strip for a cut wins, as in Textual."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    rows = sorted(written)
    overlaps = crop.overlaps
    for widget, (region, clip) in self.visible_widgets.items():
        if not overlaps(clip):
            continue
        visible = region.intersection(clip)
        x, top, width, height = visible
        if not (width and height):
            continue
        right = x + width
        crossed = [y for y in rows[bisect_left(rows, top):bisect_left(rows, top + height)]
                   if any(x1 < right and x2 > x for x1, x2 in written[y])]
        first_cut, last_cut = visible.column_span
        for start, stop in _runs(crossed):
            strips = widget.render_lines(Region(x - region.x, start - region.y, width, stop - start))
            for y, strip in zip(range(start, stop), strips):
                line = chops[y]
                final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
                for cut, piece in zip(final_cuts, strip.divide([cut - x for cut in final_cuts[1:]])):
                    if line.get(cut) is None:
                        line[cut] = piece
    return chops


def _runs(rows: list[int]):
    """Sorted distinct rows as runs of consecutive ones: (start, stop) pairs."""
    index = 0
    while index < len(rows):
        start = stop = rows[index]
        while index < len(rows) and rows[index] == stop:
            stop += 1
            index += 1
        yield start, stop


def install() -> bool:
    """Apply both replacements once per process (each only if its Textual code is the known one); returns
    whether the left crop is active."""
    if not _installed:
        chops_update, compositor = _compositor.ChopsUpdate, _compositor.Compositor
        _installed["segments"] = fingerprint(chops_update.render_segments) in KNOWN_SEGMENTS
        if _installed["segments"]:
            chops_update.render_segments = _render_segments
        partial = (fingerprint(compositor.render_partial_update), fingerprint(compositor._render_chops),
                   fingerprint(compositor._get_renders))
        _installed["rows"] = partial in KNOWN_PARTIAL
        if _installed["rows"]:
            compositor.render_partial_update = _render_partial_update
    return _installed["segments"]


def rows_only_installed() -> bool:
    return bool(_installed.get("rows"))
