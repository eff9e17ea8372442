"""Row 5: CPU of the app process while following one job at 1 step/s, over 60 s (quick: 15 s).

utime + stime from /proc/<pid>/stat over the same window as row 4 (the runs are shared, see
follow_session.py); the simulator is a separate process and is not counted. Baseline: the naive dashboard's
CPU over its window. Percent of one core. The same follow with `--no-cache` (issue 15) is the baseline of the
`cpu_running_no_cache` row: what the local history's writes cost, as a ratio.
"""

from __future__ import annotations

from benchmarks.follow_session import sessions
from benchmarks.report import Row


def run(quick: bool = False) -> list[Row]:
    s = sessions(quick)
    running, naive = s["running"], s["naive"]
    rows = [Row(
        key="cpu_running", what="CPU, following a job at 1 step/s", figure=running["cpu_pct"], unit="%",
        baseline=naive["cpu_pct"], baseline_what="naive 1 Hz dashboard", budget="<= 1.5% of a core", limit=1.5,
        compare="figure", details={"window_s": running["seconds"], "cpu_s": running["cpu_s"],
                                   "rss_mb": running["rss_mb"], "naive_cpu_s": naive["cpu_s"]},
    )]
    if "running_no_cache" in s:
        rows.append(Row(key="cpu_running_no_cache", what="CPU, the same follow with the local history",
                        figure=running["cpu_pct"], unit="%", baseline=s["running_no_cache"]["cpu_pct"],
                        baseline_what="--no-cache", budget="info", limit=0, kind="info", compare="figure"))
    if "queued" in s:
        rows.append(Row(key="cpu_idle_queued", what="CPU, nothing changes (queued job only)",
                        figure=s["queued"]["cpu_pct"], unit="%", baseline=naive["cpu_pct"],
                        baseline_what="naive 1 Hz dashboard", budget="info", limit=0, kind="info",
                        compare="figure"))
    return rows
