"""`--replay` of a recorded, finished job: the job object follows the replay clock as the real API's would.

The recording is the real full-life log (750 steps, 15:28:08 -> 15:58:45) under a job object saying how that job
ended (succeeded, model, tokens, result file), the shape a user saves after a job is done. Replayed, the end
state must wait for the last event; served without replay, it is there at once, exactly as recorded.
"""

from __future__ import annotations

import base64
import calendar
import json
import time
from typing import Any

import openai
import pytest
from ftwatch.sim.world import FakeClock, World
from sim_paths import REAL_SAMPLES
from sim_schema import schema_problems

FULL_LIFE = REAL_SAMPLES / "events_monitorlog_jamesdominique_gpt41nano_750steps_full_life_chronological.json"
JOB_ID = "ftjob-X3u8Pdb1RmG5vh3qmSlwnpyw"
MODEL = "ft:gpt-4.1-nano-2025-04-14:personal:car-pricer:DGWM9khp"
RESULT_FILE = "file-CarPricerResults0000000"
SPEED = 10.0


def stamp(local_time: str) -> int:
    return calendar.timegm(time.strptime(local_time, "%Y-%m-%d %H:%M:%S"))


# Seconds after the first event ("Created fine-tuning job" at 15:28:08) of each phase change in the recording.
STARTED = stamp("2026-03-06 15:29:55") - stamp("2026-03-06 15:28:08")
LAST_STEP = stamp("2026-03-06 15:45:57") - stamp("2026-03-06 15:28:08")
MODEL_BUILT = stamp("2026-03-06 15:46:37") - stamp("2026-03-06 15:28:08")
DONE = stamp("2026-03-06 15:58:45") - stamp("2026-03-06 15:28:08")


def finished_job_scenario(**job_changes: Any) -> dict[str, Any]:
    """The recording plus the job object of its end: what `GET /fine_tuning/jobs/{id}` said when it was over."""
    real = json.loads((REAL_SAMPLES / "jobs_llme_mrpeski_gpt41nano_create_list_retrieve.json").read_text())
    job = {**real["retrieve_succeeded"], "id": JOB_ID, "created_at": stamp("2026-03-06 15:28:08"),
           "finished_at": stamp("2026-03-06 15:46:37"), "fine_tuned_model": MODEL, "trained_tokens": 1_234_567,
           "result_files": [RESULT_FILE], "training_file": "file-7o68vo4P3yr23eErRJZ2PH",
           "validation_file": "file-ACekaAac8brDhNDXLfrahy", "user_provided_suffix": "car-pricer", **job_changes}
    return {"jobs": [{"job": job, "events": json.loads(FULL_LIFE.read_text())}]}


@pytest.fixture
def world(clock: FakeClock) -> World:
    """At SPEED, so the recording's 30 minutes replay in 3 (the `server` fixture serves this world too)."""
    return World(seed=3, clock=clock, speed=SPEED)


@pytest.fixture
def replayed(world: World, clock: FakeClock) -> tuple[World, str, Any]:
    loaded_at = clock.now()
    (job_id,) = world.load_scenario(finished_job_scenario(), replay=True)

    def at(recorded_seconds: float) -> dict[str, Any]:
        """The job object `recorded_seconds` into the recording (replayed at SPEED)."""
        clock.advance(loaded_at + recorded_seconds / SPEED - clock.now())
        return world.job_json(job_id)

    return world, job_id, at


def end_state(job: dict[str, Any]) -> tuple[Any, ...]:
    return (job["status"], job["finished_at"], job["fine_tuned_model"], job["trained_tokens"], job["result_files"],
            job["error"])


HEALTHY = {"code": None, "message": None, "param": None}


def test_before_the_job_starts_it_is_validating_then_queued(replayed) -> None:
    world, job_id, at = replayed
    assert end_state(at(0)) == ("validating_files", None, None, None, [], HEALTHY)
    assert at(STARTED - 1)["status"] == "queued"
    assert at(STARTED)["status"] == "running"
    assert world.checkpoints_json(job_id) == []


def test_mid_training_it_is_running_with_no_end_state_and_no_checkpoints(replayed) -> None:
    world, job_id, at = replayed
    job = at(LAST_STEP - 60)
    assert end_state(job) == ("running", None, None, None, [], HEALTHY)
    assert world.events_json(job_id)[0]["message"].startswith("Step ")
    assert world.checkpoints_json(job_id) == []
    assert schema_problems("FineTuningJob", job) == []


def test_during_the_final_evaluation_finished_at_is_set_and_the_status_is_still_running(replayed) -> None:
    world, job_id, at = replayed
    assert at(MODEL_BUILT - 1)["finished_at"] is None
    job = at(MODEL_BUILT)
    assert end_state(job) == ("running", stamp("2026-03-06 15:46:37"), None, None, [], HEALTHY)
    assert at(DONE - 0.5)["status"] == "running"
    assert world.events_json(job_id)[0]["message"].startswith("Usage policy evaluations completed")
    with pytest.raises(Exception, match="No such File"):
        world.result_file(RESULT_FILE)


