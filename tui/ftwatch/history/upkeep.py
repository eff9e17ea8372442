"""Looking after the history file: what it holds (`ftwatch cache info`), dropping old jobs (`prune`), starting
over (`clear`).

`prune --older-than D` removes the finished jobs created more than D ago, with their events, checkpoints and
result files; jobs still running or queued stay whatever their age. Ages are the jobs' own (`created_at`),
not when ftwatch last looked, so a long-lived account's old runs can be let go while it is still in use (a
pruned job is listed again at the next poll, and read whole again if it is opened). `clear` removes every
row but keeps the file, so other ftwatch processes using it carry on; a file that cannot be used at all (a
damaged or foreign file, another program's database) is deleted instead, with its WAL companions, which
is the way out the "cache off" message points to.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ftwatch.history.account import Account
from ftwatch.history.connect import HistoryError, describe, open_connection
from ftwatch.history.paths import companion_files
from ftwatch.history.schema import SCHEMA_VERSION, TERMINAL


@dataclass(frozen=True)
class AccountInfo:
    account: Account
    jobs: int
    events: int


@dataclass(frozen=True)
class Info:
    path: Path
    exists: bool
    size_bytes: int
    schema: int | None = None
    accounts: list[AccountInfo] = field(default_factory=list)
    jobs: int = 0
    events: int = 0
    result_files: int = 0


@dataclass(frozen=True)
class Removed:
    jobs: int
    events: int
    jobs_left: int
    size_before: int
    size_after: int


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in companion_files(path) if p.exists())


def info(path: Path) -> Info:
    """What the history at `path` holds (nothing is created when there is no file yet)."""
    if not path.exists():
        return Info(path=path, exists=False, size_bytes=0)
    conn = open_connection(path)
    try:
        accounts = []
        for account_id, base_url, organization, project in conn.execute(
                "SELECT id, base_url, organization, project FROM accounts ORDER BY base_url, organization, project"):
            jobs = conn.execute("SELECT count(*) FROM jobs WHERE account = ?", (account_id,)).fetchone()[0]
            events = conn.execute("SELECT count(*) FROM events WHERE account = ?", (account_id,)).fetchone()[0]
            accounts.append(AccountInfo(Account(base_url, organization, project), jobs, events))
        files = conn.execute("SELECT count(*) FROM result_files").fetchone()[0]
    except sqlite3.Error as exc:
        raise HistoryError(describe(exc, path)) from None
    finally:
        conn.close()
    return Info(path=path, exists=True, size_bytes=size_of(path), schema=SCHEMA_VERSION, accounts=accounts,
                jobs=sum(a.jobs for a in accounts), events=sum(a.events for a in accounts), result_files=files)


def prune(path: Path, *, older_than: float, now: float) -> Removed:
    """Drop the finished jobs created before `now - older_than` (seconds), and all they had."""
    if not path.exists():
        return Removed(0, 0, 0, 0, 0)
    before = size_of(path)
    conn = open_connection(path)
    terminal = ",".join(f"'{status}'" for status in TERMINAL)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TEMP TABLE doomed AS SELECT account, job_id, raw FROM jobs "
                         f"WHERE created_at < ? AND status IN ({terminal})", (now - older_than,))
            jobs = conn.execute("SELECT count(*) FROM doomed").fetchone()[0]
            events = conn.execute("DELETE FROM events WHERE (account, job_id) IN "
                                  "(SELECT account, job_id FROM doomed)").rowcount
            conn.execute("DELETE FROM checkpoints WHERE (account, job_id) IN (SELECT account, job_id FROM doomed)")
            conn.execute("DELETE FROM result_files WHERE EXISTS (SELECT 1 FROM doomed d, json_each(d.raw, "
                         "'$.result_files') f WHERE json_valid(d.raw) AND d.account = result_files.account "
                         "AND f.value = result_files.file_id)")
            conn.execute("DELETE FROM jobs WHERE (account, job_id) IN (SELECT account, job_id FROM doomed)")
            conn.execute("DROP TABLE doomed")
            left = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        _compact(conn)
    except sqlite3.Error as exc:
        raise HistoryError(describe(exc, path)) from None
    finally:
        conn.close()
    return Removed(jobs, events, left, before, size_of(path))


def clear(path: Path) -> Removed:
    """Empty the history (or delete a file that cannot be used as one)."""
    if not any(p.exists() for p in companion_files(path)):
        return Removed(0, 0, 0, 0, 0)
    before = size_of(path)
    try:
        conn = open_connection(path)
    except HistoryError:
        for part in companion_files(path):
            part.unlink(missing_ok=True)
        return Removed(0, 0, 0, before, 0)
    try:
        jobs = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        conn.execute("BEGIN IMMEDIATE")
        for table in ("events", "checkpoints", "result_files", "jobs", "accounts"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("COMMIT")
        _compact(conn)
    except sqlite3.Error as exc:
        raise HistoryError(describe(exc, path)) from None
    finally:
        conn.close()
    return Removed(jobs, events, 0, before, size_of(path))


def _compact(conn: sqlite3.Connection) -> None:
    """Give the space back to the disk; best effort (another process reading it may keep VACUUM out)."""
    try:
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        pass
