"""Recognise the exact Textual code a patch of ours was written against.

ftwatch replaces a few Textual internals that cost CPU or terminal bytes (`partial_updates`, the jobs
table's `cell_cache`). Each replacement is applied only when the original is the one it was written
against, so a Textual upgrade that changes it falls back to the stock behaviour (correct, just costlier)
instead of running our copy of code that no longer matches its surroundings.

The fingerprint is taken from the function's *source text* plus the Textual version, not its bytecode:
bytecode changes with every CPython minor version (3.11, 3.12 and 3.13 all compile the same source
differently), which silently switched the speed-ups off on every interpreter but the one the fingerprints
were taken on. Source text is the same on all of them. It is normalised so that only code counts:
indentation is made relative, trailing spaces, blank lines and comment-only lines are dropped.
"""

from __future__ import annotations

import hashlib
import inspect
import textwrap
from functools import lru_cache
from pathlib import Path

import textual


def fingerprint(function) -> str:
    """16 hex digits of the Textual version and the function's normalised source (see the module doc)."""
    function = inspect.unwrap(function)
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):         # no source on disk (a frozen or stripped install): never "known"
        return "no-source"
    text = f"textual {textual_version()}\n{normalised(source)}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def textual_version() -> str:
    """Textual's version from its dist-info folder name beside the package: `textual.__version__` loads
    importlib.metadata (zipfile, email, csv: ~12 ms here), all before the first frame."""
    site = Path(textual.__file__).resolve().parent.parent
    found = sorted(site.glob("textual-*.dist-info"))
    if len(found) == 1:
        return found[0].name[len("textual-"):-len(".dist-info")]
    return textual.__version__


def normalised(source: str) -> str:
    """The lines of `source` that are code, dedented, without trailing spaces."""
    lines = (line.rstrip() for line in textwrap.dedent(source).splitlines())
    return "\n".join(line for line in lines if line and not line.lstrip().startswith("#"))
