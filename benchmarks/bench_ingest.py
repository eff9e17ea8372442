"""Row 3: ingest of 1,000,000 events through parse, timeline, series and log; events/s and peak RSS.

Measured in a fresh subprocess (`python -m benchmarks.bench_ingest --worker N`) so that the peak RSS is this
workload's alone. The peak is the kernel's high-water mark of the process's memory (`VmHWM` in
/proc/self/status), not `getrusage().ru_maxrss`: on Linux ru_maxrss survives fork+exec, so a child started by
a big parent reports the parent's peak (measured here: a 300 MB parent makes a 9 MB child report 311 MB). The worker feeds one job the way the
source layer does while following it: per poll, a page of new events (newest first), wrapped as the
source wraps the API's JSON (`ApiEvents`: parsed field by field where the timeline reads it, into `JobEvent`
objects only where one is looked at), goes through `JobTracker.merge` -> `JobTracker.snapshot`, then the real
`EventLog` widget (mounted in a headless Textual app) appends what it keeps with `show_events`, which formats
the log lines. The event dicts
are generated page by page outside the timed section and dropped after use, as the HTTP layer would.

The baseline is a bare loop over the same dicts that only reads the fields a monitor needs into a tuple: what
"just parsing JSON-ish dicts" costs in CPython here. Throughput is events per CPU second of the worker (the
machine is shared; wall time is in the details).
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time

from benchmarks.report import Row

PAGE = 100


def bare_loop(pages) -> tuple[float, float, int]:
    last = None
    count = 0
    cpu = wall = 0.0
    for page in pages:
        began, began_cpu = time.perf_counter(), time.process_time()
        for d in page:
            data = d.get("data") or {}
            last = (d["id"], d["created_at"], d["type"], d["level"], d["message"],
                    data.get("step"), data.get("train_loss"))
        wall += time.perf_counter() - began
        cpu += time.process_time() - began_cpu
        count += len(page)
    assert last is not None or count == 0
    return wall, cpu, count


async def ftwatch_ingest(pages) -> dict:
    from textual.app import App, ComposeResult

    from ftwatch.domain.models import Job
    from ftwatch.domain.events.api_events import ApiEvents
    from ftwatch.domain.snapshot import Connection
    from ftwatch.domain.tracker import JobTracker
    from ftwatch.ui.widgets.event_log import EventLog

    class LogApp(App):
        CSS = "EventLog { width: 1fr; height: 1fr; }"

        def compose(self) -> ComposeResult:
            yield EventLog(id="log")

    job = Job(id="ftjob-bench", created_at=1_764_000_000, status="running", model="gpt-4.1-nano-2025-04-14")
    tracker = JobTracker(job)
    app = LogApp()
    count = 0
    cpu = wall = 0.0
    rss_before = peak_rss_mb()
    async with app.run_test(size=(60, 30)) as pilot:
        log = app.query_one(EventLog)
        await pilot.pause()
        newest = None
        snapshot = None
        for n, page in enumerate(pages):
            began, began_cpu = time.perf_counter(), time.process_time()
            tracker.merge(ApiEvents(page), newer_than=newest)
            newest = page[0]["id"]
            snapshot = tracker.snapshot(connection=Connection(), now=time.time())
            log.show_events(job.id, snapshot.events, snapshot.metrics.total_steps)
            wall += time.perf_counter() - began
            cpu += time.process_time() - began_cpu
            count += len(page)
            if n % 200 == 0:
                await pilot.pause()          # let the log paint now and then, as polls would
        await pilot.pause()
        series = snapshot.metrics.get("train_loss") if snapshot is not None else None
        return {"wall_s": wall, "cpu_s": cpu, "events": count, "timeline": len(snapshot.events),
                "train_loss_points": len(series) if series is not None else 0, "log_lines": len(log.lines),
                "rss_before_mb": rss_before}


def peak_rss_mb() -> float:
    """The process's own peak resident set (VmHWM); ru_maxrss only where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(n: int, mode: str) -> dict:
    from benchmarks.events import pages

    if mode == "bare":
        wall, cpu, count = bare_loop(pages(n, PAGE))
        out = {"wall_s": wall, "cpu_s": cpu, "events": count}
    else:
        out = asyncio.run(ftwatch_ingest(pages(n, PAGE)))
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def _spawn(n: int, mode: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_ingest", "--worker", str(n), mode],
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"ingest worker ({mode}) failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> list[Row]:
    n = 100_000 if quick else 1_000_000
    bare = _spawn(n, "bare")
    ours = _spawn(n, "ftwatch")
    rate = ours["events"] / ours["cpu_s"]
    bare_rate = bare["events"] / bare["cpu_s"]
    label = f"{n // 1000:,}k" if n < 1_000_000 else f"{n // 1_000_000}M"
    details = {"events": n, "page": PAGE, "ftwatch": ours, "bare": bare,
               "wall_events_per_s": ours["events"] / ours["wall_s"]}
    return [
        Row(key="ingest_rate", what=f"ingest {label} events (parse, timeline, series, log)", figure=rate,
            unit="events/s", baseline=bare_rate, baseline_what="bare loop reading the dicts",
            budget=">= 100,000 events/s", limit=100_000, kind="min", compare="figure", details=details),
        Row(key="ingest_rss", what=f"peak RSS after ingesting {label} events", figure=ours["peak_rss_mb"], unit="MB",
            baseline=bare["peak_rss_mb"], baseline_what="bare loop process", budget="<= 250 MB", limit=250,
            compare="figure", details={"rss_after_imports_mb": ours["rss_before_mb"]}),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        print(json.dumps(worker(int(sys.argv[2]), sys.argv[3])))
    else:
        from benchmarks.report import table

        print(table(run(quick="--quick" in sys.argv)))
