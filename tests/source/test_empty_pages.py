"""An events page that comes back empty where events must exist (a flaky proxy, a replica that lags) is a
fault, not the truth: a finished job always has events, and events never disappear. Found by the soak: a
job that had finished before its first successful poll, whose first events page came back empty, was
reported finished with no events at all."""

from __future__ import annotations

import pytest

from ftwatch.domain.models import Phase
from ftwatch.source.base import EventPage
from ftwatch.source.poll import PollIntervals, watch_job

from .conftest import follow_raw, quick_job

INTERVALS = PollIntervals(active=2.0, idle=10.0, jobs=10.0)


def oldest_first(world, job_id):
    return list(reversed(world.events_json(job_id)))


async def test_a_finished_job_whose_first_events_page_is_empty_still_shows_every_event(
        world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=30)
    clock.advance(3600)                                   # finished before ftwatch first looks
    server.faults.script(["empty"], only="/events")
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS))
    assert raws == oldest_first(world, job_id)
    assert snapshots[-1].phase is Phase.SUCCEEDED
    assert len(snapshots[-1].metrics.get("train_loss")) == 30


async def test_a_finished_job_whose_first_two_events_pages_are_empty_still_shows_every_event(
        world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=30)
    clock.advance(3600)
    server.faults.script(["empty", "empty", "empty"], only="/events")
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS))
    assert raws == oldest_first(world, job_id)
    assert any(s.connection.state == "retrying" for s in snapshots), "the empty answers show as a retry"


class EmptyAfterFinish:
    """The real source, except that the first `empties` events pages read after the job was seen finished
    come back empty: exactly the answer that used to end a watch without its last events."""

    def __init__(self, source, empties: int) -> None:
        self._source = source
        self._empties = empties
        self.finished_seen = False
        self.empty_served = 0

    async def get_job(self, job_id):
        job = await self._source.get_job(job_id)
        self.finished_seen = self.finished_seen or job.status == "succeeded"
        return job

    async def list_events(self, job_id, *, after=None, limit=100):
        if self.finished_seen and self.empty_served < self._empties:
            self.empty_served += 1
            return EventPage(events=(), has_more=False)
        return await self._source.list_events(job_id, after=after, limit=limit)

    def __getattr__(self, name):
        return getattr(self._source, name)


@pytest.mark.parametrize("empties", [1, 2, 4])
async def test_empty_pages_right_after_the_job_finished_do_not_cut_the_tail(
        world, server, source, clock, fast_sleep, empties):
    job_id = quick_job(world, total_steps=30)
    flaky = EmptyAfterFinish(source, empties)
    snapshots, raws = await follow_raw(watch_job(flaky, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS))
    assert flaky.empty_served == empties, "the test must really serve empty pages after the finish"
    assert raws == oldest_first(world, job_id)
    assert raws[-1]["message"] == "The job has successfully completed"
    assert snapshots[-1].phase is Phase.SUCCEEDED
