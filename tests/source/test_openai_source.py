"""OpenAISource through the real SDK: exact dicts kept, all pages followed, SDK errors mapped to calm one-liners."""

from __future__ import annotations

import csv
import io

import pytest

from ftwatch.domain.snapshot import LinkState
from ftwatch.errors import AuthError, FatalSourceError, NotFoundError, TransientSourceError
from ftwatch.source.base import UnreachableError
from ftwatch.source.poll import PollIntervals, watch_job, watch_jobs

from .conftest import API_KEY, make_source, quick_job


async def test_job_and_events_keep_the_exact_api_dicts(world, server, source, clock):
    job_id = quick_job(world, total_steps=30)
    clock.advance(2_000)
    job = await source.get_job(job_id)
    assert dict(job.raw) == world.job_json(job_id) and job.status == "succeeded"
    page = await source.list_events(job_id, limit=1000)
    assert [dict(e.raw) for e in page.events] == world.events_json(job_id) and page.has_more is False
    started = next(e for e in page.events if e.message == "Fine-tuning job started")
    assert started.raw["data"] is None


async def test_events_paging_walks_older_with_after(world, server, source, clock):
    job_id = quick_job(world, total_steps=30)
    clock.advance(2_000)
    first = await source.list_events(job_id, limit=10)
    second = await source.list_events(job_id, after=first.events[-1].id, limit=10)
    assert first.has_more and [e.raw for e in [*first.events, *second.events]] == world.events_json(job_id)[:20]


async def test_list_jobs_follows_every_page(world, server, source, clock):
    for _ in range(130):
        quick_job(world, total_steps=5)
    clock.advance(1)
    jobs = await source.list_jobs()
    assert [j.id for j in jobs] == [j["id"] for j in world.jobs_json()] and len(jobs) == 130
    assert sum(1 for r in server.requests if r[1].endswith("/fine_tuning/jobs")) == 2


async def test_checkpoints_result_file_and_cancel(world, server, source, clock):
    done = quick_job(world, total_steps=60, n_epochs=3)
    clock.advance(2_000)
    running = quick_job(world, total_steps=400)
    clock.advance(30)
    checkpoints = await source.list_checkpoints(done)
    assert [c.step_number for c in checkpoints] == [60, 40, 20]
    job = await source.get_job(done)
    text = await source.result_csv(job.result_files[0])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["step", "train_loss", "train_accuracy", "valid_loss", "valid_mean_token_accuracy"]
    assert len(rows) == 61
    cancelled = await source.cancel_job(running)
    assert cancelled.status == "cancelled"
    with pytest.raises(FatalSourceError) as caught:
        await source.cancel_job(done)
    assert caught.value.status == 400 and "already succeeded" in caught.value.message


async def test_unknown_job_is_not_found_in_one_line(server, source):
    with pytest.raises(NotFoundError) as caught:
        await source.get_job("ftjob-doesnotexist")
    assert caught.value.message.startswith("not found (404)") and "ftjob-doesnotexist" in caught.value.message
    assert "\n" not in caught.value.message


async def test_wrong_key_is_an_auth_error_that_never_shows_a_key(world, server):
    wrong = "sk-wrong-TheUsersOwnSecretValue9999"
    source = make_source(server, api_key=wrong)
    try:
        with pytest.raises(AuthError) as caught:
            await source.list_jobs()
    finally:
        await source.aclose()
    message = caught.value.message
    assert message.startswith("the API refused the key (401)") and "\n" not in message
    assert wrong not in message and API_KEY not in message


async def test_transient_faults_map_to_transient_errors(world, server, source, clock):
    job_id = quick_job(world, total_steps=10)
    server.faults.script(["429;retry-after-ms=1500", "503", "badjson", "drop"])
    outcomes = []
    for _ in range(4):
        with pytest.raises(TransientSourceError) as caught:
            await source.get_job(job_id)
        outcomes.append(caught.value)
    assert outcomes[0].retry_after == 1.5 and outcomes[0].status == 429
    assert outcomes[1].status == 503
    assert outcomes[2].message == "malformed response (not JSON)"
    assert isinstance(outcomes[3], UnreachableError)
    assert (await source.get_job(job_id)).id == job_id


