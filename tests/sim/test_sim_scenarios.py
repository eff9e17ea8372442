"""Scenarios: recorded real jobs come back exactly as recorded; replay follows their rhythm."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import openai
import pytest
from ftwatch.sim.errors import ScenarioError
from ftwatch.sim.world import FakeClock, World
from sim_paths import REAL_SAMPLES, sample_event_files

RECORDED_WITH_IDS = [p for p in sample_event_files() if "chronological" not in p.name]
CHRONOLOGICAL = [p for p in sample_event_files() if "chronological" in p.name]


def recorded_events(path: Path) -> list[dict[str, object]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["data"] if isinstance(data, dict) else data


def test_the_real_samples_are_all_here() -> None:
    assert len(RECORDED_WITH_IDS) == 19 and len(CHRONOLOGICAL) == 2


@pytest.mark.parametrize("path", RECORDED_WITH_IDS, ids=lambda p: p.stem)
async def test_every_recorded_event_file_comes_back_exactly(path: Path, world: World,
                                                            client: openai.AsyncOpenAI) -> None:
    (job_id,) = world.load_scenario(path)
    recorded = recorded_events(path)
    page = await client.fine_tuning.jobs.list_events(job_id, limit=100)
    served = [json.loads(ev.model_dump_json()) for ev in page.data]
    raw = await client.fine_tuning.jobs.with_raw_response.list_events(job_id, limit=100)
    assert served == recorded
    assert json.loads(raw.text)["data"] == recorded
    assert [list(e) for e in json.loads(raw.text)["data"]] == [list(e) for e in recorded], "key order too"
    assert page.has_more is False
    job = await client.fine_tuning.jobs.retrieve(job_id)
    created = next((e["message"] for e in recorded if str(e["message"]).startswith("Created fine-tuning job: ")), None)
    if created:
        assert job.id == str(created).split(": ")[1]


@pytest.mark.parametrize("name, status, evaluating", [
    ("events_llme_mrpeski_gpt41nano_55steps_tail10_moderation.json", "succeeded", False),
    ("events_llme_ebunilo_100steps_tail10_midway_evaluating.json", "running", True),
    ("events_llme_spasquier_job_start_3events.json", "queued", False),
    ("events_qtran_mysql_gpt4omini_job_start_page.json", "validating_files", False),
    ("events_llme_adetayo_job_start_4events.json", "running", False),
])
def test_job_fields_are_inferred_from_the_events(world: World, name: str, status: str, evaluating: bool) -> None:
    (job_id,) = world.load_scenario(REAL_SAMPLES / name)
    job = world.job_json(job_id)
    assert job["status"] == status
    assert (job["finished_at"] is not None) == (evaluating or status == "succeeded")


def test_a_recorded_success_gets_its_real_model_name_and_a_full_result_file(world: World) -> None:
    (job_id,) = world.load_scenario(REAL_SAMPLES / "events_llme_mrpeski_gpt41nano_55steps_tail10_moderation.json")
    job = world.job_json(job_id)
    assert job["fine_tuned_model"] == "ft:gpt-4.1-nano-2025-04-14:personal:gdpr:DIE8Fn4p"
    assert job["model"] == "gpt-4.1-nano-2025-04-14" and job["user_provided_suffix"] == "gdpr"
    assert job["finished_at"] == 1773236600
    csv_rows = world.result_file(job["result_files"][0]).csv.splitlines()
    assert len(csv_rows) == 1 + 55
    assert csv_rows[-1].startswith("55,0.67814,0.80816,0.96905,0.75475")


def test_the_full_jobs_format_keeps_given_fields_verbatim(world: World, tmp_path: Path) -> None:
    samples = json.loads((REAL_SAMPLES / "jobs_llme_mrpeski_gpt41nano_create_list_retrieve.json").read_text())
    checkpoints = json.loads((REAL_SAMPLES / "checkpoints_qtran_mysql_gpt4omini_300steps.json").read_text())
    end_page = json.loads((REAL_SAMPLES / "events_qtran_mysql_gpt4omini_300steps_end_page.json").read_text())
    scenario = tmp_path / "jobs.json"
    scenario.write_text(json.dumps({"jobs": [
        {"job": samples["retrieve_succeeded"], "events": recorded_events(
            REAL_SAMPLES / "events_llme_mrpeski_gpt41nano_55steps_tail10_moderation.json"),
         "result_csv": "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n1,1.0,0.5,,\n"},
        {"events": end_page, "checkpoints": checkpoints},
    ]}))
    first, second = world.load_scenario(scenario)
    assert world.job_json(first) == samples["retrieve_succeeded"]
    assert list(world.job_json(first)) == list(samples["retrieve_succeeded"])
    assert world.result_file("file-TcN2CzFYYCSeGbNGuzrBeV").csv.endswith("1,1.0,0.5,,\n")
    assert world.checkpoints_json(second) == checkpoints["data"]


def test_a_job_object_or_page_alone_is_a_job_without_events(world: World) -> None:
    samples = json.loads((REAL_SAMPLES / "jobs_llme_mrpeski_gpt41nano_create_list_retrieve.json").read_text())
    (job_id,) = world.load_scenario(samples["list_limit1_page"])
    assert world.job_json(job_id) == samples["list_limit1_page"]["data"][0]
    assert world.events_json(job_id) == []


def test_simulated_entries_take_create_job_arguments_and_hostile_fields(world: World, clock: FakeClock) -> None:
    hostile = "\x1b]52;c;ZWNobyBoaQ==\x07[bold red]x[/]\u202e"
    (job_id,) = world.load_scenario({"jobs": [{"simulate": {"total_steps": 12, "fate": "cancel"},
                                               "job": {"user_provided_suffix": hostile}}]})
    clock.advance(3600)
    job = world.job_json(job_id)
    assert job["user_provided_suffix"] == hostile and job["status"] == "cancelled"


@pytest.mark.parametrize("path", CHRONOLOGICAL, ids=lambda p: p.stem)
def test_chronological_recordings_get_synthesised_ids_and_parsed_metrics(path: Path, world: World) -> None:
    (job_id,) = world.load_scenario(path)
    events = world.events_json(job_id)
    recorded = json.loads(path.read_text())
    texts = [r if isinstance(r, str) else r["message"] for r in recorded]
    assert [e["message"] for e in reversed(events)] == texts
    assert len({e["id"] for e in events}) == len(events) and all(e["id"].startswith("ftevent-") for e in events)
    metrics = [e for e in events if e["type"] == "metrics"]
    assert metrics and all(isinstance(e["data"]["train_loss"], float) for e in metrics)
    assert world.job_json(job_id)["status"] == "succeeded"


def test_a_local_time_recording_keeps_its_rhythm_in_created_at(world: World) -> None:
    path = next(p for p in CHRONOLOGICAL if "monitorlog" in p.name)
    (job_id,) = world.load_scenario(path)
    oldest, newest = world.events_json(job_id)[-1], world.events_json(job_id)[0]
    assert newest["created_at"] - oldest["created_at"] == (58 - 28) * 60 + 45 - 8   # 15:28:08 -> 15:58:45
    started = next(e for e in world.events_json(job_id) if e["message"] == "Fine-tuning job started")
    assert started["data"] is None
    assert any(e["type"] == "moderation_checks" for e in world.events_json(job_id))


def test_replay_releases_events_in_their_rhythm_compressed_by_speed(clock: FakeClock) -> None:
    world = World(seed=1, clock=clock, speed=10)
    loaded_at = clock.now()

    def at(recorded_seconds: float) -> None:
        """Move to `recorded_seconds` after the first recorded event, at speed 10."""
        clock.advance(loaded_at + recorded_seconds / 10 - clock.now())

    path = next(p for p in CHRONOLOGICAL if "monitorlog" in p.name)      # starts 15:28:08
    (job_id,) = world.load_scenario(path, replay=True)
    assert [e["message"] for e in world.events_json(job_id)] == [
        "Validating training file: file-7o68vo4P3yr23eErRJZ2PH and validation file: file-ACekaAac8brDhNDXLfrahy",
        "Created fine-tuning job: ftjob-X3u8Pdb1RmG5vh3qmSlwnpyw"]
    assert world.job_json(job_id)["status"] == "validating_files"
    at(99 - 0.1)                                       # "Files validated" at 15:29:47
    assert world.job_json(job_id)["status"] == "validating_files"
    at(99)
    assert world.job_json(job_id)["status"] == "queued"
    at(17 * 60 + 49)                                   # step 750 at 15:45:57
    assert world.events_json(job_id)[0]["message"].startswith("Step 750/750")
    assert world.job_json(job_id)["finished_at"] is None
    at(18 * 60 + 29)                                   # new model at 15:46:37: evaluating
    job = world.job_json(job_id)
    assert job["status"] == "running" and job["finished_at"] is not None
    at(30 * 60 + 37 - 0.1)                             # done at 15:58:45
    assert world.job_json(job_id)["status"] == "running"
    at(30 * 60 + 37)
    assert world.job_json(job_id)["status"] == "succeeded"
    assert len(world.events_json(job_id)) == 709


async def test_replayed_recorded_ids_are_still_verbatim(clock: FakeClock, client: openai.AsyncOpenAI,
                                                        world: World) -> None:
    path = REAL_SAMPLES / "events_llme_hayatu_gpt41nano_750steps_tail10_checkpoints.json"
    (job_id,) = world.load_scenario(path, replay=True)
    assert len((await client.fine_tuning.jobs.list_events(job_id)).data) == 1
    clock.advance(24 * 3600)
    page = await client.fine_tuning.jobs.list_events(job_id)
    assert [json.loads(e.model_dump_json()) for e in page.data] == recorded_events(path)


async def test_a_recorded_success_serves_its_result_file_base64(world: World, client: openai.AsyncOpenAI) -> None:
    (job_id,) = world.load_scenario(REAL_SAMPLES / "events_llme_hopeogbons_gpt4omini_200steps_tail10_moderation.json")
    job = await client.fine_tuning.jobs.retrieve(job_id)
    content = await client.files.content(job.result_files[0])
    text = base64.b64decode(content.content).decode()
    assert text.startswith("step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n1,")
    assert len(text.splitlines()) == 201


@pytest.mark.parametrize("content, problem", [
    ("{not json", "is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
    ("42", "expected a JSON object or list at the top level, got int"),
    ("[]", "is empty"),
    ('{"jobs": []}', '"jobs" must be a non-empty list'),
    ('{"jobs": [{"evnets": []}]}', "unknown key(s) ['evnets']"),
    ('[{"id": "ftevent-a", "created_at": "soon", "message": "x"}]', "created_at must be a int"),
    ('[{"id": "a", "created_at": 1, "message": "x"}, {"id": "a", "created_at": 1, "message": "y"}]',
     "repeats event id a"),
    ('[{"id": "a", "created_at": 1, "message": "x"}, {"id": "b", "created_at": 3, "message": "y"}, '
     '{"id": "c", "created_at": 2, "message": "z"}]', "neither API order"),
    ('{"hello": 1}', "unrecognised shape"),
    ('[{"local_time": "yesterday", "message": "x"}]', "must look like 2026-03-06 15:28:08"),
])
def test_bad_scenarios_name_the_file_and_the_problem(tmp_path: Path, world: World, content: str,
                                                     problem: str) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(content)
    with pytest.raises(ScenarioError) as caught:
        world.load_scenario(path)
    assert str(caught.value).startswith(f"scenario {path}: ")
    assert problem in str(caught.value)


def test_a_missing_scenario_file_says_so(world: World, tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        world.load_scenario(tmp_path / "nope.json")


def test_events_given_oldest_first_are_served_newest_first(world: World) -> None:
    recorded = recorded_events(REAL_SAMPLES / "events_llme_bo_job_start_4events.json")
    (job_id,) = world.load_scenario(list(reversed(recorded)))
    assert world.events_json(job_id) == recorded


@pytest.mark.parametrize("simulate, problem", [
    ({"bogus": 1}, "unknown argument(s) ['bogus']"), ({"fate": "explode"}, "fate must be one of"),
    ({"total_steps": 0}, "at least 1"),
])
def test_bad_simulate_arguments_are_scenario_errors(world: World, simulate: dict[str, object], problem: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        world.load_scenario({"jobs": [{"simulate": simulate}]})
    assert "jobs[0].simulate: " in str(caught.value) and problem in str(caught.value)


async def test_hostile_recorded_values_are_served_as_given(world: World, client: openai.AsyncOpenAI) -> None:
    nasty = [{"id": "ftevent-n1", "created_at": 5, "level": "info", "object": "fine_tuning.job.event",
              "message": "Step 1/2: training loss=nan\x1b[2J\u202e", "type": "metrics",
              "data": {"step": 1, "total_steps": "two", "train_loss": float("nan"), "deep": [[[{"x": None}]]]}}]
    (job_id,) = world.load_scenario(nasty)
    raw = await client.fine_tuning.jobs.with_raw_response.list_events(job_id)
    assert "NaN" in raw.text and "\\u001b[2J" in raw.text
    served = json.loads(raw.text)["data"][0]
    assert served["message"] == nasty[0]["message"] and served["data"]["total_steps"] == "two"
    assert served["data"]["deep"] == [[[{"x": None}]]]


def test_loading_the_same_job_twice_is_a_clear_error(world: World) -> None:
    path = REAL_SAMPLES / "events_llme_bo_job_start_4events.json"
    world.load_scenario(path)
    with pytest.raises(ScenarioError, match=r"json: job ftjob-j8FrLOGO2JgYVItcoAQZvuJW is already loaded$"):
        world.load_scenario(path)
    (given_id,) = world.load_scenario({"jobs": [{"simulate": {"total_steps": 5}, "job": {"id": "ftjob-given"}}]})
    assert given_id == "ftjob-given" and world.job_json("ftjob-given")["id"] == "ftjob-given"


def test_a_given_status_is_kept_and_the_other_fields_agree_with_it(world: World) -> None:
    events = recorded_events(REAL_SAMPLES / "events_llme_bo_job_start_4events.json")
    (job_id,) = world.load_scenario({"jobs": [{"job": {"status": "succeeded"}, "events": events}]})
    job = world.job_json(job_id)
    assert job["status"] == "succeeded" and job["fine_tuned_model"].startswith("ft:")
    assert job["finished_at"] is not None and world.result_file(job["result_files"][0]).csv.startswith("step,")
