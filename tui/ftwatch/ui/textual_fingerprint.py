"""Recognise the exact Textual code a patch of ours was written against.

ftwatch replaces a few Textual internals that cost CPU or terminal bytes (`partial_updates`).
Each replacement is applied only when the original is byte-for-byte the one it was written against, so a
Textual upgrade that changes it falls back to the stock behaviour (correct, just costlier) instead of running
our copy of code that no longer matches its surroundings.
"""

from __future__ import annotations

import hashlib
from types import CodeType


def fingerprint(function) -> str:
    """16 hex digits of the function's bytecode and constants, nested functions and comprehensions included
    (hashed by their own bytecode: their repr carries a memory address, different at every run)."""
    return hashlib.sha256(_code_bytes(function.__code__)).hexdigest()[:16]


def _code_bytes(code: CodeType) -> bytes:
    parts = [code.co_code]
    for const in code.co_consts:
        parts.append(_code_bytes(const) if isinstance(const, CodeType) else repr(const).encode())
    return b"\0".join(parts)
