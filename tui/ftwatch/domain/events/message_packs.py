"""The messages of a long run of metrics events, kept verbatim at a few bytes each.

A metrics event's message is printed from its numbers ("Step 12/500: training loss=1.23"), so a million of
them are nearly all alike and compress ~8x. Keeping them this way costs one zlib pass over the text (about a
quarter of a microsecond an event here), where proving each one equal to what we would print again costs
about a microsecond (float formatting): the difference is a tenth of the ingest budget (issue 6).

Messages arrive in runs of consecutive event numbers (one per page). The newest run stays a plain list until
it holds `PACK_SIZE` messages, so a poll that brings two events costs an `extend`; then it is compressed as one
pack. Reading an old event's message decompresses its pack once (the last few are cached): a log showing the
newest thousand events reads a handful of packs.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_right

PACK_SIZE = 1024          # messages per compressed pack: ~45 KB of text, ~0.1 ms to decompress
_CACHED_PACKS = 4
_SEPARATOR = "\0"         # never in a message we pack (`add` refuses those)


class MessagePacks:
    __slots__ = ("_firsts", "_ends", "_blobs", "_open_first", "_open", "_cache")

    def __init__(self) -> None:
        self._firsts = array("q")         # per sealed pack: its first event number and one past its last
        self._ends = array("q")
        self._blobs: list[bytes] = []
        self._open_first = -1
        self._open: list[str] = []
        self._cache: dict[int, list[str]] = {}

    def add(self, first: int, messages: list[str]) -> bool:
        """Keep the messages of events `first`, `first + 1`, ...; False (nothing kept) when one holds a NUL."""
        if _SEPARATOR in "".join(messages):
            return False
        if self._open and first == self._open_first + len(self._open):
            self._open.extend(messages)
        else:
            self._seal()
            self._open_first, self._open = first, list(messages)
        if len(self._open) >= PACK_SIZE:
            self._seal()
        return True

    def get(self, number: int) -> str | None:
        """The message of event `number`, or None when it was not packed here."""
        offset = number - self._open_first
        if 0 <= offset < len(self._open):
            return self._open[offset]
        k = bisect_right(self._firsts, number) - 1
        if k < 0 or number >= self._ends[k]:
            return None
        return self._pack(k)[number - self._firsts[k]]

    def _pack(self, k: int) -> list[str]:
        messages = self._cache.get(k)
        if messages is None:
            if len(self._cache) >= _CACHED_PACKS:
                del self._cache[next(iter(self._cache))]
            text = zlib.decompress(self._blobs[k]).decode("utf-8", "surrogatepass")
            messages = self._cache[k] = text.split(_SEPARATOR)
        return messages

    def _seal(self) -> None:
        """Compress the open run (in PACK_SIZE pieces: one old message costs at most one piece to read)."""
        messages, first = self._open, self._open_first
        for start in range(0, len(messages), PACK_SIZE):
            piece = messages[start : start + PACK_SIZE]
            self._blobs.append(zlib.compress(_SEPARATOR.join(piece).encode("utf-8", "surrogatepass"), 1))
            self._firsts.append(first + start)
            self._ends.append(first + start + len(piece))
        self._open_first, self._open = -1, []
