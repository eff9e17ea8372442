"""A watched job's checkpoints reach its snapshots, read only when they can have changed, through faults.

Counted against the simulator over loopback: the checkpoints list is read on the first poll of a job that has
trained, after a poll that brought "Checkpoint created at step" / "New fine-tuned model created", and at the
end of a finished job unless the list already holds its final model; never on a steady-state poll. A fault
on that read costs neither an event nor the watch.
"""

from __future__ import annotations

from typing import Any

from ftwatch.domain.snapshot import LinkState
from ftwatch.errors import NotFoundError
from ftwatch.source.checkpoints_fetch import CHECKPOINT_MESSAGES
from ftwatch.source.poll import PollIntervals, watch_job

from .conftest import follow_raw, quick_job

INTERVALS = PollIntervals(active=2.0, idle=10.0, jobs=10.0)


def checkpoint_requests(server: Any, job_id: str) -> list[tuple]:
    return [r for r in server.requests if r[1].endswith(f"/fine_tuning/jobs/{job_id}/checkpoints")]


def world_checkpoints(world: Any, job_id: str) -> list[tuple[int, str]]:
    """(step, model name) of what the simulated API lists now, oldest first."""
    return sorted((c["step_number"], c["fine_tuned_model_checkpoint"]) for c in world.checkpoints_json(job_id))


def listed(snapshot: Any) -> list[tuple[int, str]]:
    return [(c.step_number, c.fine_tuned_model_checkpoint) for c in snapshot.checkpoints]


def announces_checkpoint(events: Any) -> bool:
    return any(e.message.startswith(CHECKPOINT_MESSAGES) for e in events)


async def follow_counting(server: Any, job_id: str, watch: Any) -> list[tuple[Any, int]]:
    """Every (further) snapshot with the number of checkpoints requests made for it."""
    per_poll: list[tuple[Any, int]] = []
    seen = len(checkpoint_requests(server, job_id))
    async for snapshot in watch:
        made = len(checkpoint_requests(server, job_id))
        per_poll.append((snapshot, made - seen))
        seen = made
    return per_poll


async def test_a_finished_job_gets_its_checkpoints_in_one_request(world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=60, n_epochs=3)
    clock.advance(2_000)
    snapshots, _ = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS))
    [final] = snapshots
    assert listed(final) == world_checkpoints(world, job_id)
    assert [step for step, _ in listed(final)] == [20, 40, 60]
    assert listed(final)[-1][1] == final.job.fine_tuned_model
    assert ":ckpt-step-20" in listed(final)[0][1]
    assert len(checkpoint_requests(server, job_id)) == 1


async def test_a_job_followed_from_its_start_reads_them_once_when_they_are_announced(world, server, source, clock,
                                                                                 fast_sleep):
    """Not trained on the first poll: nothing to read. The checkpoints are announced together at the end of
    training (as the real API does), and that poll's read already holds the final model, so the last poll
    asks nothing more: one request for the whole job."""
    job_id = quick_job(world, total_steps=90, n_epochs=3)
    per_poll = await follow_counting(server, job_id, watch_job(source, job_id, clock=clock, sleep=fast_sleep,
                                                               intervals=INTERVALS))
    assert len(per_poll) > 40
    reading = [snapshot for snapshot, n in per_poll if n]
    assert len(reading) == 1 and announces_checkpoint(reading[0].new_events)
    assert all(n == 0 for snapshot, n in per_poll if not announces_checkpoint(snapshot.new_events))
    assert listed(per_poll[-1][0]) == world_checkpoints(world, job_id)
    assert [step for step, _ in listed(per_poll[-1][0])] == [30, 60, 90]


