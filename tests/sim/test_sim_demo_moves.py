"""The demo is alive: each waiting job (validating, queued, evaluating) moves on within two minutes, and new
jobs keep arriving."""

from __future__ import annotations

import pytest

from ftwatch.sim.world import FakeClock, World


@pytest.mark.parametrize("seed", [0, 1, 7, 42, 1234, 99991])
def test_every_waiting_demo_job_changes_phase_within_two_minutes(seed):
    clock = FakeClock(1_764_000_000.0)
    world = World(clock=clock, seed=seed)
    ids = world.populate_demo()

    def phase(job_id: str) -> str:
        job = world.job_json(job_id)
        return job["status"] + (" (evaluating)" if job["status"] == "running" and job.get("finished_at") else "")

    start = {job_id: phase(job_id) for job_id in ids}
    assert {"validating_files", "queued", "running (evaluating)"} <= set(start.values())
    waiting = [job_id for job_id in ids if start[job_id] in ("validating_files", "queued", "running (evaluating)")]
    moved = set()
    for _ in range(24):
        clock.advance(5)
        moved |= {job_id for job_id in waiting if phase(job_id) != start[job_id]}
    assert moved == set(waiting)


def test_new_demo_jobs_keep_arriving():
    clock = FakeClock(1_764_000_000.0)
    world = World(clock=clock)
    first = world.populate_demo()
    assert [j["id"] for j in world.jobs_json()] == first
    seen = [len(world.jobs_json())]
    for _ in range(3):
        clock.advance(250)
        seen.append(len(world.jobs_json()))
    assert seen == [len(first), len(first) + 1, len(first) + 2, len(first) + 3]
    newest = world.jobs_json()[0]
    assert newest["status"] in ("validating_files", "queued", "running", "succeeded")
