"""Row 6: requests per poll for a running job in steady state (exactly 1) and for a backfill (<= ceil(N/limit)+1).

The simulator runs in-process (`SimServer` on 127.0.0.1, a `FakeClock` world) so its request log can be read;
the real source (`OpenAISource` over the real openai SDK) is followed by the real `poll.watch_job`, whose sleep
advances the fake clock instead of waiting. Every poll's request count is the growth of the server's log
between two snapshots.
- steady state: a 1 step/s job of 600 steps, polled every 2 s; the polls that brought only metrics events
  (mid-training) must each cost exactly one request; the figure is the largest such count.
- backfill: a finished 1,000-step job (N events) opened from scratch with page limit 100, and 7.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from benchmarks.report import Row

API_KEY = "sk-bench-requests"
FAST = dict(validate=6.0, queue=2.0, warmup=4.0, full_validation=2.0, build_model=5.0, safety_eval=30.0,
            complete=2.0)


def _source(server: Any):
    import openai

    from ftwatch.source.openai_source import OpenAISource

    client = openai.AsyncOpenAI(base_url=server.base_url, api_key=API_KEY, max_retries=0, timeout=10.0)
    return OpenAISource(client, description="sim", secrets=[API_KEY])


async def _with_sim(body):
    from ftwatch.sim.server import SimServer
    from ftwatch.sim.world import FakeClock, World

    clock = FakeClock(start=1_764_000_000.0)
    world = World(seed=7, clock=clock)

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    async with SimServer(world, api_key=API_KEY) as server:
        source = _source(server)
        try:
            return await body(world, server, source, clock, sleep)
        finally:
            await source.aclose()


def _job(world, total_steps: int) -> str:
    from ftwatch.sim.simulated import Timing

    return world.create_job(total_steps=total_steps, timing=Timing(step=1.0, **FAST))


async def steady_state(steps: int) -> dict:
    from ftwatch.source.poll import PollIntervals, watch_job

    async def body(world, server, source, clock, sleep):
        job_id = _job(world, steps)
        counts, kinds = [], []
        seen = 0
        watch = watch_job(source, job_id, clock=clock, sleep=sleep, intervals=PollIntervals(active=2.0, idle=10.0))
        async for snapshot in watch:
            counts.append(server.request_count - seen)
            seen = server.request_count
            events = snapshot.new_events
            kinds.append("metrics" if events and all(e.type == "metrics" for e in events)
                         else "quiet" if not events else "change")
        steady = [n for n, kind in zip(counts[1:], kinds[1:]) if kind == "metrics"]
        return {"polls": len(counts), "steady_polls": len(steady), "steady_max": max(steady, default=0),
                "steady_mean": sum(steady) / len(steady) if steady else 0.0,
                "steady_not_one": sum(1 for n in steady if n != 1),
                "change_polls": [n for n, kind in zip(counts, kinds) if kind == "change"],
                "quiet_polls": sum(1 for kind in kinds if kind == "quiet"),
                "total_requests": server.request_count}

    return await _with_sim(body)


async def backfill(steps: int, limit: int) -> dict:
    from ftwatch.source.poll import watch_job

    async def body(world, server, source, clock, sleep):
        job_id = _job(world, steps)
        clock.advance(steps * 3 + 10_000)            # long finished
        n_events = len(world.events_json(job_id))
        before = server.request_count
        snapshots = []
        async for snapshot in watch_job(source, job_id, clock=clock, sleep=sleep, page_limit=limit,
                                        backfill_limit=limit):
            snapshots.append(snapshot)
        paths = [path for _, path, _ in server.requests]
        event_requests = sum(1 for p in paths if p.endswith(f"/jobs/{job_id}/events"))
        got = len(snapshots[-1].events) if snapshots else 0
        return {"events": n_events, "received": got, "limit": limit, "event_requests": event_requests,
                "all_requests": server.request_count - before, "bound": math.ceil(n_events / limit) + 1,
                "snapshots": len(snapshots)}

    return await _with_sim(body)


def run(quick: bool = False) -> list[Row]:
    steady = asyncio.run(steady_state(200 if quick else 600))
    rows = [Row(key="requests_steady", what="requests per poll, running job (steady state)",
                figure=float(steady["steady_max"]), unit="req", budget="exactly 1", limit=1.0, kind="exact",
                compare="figure", details=steady)]
    for limit in (100, 7):
        result = asyncio.run(backfill(300 if quick else 1000, limit))
        if result["received"] != result["events"]:
            raise RuntimeError(f"backfill lost events: {result}")
        rows.append(Row(
            key=f"requests_backfill_{limit}", what=f"backfill of {result['events']} events, page limit {limit}",
            figure=float(result["event_requests"]), unit="req", budget=f"<= ceil(N/{limit})+1 = {result['bound']}",
            limit=float(result["bound"]), compare="figure", details=result))
    return rows
