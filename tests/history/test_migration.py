"""A history written by the first schema (tests/fixtures/history_v1.sqlite, made by make_v1_fixture.py from real
API objects) is migrated in place and reads back whole; a file this ftwatch cannot read (a newer schema,
another program's database) is left untouched and the history is off, said once."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from pathlib import Path

from ftwatch.history.account import Account
from ftwatch.history.history import History
from ftwatch.history.schema import SCHEMA_V1, SCHEMA_VERSION

from .make_v1_fixture import AZURE, OPENAI, QTRAN_JOB, RESULT_FILE, SAMPLES, TARGET, build

MRPESKI_JOB = json.loads((SAMPLES / "jobs_llme_mrpeski_gpt41nano_create_list_retrieve.json").read_text())[
    "retrieve_succeeded"]["id"]


def _copy(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    shutil.copyfile(TARGET, path)
    return path


def _version(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


def test_the_fixture_really_is_the_first_schema(tmp_path):
    """Regenerating it gives the same tables (so the fixture is what make_v1_fixture.py says it is)."""
    with contextlib.closing(sqlite3.connect(TARGET)) as conn:
        stored = sorted(row[0] for row in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    with contextlib.closing(sqlite3.connect(build(tmp_path / "again.sqlite"))) as conn:
        again = sorted(row[0] for row in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
    assert stored == again and all(statement.split("(")[0].strip() in SCHEMA_V1 for statement in stored)


def test_a_v1_history_is_migrated_and_reads_back_whole(tmp_path):
    path = _copy(tmp_path)
    openai = History(path, Account.of(OPENAI[0], OPENAI[1]))
    jobs = openai.read_jobs()
    assert openai.problem is None and _version(path) == SCHEMA_VERSION
    assert [job.id for job in jobs] == [MRPESKI_JOB] and jobs[0].status == "succeeded"
    newest_first = json.loads((SAMPLES / "events_llme_mrpeski_gpt41nano_55steps_tail10_moderation.json").read_text())
    assert openai.read_page(MRPESKI_JOB, after=None, limit=100) == (newest_first, False)
    tracker, seeded = openai.seeded_tracker(MRPESKI_JOB)
    assert seeded and tracker.complete_from_history == len(newest_first)

    azure = History(path, Account.of(AZURE[0]))
    qtran_pages = json.loads((SAMPLES / "events_qtran_postgres_gpt4omini_end_page.json").read_text())["data"]
    assert azure.read_page(QTRAN_JOB, after=None, limit=5) == (qtran_pages[:5], True)
    assert azure.read_page(QTRAN_JOB, after=qtran_pages[4]["id"], limit=5) == (qtran_pages[5:], False)
    checkpoints = json.loads((SAMPLES / "checkpoints_qtran_postgres_gpt4omini.json").read_text())["data"]
    assert [c.id for c in azure.read_checkpoints(QTRAN_JOB)] == [c["id"] for c in checkpoints]
    csv = (SAMPLES / "metrics_project3_24steps_valid_every_step.csv").read_text()
    assert azure.read_result_file(RESULT_FILE) == csv
    assert History(path, Account.of(OPENAI[0])).read_jobs() == []          # the organization is part of the key


def test_the_migrated_file_is_smaller_for_the_same_history(tmp_path):
    """v2's point: the account's strings are stored once, not on every event row and in both its indexes. The
    fixture is too small to show it (a table is a page at least), so a v1 file with one long job is made here
    (the fixture and 5,000 more events of the mrpeski job, in v1's own format)."""
    path = build(tmp_path / "history.sqlite3")
    template = json.loads((SAMPLES / "events_llme_mrpeski_gpt41nano_55steps_tail10_moderation.json").read_text())[1]
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("BEGIN")
        for n in range(5000):
            event = {**template, "id": f"ftevent-{n:024d}", "message": f"Step {n + 1}/5000: training loss=1.00"}
            conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (*OPENAI, MRPESKI_JOB, event["id"], float(100 + n), json.dumps(event)))
        conn.execute("COMMIT")
    before = _compacted_size(path)
    history = History(path, Account.of(OPENAI[0], OPENAI[1]))
    assert len(history.read_page(MRPESKI_JOB, after=None, limit=10_000)[0]) == 5010
    after = _compacted_size(path)
    assert _version(path) == 2 and after < 0.85 * before


def _compacted_size(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")
    return path.stat().st_size


def test_a_history_from_a_newer_ftwatch_is_left_alone(tmp_path):
    path = _copy(tmp_path)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 99")
        conn.commit()
    before = path.read_bytes()
    said: list[str] = []
    history = History(path, Account.of(OPENAI[0], OPENAI[1]), on_problem=said.append)
    assert history.read_jobs() == [] and history.read_jobs() == []
    assert len(said) == 1 and "newer ftwatch" in said[0] and "v99" in said[0]
    history.record_jobs([])
    assert history.close() and path.read_bytes() == before


def test_another_programs_database_is_not_written_into(tmp_path):
    path = tmp_path / "history.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
        conn.commit()
    before = path.read_bytes()
    said: list[str] = []
    history = History(path, Account.of(None), on_problem=said.append)
    assert history.seeded_tracker("ftjob-x")[1] is False
    assert said == [f"cannot use {path}: it is another program's SQLite database, not an ftwatch history"]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT body FROM notes").fetchall() == [("mine",)]
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 1
    assert path.read_bytes() == before                    # not even its journal mode was changed


def test_a_history_another_connection_creates_meanwhile_is_never_taken_for_another_programs(tmp_path):
    """The check reads version, application id and tables in one statement: read one by one, a file another
    process (or the writer thread) created between two of the reads looked like another program's database,
    and the history switched itself off (two processes starting on a new file, about one run in five)."""
    import sqlite3 as _sqlite3

    from ftwatch.history.schema import check_usable, ensure_schema

    path = tmp_path / "h.sqlite3"
    first = _sqlite3.connect(path, isolation_level=None)
    second = _sqlite3.connect(path, isolation_level=None)
    calls = []

    def creator(statement: str) -> None:      # the other connection commits a whole new history mid-check
        if not calls and "sqlite_master" in statement:
            calls.append(statement)
            ensure_schema(first)

    second.set_trace_callback(creator)
    check_usable(second)                      # raised "another program's SQLite database" before
    second.set_trace_callback(None)
    assert ensure_schema(second) == 2         # and it finds the history made, at the current version
