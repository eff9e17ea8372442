"""Rows 4 and 5 share their runs: a program under a 120x40 pty, warmed up, then watched for a window.

`measure()` returns bytes/s and CPU % of one core over the window, plus where the bytes went (per screen row,
from the cursor moves in the output) so a budget miss points at the widget that repaints. `sessions(quick)`
runs, once per process, every session rows 4 and 5 need and caches them:
- "running": `ftwatch --base-url URL` following the replayed 1 step/s job (`scenarios.running_job`);
- "naive": the naive dashboard (the baseline for both rows);
- "queued" / "finished": ftwatch showing only a queued / a long-finished job (the 0 B/s window);
- "running_no_cache": the "running" session again with `--no-cache` (issue 15: the local history must not
  cost the byte and CPU budgets; rows 4 and 5 report the ratio).
Every ftwatch session keeps its local history in a fresh temporary FTWATCH_DATA_DIR, never the user's.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections import Counter
from typing import Any

from benchmarks import scenarios
from benchmarks.bench_first_frame import ftwatch_argv
from benchmarks.pty_harness import spawn

HERE = os.path.dirname(os.path.abspath(__file__))
_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")
_cache: dict[bool, dict[str, dict[str, Any]]] = {}


def bytes_by_row(stream: bytes) -> dict[int, int]:
    """Bytes written after each absolute cursor move, attributed to that move's row (1-based)."""
    rows: Counter[int] = Counter()
    moves = list(_MOVE.finditer(stream))
    if moves and moves[0].start() > 0:
        rows[0] += moves[0].start()                # before the first move: unattributed
    for i, move in enumerate(moves):
        end = moves[i + 1].start() if i + 1 < len(moves) else len(stream)
        rows[int(move.group(1))] += end - move.start()
    if not moves:
        rows[0] += len(stream)
    return dict(sorted(rows.items()))


def measure(argv: list[str], *, warmup: float, window: float, env: dict[str, str] | None = None,
            ready: bytes | None = None) -> dict[str, Any]:
    with spawn(argv, env=env, record=True) as run:
        if ready is not None and run.pump(30.0, until=ready) is None:
            raise RuntimeError(f"{' '.join(argv[:3])}: {ready!r} never appeared; last output "
                               f"{bytes(run.text[-300:])!r}")
        run.pump(max(0.0, warmup - (time.monotonic() - run.started)))
        if run.proc.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited during warm-up ({run.proc.returncode})")
        t0, cpu0 = time.monotonic(), run.cpu_seconds()
        run.pump(window)
        t1, cpu1 = time.monotonic(), run.cpu_seconds()
        rss = run.rss_mb()
        if run.proc.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited during the window ({run.proc.returncode})")
        stream = run.bytes_in(t0, t1)
        seconds = t1 - t0
        per_second = [run.bytes_between(t0 + i, t0 + i + 1) for i in range(int(seconds))]
        return {
            "seconds": seconds, "bytes": len(stream), "bytes_per_s": len(stream) / seconds,
            "cpu_s": cpu1 - cpu0, "cpu_pct": 100.0 * (cpu1 - cpu0) / seconds,
            "per_second_bytes": per_second, "bytes_by_row": bytes_by_row(stream), "rss_mb": rss,
            "writes": sum(1 for t, _ in run.chunks if t0 <= t < t1),
        }


def _history_env(data_dir: str) -> dict[str, str]:
    """The history's directory under both names ftwatch reads (paths.ENV_DIR and the settings' cache dir)."""
    return {"FTWATCH_DATA_DIR": data_dir, "FTWATCH_CACHE_DIR": data_dir}


def _ftwatch_on(scenario: dict[str, Any], name: str, *, replay: bool, warmup: float, window: float,
                ready: bytes, flags: tuple[str, ...] = ()) -> dict[str, Any]:
    path = scenarios.write(scenario, name)
    try:
        with scenarios.SimProcess(path, replay=replay) as sim, \
                tempfile.TemporaryDirectory(prefix="ftwatch-bench-data-") as data_dir:
            result = measure(ftwatch_argv("--base-url", sim.base_url, *flags), warmup=warmup, window=window,
                             env={"OPENAI_API_KEY": "sk-bench", **_history_env(data_dir)}, ready=ready)
    finally:
        os.remove(path)
        try:
            os.rmdir(os.path.dirname(path))
        except OSError:              # another scenario of this run is still there
            pass
    result["base_url"] = sim.base_url
    return result


def sessions(quick: bool) -> dict[str, dict[str, Any]]:
    if quick in _cache:
        return _cache[quick]
    warmup = 6.0 if quick else 10.0
    window = 15.0 if quick else 60.0
    idle_window = 10.0 if quick else 30.0
    total = 1000
    out: dict[str, dict[str, Any]] = {}
    out["running"] = _ftwatch_on(scenarios.running_job(total), "running.json", replay=True, warmup=warmup,
                                 window=window, ready=scenarios.JOB_ID.encode())
    out["running"]["total_steps"] = total
    out["running_no_cache"] = _ftwatch_on(scenarios.running_job(total), "running-no-cache.json", replay=True,
                                          warmup=warmup, window=window, ready=scenarios.JOB_ID.encode(),
                                          flags=("--no-cache",))
    out["naive"] = measure([sys.executable, os.path.join(HERE, "naive_dashboard.py")], warmup=warmup, window=window)
    out["queued"] = _ftwatch_on(scenarios.queued_job(), "queued.json", replay=False, warmup=warmup,
                                window=idle_window, ready=b"queued")
    if not quick:
        out["finished"] = _ftwatch_on(scenarios.finished_job(), "finished.json", replay=False, warmup=warmup,
                                      window=idle_window, ready=b"succeeded")
    _cache[quick] = out
    return out
