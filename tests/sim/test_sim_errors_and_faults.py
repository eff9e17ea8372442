"""Error envelopes and injected faults, as the real SDK experiences them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import openai
import pytest
from ftwatch.sim.faults import FaultPlan, parse_spec
from ftwatch.sim.server import SimServer
from ftwatch.sim.world import FakeClock, World

HOUR = 3600.0


@pytest.fixture
def job_id(world: World, clock: FakeClock) -> str:
    job = world.create_job(total_steps=30)
    clock.advance(HOUR)
    return job


async def test_unknown_job_is_a_404_in_the_real_envelope(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        await client.fine_tuning.jobs.retrieve("ftjob-nope")
    err = caught.value
    assert err.status_code == 404 and err.type == "invalid_request_error" and err.code is None
    assert set(err.body) == {"message", "type", "param", "code"}
    assert "ftjob-nope" in err.body["message"]
    assert err.request_id and err.request_id.startswith("req_")
    with pytest.raises(openai.NotFoundError):
        await client.fine_tuning.jobs.list_events("ftjob-nope")
    with pytest.raises(openai.NotFoundError) as missing_file:
        await client.files.content("file-nope")
    assert missing_file.value.body["message"] == "No such File object: file-nope"


async def test_a_configured_key_is_required_and_a_wrong_one_is_masked(world: World) -> None:
    secret = "sk-right-key-123456"
    async with SimServer(world, api_key=secret) as server:
        good = openai.AsyncOpenAI(base_url=server.base_url, api_key=secret, max_retries=0)
        bad = openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-wrong-key-abcd9876", max_retries=0)
        try:
            assert (await good.fine_tuning.jobs.list()).data == []
            with pytest.raises(openai.AuthenticationError) as caught:
                await bad.fine_tuning.jobs.list()
        finally:
            await good.close()
            await bad.close()
    err = caught.value
    assert err.status_code == 401 and err.code == "invalid_api_key"
    assert err.body["message"].startswith("Incorrect API key provided: sk-")
    assert err.body["message"].split(":")[1].strip().split(".")[0].endswith("9876")
    assert "sk-wrong-key-abcd9876" not in err.body["message"] and secret not in err.body["message"]


async def test_cancel_through_the_sdk_and_the_400_for_a_finished_job(
        client: openai.AsyncOpenAI, world: World, clock: FakeClock) -> None:
    running = world.create_job(total_steps=500)
    clock.advance(400)
    assert (await client.fine_tuning.jobs.cancel(running)).status == "cancelled"
    assert (await client.fine_tuning.jobs.retrieve(running)).status == "cancelled"
    with pytest.raises(openai.BadRequestError) as caught:
        await client.fine_tuning.jobs.cancel(running)
    assert "cancelled" in caught.value.body["message"]


async def test_pause_and_resume_through_the_sdk(client: openai.AsyncOpenAI, world: World, clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=500)
    clock.advance(400)
    assert (await client.fine_tuning.jobs.pause(job_id)).status == "paused"
    assert (await client.fine_tuning.jobs.resume(job_id)).status == "queued"
    with pytest.raises(openai.BadRequestError):
        await client.fine_tuning.jobs.resume(job_id)


async def test_create_returns_a_validating_job_that_then_runs(
        client: openai.AsyncOpenAI, clock: FakeClock) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="file-abc", suffix="mine",
                                               hyperparameters={"n_epochs": 2})
    assert job.status == "validating_files" and job.model == "gpt-4o-mini-2024-07-18"
    assert job.hyperparameters.n_epochs == 2 and job.hyperparameters.batch_size == "auto"
    assert job.model_extra and job.model_extra["user_provided_suffix"] == "mine"
    clock.advance(4 * HOUR)
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "succeeded"
    failing = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="file-invalid")
    clock.advance(HOUR)
    assert (await client.fine_tuning.jobs.retrieve(failing.id)).error.code == "invalid_training_file"
    with pytest.raises(openai.BadRequestError) as caught:
        await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="")
    assert caught.value.code == "missing_required_parameter"


async def test_sdk_retries_through_scripted_429_and_5xx(
        make_client: Callable[..., openai.AsyncOpenAI], server: SimServer, job_id: str) -> None:
    client = make_client(max_retries=4)
    server.faults.script(["429;retry-after-ms=5", "500;retry-after-ms=5", "503;retry-after-ms=5",
                          "502;retry-after-ms=5", "ok"])
    before = len(server.requests)
    job = await client.fine_tuning.jobs.retrieve(job_id)
    assert job.id == job_id
    assert len(server.requests) - before == 5
    assert [kind for _, kind in server.faults.injected] == ["429", "500", "503", "502"]


async def test_rate_limit_error_after_the_retries_run_out(
        make_client: Callable[..., openai.AsyncOpenAI], server: SimServer, job_id: str) -> None:
    client = make_client(max_retries=2)
    server.faults.script(["429;retry-after-ms=5"] * 3)
    with pytest.raises(openai.RateLimitError) as caught:
        await client.fine_tuning.jobs.list_events(job_id)
    err = caught.value
    assert err.code == "rate_limit_exceeded" and err.response.headers["retry-after-ms"] == "5"
    assert "retry-after" not in err.response.headers
    assert len(server.faults.injected) == 3


async def test_429_headers_follow_the_options(client: openai.AsyncOpenAI, server: SimServer, job_id: str) -> None:
    server.faults.script(["429", "429;retry-after=200"])
    with pytest.raises(openai.RateLimitError) as both:
        await client.fine_tuning.jobs.retrieve(job_id)
    assert both.value.response.headers["retry-after"] == "1"
    assert both.value.response.headers["retry-after-ms"] == "1000"
    with pytest.raises(openai.RateLimitError) as long_wait:
        await client.with_options(max_retries=3).fine_tuning.jobs.retrieve(job_id)
    assert long_wait.value.response.headers["retry-after"] == "200"
    assert len(server.faults.injected) == 2, "the SDK does not retry a retry-after above 120 s"


async def test_dropped_connections_bad_json_and_timeouts(
        make_client: Callable[..., openai.AsyncOpenAI], server: SimServer, job_id: str) -> None:
    client = make_client(max_retries=0, timeout=0.3)
    server.faults.script(["drop", "badjson", "slow;slow-seconds=5"])
    with pytest.raises(openai.APIConnectionError):
        await client.fine_tuning.jobs.list_events(job_id)
    with pytest.raises(json.JSONDecodeError):
        await client.fine_tuning.jobs.list_events(job_id)
    with pytest.raises(openai.APITimeoutError):
        await client.fine_tuning.jobs.list_events(job_id)
    assert len((await client.fine_tuning.jobs.list_events(job_id)).data) == 20, "healthy again afterwards"


async def test_empty_and_lying_pages(client: openai.AsyncOpenAI, server: SimServer, world: World,
                                     job_id: str) -> None:
    server.faults.script(["empty", "lying-has-more"])
    empty = await client.fine_tuning.jobs.list_events(job_id)
    assert empty.data == [] and empty.has_more is False
    lying = await client.fine_tuning.jobs.list_events(job_id, limit=1000)
    assert len(lying.data) == len(world.events_json(job_id)) and lying.has_more is True


async def test_faults_can_target_one_endpoint(client: openai.AsyncOpenAI, server: SimServer, job_id: str) -> None:
    server.faults.configure("500:1.0,only=/events")
    assert (await client.fine_tuning.jobs.retrieve(job_id)).id == job_id
    with pytest.raises(openai.InternalServerError):
        await client.fine_tuning.jobs.list_events(job_id)
    server.faults.clear()
    assert (await client.fine_tuning.jobs.list_events(job_id)).data


def test_random_faults_are_deterministic_from_the_seed_and_near_their_rates() -> None:
    def draws(seed: int) -> list[str | None]:
        plan = FaultPlan(seed=seed, spec="429:0.1,500:0.05,503:0.05,slow:0.02,drop:0.02,badjson:0.02")
        return [(f.kind if (f := plan.next_fault("/v1/x")) else None) for _ in range(4000)]

    first = draws(5)
    assert first == draws(5) and first != draws(6)
    assert 300 < first.count("429") < 500
    assert 1 - 0.26 - 0.03 < first.count(None) / 4000 < 1 - 0.26 + 0.03


@pytest.mark.parametrize("spec, problem", [
    ("429:2", "between 0 and 1"), ("teapot:0.1", "unknown fault"), ("429:0.6,500:0.6", "more than 1"),
    ("retry-after=soon", "needs a number"), ("color=blue", "unknown fault option"),
])
def test_bad_fault_specs_say_what_is_wrong(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_spec(spec)


async def test_restart_on_the_same_port_keeps_the_world(
        make_client: Callable[..., openai.AsyncOpenAI], server: SimServer, job_id: str) -> None:
    client = make_client(max_retries=0)
    port = server.port
    await server.stop()
    with pytest.raises(openai.APIConnectionError):
        await client.fine_tuning.jobs.retrieve(job_id)
    await server.start()
    assert server.port == port
    assert (await client.fine_tuning.jobs.retrieve(job_id)).id == job_id


async def test_requests_are_recorded_for_counting(client: openai.AsyncOpenAI, server: SimServer,
                                                  job_id: str) -> None:
    server.requests.clear()
    await client.fine_tuning.jobs.list_events(job_id, limit=5)
    assert server.requests == [("GET", f"/v1/fine_tuning/jobs/{job_id}/events", {"limit": "5"})]


async def test_azure_paths_and_api_key_header(world: World, job_id: str) -> None:
    async with SimServer(world, api_key="azure-key") as server:
        client = openai.AsyncAzureOpenAI(azure_endpoint=server.base_url.removesuffix("/v1"), api_key="azure-key",
                                         api_version="2025-04-01-preview", max_retries=0)
        try:
            page = await client.fine_tuning.jobs.list_events(job_id, limit=3)
        finally:
            await client.close()
    assert len(page.data) == 3
    method, path, query = server.requests[-1]
    assert path == f"/openai/fine_tuning/jobs/{job_id}/events" and query["api-version"] == "2025-04-01-preview"


def test_the_server_refuses_a_non_loopback_bind_unless_allowed(world: World) -> None:
    with pytest.raises(ValueError, match="allow_remote"):
        SimServer(world, host="0.0.0.0")
    assert SimServer(world, host="0.0.0.0", allow_remote=True).host == "0.0.0.0"
    assert SimServer(world, host="::1").base_url.startswith("http://[::1]:")


async def test_the_sync_client_works_too(server: SimServer, world: World, job_id: str) -> None:
    def fetch() -> list[str]:
        with openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as sync_client:
            return [ev.id for ev in sync_client.fine_tuning.jobs.list_events(job_id, limit=7)]

    assert await asyncio.to_thread(fetch) == [e["id"] for e in world.events_json(job_id)]


async def test_the_request_log_stays_bounded(client: openai.AsyncOpenAI, server: SimServer,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import ftwatch.sim.server as server_module

    monkeypatch.setattr(server_module, "KEEP_REQUESTS", 20)
    for _ in range(45):
        await client.fine_tuning.jobs.list()
    assert server.request_count == 45 and len(server.requests) <= 20
    assert server.requests[-1] == ("GET", "/v1/fine_tuning/jobs", {})