async def test_a_job_met_mid_training_shows_the_checkpoints_made_so_far(world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=120, n_epochs=3)
    clock.advance(70)          # past the first epoch (step 40), well before the end
    watch = watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS)
    first = await watch.__anext__()
    assert first.metrics.last_step is not None and 40 < first.metrics.last_step < 120
    assert [step for step, _ in listed(first)] == [40] == [step for step, _ in world_checkpoints(world, job_id)]
    assert len(checkpoint_requests(server, job_id)) == 1
    per_poll = await follow_counting(server, job_id, watch)
    steady = [n for snapshot, n in per_poll
              if snapshot.new_events and all(e.type == "metrics" for e in snapshot.new_events)]
    assert len(steady) > 20 and set(steady) == {0}
    assert [step for step, _ in listed(per_poll[-1][0])] == [40, 80, 120]
    assert len(checkpoint_requests(server, job_id)) == 2


async def test_a_transient_fault_on_the_checkpoints_is_retried_on_the_next_poll(world, server, source, clock,
                                                                               fast_sleep, no_jitter):
    job_id = quick_job(world, total_steps=120, n_epochs=3)
    clock.advance(70)
    server.faults.script(["503", "429;retry-after=30"], only="/checkpoints")
    watch = watch_job(source, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS, backoff=no_jitter)
    snapshots, raws = await follow_raw(watch)
    assert raws == list(reversed(world.events_json(job_id))), "every event once, in order"
    assert [s.connection.state for s in snapshots] == [LinkState.OK] * len(snapshots)
    assert listed(snapshots[0]) == [] and listed(snapshots[1]) == [] and [s for s, _ in listed(snapshots[2])] == [40]
    assert [step for step, _ in listed(snapshots[-1])] == [40, 80, 120]
    assert fast_sleep.slept[:2] == [2.0, 2.0], "no back-off: the next poll comes at its usual time"
    assert watch.last_error is None


async def test_the_final_read_of_a_finished_job_retries_a_few_times(world, server, source, clock, fast_sleep,
                                                                    no_jitter):
    job_id = quick_job(world, total_steps=60, n_epochs=3)
    clock.advance(2_000)
    server.faults.script(["500", "502"], only="/checkpoints")
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, backoff=no_jitter))
    assert len(raws) == len(world.events_json(job_id))
    assert [step for step, _ in listed(snapshots[-1])] == [20, 40, 60]
    assert len(checkpoint_requests(server, job_id)) == 3


async def test_checkpoints_that_never_come_do_not_end_the_watch(world, server, source, clock, fast_sleep, no_jitter):
    job_id = quick_job(world, total_steps=60, n_epochs=3)
    clock.advance(2_000)
    server.faults.configure("503:1.0,only=/checkpoints")
    snapshots, raws = await follow_raw(watch_job(source, job_id, clock=clock, sleep=fast_sleep, backoff=no_jitter))
    assert len(raws) == len(world.events_json(job_id))
    [final] = snapshots
    assert final.connection.state is LinkState.OK and final.job.status == "succeeded" and final.checkpoints == ()
    assert len(checkpoint_requests(server, job_id)) == 3


class GoneCheckpoints:
    """The simulator's API, except that the checkpoints list answers 404, as for an old job."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.asked = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def list_checkpoints(self, job_id: str) -> list:
        self.asked += 1
        raise NotFoundError(f"checkpoints {job_id}: not found (404)")


async def test_a_404_on_the_checkpoints_is_ignored(world, server, source, clock, fast_sleep):
    job_id = quick_job(world, total_steps=120, n_epochs=3)
    clock.advance(70)
    gone = GoneCheckpoints(source)
    watch = watch_job(gone, job_id, clock=clock, sleep=fast_sleep, intervals=INTERVALS)
    snapshots, raws = await follow_raw(watch)
    assert raws == list(reversed(world.events_json(job_id)))
    assert all(s.connection.state is LinkState.OK for s in snapshots) and watch.last_error is None
    assert snapshots[-1].job.status == "succeeded" and snapshots[-1].checkpoints == ()
    assert gone.asked == 3, "first poll, the poll announcing them, the end: not once per poll"
