"""Make server strings safe to put on a terminal, on one line.

Event messages, job suffixes and metadata come from a server we do not control and end up on the user's
terminal. A terminal obeys what it is sent: `ESC ] 52 ; c ; <base64> BEL` rewrites the clipboard, `ESC [ 2 J`
clears the screen, DCS strings reach the terminal's own parsers, and a right-to-left override makes
`exe.txt` read as `txt.exe`. `clean` removes every such sequence whole (parameters included, so nothing of
them leaks as text), drops the remaining C0/C1 controls and bidi overrides, and folds line breaks into a
visible `⏎` so one event stays one line.

What `clean` does not do is Rich escaping: its result is plain text meant for `rich.text.Text(...)`, which
never interprets markup. Nothing here returns markup.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
NEWLINE_MARK = "⏎"

# Whole escape sequences first, so their parameters vanish with them.
#   OSC / DCS / SOS / PM / APC strings: up to BEL or ST (ESC \ or 0x9C), or to the end when unterminated.
#   CSI: parameter bytes, intermediate bytes, one final byte (7-bit ESC [ or 8-bit 0x9B).
#   Other ESC sequences: ESC, intermediates, one final byte (charset switches, RIS, DECSC...).
_SEQUENCE = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c|(?=\x1b)|$)"
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"
)
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
# C0 (tab becomes a space below), DEL, C1, bidi embeddings/overrides/isolates and marks; and invisible
# format characters that can hide or smuggle text: the deprecated shaping controls (U+206A-206F), the
# interlinear annotation marks (U+FFF9-FFFB), the byte-order mark and the Unicode tag characters (U+E0000-E007F).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
                      r"\u206a-\u206f\ufff9-\ufffb\ufeff\U000e0000-\U000e007f]")
# Lone surrogates (JSON allows "\ud800") cannot be encoded for the terminal at all.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(s: object, max_len: int | None = None) -> str:
    """One line of plain, inert text; at most `max_len` characters, ending in `…` when cut.

    Non-strings are shown through `str()` (`None` as empty), because a hostile payload may put a number, a
    list or null where a string belongs and the log must still show something rather than fail.
    """
    if s is None:
        text = ""
    elif isinstance(s, str):
        text = s
    else:
        text = str(s)
    if not text.isprintable():
        text = _SEQUENCE.sub("", text)
        text = _LINE_BREAK.sub(NEWLINE_MARK, text)
        text = text.replace("\t", " ")
        text = _CONTROL.sub("", text)
        text = _SURROGATE.sub("\ufffd", text)
    if max_len is not None and len(text) > max_len:
        if max_len <= 0:
            return ""
        text = text[: max_len - 1] + ELLIPSIS
    return text
