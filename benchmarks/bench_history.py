"""Issue 15's rows: what the local history (ftwatch.history) saves on a relaunch, and what writing it costs.

In-process, like bench_requests: a `SimServer` on 127.0.0.1 over a `FakeClock` world, the real SDK, the real
`poll.watch_job`, a History file in a fresh temporary directory. A finished job of N steps (10,000 in the full
run, as in the issue; 2,000 quick) is followed to its final snapshot:
- relaunch, requests: a second watch of the job with the history the first one wrote. Budget: at most 2
  (the job read and the newest events page), against the first launch's ceil(N/100)+2;
- relaunch, time: wall time of that second watch (seeding included: SQLite read, JSON, merge) against the
  same watch with no history (`--no-cache`: every page fetched again), alternated, median of 3 each;
- ingest: process CPU time (all threads: the writer's JSON and SQLite work counts) of the first watch with
  the history written through and flushed, against the same watch without a history, median of 3 each.
  The in-process simulator's own CPU (generating and serving the pages) is in both figures.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_requests import _job, _with_sim
from benchmarks.report import Row

REPEATS = 3


async def _follow(steps: int, history_dir: Path | None, *, warm: bool) -> dict:
    """Follow one finished job; with `warm`, first once more with the history so the timed watch relaunches."""
    from ftwatch.history.account import Account
    from ftwatch.history.history import History
    from ftwatch.source.poll import watch_job

    async def body(world, server, source, clock, sleep):
        job_id = _job(world, steps)
        clock.advance(steps * 3 + 10_000)

        def history():
            if history_dir is None:
                return None
            return History(history_dir / "history.sqlite3", Account.of(server.base_url))

        async def watch(h):
            events = 0
            first_at = None
            t0 = time.perf_counter()
            async for snapshot in watch_job(source, job_id, clock=clock, sleep=sleep, history=h):
                first_at = time.perf_counter() - t0 if first_at is None else first_at
                events += len(snapshot.new_events)
            if h is not None:
                h.flush(60)
                h.close()
            return events, time.perf_counter() - t0, first_at

        if warm:
            await watch(history())
        before = server.request_count
        cpu0 = time.process_time()
        events, wall, first_at = await watch(history())
        cpu = time.process_time() - cpu0
        return {"events": events, "requests": server.request_count - before, "wall_s": wall, "cpu_s": cpu,
                "first_snapshot_s": first_at, "expected_events": len(world.events_json(job_id))}

    return await _with_sim(body)


def _median_runs(steps: int, *, cached: bool, warm: bool) -> list[dict]:
    runs = []
    for _ in range(REPEATS):
        with tempfile.TemporaryDirectory(prefix="ftwatch-bench-history-") as tmp:
            result = asyncio.run(_follow(steps, Path(tmp) if cached else None, warm=warm))
            result["file_bytes"] = sum(p.stat().st_size for p in Path(tmp).iterdir()) if cached else 0
        if result["events"] != result["expected_events"]:
            raise RuntimeError(f"the watch lost events: {result}")
        runs.append(result)
    return runs


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def run(quick: bool = False) -> list[Row]:
    steps = 2_000 if quick else 10_000
    relaunch = _median_runs(steps, cached=True, warm=True)
    fresh = _median_runs(steps, cached=False, warm=False)
    written = _median_runs(steps, cached=True, warm=False)
    events = relaunch[0]["events"]
    details = {"steps": steps, "events": events, "relaunch": relaunch, "no_cache": fresh, "write_through": written}
    return [
        Row(key="history_relaunch_requests", what=f"relaunch on a finished {steps:,}-step job, cached",
            figure=max(r["requests"] for r in relaunch), unit="req", budget="<= 2", limit=2.0,
            compare="figure", baseline=float(fresh[0]["requests"]), baseline_what="--no-cache", details=details),
        Row(key="history_relaunch_time", what=f"relaunch to the final snapshot, {events:,} events",
            figure=_median(relaunch, "wall_s"), unit="s", budget="<= 1x --no-cache", limit=1.0,
            baseline=_median(fresh, "wall_s"), baseline_what="--no-cache (every page again)", details=details),
        Row(key="history_first_snapshot", what="relaunch to the first snapshot (the cached chart)",
            figure=_median(relaunch, "first_snapshot_s"), unit="s", budget="<= 1x --no-cache", limit=1.0,
            baseline=_median(fresh, "first_snapshot_s"), baseline_what="--no-cache first snapshot", details={}),
        Row(key="history_ingest_cpu", what=f"CPU of a first follow of {events:,} events, written through",
            figure=_median(written, "cpu_s"), unit="s", budget="<= 2x --no-cache", limit=2.0,
            baseline=_median(fresh, "cpu_s"), baseline_what="--no-cache", details={
                "file_bytes": _median(written, "file_bytes"), "events_per_cpu_s_written":
                events / _median(written, "cpu_s"), "events_per_cpu_s_no_cache": events / _median(fresh, "cpu_s")}),
    ]


if __name__ == "__main__":
    for row in run(quick=True):
        print(f"{row.key:28} {row.figure:10.4g} {row.unit:4} baseline {row.baseline!s:>10.8}  ratio "
              f"{row.ratio if row.ratio is None else round(row.ratio, 3)}  budget {row.budget}  "
              f"{'pass' if row.meets() else 'FAIL'}")
