"""The history's queries. Plain functions over a connection, run in a worker thread by their callers.

Reads never take a write lock (WAL: a reader sees the last committed state while another process writes),
so the jobs list and a job's history come back at once even while a back-fill is being stored.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from ftwatch.history import codec
from ftwatch.history.account import Account


@dataclass(frozen=True)
class CachedJob:
    """One job as the history has it: the API's dicts, events newest first (as a page lists them)."""

    job: dict
    events: list[dict] = field(default_factory=list)
    checkpoints: list[dict] | None = None
    complete: bool = False
    seen_at: float = 0.0


def account_id(conn: sqlite3.Connection, account: Account) -> int | None:
    row = conn.execute("SELECT id FROM accounts WHERE base_url = ? AND organization = ? AND project = ?",
                       (account.base_url, account.organization, account.project)).fetchone()
    return None if row is None else row[0]


def cached_jobs(conn: sqlite3.Connection, account: Account) -> list[dict]:
    """Every job of the account the history has, newest first (as the API lists them)."""
    found = account_id(conn, account)
    if found is None:
        return []
    rows = conn.execute("SELECT raw FROM jobs WHERE account = ? ORDER BY created_at DESC, job_id DESC", (found,))
    return [d for d in codec.loads_many(text for (text,) in rows) if isinstance(d, dict)]


def has_jobs(conn: sqlite3.Connection, account: Account) -> bool:
    found = account_id(conn, account)
    return found is not None and conn.execute("SELECT 1 FROM jobs WHERE account = ? LIMIT 1",
                                              (found,)).fetchone() is not None


def cached_job(conn: sqlite3.Connection, account: Account, job_id: str, *, with_events: bool = True
               ) -> CachedJob | None:
    found = account_id(conn, account)
    if found is None:
        return None
    row = conn.execute("SELECT raw, complete, seen_at FROM jobs WHERE account = ? AND job_id = ?",
                       (found, job_id)).fetchone()
    if row is None:
        return None
    job = codec.loads(row[0])
    if not isinstance(job, dict):
        return None
    events: list[dict] = []
    if with_events:
        texts = conn.execute("SELECT raw FROM events WHERE account = ? AND job_id = ? ORDER BY seq DESC",
                             (found, job_id))
        events = [d for d in codec.loads_many(text for (text,) in texts) if isinstance(d, dict)]
    return CachedJob(job=job, events=events, checkpoints=checkpoints(conn, account, job_id, found),
                     complete=bool(row[1]), seen_at=float(row[2]))


def checkpoints(conn: sqlite3.Connection, account: Account, job_id: str, found: int | None = None
                ) -> list[dict] | None:
    found = account_id(conn, account) if found is None else found
    if found is None:
        return None
    row = conn.execute("SELECT raw FROM checkpoints WHERE account = ? AND job_id = ?", (found, job_id)).fetchone()
    listed = codec.loads(row[0]) if row is not None else None
    return [d for d in listed if isinstance(d, dict)] if isinstance(listed, list) else None


def events_page(conn: sqlite3.Connection, account: Account, job_id: str, *, after: str | None, limit: int
                ) -> tuple[list[dict], bool] | None:
    """A page as the API serves it: newest first, `after` walking toward older events; None for a job the
    history does not have. An unknown `after` gives an empty page (the API's answer to a foreign cursor)."""
    found = account_id(conn, account)
    if found is None or conn.execute("SELECT 1 FROM jobs WHERE account = ? AND job_id = ?",
                                     (found, job_id)).fetchone() is None:
        return None
    limit = max(1, int(limit))
    if after is None:
        rows = conn.execute("SELECT raw FROM events WHERE account = ? AND job_id = ? ORDER BY seq DESC LIMIT ?",
                            (found, job_id, limit + 1)).fetchall()
    else:
        anchor = conn.execute("SELECT seq FROM events WHERE account = ? AND job_id = ? AND event_id = ?",
                              (found, job_id, after)).fetchone()
        if anchor is None:
            return [], False
        rows = conn.execute("SELECT raw FROM events WHERE account = ? AND job_id = ? AND seq < ? "
                            "ORDER BY seq DESC LIMIT ?", (found, job_id, anchor[0], limit + 1)).fetchall()
    dicts = [d for d in codec.loads_many(text for (text,) in rows) if isinstance(d, dict)]
    return dicts[:limit], len(dicts) > limit


def result_file(conn: sqlite3.Connection, account: Account, file_id: str) -> str | None:
    found = account_id(conn, account)
    if found is None:
        return None
    row = conn.execute("SELECT content FROM result_files WHERE account = ? AND file_id = ?",
                       (found, file_id)).fetchone()
    return None if row is None else row[0]
