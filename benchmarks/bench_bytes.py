"""Row 4: bytes written to the terminal while following a running job at 1 step/s, 120x40, default theme.

The real app (`ftwatch --base-url URL`, OPENAI_API_KEY=sk-bench) runs under a pty against `ftwatch sim`
replaying a job that logs exactly one step per second (see scenarios.py and follow_session.py); after a
warm-up the bytes it writes are counted over 60 s (quick: 15 s). The baseline is the naive dashboard under
the same pty. Then the same app showing only a queued job, and only a long-finished job: nothing changes
there, so the budget is 0 B/s (an age clock that ticks would show up here). `bytes_running_no_cache` compares
the running follow with the same follow under `--no-cache` (issue 15: the history must not cost the budget).
"""

from __future__ import annotations

from benchmarks.follow_session import sessions
from benchmarks.report import Row

BUDGET = 1000.0          # bytes per second ("1 KB/s")


def _top_rows(session: dict, count: int = 6) -> dict[int, int]:
    rows = sorted(session["bytes_by_row"].items(), key=lambda item: -item[1])[:count]
    return {row: n for row, n in rows}


def run(quick: bool = False) -> list[Row]:
    s = sessions(quick)
    running, naive = s["running"], s["naive"]
    rows = [Row(
        key="bytes_running", what="terminal bytes, following a job at 1 step/s (120x40)",
        figure=running["bytes_per_s"], unit="B/s", baseline=naive["bytes_per_s"],
        baseline_what="naive 1 Hz dashboard (Log + Sparkline + ProgressBar)", budget="<= 1 KB/s", limit=BUDGET,
        compare="figure",
        details={"window_s": running["seconds"], "per_second_bytes": running["per_second_bytes"],
                 "busiest_rows_bytes": _top_rows(running), "bytes_by_row": running["bytes_by_row"],
                 "writes": running["writes"], "total_steps": running.get("total_steps"),
                 "naive_bytes_by_row": naive["bytes_by_row"]},
    )]
    if "running_no_cache" in s:
        rows.append(Row(key="bytes_running_no_cache", what="terminal bytes, the same follow with the local history",
                        figure=running["bytes_per_s"], unit="B/s", baseline=s["running_no_cache"]["bytes_per_s"],
                        baseline_what="--no-cache", budget="info", limit=0, kind="info", compare="figure"))
    for name in ("queued", "finished"):
        if name not in s:
            continue
        idle = s[name]
        rows.append(Row(
            key=f"bytes_idle_{name}", what=f"terminal bytes, nothing changes ({name} job only)",
            figure=idle["bytes_per_s"], unit="B/s", baseline=naive["bytes_per_s"],
            baseline_what="naive 1 Hz dashboard", budget="0 B/s", limit=0.0, compare="figure",
            details={"window_s": idle["seconds"], "per_second_bytes": idle["per_second_bytes"],
                     "busiest_rows_bytes": _top_rows(idle), "writes": idle["writes"], "cpu_pct": idle["cpu_pct"]},
        ))
    return rows
