"""Where new events go in a job's stored order, so that reading them back gives the API's order exactly.

The API's order is the only order there is (ids are random, timestamps are whole seconds shared by many
events), so every stored event carries `seq`, a REAL that sorts it among the job's events. A writer hands
over events as its timeline merged them: a contiguous run in the API's order plus where it sits, right
above a known event (`below`, a poll's new events), right below one (`above`, older events paged in), or at
the very bottom (the first back-fill of a job: the walk reached its oldest event). Each new run is spaced
between its stored neighbours; a run that meets events another process stored meanwhile takes its place
around them (INSERT OR IGNORE by event id, so each event is stored once whoever came first).

The history of a job is always a contiguous piece of the API's list that starts at the job's oldest event,
because a run whose anchor is not stored (pruned, cleared, or never written) is dropped, not guessed: a
relaunch seeds its timeline from this piece and pages in only what is newer, which would hide a hole
forever. When the space between two neighbours runs out (many insertions at one place) the job's events
are renumbered 1, 2, 3 ... in their order, inside the same transaction.
"""

from __future__ import annotations

import sqlite3
from typing import Sequence

from ftwatch.history import codec

LOOKUP_BATCH = 500        # ids per `IN (...)` query (SQLite allows 999 parameters in older builds)
DROPPED = -1


def place_events(conn: sqlite3.Connection, account: int, job_id: str, dicts: Sequence[dict], *,
                 below: str | None = None, above: str | None = None) -> int:
    """Store the new ones of `dicts` (oldest first, contiguous); returns how many were new, or DROPPED when
    the anchor they join is not stored. Call inside a transaction."""
    return _Placer(conn, account, job_id).place(dicts, below, above, retry=True)


class _Placer:
    def __init__(self, conn: sqlite3.Connection, account: int, job_id: str) -> None:
        self._conn = conn
        self._key = (account, job_id)

    def place(self, dicts: Sequence[dict], below: str | None, above: str | None, *, retry: bool) -> int:
        ids: list[str] = []
        rows: list[dict] = []
        seen: set[str] = set()
        for d in dicts:
            event_id = codec.event_id(d)
            if event_id not in seen:
                seen.add(event_id)
                ids.append(event_id)
                rows.append(d)
        if not ids:
            return 0
        low = high = None
        if below is not None:
            low = self._seq(below)
            if low is None:
                return DROPPED
        if above is not None:
            high = self._seq(above)
            if high is None:
                return DROPPED
        known = self._known(ids)
        previous = low
        added = 0
        i, n = 0, len(ids)
        while i < n:
            if ids[i] in known:
                previous = known[ids[i]]
                i += 1
                continue
            j = i
            while j < n and ids[j] not in known:
                j += 1
            if j < n:
                upper = known[ids[j]]
            elif high is not None:
                upper = high
            elif previous is not None:
                upper = self._next_above(previous)
            else:
                upper = self._lowest()
            lower = previous if previous is not None else (self._next_below(upper) if upper is not None else None)
            seqs = _spaced(lower, upper, j - i)
            if seqs is None:                      # no room left between the two: renumber, then start again
                if not retry:
                    raise sqlite3.IntegrityError("event order could not be renumbered")
                self._renumber()
                return added + self.place(dicts, below, above, retry=False)
            self._insert(ids[i:j], rows[i:j], seqs)
            known.update(zip(ids[i:j], seqs))
            added += j - i
            previous = seqs[-1]
            i = j
        return added

    def _seq(self, event_id: str) -> float | None:
        row = self._conn.execute("SELECT seq FROM events WHERE account = ? AND job_id = ? AND event_id = ?",
                                 (*self._key, event_id)).fetchone()
        return None if row is None else row[0]

    def _known(self, ids: list[str]) -> dict[str, float]:
        if self._conn.execute("SELECT 1 FROM events WHERE account = ? AND job_id = ? LIMIT 1",
                              self._key).fetchone() is None:
            return {}                              # the job's first events: nothing to look up
        known: dict[str, float] = {}
        for start in range(0, len(ids), LOOKUP_BATCH):
            part = ids[start:start + LOOKUP_BATCH]
            marks = ",".join("?" * len(part))
            known.update(self._conn.execute(
                f"SELECT event_id, seq FROM events WHERE account = ? AND job_id = ? AND event_id IN ({marks})",
                (*self._key, *part)).fetchall())
        return known

    def _next_above(self, seq: float) -> float | None:
        return self._conn.execute("SELECT min(seq) FROM events WHERE account = ? AND job_id = ? AND seq > ?",
                                  (*self._key, seq)).fetchone()[0]

    def _next_below(self, seq: float) -> float | None:
        return self._conn.execute("SELECT max(seq) FROM events WHERE account = ? AND job_id = ? AND seq < ?",
                                  (*self._key, seq)).fetchone()[0]

    def _lowest(self) -> float | None:
        return self._conn.execute("SELECT min(seq) FROM events WHERE account = ? AND job_id = ?",
                                  self._key).fetchone()[0]

    def _insert(self, ids: list[str], rows: list[dict], seqs: list[float]) -> None:
        account, job_id = self._key
        self._conn.executemany(
            "INSERT OR IGNORE INTO events (account, job_id, event_id, seq, raw) VALUES (?, ?, ?, ?, ?)",
            [(account, job_id, event_id, seq, codec.dumps(row)) for event_id, row, seq in zip(ids, rows, seqs)])

    def _renumber(self) -> None:
        self._conn.execute(
            "UPDATE events SET seq = ranked.n FROM (SELECT rowid AS r, row_number() OVER (ORDER BY seq) AS n "
            "FROM events WHERE account = ? AND job_id = ?) AS ranked WHERE events.rowid = ranked.r",
            self._key)


def _spaced(lower: float | None, upper: float | None, count: int) -> list[float] | None:
    """`count` increasing numbers strictly between `lower` and `upper` (either may be open); None when the
    gap between them is too narrow to tell them apart."""
    if lower is None and upper is None:
        return [float(k) for k in range(1, count + 1)]
    if lower is None:
        return [upper - count + k for k in range(count)]
    if upper is None:
        return [lower + 1 + k for k in range(count)]
    step = (upper - lower) / (count + 1)
    seqs = [lower + step * (k + 1) for k in range(count)]
    if not seqs or seqs[0] <= lower or seqs[-1] >= upper or any(b <= a for a, b in zip(seqs, seqs[1:])):
        return None
    return seqs
