"""The demo shows every health verdict within its first minute: a finished job that overfitted (validation loss
climbing from its minimum while the training loss falls, in its events, checkpoints and result file) and a
running job that stalled (still `running`, silent for minutes), each with a checkpoint per epoch, whatever the
seed. Read the way a client reads them: through the SDK, over loopback."""

from __future__ import annotations

import base64
import csv
import io
from statistics import mean
from typing import Any

import openai
import pytest

from ftwatch.sim.demo import STALLED_FOR
from ftwatch.sim.world import FakeClock, World
from simkit import START

SEEDS = [0, 7, 42, 1234]


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def world(request: pytest.FixtureRequest, clock: FakeClock) -> World:
    made = World(seed=request.param, clock=clock)
    made.populate_demo()
    return made


async def demo_job(client: openai.AsyncOpenAI, suffix: str) -> Any:
    return next(job for job in (await client.fine_tuning.jobs.list(limit=100)).data
                if job.user_provided_suffix == suffix)


async def metrics_oldest_first(client: openai.AsyncOpenAI, job_id: str) -> list[dict[str, Any]]:
    events = [event async for event in client.fine_tuning.jobs.list_events(job_id, limit=100)]
    return [event.data for event in reversed(events) if event.type == "metrics"]


def windows(values: list[float], width: int = 5) -> list[float]:
    """Means of `width` consecutive values: the curve as the eye reads it through the noise."""
    return [mean(values[i:i + width]) for i in range(len(values) - width + 1)]


async def test_the_overfitted_job_climbs_from_its_minimum_while_training_loss_falls(client: openai.AsyncOpenAI):
    job = await demo_job(client, "patent-claims")
    assert job.status == "succeeded" and job.validation_file
    assert START - job.finished_at > 1.5 * 3600                       # finished hours before launch
    rows = await metrics_oldest_first(client, job.id)
    assert [row["step"] for row in rows] == list(range(1, 901))
    validated = [row for row in rows if "valid_loss" in row]
    valid = windows([row["valid_loss"] for row in validated])
    lowest = valid.index(min(valid))
    assert lowest < 0.5 * len(valid), "validation bottoms out in the first half"
    assert mean(valid[-5:]) > 1.35 * valid[lowest], "then climbs clearly"
    train = windows([row["train_loss"] for row in validated])
    assert mean(train[-5:]) < 0.8 * train[lowest], "while training loss keeps falling"
    full = [(row["step"], row["full_valid_loss"]) for row in rows if "full_valid_loss" in row]
    assert [step for step, _ in full] == [300, 600, 900]
    assert full[0][1] < full[1][1] < full[2][1]


async def test_the_overfitted_jobs_checkpoints_and_result_file_show_the_same_climb(client: openai.AsyncOpenAI):
    job = await demo_job(client, "patent-claims")
    page = await client.fine_tuning.jobs.checkpoints.list(job.id)
    assert [c.step_number for c in page.data] == [900, 600, 300]     # one per epoch, newest first
    assert page.data[0].fine_tuned_model_checkpoint == job.fine_tuned_model
    assert all(c.fine_tuned_model_checkpoint.endswith(f":ckpt-step-{c.step_number}") for c in page.data[1:])
    full = [c.metrics.full_valid_loss for c in reversed(page.data)]
    assert full == sorted(full) and full[-1] > 1.2 * full[0]        # the first epoch's is the one to use
    content = (await client.files.content(job.result_files[0])).content
    table = list(csv.DictReader(io.StringIO(base64.b64decode(content).decode())))
    events = {row["step"]: row for row in await metrics_oldest_first(client, job.id)}
    valid = [(int(r["step"]), float(r["valid_loss"])) for r in table if r["valid_loss"]]
    assert len(valid) == 90 and all(abs(events[step]["valid_loss"] - v) < 1e-5 for step, v in valid)
    curve = windows([v for _, v in valid])
    assert mean(curve[-5:]) > 1.35 * min(curve)


async def test_the_stalled_job_is_running_and_silent_for_minutes_and_stays_so(
        client: openai.AsyncOpenAI, clock: FakeClock):
    job = await demo_job(client, "ticket-triage")
    assert job.status == "running" and job.finished_at is None
    newest = (await client.fine_tuning.jobs.list_events(job.id, limit=1)).data[0]
    assert newest.type == "metrics" and newest.data["step"] == 236 and newest.data["total_steps"] == 300
    assert STALLED_FOR - 60 <= START - newest.created_at <= STALLED_FOR + 60
    steps = [c.step_number for c in (await client.fine_tuning.jobs.checkpoints.list(job.id)).data]
    assert steps == [200, 100]                                        # the epochs it finished before stalling
    for _ in range(6):
        clock.advance(600)
        again = await client.fine_tuning.jobs.retrieve(job.id)
        assert again.status == "running" and again.finished_at is None
        assert (await client.fine_tuning.jobs.list_events(job.id, limit=1)).data[0].id == newest.id


async def test_at_high_speed_the_stall_is_still_minutes_of_wall_time(clock: FakeClock):
    fast = World(seed=3, clock=clock, speed=50)
    fast.populate_demo()
    job = next(j for j in fast.jobs_json() if j["user_provided_suffix"] == "ticket-triage")
    assert STALLED_FOR - 5 <= START - fast.events_json(job["id"])[0]["created_at"] <= STALLED_FOR + 5


@pytest.mark.parametrize(("arguments", "message"), [
    ({"total_steps": 10, "stall_at_step": 11}, "stall_at_step must be a step from 1 to 10"),
    ({"curve": "wobbly"}, "curve must be one of healthy, overfitting, not 'wobbly'"),
])
def test_a_scenario_asking_for_an_impossible_shape_is_told_why(clock: FakeClock, arguments, message):
    with pytest.raises(ValueError, match=message):
        World(clock=clock).create_job(**arguments)
