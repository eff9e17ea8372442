"""The simulated world on a fake clock: phases, timing, curves, cadence, determinism, cancel/pause."""

from __future__ import annotations

import json
import statistics

import pytest
from ftwatch.sim.curves import epoch_end_steps, generate_metrics, validation_every
from ftwatch.sim.errors import ApiError
from ftwatch.sim.simulated import Timing
from ftwatch.sim.world import FakeClock, World

HOUR = 3600.0


def messages(world: World, job_id: str) -> list[str]:
    return [e["message"] for e in reversed(world.events_json(job_id))]


def test_a_job_walks_every_phase_as_the_clock_advances(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=30, n_epochs=3, suffix="demo")
    seen = []
    for _ in range(400):
        job = world.job_json(job_id)
        phase = (job["status"], job["finished_at"] is not None)
        if not seen or seen[-1] != phase:
            seen.append(phase)
        clock.advance(5)
    assert seen == [("validating_files", False), ("queued", False), ("running", False),
                    ("running", True), ("succeeded", True)]
    job = world.job_json(job_id)
    assert job["fine_tuned_model"].startswith("ft:gpt-4.1-nano-2025-04-14:personal:demo:")
    assert len(job["fine_tuned_model"].rsplit(":", 1)[1]) == 8
    assert job["result_files"][0].startswith("file-") and job["trained_tokens"] > 0


def test_event_messages_follow_the_real_catalogue_in_order(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=6, n_epochs=3, validation=False)
    clock.advance(2 * HOUR)
    log = messages(world, job_id)
    job = world.job_json(job_id)
    assert log[0] == f"Created fine-tuning job: {job_id}"
    assert log[1] == f"Validating training file: {job['training_file']}"
    assert log[2:4] == ["Files validated, moving job to queued state", "Fine-tuning job started"]
    assert [m.split(":")[0] for m in log[4:10]] == [f"Step {n}/6" for n in range(1, 7)]
    assert log[10:] == [
        "Checkpoint created at step 2", "Checkpoint created at step 4", "New fine-tuned model created",
        "Evaluating model against our usage policies",
        f"Moderation checks for snapshot {job['fine_tuned_model']} passed.",
        "Usage policy evaluations completed, model is now enabled for sampling",
        "The job has successfully completed",
    ]


def test_event_shapes_match_real_ones(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=12, n_epochs=2)
    clock.advance(2 * HOUR)
    events = world.events_json(job_id)
    by_message = {e["message"]: e for e in events}
    assert by_message["Fine-tuning job started"]["data"] is None
    assert by_message["New fine-tuned model created"]["data"] == {}
    moderation = next(e for e in events if e["type"] == "moderation_checks")
    assert moderation["data"]["blocked"] is False and len(moderation["data"]["results"]) == 15
    assert all(list(e) == ["id", "created_at", "level", "message", "object", "data", "type"] for e in events)
    assert all(e["id"].startswith("ftevent-") and len(e["id"]) == 8 + 24 for e in events)
    last_step = next(e for e in events if e["type"] == "metrics")
    assert last_step["message"].startswith("Step 12/12: training loss=")
    assert ", validation loss=" in last_step["message"] and ", full validation loss=" in last_step["message"]
    assert set(last_step["data"]) == {"step", "total_steps", "train_loss", "train_mean_token_accuracy",
                                      "valid_loss", "valid_mean_token_accuracy", "full_valid_loss",
                                      "full_valid_mean_token_accuracy"}


def test_timestamps_are_whole_seconds_that_collide_and_order_is_stable(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=200, n_epochs=2, step_seconds=0.4)
    clock.advance(2 * HOUR)
    events = world.events_json(job_id)
    stamps = [e["created_at"] for e in events]
    assert all(isinstance(s, int) for s in stamps)
    assert stamps == sorted(stamps, reverse=True), "newest first"
    assert len(set(stamps)) < len(stamps), "several events share a second"
    assert world.events_json(job_id) == events, "same order on every read"


