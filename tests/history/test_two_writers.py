"""Several ftwatch processes on one history never corrupt it or lose events: two processes follow the same job
(one knows more of it than the other) and one job each, at once, in chunks of their own sizes; afterwards
every event of both is stored exactly once, in the API's order, and the file is intact."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from ftwatch.history.history import History

from .two_writers_worker import ACCOUNT, SHARED, events

TESTS = Path(__file__).resolve().parents[1]


def test_two_writer_processes_at_once_store_every_event_once(path, tmp_path):
    path.parent.mkdir(parents=True, exist_ok=True)
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    workers = [subprocess.Popen([sys.executable, "-m", "history.two_writers_worker", str(path), name, str(known),
                                 str(seed), str(go)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
               for name, known, seed in (("a", 3000, 1), ("b", 2200, 2))]
    time.sleep(1.0)                      # both imported and waiting
    go.write_text("go")
    results = [worker.communicate(timeout=120) for worker in workers]
    for worker, (out, err) in zip(workers, results):
        assert worker.returncode == 0, out + err        # a history problem is printed on stdout
        assert out.startswith("ok ") and int(out.split()[1]) > 20, out      # many transactions each

    history = History(path, ACCOUNT)
    stored = [d["id"] for d in reversed(history.read_page(SHARED, after=None, limit=100_000)[0])]
    assert stored == [e["id"] for e in events(SHARED, 3000)]            # each once, in order
    for name in ("a", "b"):
        only = history.read_page(f"ftjob-only-{name}", after=None, limit=100_000)[0]
        assert [d["id"] for d in reversed(only)] == [e["id"] for e in events(f"ftjob-only-{name}", 400)]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone() == (3800, 3800)
