"""A relaunch asks only for what is new (requests counted at the simulator): a finished job the history holds
whole costs two requests (the job read and one events page), a running one the pages of its new events; and
`ftwatch follow --json` run twice prints the same bytes, the second time from the history."""

from __future__ import annotations

import math

import pytest

from ftwatch.cli import main
from ftwatch.source.poll import watch_job
from simkit import ThreadedSim

from .conftest import FAST, finished_job, follow_whole, requests_since


async def test_a_finished_job_complete_in_the_history_costs_two_requests(server, world, clock, source, fast_sleep,
                                                                         open_history):
    job_id = finished_job(world, clock, steps=2000)
    writer = open_history()
    _, first = await follow_whole(watch_job(source, job_id, clock=clock, sleep=fast_sleep, history=writer))
    first_requests = len(server.requests)
    assert first_requests >= math.ceil(len(first) / 100)           # the first launch reads every page
    assert writer.flush()

    mark = len(server.requests)
    snapshots, again = await follow_whole(watch_job(source, job_id, clock=clock, sleep=fast_sleep,
                                                    history=open_history()))
    asked = requests_since(server, mark)
    assert len(asked) <= 2, asked
    assert [path.rsplit("/", 1)[-1] for _, path, _ in asked] == [job_id, "events"]
    assert again == first                                           # nothing lost, nothing twice
    assert snapshots[-1].job.status == "succeeded" and len(snapshots[-1].metrics.get("train_loss")) == 2000


async def test_without_the_history_the_same_relaunch_reads_every_page_again(server, world, clock, source,
                                                                             fast_sleep, open_history):
    job_id = finished_job(world, clock, steps=2000)
    _, first = await follow_whole(watch_job(source, job_id, clock=clock, sleep=fast_sleep))
    mark = len(server.requests)
    await follow_whole(watch_job(source, job_id, clock=clock, sleep=fast_sleep))
    assert len(requests_since(server, mark)) >= math.ceil(len(first) / 100)


async def test_a_running_job_relaunched_fetches_only_its_new_events(server, world, clock, source, fast_sleep,
                                                                    open_history):
    job_id = world.create_job(total_steps=600, timing=FAST)
    clock.advance(300)                                   # part-way through training
    writer = open_history()
    watch = watch_job(source, job_id, clock=clock, sleep=fast_sleep, history=writer)
    seen: list[dict] = []
    async for snapshot in watch:
        seen.extend(dict(e.raw) for e in snapshot.new_events)
        if snapshot.metrics.last_step and snapshot.phase.value == "running":
            break
    await watch.aclose()
    assert writer.flush()
    stored = len(seen)

    clock.advance(200)                                   # 200 more steps while ftwatch was closed
    mark = len(server.requests)
    relaunch = watch_job(source, job_id, clock=clock, sleep=fast_sleep, history=open_history())
    cached = await relaunch.__anext__()
    assert cached.connection.freshness.value == "cached" and len(cached.events) == stored
    polled = await relaunch.__anext__()
    await relaunch.aclose()
    new = len(polled.new_events)
    assert new >= 150
    event_pages = [r for r in requests_since(server, mark) if r[1].endswith("/events")]
    assert len(event_pages) <= math.ceil(new / 100) + 1
    ids = [e.id for e in polled.events]
    assert len(ids) == len(set(ids)) == stored + new      # joined up: none missing, none twice

    everything = await follow_whole(watch_job(source, job_id, clock=clock, sleep=fast_sleep))
    assert [e["id"] for e in everything[1][: len(ids)]] == ids   # the API's own order


@pytest.fixture
def threaded_sim():
    sim = ThreadedSim(speed=1000.0, seed=5)
    yield sim
    sim.close()


def test_follow_json_twice_prints_the_same_bytes_and_asks_twice(threaded_sim, capsys):
    sim = threaded_sim
    job_id = sim.run(lambda: sim.world.create_job(total_steps=300, timing=FAST, start_delay=-10_000))
    argv = ["follow", job_id, "--json", "--base-url", sim.server.base_url]
    env_key = {"OPENAI_API_KEY": "sk-test"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env_key.items():
            patch.setenv(name, value)
        assert main(argv) == 0
        first = capsys.readouterr().out
        mark = len(sim.server.requests)
        assert main(argv) == 0
        second = capsys.readouterr().out
        asked = sim.server.requests[mark:]
        assert main([*argv, "--no-cache"]) == 0
        fresh = capsys.readouterr().out
    assert first.count("\n") > 300
    assert second == first == fresh
    assert len(asked) == 2, asked
