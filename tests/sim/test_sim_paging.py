"""Paging through the real SDK: newest first, `after` walks older, `has_more`, limits."""

from __future__ import annotations

from collections.abc import Callable

import openai
import pytest
from ftwatch.sim.server import SimServer
from ftwatch.sim.simulated import Timing
from ftwatch.sim.world import FakeClock, World

HOUR = 3600.0


@pytest.fixture
def finished_job(world: World, clock: FakeClock) -> str:
    job_id = world.create_job(total_steps=137, n_epochs=3)
    clock.advance(3 * HOUR)
    return job_id


async def test_walking_after_visits_every_event_once_newest_first(
        client: openai.AsyncOpenAI, world: World, finished_job: str, server: SimServer) -> None:
    expected = world.events_json(finished_job)
    seen: list[dict[str, object]] = []
    after = None
    pages = 0
    while True:
        page = await client.fine_tuning.jobs.list_events(finished_job, limit=17, **({"after": after} if after else {}))
        pages += 1
        seen.extend(ev.model_dump(mode="json", exclude_unset=True) for ev in page.data)
        if not page.has_more:
            break
        after = page.data[-1].id
    assert seen == expected
    assert len({e["id"] for e in seen}) == len(expected)
    assert pages == -(-len(expected) // 17)
    assert [q.get("after") for _, _, q in server.requests][1:3] == [seen[16]["id"], seen[33]["id"]]


async def test_sdk_auto_pagination_reaches_the_oldest_event(
        client: openai.AsyncOpenAI, world: World, finished_job: str) -> None:
    ids = [ev.id async for ev in client.fine_tuning.jobs.list_events(finished_job, limit=50)]
    assert ids == [e["id"] for e in world.events_json(finished_job)]
    assert world.events_json(finished_job)[-1]["message"].startswith("Created fine-tuning job")


async def test_a_follower_tails_by_paging_back_to_a_known_id(
        client: openai.AsyncOpenAI, world: World, clock: FakeClock) -> None:
    """The contract a live monitor relies on: newest page first, walk back only until overlap."""
    job_id = world.create_job(total_steps=300, n_epochs=3)
    known: list[str] = []
    for _ in range(60):
        clock.advance(37)
        fresh: list[str] = []
        after = None
        while True:
            page = await client.fine_tuning.jobs.list_events(job_id, limit=10, **({"after": after} if after else {}))
            new = [ev.id for ev in page.data]
            stop = next((i for i, eid in enumerate(new) if eid in known), None)
            fresh.extend(new if stop is None else new[:stop])
            if stop is not None or not page.has_more:
                break
            after = new[-1]
        known.extend(reversed(fresh))
    assert known == [e["id"] for e in reversed(world.events_json(job_id))]


async def test_default_limits_are_20_events_20_jobs_10_checkpoints(
        client: openai.AsyncOpenAI, world: World, clock: FakeClock, finished_job: str) -> None:
    for _ in range(25):
        world.create_job(start_delay=-1)
    assert len((await client.fine_tuning.jobs.list_events(finished_job)).data) == 20
    assert len((await client.fine_tuning.jobs.list()).data) == 20
    job_id = world.create_job(total_steps=240, n_epochs=12)
    clock.advance(5 * HOUR)
    page = await client.fine_tuning.jobs.checkpoints.list(job_id)
    assert len(page.data) == 10 and page.has_more is True


async def test_limits_are_clamped_not_rejected(client: openai.AsyncOpenAI, world: World, finished_job: str) -> None:
    everything = world.events_json(finished_job)
    assert len((await client.fine_tuning.jobs.list_events(finished_job, limit=0)).data) == 1
    assert len((await client.fine_tuning.jobs.list_events(finished_job, limit=-5)).data) == 1
    huge = await client.fine_tuning.jobs.list_events(finished_job, limit=10**9)
    assert len(huge.data) == len(everything) and huge.has_more is False


async def test_a_non_integer_limit_gets_the_real_400_envelope(
        client: openai.AsyncOpenAI, finished_job: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await client.fine_tuning.jobs.list_events(finished_job, extra_query={"limit": "ten"})
    assert caught.value.param == "limit" and caught.value.type == "invalid_request_error"


async def test_an_unknown_after_id_gives_an_empty_last_page(client: openai.AsyncOpenAI, finished_job: str) -> None:
    page = await client.fine_tuning.jobs.list_events(finished_job, after="ftevent-doesnotexist0000000000")
    assert page.data == [] and page.has_more is False


async def test_has_more_is_false_exactly_on_the_oldest_page(client: openai.AsyncOpenAI, world: World,
                                                           finished_job: str) -> None:
    total = len(world.events_json(finished_job))
    first = await client.fine_tuning.jobs.list_events(finished_job, limit=total - 1)
    assert first.has_more is True
    last = await client.fine_tuning.jobs.list_events(finished_job, limit=total - 1, after=first.data[-1].id)
    assert [e.message for e in last.data] == [world.events_json(finished_job)[-1]["message"]]
    assert last.has_more is False
    exact = await client.fine_tuning.jobs.list_events(finished_job, limit=total)
    assert exact.has_more is False


async def test_checkpoint_pages_carry_first_and_last_id(client: openai.AsyncOpenAI, world: World,
                                                       clock: FakeClock) -> None:
    job_id = world.create_job(total_steps=100, n_epochs=5)
    clock.advance(5 * HOUR)
    page = await client.fine_tuning.jobs.checkpoints.list(job_id, limit=2)
    assert [c.step_number for c in page.data] == [100, 80]
    assert page.first_id == page.data[0].id and page.last_id == page.data[-1].id and page.has_more
    steps = [c.step_number async for c in client.fine_tuning.jobs.checkpoints.list(job_id, limit=2)]
    assert steps == [100, 80, 60, 40, 20]


async def test_jobs_list_is_newest_first_and_pages_with_after(
        client: openai.AsyncOpenAI, world: World) -> None:
    ids = world.populate_demo()
    seen = [job.id async for job in client.fine_tuning.jobs.list(limit=3)]
    assert seen == ids
    created = [job.created_at for job in (await client.fine_tuning.jobs.list(limit=100)).data]
    assert created == sorted(created, reverse=True)


async def test_jobs_list_filters_on_metadata(client: openai.AsyncOpenAI, world: World) -> None:
    tagged = world.create_job(metadata={"team": "a"})
    world.create_job(metadata={"team": "b"})
    bare = world.create_job()
    assert [j.id for j in (await client.fine_tuning.jobs.list(metadata={"team": "a"})).data] == [tagged]
    assert [j.id for j in (await client.fine_tuning.jobs.list(extra_query={"metadata": "null"})).data] == [bare]


async def test_every_status_phase_is_reached_through_the_sdk(
        make_client: Callable[..., openai.AsyncOpenAI], world: World, clock: FakeClock) -> None:
    client = make_client()
    job_id = world.create_job(total_steps=40, n_epochs=2, timing=Timing(queue=60.0))
    phases = []
    for _ in range(120):
        job = await client.fine_tuning.jobs.retrieve(job_id)
        phase = "evaluating" if job.status == "running" and job.finished_at else job.status
        if not phases or phases[-1] != phase:
            phases.append(phase)
        clock.advance(15)
    assert phases == ["validating_files", "queued", "running", "evaluating", "succeeded"]
