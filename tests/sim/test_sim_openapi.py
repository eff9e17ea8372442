"""Every endpoint's responses validate against OpenAI's OpenAPI contract (see sim_schema.py for the
few documented places where real data, and so the simulator, departs from the spec)."""

from __future__ import annotations

import base64
import json
from typing import Any

import openai
import pytest
from ftwatch.sim.server import SimServer
from ftwatch.sim.world import FakeClock, World
from jsonschema import Draft202012Validator
from sim_paths import REAL_SAMPLES
from sim_schema import ERROR_ENVELOPE, path_schema_validator, raw_violations, schema_problems


async def get_json(client: openai.AsyncOpenAI, path: str, **query: Any) -> Any:
    return await client.get(path, cast_to=object, options={"params": query} if query else {})


@pytest.fixture
def busy_world(world: World, clock: FakeClock) -> World:
    world.populate_demo()
    world.create_job(total_steps=120, n_epochs=4, start_delay=-600)
    world.load_scenario(REAL_SAMPLES / "events_llme_hayatu_gpt41nano_750steps_tail10_checkpoints.json")
    world.load_scenario(next(REAL_SAMPLES.glob("events_monitorlog_*_chronological.json")))
    return world


@pytest.mark.parametrize("elapsed", [0.0, 120.0, 900.0, 4 * 3600.0])
async def test_every_read_endpoint_validates_at_every_phase(
        busy_world: World, clock: FakeClock, client: openai.AsyncOpenAI, elapsed: float) -> None:
    clock.advance(elapsed)
    jobs_page = await get_json(client, "/fine_tuning/jobs", limit=100)
    assert schema_problems("ListPaginatedFineTuningJobsResponse", jobs_page) == []
    checked_files = 0
    for job in jobs_page["data"]:
        assert schema_problems("FineTuningJob", await get_json(client, f"/fine_tuning/jobs/{job['id']}")) == []
        events = await get_json(client, f"/fine_tuning/jobs/{job['id']}/events", limit=1000)
        assert schema_problems("ListFineTuningJobEventsResponse", events) == []
        checkpoints = await get_json(client, f"/fine_tuning/jobs/{job['id']}/checkpoints")
        assert schema_problems("ListFineTuningJobCheckpointsResponse", checkpoints) == []
        for file_id in job["result_files"]:
            assert schema_problems("OpenAIFile", await get_json(client, f"/files/{file_id}")) == []
            content = await client.files.content(file_id)
            decoded = base64.b64decode(content.content).decode()
            assert list(path_schema_validator("/files/{file_id}/content").iter_errors(decoded)) == []
            checked_files += 1
    succeeded = [j for j in jobs_page["data"] if j["status"] == "succeeded"]
    assert checked_files == len(succeeded) >= 3          # the demo's and both recorded successes


async def test_write_endpoints_validate(world: World, clock: FakeClock, client: openai.AsyncOpenAI) -> None:
    created = await client.post("/fine_tuning/jobs", cast_to=object,
                                body={"model": "gpt-4.1-nano", "training_file": "file-x", "suffix": "s"})
    assert schema_problems("FineTuningJob", created) == []
    clock.advance(300)
    paused = await client.post(f"/fine_tuning/jobs/{created['id']}/pause", cast_to=object)
    assert paused["status"] == "paused" and schema_problems("FineTuningJob", paused) == []
    resumed = await client.post(f"/fine_tuning/jobs/{created['id']}/resume", cast_to=object)
    assert schema_problems("FineTuningJob", resumed) == []
    cancelled = await client.post(f"/fine_tuning/jobs/{created['id']}/cancel", cast_to=object)
    assert cancelled["status"] == "cancelled" and schema_problems("FineTuningJob", cancelled) == []


async def test_error_responses_use_the_documented_envelope(world: World, server: SimServer) -> None:
    validator = Draft202012Validator(ERROR_ENVELOPE)
    async with SimServer(world, api_key="sk-real") as keyed:
        for base, path, key in [(server.base_url, "/fine_tuning/jobs/ftjob-x", "k"),
                                (server.base_url, "/files/file-x", "k"), (server.base_url, "/nowhere", "k"),
                                (keyed.base_url, "/fine_tuning/jobs", "sk-wrong-one-1234")]:
            client = openai.AsyncOpenAI(base_url=base, api_key=key, max_retries=0)
            try:
                with pytest.raises(openai.APIStatusError) as caught:
                    await client.get(path, cast_to=object)
            finally:
                await client.close()
            body = caught.value.response.json()
            assert caught.value.response.headers["content-type"].startswith("application/json")
            assert list(validator.iter_errors(body)) == [], body
    server.faults.script(["429"])
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0)
    try:
        with pytest.raises(openai.RateLimitError) as limited:
            await client.get("/fine_tuning/jobs", cast_to=object)
    finally:
        await client.close()
    assert list(validator.iter_errors(limited.value.response.json())) == []


def test_the_tolerated_deviations_are_exactly_the_real_ones(world: World, clock: FakeClock) -> None:
    """Without the allowlist the sim breaks the spec only where real recorded jobs do."""
    job_id = world.create_job(total_steps=20)
    clock.advance(3 * 3600)
    kinds = {(tuple(e.absolute_path)[-1], json.dumps(e.instance)) for e in raw_violations(
        "FineTuningJob", world.job_json(job_id))}
    assert kinds == {("error", json.dumps({"code": None, "message": None, "param": None})),
                     ("dpo", "null"), ("reinforcement", "null")}
    event_kinds = {(tuple(e.absolute_path)[-1], json.dumps(e.instance))
                   for ev in world.events_json(job_id) for e in raw_violations("FineTuningJobEvent", ev)}
    assert event_kinds == {("data", "null"), ("type", '"moderation_checks"')}
    real = json.loads((REAL_SAMPLES / "jobs_llme_mrpeski_gpt41nano_create_list_retrieve.json").read_text())
    real_kinds = {(tuple(e.absolute_path)[-1], json.dumps(e.instance))
                  for e in raw_violations("FineTuningJob", real["retrieve_succeeded"])}
    assert real_kinds == kinds


def test_the_validator_does_catch_a_wrong_shape() -> None:
    broken = {"object": "fine_tuning.job", "id": "ftjob-x", "status": "exploded", "created_at": "yesterday"}
    problems = schema_problems("FineTuningJob", broken)
    assert any("created_at" in p for p in problems) and any("exploded" in p for p in problems)
    assert any("'seed' is a required property" in p for p in problems)
