"""A history that cannot be used never stops ftwatch: a garbage file, a file locked by another program, a
directory that cannot be written. Each is said once (stderr for the commands, the status line and a toast in
the TUI), the run goes on exactly as with --no-cache, and the file is not damaged further."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ftwatch.cli import main
from ftwatch.config import Secret, Settings
from ftwatch.history import connect, writer
from ftwatch.launch import make_app
from simkit import ThreadedSim

from .conftest import FAST, wait_for
from .test_instant_relaunch import screen_text


@pytest.fixture
def sim():
    made = ThreadedSim(speed=1000.0, seed=3)
    yield made
    made.close()


@pytest.fixture
def finished(sim) -> str:
    return sim.run(lambda: sim.world.create_job(total_steps=120, timing=FAST, start_delay=-10_000))


def follow_json(sim, job_id: str, capsys, *extra: str) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPENAI_API_KEY", "sk-test")
        status = main(["follow", job_id, "--json", "--base-url", sim.server.base_url, *extra])
    done = capsys.readouterr()
    return status, done.out, done.err


def cache_off_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if "cache off" in line]


def test_a_garbage_file_is_said_once_and_left_as_it_is(sim, finished, path, capsys):
    path.parent.mkdir(parents=True, exist_ok=True)
    garbage = os.urandom(3000)
    path.write_bytes(garbage)
    status, out, err = follow_json(sim, finished, capsys)
    _, plain, _ = follow_json(sim, finished, capsys, "--no-cache")
    assert status == 0 and out == plain and out.count("\n") > 120
    lines = cache_off_lines(err)
    assert len(lines) == 1 and "damaged or not an ftwatch history" in lines[0] and "cache clear" in lines[0]
    assert "Traceback" not in err
    assert path.read_bytes() == garbage


def test_a_history_locked_by_another_program_is_bypassed_without_losing_the_run(sim, finished, path, capsys,
                                                                                monkeypatch):
    assert follow_json(sim, finished, capsys)[0] == 0           # a history exists, in WAL mode
    monkeypatch.setattr(connect, "BUSY_TIMEOUT_S", 0.2)
    monkeypatch.setattr(writer, "LOCK_RETRIES", 1)
    monkeypatch.setattr(writer, "RETRY_PAUSE_S", 0.05)
    other = sim.run(lambda: sim.world.create_job(total_steps=80, timing=FAST, start_delay=-10_000))
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")                        # another program holds the write lock
        status, out, err = follow_json(sim, other, capsys)
        holder.execute("ROLLBACK")
    _, plain, _ = follow_json(sim, other, capsys, "--no-cache")
    assert status == 0 and out == plain
    lines = cache_off_lines(err)
    assert len(lines) == 1 and "locked by another program" in lines[0]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM jobs WHERE job_id = ?", (finished,)).fetchone() == (1,)


def test_a_cache_directory_that_cannot_be_made_is_said_once(sim, finished, tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("FTWATCH_CACHE_DIR", str(blocker / "ftwatch"))
    status, out, err = follow_json(sim, finished, capsys)
    assert status == 0 and out.count("\n") > 120
    lines = cache_off_lines(err)
    assert len(lines) == 1 and f"cannot create {blocker / 'ftwatch'}" in lines[0]


@contextlib.contextmanager
def read_only(directory: Path):
    """`directory` made read-only: by its mode for an ordinary user, by a read-only bind mount for root (root
    writes through any mode); skipped where neither can be done."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            yield
        finally:
            directory.chmod(0o755)
        return
    if shutil.which("mount") is None:
        pytest.skip("no mount(8) to make a read-only directory as root")
    done = subprocess.run(["mount", "--bind", "-o", "ro", str(directory), str(directory)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot make a read-only bind mount here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(directory)], capture_output=True)


def test_a_read_only_directory_is_said_once_and_the_run_goes_on(sim, finished, capsys):
    where = Path(tempfile.mkdtemp(prefix="ftwatch-ro-"))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("FTWATCH_CACHE_DIR", str(where))
            assert follow_json(sim, finished, capsys)[0] == 0     # a history exists there
            with read_only(where):
                status, out, err = follow_json(sim, finished, capsys)
                _, plain, _ = follow_json(sim, finished, capsys, "--no-cache")
        assert status == 0 and out == plain
        lines = cache_off_lines(err)
        assert len(lines) == 1 and "cannot write" in lines[0] and "read-only" in lines[0]
    finally:
        shutil.rmtree(where, ignore_errors=True)


async def test_the_monitor_says_cache_off_in_its_status_line_and_shows_the_api(world, clock, server, path):
    world.create_job(total_steps=50, timing=FAST, start_delay=-10_000)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00garbage" * 100)
    app = make_app(Settings(base_url=server.base_url, api_key=Secret("sk-test"), poll_interval=0.05), demo=False,
                   clock=clock)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, lambda: "jobs list updated every" in screen_text(app), what="the API's jobs")
        await wait_for(pilot, lambda: "cache off" in screen_text(app), what="cache off in the status line")
        toasts = [n.message for n in app._notifications]
        assert len([t for t in toasts if "local history" in t]) == 1
    assert path.read_bytes() == b"\x00garbage" * 100


def test_the_commands_never_trace_back_on_a_broken_history(tmp_path):
    """The real executable, its stderr whole: one line, no traceback (a subprocess, so nothing of pytest's
    capture can hide what a user would see)."""
    (tmp_path / "history.sqlite3").write_bytes(b"SQLite format 3\x00" + os.urandom(200))
    env = {**os.environ, "FTWATCH_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "ftwatch", "cache", "info"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "damaged" in done.stderr
    cleared = subprocess.run([sys.executable, "-m", "ftwatch", "cache", "clear"], env=env, capture_output=True,
                             text=True, timeout=60)
    assert cleared.returncode == 0 and not (tmp_path / "history.sqlite3").exists()
