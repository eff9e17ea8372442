"""Opening the history database, and saying in words what went wrong when it cannot be used.

Every connection: WAL journal (readers never wait for a writer, and several ftwatch processes can share the
file), `synchronous=NORMAL` (a power cut may lose the last moments of a cache, never its consistency), a busy
timeout (a writer waits for another one instead of failing at once), autocommit (transactions are explicit
and short: `BEGIN IMMEDIATE` ... `COMMIT`). Failures become `HistoryError` with a one-line reason a user can
act on; the callers run without the history, they never stop because of it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ftwatch.history.schema import SchemaError, check_usable, ensure_schema

BUSY_TIMEOUT_S = 5.0


class HistoryError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def open_connection(path: Path, *, busy_timeout: float | None = None) -> sqlite3.Connection:
    """A ready connection to the history at `path` (created with the current schema if missing)."""
    timeout = BUSY_TIMEOUT_S if busy_timeout is None else busy_timeout
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HistoryError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        check_usable(conn)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise HistoryError(f"cannot use {path}: it cannot be shared safely (journal mode {mode}, not WAL)")
        conn.execute("PRAGMA synchronous = NORMAL")
        ensure_schema(conn)
        return conn
    except SchemaError as exc:
        _close(conn)
        raise HistoryError(f"cannot use {path}: {exc}") from None
    except (sqlite3.Error, OSError) as exc:
        _close(conn)
        raise HistoryError(describe(exc, path)) from None
    except HistoryError:
        _close(conn)
        raise


def describe(exc: BaseException, path: Path) -> str:
    """What an sqlite3 error means for the user, with the file it is about."""
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"{path} is damaged or not an ftwatch history (`ftwatch cache clear` starts a new one)"
    if "locked" in text or "busy" in text:
        return f"{path} is locked by another program"
    if "readonly" in text or "read-only" in text or "unable to open" in text or "permission" in text:
        return f"cannot write {path} (read-only file or directory?)"
    if "full" in text:
        return f"the disk holding {path} is full"
    return f"{path}: {exc}"


def is_busy(exc: BaseException) -> bool:
    """A lock that another process will let go of: worth trying the same write again a little later."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _close(conn: sqlite3.Connection | None) -> None:
    if conn is not None:
        try:
            conn.close()
        except sqlite3.Error:
            pass