def test_after_the_last_event_it_is_exactly_the_recorded_end_state(replayed) -> None:
    world, job_id, at = replayed
    job = at(DONE)
    recorded = finished_job_scenario()["jobs"][0]["job"]
    assert job == recorded and list(job) == list(recorded)
    assert len(world.events_json(job_id)) == 709
    assert world.result_file(RESULT_FILE).csv.startswith("step,train_loss,")


def test_the_job_object_changes_only_forwards_and_its_creation_fields_never(replayed) -> None:
    """Sampled every recorded second: statuses in life order, the end-state fields appear once and stay."""
    world, job_id, at = replayed
    order = ["validating_files", "queued", "running", "succeeded"]
    seen: list[str] = []
    fixed = None
    for second in range(0, DONE + 2):
        job = at(second)
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        if job["finished_at"] is not None:
            assert job["status"] in ("running", "succeeded")
        creation = (job["id"], job["created_at"], job["model"], job["training_file"], job["validation_file"],
                    job["user_provided_suffix"], job["hyperparameters"])
        assert fixed in (None, creation)
        fixed = creation
    assert seen == order


def test_without_replay_the_recording_is_served_as_recorded_at_once(world: World) -> None:
    (job_id,) = world.load_scenario(finished_job_scenario())
    assert world.job_json(job_id) == finished_job_scenario()["jobs"][0]["job"]
    assert len(world.events_json(job_id)) == 709


@pytest.mark.parametrize("status, error", [
    ("failed", {"code": "invalid_training_file", "message": "The job failed due to an invalid training file.",
                "param": "training_file"}),
    ("cancelled", HEALTHY),
])
def test_a_recorded_failure_or_cancel_waits_for_the_last_event_too(world: World, clock: FakeClock, status: str,
                                                                   error: dict[str, Any]) -> None:
    loaded_at = clock.now()
    scenario = finished_job_scenario(status=status, error=error, fine_tuned_model=None, result_files=[],
                                     trained_tokens=None)
    (job_id,) = world.load_scenario(scenario, replay=True)
    clock.advance(DONE / SPEED - 1)
    job = world.job_json(job_id)
    assert (job["status"], job["error"], job["fine_tuned_model"]) == ("running", HEALTHY, None)
    clock.advance(loaded_at + DONE / SPEED - clock.now())
    assert world.job_json(job_id) == scenario["jobs"][0]["job"]


def test_recorded_checkpoints_are_released_by_the_replay_clock_and_never_after_the_end(clock: FakeClock) -> None:
    world = World(seed=3, clock=clock, speed=1.0)
    events = json.loads((REAL_SAMPLES / "events_qtran_mysql_gpt4omini_300steps_end_page.json").read_text())["data"]
    checkpoints = json.loads((REAL_SAMPLES / "checkpoints_qtran_mysql_gpt4omini_300steps.json").read_text())["data"]
    (job_id,) = world.load_scenario({"jobs": [{"events": events, "checkpoints": checkpoints}]}, replay=True)
    first, last = events[-1]["created_at"], events[0]["created_at"]
    start = clock.now()
    for offset in range(0, last - first + 2):
        clock.advance(start + offset - clock.now())
        visible = world.checkpoints_json(job_id)
        recorded_now = first + offset
        assert all(min(c["created_at"], last) <= recorded_now for c in visible)
        assert len(visible) == sum(min(c["created_at"], last) <= recorded_now for c in checkpoints)
    assert world.checkpoints_json(job_id) == checkpoints


async def test_an_early_retrieve_of_a_replayed_finished_job_is_not_terminal(
        replayed, client: openai.AsyncOpenAI) -> None:
    world, job_id, at = replayed
    at(LAST_STEP)
    job = await client.fine_tuning.jobs.retrieve(job_id)
    assert job.status == "running" and job.finished_at is None and job.fine_tuned_model is None
    assert job.result_files == [] and job.trained_tokens is None
    listed = (await client.fine_tuning.jobs.list()).data
    assert [(j.id, j.status, j.fine_tuned_model) for j in listed] == [(job_id, "running", None)]
    assert (await client.fine_tuning.jobs.checkpoints.list(job_id)).data == []
    with pytest.raises(openai.NotFoundError):
        await client.files.content(RESULT_FILE)
    at(DONE)
    job = await client.fine_tuning.jobs.retrieve(job_id)
    assert job.status == "succeeded" and job.fine_tuned_model == MODEL
    content = await client.files.content(RESULT_FILE)
    assert base64.b64decode(content.content).startswith(b"step,")
