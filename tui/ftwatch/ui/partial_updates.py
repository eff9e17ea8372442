"""Make Textual's partial screen updates start where the change starts, not at the widget's left edge.

Why this exists: Textual 8 repaints a dirty region by writing each affected line from the left edge of the
widget ("chop") up to the end of the region (`ChopsUpdate.render_segments` crops only on the right). A
status line whose age changes from "3 s" to "4 s" therefore rewrites everything to its left, and a chart
that gains one point at 60% of its width rewrites 60% of each changed row, in 3-byte braille characters.
That alone breaks the budget of <= 1 KB/s on the terminal while following a job (issue 6).

`install()` replaces that one method with the same code plus a left crop. It is applied only when the
method is byte-for-byte the one it was written against (Textual's own code object is fingerprinted), so a
Textual upgrade that changes it silently falls back to the stock behaviour (correct, just chattier). Lines
containing wide characters are left alone: cutting inside a double-width cell would misdraw it.
"""

from __future__ import annotations

import hashlib

from rich.cells import cell_len
from rich.console import Console
from textual import _compositor
from textual.strip import Strip

# Fingerprint of textual 8.2.x `ChopsUpdate.render_segments` (its bytecode and constants).
KNOWN_FINGERPRINTS = frozenset({"ea6341b8ff7421cc"})

_installed = False


def _fingerprint(function) -> str:
    code = function.__code__
    return hashlib.sha256(code.co_code + repr(code.co_consts).encode()).hexdigest()[:16]


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


def install() -> bool:
    """Apply the left crop once per process; returns whether it is active."""
    global _installed
    if _installed:
        return True
    original = _compositor.ChopsUpdate.render_segments
    if _fingerprint(original) not in KNOWN_FINGERPRINTS:
        return False
    _compositor.ChopsUpdate.render_segments = _render_segments
    _installed = True
    return True
