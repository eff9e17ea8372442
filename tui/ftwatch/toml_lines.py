"""Where in a TOML text something is: the line a key is defined on, and tomllib's own complaint as a line.

tomllib reports a line and column for syntax errors only; a file that parses but holds an unknown key or a
wrong value must still be reported at its line (profiles.py's errors name the file, the line and the known
names), so the text is scanned for it here.
"""

from __future__ import annotations

import re
from pathlib import Path

_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")


def malformed(path: Path, message: str) -> str:
    """tomllib's complaint as "<path> line L, column C: <reason> (not valid TOML)"."""
    found = _TOML_AT.search(message)
    if found:
        reason = message[:found.start()]
        return f"{path} line {found.group(1)}, column {found.group(2)}: {reason} (not valid TOML)"
    reason = _TOML_END.sub("", message)
    return f"{path} at its end: {reason} (not valid TOML)"


_HEADER = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_PART = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
_KEY = re.compile(rf"\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(rf"{_PART}", text))


def line_of(lines: list[str], where: tuple[str, ...]) -> int | None:
    """The (1-based) line that defines `where` (a table or a key path), or the nearest enclosing one's.

    A scan, not a parser: headers set the current table, `key =` (dotted or quoted) lines add to it; the
    longest match wins, so a key inside an inline table is reported at the line of that table."""
    best: tuple[int, int] | None = None
    current: tuple[str, ...] = ()
    for number, line in enumerate(lines, 1):
        header = _HEADER.match(line)
        if header:
            current = _dotted(header.group(1))
            path = current
        else:
            key = _KEY.match(line)
            if not key:
                continue
            path = current + _dotted(key.group(1))
        if path and where[:len(path)] == path and (best is None or len(path) > best[0]):
            best = (len(path), number)
            if len(path) == len(where):
                break
    return best[1] if best else None
