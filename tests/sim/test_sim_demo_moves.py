"""The demo is alive: each waiting job (validating, queued, evaluating) moves on within five minutes."""

from __future__ import annotations

import pytest

from ftwatch.sim.world import FakeClock, World


@pytest.mark.parametrize("seed", [0, 1, 7, 42, 1234, 99991])
def test_every_waiting_demo_job_changes_phase_within_five_minutes(seed):
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
    for _ in range(60):
        clock.advance(5)
        moved |= {job_id for job_id in waiting if phase(job_id) != start[job_id]}
    assert moved == set(waiting)