def test_a_burst_of_events_appears_at_once_when_the_clock_jumps(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=1200, n_epochs=1, validation=False, step_seconds=1.0)
    clock.advance(90 * 1.3 + 8 * 1.3 + 140 * 1.3 + 5)       # surely running by now
    before = len(world.events_json(job_id))
    clock.advance(1500)
    after = len(world.events_json(job_id))
    assert after - before >= 1000


def test_validation_cadence_and_epoch_boundaries_follow_real_jobs() -> None:
    assert [validation_every(n) for n in (24, 90, 100, 250, 750, 1500, 1665)] == [1, 1, 1, 10, 10, 10, 100]
    assert epoch_end_steps(750, 3) == [250, 500, 750]
    import random
    rows = generate_metrics(random.Random(1), 300, 3, True)
    assert [r.step for r in rows if r.valid_loss is not None][:3] == [10, 20, 30]
    assert [r.step for r in rows if r.full_valid_loss is not None] == [100, 200, 300]
    assert all(r.valid_loss is None for r in generate_metrics(random.Random(1), 50, 1, False))


def test_loss_drops_fast_then_plateaus_noisily() -> None:
    import random
    for seed in range(5):
        rows = generate_metrics(random.Random(seed), 500, 3, False)
        losses = [r.train_loss for r in rows]
        head = statistics.mean(losses[:5])
        plateau = losses[250:]
        assert head > 1.8 * statistics.mean(plateau), "a dramatic drop from the first steps"
        assert statistics.mean(losses[50:100]) < 1.5 * statistics.mean(plateau), "most of it early"
        assert statistics.stdev(plateau) > 0.1 * statistics.mean(plateau), "a noisy plateau"
        assert all(0.0 <= r.train_mean_token_accuracy <= 1.0 for r in rows)


def test_checkpoints_fall_on_epoch_ends_and_the_last_is_the_model(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=90, n_epochs=3, suffix="ck")
    clock.advance(3 * HOUR)
    checkpoints = world.checkpoints_json(job_id)
    assert [c["step_number"] for c in checkpoints] == [90, 60, 30]
    assert checkpoints[0]["fine_tuned_model_checkpoint"] == world.job_json(job_id)["fine_tuned_model"]
    assert checkpoints[1]["fine_tuned_model_checkpoint"].endswith(":ckpt-step-60")
    assert all(c["id"].startswith("ftckpt_") and len(c["id"]) == 7 + 24 for c in checkpoints)
    assert list(checkpoints[0]) == ["object", "id", "created_at", "fine_tuned_model_checkpoint",
                                    "fine_tuning_job_id", "metrics", "step_number"]


def test_hyperparameters_are_auto_at_create_and_numbers_once_running(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=20)
    assert world.job_json(job_id)["hyperparameters"] == {"batch_size": "auto", "learning_rate_multiplier": "auto",
                                                          "n_epochs": "auto"}
    clock.advance(HOUR)
    hyper = world.job_json(job_id)["hyperparameters"]
    assert all(isinstance(v, (int, float)) for v in hyper.values()) and hyper["n_epochs"] == 3
    assert world.job_json(job_id)["method"]["supervised"]["hyperparameters"] == hyper


