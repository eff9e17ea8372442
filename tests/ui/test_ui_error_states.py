"""Error states are stated where people look: the job pane says a key was refused, or that the API can't be
reached and when it retries, instead of "connecting…"."""

from __future__ import annotations

import dataclasses

from ftwatch.config import Secret
from ftwatch.sim.server import SimServer
from ftwatch.source.client import open_source
from ftwatch.ui.app import FtwatchApp
from ftwatch.ui.widgets.job_header import JobHeader
from ftwatch.ui.widgets.loss_chart import LossChart

from .conftest import FAST, wait_for


def pane_text(app) -> str:
    chart = app.screen.query_one(LossChart)
    lines = chart.build_lines(max(chart.size.width, 60), max(chart.size.height, 6))
    return app.screen.query_one(JobHeader).rendered_text + "\n" + "\n".join(line.plain for line in lines)


def app_for(base_url: str, key: str, clock) -> FtwatchApp:
    settings = dataclasses.replace(FAST, base_url=base_url, api_key=Secret(key))

    async def factory():
        return await open_source(settings)

    return FtwatchApp(factory, settings, clock=clock)


async def test_a_refused_key_is_said_in_the_job_pane(world, clock):
    world.populate_demo()
    async with SimServer(world, api_key="sk-right") as server:
        app = app_for(server.base_url, "sk-wrong", clock)
        async with app.run_test(size=(120, 35)) as pilot:
            await wait_for(pilot, lambda: "cannot list the jobs" in pane_text(app), what="the refusal in the pane")
            text = pane_text(app)
            assert "401" in text and "OPENAI_API_KEY" in text and "connecting" not in text
            assert "sk-wrong" not in text


async def test_an_unreachable_host_says_when_it_retries(world, clock, server):
    world.populate_demo()
    server.faults.script(["503"] * 100, only="/fine_tuning/jobs")
    app = app_for(server.base_url, "sim", clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_for(pilot, lambda: "retrying" in pane_text(app), what="the retry in the pane")
        assert "connecting" not in app.screen.query_one(JobHeader).rendered_text