async def test_unreachable_host_is_a_retryable_unreachable_error():
    import openai

    from ftwatch.source.openai_source import OpenAISource

    source = OpenAISource(openai.AsyncOpenAI(base_url="http://127.0.0.1:9/v1", api_key="sk-x", max_retries=0,
                                             timeout=2), description="127.0.0.1:9")
    try:
        with pytest.raises(UnreachableError) as caught:
            await source.get_job("ftjob-x")
    finally:
        await source.aclose()
    assert caught.value.message.startswith("cannot reach 127.0.0.1:9")


async def test_fatal_error_ends_a_watch_with_one_failed_snapshot(server, source, clock, fast_sleep):
    watch = watch_job(source, "ftjob-nope", clock=clock, sleep=fast_sleep)
    snapshots = [s async for s in watch]
    assert len(snapshots) == 1 and snapshots[0].connection.state is LinkState.FAILED
    assert isinstance(watch.last_error, NotFoundError)


async def test_watch_jobs_retries_then_lists_everything(world, server, source, clock, fast_sleep):
    for _ in range(3):
        quick_job(world, total_steps=5)
    clock.advance(1)
    server.faults.script(["500"])
    watch = watch_jobs(source, clock=clock, sleep=fast_sleep, intervals=PollIntervals(jobs=5.0))
    first = await watch.__anext__()
    second = await watch.__anext__()
    await watch.aclose()
    assert first.connection.state is LinkState.RETRYING and first.jobs == ()
    assert second.connection.state is LinkState.OK and len(second.jobs) == 3
    assert second.connection.last_success == clock()


async def test_refresh_cuts_the_wait_short(world, server, source, clock):
    import asyncio

    job_id = quick_job(world, total_steps=400)
    clock.advance(200)
    forever = asyncio.Event()

    async def sleep_forever(seconds: float) -> None:
        await forever.wait()

    watch = watch_job(source, job_id, clock=clock, sleep=sleep_forever)
    await watch.__anext__()
    clock.advance(5)
    pending = asyncio.ensure_future(watch.__anext__())
    await asyncio.sleep(0.05)
    assert not pending.done(), "without a nudge the watch waits for its interval"
    watch.refresh()
    snapshot = await asyncio.wait_for(pending, 5)
    assert snapshot.new_events, "the nudged poll fetched the events of the last 5 s"
    await watch.aclose()


async def test_result_file_fills_the_chart_when_events_lack_steps(world, server, source, clock, fast_sleep):
    """A finished 2023-style job logged metrics every 10th step; the final snapshot takes the rest from the
    result file."""
    steps = list(range(1, 31))
    csv_text = "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n" + "".join(
        f"{s},{2.0 / s:.5f},0.5,," + "\n" for s in steps)
    events = [{"id": f"ftevent-{i:024d}", "object": "fine_tuning.job.event", "created_at": 1_763_000_000 + i,
               "level": "info", "message": f"Step {s}/30: training loss={2.0 / s:.2f}", "type": "metrics",
               "data": {"step": s, "total_steps": 30, "train_loss": 2.0 / s}}
              for i, s in enumerate(steps[9::10])]
    events.append({"id": "ftevent-done", "object": "fine_tuning.job.event", "created_at": 1_763_000_100,
                   "level": "info", "message": "The job has successfully completed", "type": "message", "data": {}})
    [job_id] = world.load_scenario({"jobs": [{"job": {"status": "succeeded"}, "events": list(reversed(events)),
                                              "result_csv": csv_text}]})
    snapshots = [s async for s in watch_job(source, job_id, clock=clock, sleep=fast_sleep)]
    series = snapshots[-1].metrics.get("train_loss")
    assert len(snapshots) == 1 and list(series.steps) == steps
    assert any("/content" in path for _, path, _ in server.requests)


async def test_pause_keeps_progress_and_resume_trains_on(world, server, source, clock):
    job_id = quick_job(world, total_steps=200)
    clock.advance(60)
    before = await source.get_job(job_id)
    assert before.status == "running"
    paused = await source.pause_job(job_id)
    assert paused.status == "paused" and paused.id == job_id
    events_then = len(world.events_json(job_id))
    clock.advance(120)
    assert (await source.get_job(job_id)).status == "paused"
    assert len(world.events_json(job_id)) == events_then          # no step while paused
    resumed = await source.resume_job(job_id)
    assert resumed.status in ("queued", "running")
    clock.advance(120)
    assert (await source.get_job(job_id)).status == "running"
    assert len(world.events_json(job_id)) > events_then
    with pytest.raises(FatalSourceError) as caught:
        await source.resume_job(job_id)
    assert caught.value.status == 400 and "not paused" in caught.value.message