def test_a_failing_job_fails_validation_with_the_real_error_shape(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(fate="fail")
    clock.advance(HOUR)
    job = world.job_json(job_id)
    assert job["status"] == "failed" and job["finished_at"] is None
    assert job["error"]["code"] == "invalid_training_file" and job["error"]["param"] == "training_file"
    assert job["error"]["message"].startswith("The job failed due to an invalid training file.")
    assert world.events_json(job_id)[0]["level"] == "error"
    assert world.job_json(world.create_job())["error"] == {"code": None, "message": None, "param": None}


def test_cancel_stops_the_future_and_a_finished_job_refuses(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=100)
    clock.advance(300)
    count = len(world.events_json(job_id))
    assert world.cancel(job_id)["status"] == "cancelled"
    clock.advance(5 * HOUR)
    assert world.job_json(job_id)["status"] == "cancelled"
    assert len(world.events_json(job_id)) == count
    with pytest.raises(ApiError) as refused:
        world.cancel(job_id)
    assert refused.value.status == 400


def test_pause_freezes_and_resume_continues_where_it_stopped(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=100)
    clock.advance(400)
    assert world.job_json(job_id)["status"] == "running"
    assert world.pause(job_id)["status"] == "paused"
    frozen = len(world.events_json(job_id))
    clock.advance(HOUR)
    assert len(world.events_json(job_id)) == frozen
    assert world.resume(job_id)["status"] == "queued"
    clock.advance(30)
    assert world.job_json(job_id)["status"] == "running"
    clock.advance(3 * HOUR)
    assert world.job_json(job_id)["status"] == "succeeded"
    steps = [e["data"]["step"] for e in reversed(world.events_json(job_id)) if e["type"] == "metrics"]
    assert steps == list(range(1, 101)), "no step lost or repeated across the pause"


def test_the_same_seed_gives_the_same_json(clock: FakeClock) -> None:
    def snapshot(seed: int) -> str:
        world = World(seed=seed, clock=FakeClock(start=clock.now()))
        world.populate_demo()
        world.clock.advance(HOUR)  # type: ignore[attr-defined]
        return json.dumps([world.jobs_json(), [world.events_json(j["id"]) for j in world.jobs_json()]])

    assert snapshot(3) == snapshot(3)
    assert snapshot(3) != snapshot(4)


def test_speed_compresses_a_500_step_job_into_about_a_minute(clock: FakeClock) -> None:
    world = World(seed=1, clock=clock, speed=50)
    job_id = world.create_job(total_steps=500)
    clock.advance(90)
    assert world.job_json(job_id)["status"] == "succeeded"


def test_demo_has_every_phase_with_a_live_running_job_newest(world: World, clock: FakeClock) -> None:
    ids = world.populate_demo()
    jobs = world.jobs_json()
    assert [j["id"] for j in jobs] == ids
    phases = [(j["status"], j["finished_at"] is not None) for j in jobs]
    assert phases == [("running", False), ("validating_files", False), ("queued", False), ("running", True),
                      ("running", False), ("succeeded", True), ("succeeded", True), ("failed", False),
                      ("cancelled", False)]          # index 4: the stalled job; 6: the overfitted one
    assert jobs[7]["error"]["code"] == "invalid_training_file"
    live = ids[0]
    steps_now = len([e for e in world.events_json(live) if e["type"] == "metrics"])
    assert 10 <= steps_now < 60, "already under way, far from done"
    clock.advance(30)
    gained = len([e for e in world.events_json(live) if e["type"] == "metrics"]) - steps_now
    assert 30 <= gained <= 100, "steps every ~0.3-1 s at speed 1"


def test_jobs_created_in_the_future_stay_hidden_until_then(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(start_delay=60)
    assert world.jobs_json() == []
    with pytest.raises(ApiError):
        world.job_json(job_id)
    clock.advance(60)
    assert [j["id"] for j in world.jobs_json()] == [job_id]


def test_a_long_safety_evaluation_keeps_running_with_finished_at(world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=10, timing=Timing(safety_eval=5 * HOUR))
    clock.advance(HOUR)
    job = world.job_json(job_id)
    assert job["status"] == "running" and job["finished_at"] is not None
    assert job["fine_tuned_model"] is None and job["result_files"] == []


def test_demo_order_holds_at_high_speed_when_created_at_seconds_collide(clock: FakeClock) -> None:
    world = World(seed=2, clock=clock, speed=500)
    ids = world.populate_demo()
    assert [j["id"] for j in world.jobs_json()] == ids
    assert world.jobs_json()[0]["user_provided_suffix"] == "support-bot"
