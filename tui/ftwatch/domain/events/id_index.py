"""Event ids -> event numbers in ~60-80 bytes an event (the id's own bytes included), for millions of events.

A `dict[str, int]` costs ~150 bytes per entry (key object, int object, table slot): 150 MB for a
million-event job, over the whole process's budget (issue 6: 250 MB). Here the ids live back to back in one
`bytearray`, with their offsets and hashes in arrays, and an open-addressing table (linear probing, load
1/8 to 1/2) maps `hash(id)` to the event number. A lookup is a couple of array reads and, only on a hash match,
one slice comparison.
"""

from __future__ import annotations

from array import array
from itertools import accumulate

_START_SLOTS = 1 << 12
_MAX_LOAD = 2             # table slots per id at least (linear probing stays short)


class IdIndex:
    __slots__ = ("_blob", "_offsets", "_hashes", "_table", "_mask")

    def __init__(self) -> None:
        self._blob = bytearray()
        self._offsets = array("q", [0])
        self._hashes = array("q")
        self._table = array("i", [0]) * _START_SLOTS
        self._mask = _START_SLOTS - 1

    def __len__(self) -> int:
        return len(self._hashes)

    def id_of(self, number: int) -> str:
        return self._blob[self._offsets[number] : self._offsets[number + 1]].decode("utf-8", "surrogatepass")

    def find(self, event_id: str) -> int:
        """The event number of `event_id`, or -1."""
        h = hash(event_id)
        table, hashes, mask = self._table, self._hashes, self._mask
        i = h & mask
        while True:
            slot = table[i]
            if not slot:
                return -1
            if hashes[slot - 1] == h and self.id_of(slot - 1) == event_id:
                return slot - 1
            i = (i + 1) & mask

    def find_many(self, event_ids: list[str]) -> list[int]:
        """`find` for each id, in one loop (a page is looked up at once)."""
        table, hashes, mask, blob, offsets = self._table, self._hashes, self._mask, self._blob, self._offsets
        out = []
        for event_id in event_ids:
            h = hash(event_id)
            i = h & mask
            while True:
                slot = table[i]
                if not slot:
                    out.append(-1)
                    break
                number = slot - 1
                if hashes[number] == h and blob[offsets[number] : offsets[number + 1]] == event_id.encode(
                        "utf-8", "surrogatepass"):
                    out.append(number)
                    break
                i = (i + 1) & mask
        return out

    def add(self, event_id: str) -> int:
        """Store a new id (the caller has checked it is unknown); returns its event number."""
        hashes = self._hashes
        number = len(hashes)
        h = hash(event_id)
        blob = self._blob
        blob += event_id.encode("utf-8", "surrogatepass")
        self._offsets.append(len(blob))
        hashes.append(h)
        table = self._table
        if _MAX_LOAD * (number + 1) > len(table):
            self._grow()
            return number
        mask = self._mask
        i = h & mask
        while table[i]:
            i = (i + 1) & mask
        table[i] = number + 1
        return number

    def add_many(self, event_ids: list[str]) -> int:
        """Store new ids (unknown to the index and to each other) in one pass; returns the first one's number.

        A page of a hundred ids is encoded, joined and hashed in C; only the table probe is a Python loop."""
        hashes = self._hashes
        first = len(hashes)
        blob = self._blob
        joined = "".join(event_ids)
        if joined.isascii():              # API ids are: one encode, and a byte length is the str length
            lengths = list(map(len, event_ids))
            encoded = joined.encode("ascii")
        else:
            parts = [event_id.encode("utf-8", "surrogatepass") for event_id in event_ids]
            lengths = list(map(len, parts))
            encoded = b"".join(parts)
        self._offsets.fromlist(list(accumulate(lengths, initial=len(blob)))[1:])   # fromlist: 2x extend's speed
        blob += encoded
        new_hashes = list(map(hash, event_ids))
        hashes.fromlist(new_hashes)
        table = self._table
        if _MAX_LOAD * len(hashes) > len(table):
            self._grow()
            return first
        mask = self._mask
        for number, h in enumerate(new_hashes, first + 1):
            i = h & mask
            while table[i]:
                i = (i + 1) & mask
            table[i] = number
        return first

    def _grow(self) -> None:
        """Rehash into a table 4x the size: the rehash is a Python loop over every id, and growing 4x
        rather than 2x does a third of that work over a job's life (0.5 us an event at 1M events), for a
        table of 8-32 bytes an id instead of 8-16 (16 MB at 1M ids, beside ~120 MB of other arrays)."""
        size = 4 * len(self._table)
        while _MAX_LOAD * len(self._hashes) > size:
            size *= 2
        table = array("i", [0]) * size         # no bytes object of the same size on the way
        mask = size - 1
        for number, h in enumerate(self._hashes, 1):
            i = h & mask
            while table[i]:
                i = (i + 1) & mask
            table[i] = number
        self._table, self._mask = table, mask
