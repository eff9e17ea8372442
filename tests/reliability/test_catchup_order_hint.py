"""The catch-up walk tells the timeline where its chunk goes (`newer_than` = the known event it stopped at),
so the log keeps the API's order even when a server's `created_at` is useless: all equal, or running
backwards. Without the hint the merge falls back to timestamps and would file backwards-dated new events
at the top of the history, where nobody looks."""

from __future__ import annotations

import asyncio

import pytest

from ftwatch.domain.models import Job
from ftwatch.domain.parse import parse_event
from ftwatch.source.base import EventPage
from ftwatch.source.poll import PollIntervals, watch_job

TOTAL = 60
PER_POLL = 7


class ReleasingSource:
    """An in-memory API: `TOTAL` events, `PER_POLL` more visible after each poll, newest first with `after`."""

    description = "memory"

    def __init__(self, stamps: list[int]) -> None:
        self.all = [{"object": "fine_tuning.job.event", "id": f"ftevent-{i:04d}", "created_at": stamps[i],
                     "level": "info", "message": f"Step {i + 1}/{TOTAL}: training loss={2 - i / TOTAL:.3f}",
                     "type": "metrics", "data": {"step": i + 1, "total_steps": TOTAL, "train_loss": 2 - i / TOTAL}}
                    for i in range(TOTAL)]               # oldest first
        self.visible = PER_POLL

    def release(self) -> None:
        self.visible = min(TOTAL, self.visible + PER_POLL)

    async def get_job(self, job_id: str) -> Job:
        status = "succeeded" if self.visible >= TOTAL else "running"
        return Job(id=job_id, created_at=1, status=status, model="m")

    async def list_events(self, job_id: str, *, after: str | None = None, limit: int = 100) -> EventPage:
        newest_first = list(reversed(self.all[: self.visible]))
        if after is not None:
            ids = [e["id"] for e in newest_first]
            newest_first = newest_first[ids.index(after) + 1:]
        page = newest_first[:limit]
        return EventPage(events=tuple(parse_event(e) for e in page), has_more=len(newest_first) > limit)

    async def list_checkpoints(self, job_id: str) -> list:
        return []                                        # a job of steps only: no checkpoint was kept

    async def aclose(self) -> None:
        return None


STAMPS = {
    "all_equal": [1_764_000_000] * TOTAL,
    "decreasing": [1_764_000_000 - i for i in range(TOTAL)],
    "zigzag": [1_764_000_000 + (i % 3) * 50 - i for i in range(TOTAL)],
}


@pytest.mark.parametrize("created_at", sorted(STAMPS))
async def test_catch_up_keeps_api_order_whatever_created_at_says(created_at):
    source = ReleasingSource(STAMPS[created_at])

    async def sleep(seconds: float) -> None:
        source.release()
        await asyncio.sleep(0)

    watch = watch_job(source, "ftjob-hostile", sleep=sleep, intervals=PollIntervals(active=1, idle=1),
                      page_limit=3, job_refresh_polls=1)
    handed_out: list[str] = []
    last = None
    async for snapshot in watch:
        handed_out.extend(event.id for event in snapshot.new_events)
        last = snapshot
    expected = [e["id"] for e in source.all]
    assert handed_out == expected                                   # each once, oldest first
    assert [event.id for event in last.events] == expected           # and the timeline agrees
    assert last.metrics.last_step == TOTAL
