"""Instant relaunch (issue 15 "done when"): quit and relaunch on a 10,000-step finished job, and its full chart,
its log and the jobs list are drawn from the local history while the API accepts the connection and never
answers; what is shown is marked cached."""

from __future__ import annotations

from ftwatch.config import Secret, Settings
from ftwatch.history.account import Account
from ftwatch.launch import make_app
from ftwatch.source.poll import watch_job
from ftwatch.ui.widgets.event_log import EventLog
from ftwatch.ui.widgets.job_list import JobList

from .conftest import finished_job, follow_whole, wait_for
from .silent_api import SilentApi

STEPS = 10_000


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_the_cached_chart_and_log_are_drawn_while_the_api_is_silent(server, world, clock, source, fast_sleep,
                                                                          open_history):
    async with SilentApi() as silent:
        # The first launch (against the simulator) stored the job under the account the relaunch points at.
        job_id = finished_job(world, clock, steps=STEPS)
        writer = open_history(account=Account.of(silent.base_url))
        snapshots, raws = await follow_whole(watch_job(source, job_id, clock=clock, sleep=fast_sleep,
                                                       history=writer), limit_seconds=120)
        assert writer.flush(60) and snapshots[-1].job.status == "succeeded"
        writer.close()

        settings = Settings(base_url=silent.base_url, api_key=Secret("sk-test-silent"), poll_interval=0.05,
                            timeout=60)
        app = make_app(settings, demo=False, clock=clock)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            shown = await wait_for(pilot, lambda: screen.latest(job_id), what="the cached snapshot", timeout=30)
            await wait_for(pilot, lambda: silent.requests >= 1, what="a request the API sits on", timeout=30)
            await pilot.pause(0.3)
            shown = screen.latest(job_id)
            assert shown.connection.freshness.value == "cached"
            assert len(shown.metrics.get("train_loss")) == STEPS                # the full chart
            assert len(shown.events) == len(raws)                               # the whole log
            assert screen.query_one(JobList).visible_ids == [job_id]
            log = screen.query_one(EventLog)
            await wait_for(pilot, lambda: log.lines, what="the log drawn")
            text = screen_text(app)
            assert "cached · connecting" in text                                # the status line says so
            assert f"{STEPS:,}" in text or str(STEPS) in text                   # the chart's last step
            assert "The job has successfully" in text                           # the log's last line
            assert text.count("cached · connecting") >= 2                        # the job header says it too
            assert silent.requests >= 1                                          # ...and nothing answered


async def test_a_relaunched_monitor_only_confirms_a_finished_job(server, world, clock):
    """Second launch on a finished job the first one followed to its end: the jobs list, the job and one events
    page, nothing else (its result file, for the row's health, comes from the history); the cached mark goes
    once the API answered."""
    job_id = finished_job(world, clock, steps=500)
    settings = Settings(base_url=server.base_url, api_key=Secret("sk-test"), poll_interval=0.05)

    first = make_app(settings, demo=False, clock=clock)
    async with first.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: (s := first.screen.latest(job_id)) and s.connection.state.value == "ok"
                       and s.phase.is_terminal, what="the job followed to its end", timeout=30)
    first_requests = len(server.requests)
    assert first_requests > 6

    second = make_app(settings, demo=False, clock=clock)
    async with second.run_test(size=(120, 40)) as pilot:
        screen = second.screen
        await wait_for(pilot, lambda: (s := screen.latest(job_id)) and s.connection.state.value == "ok",
                       what="the job confirmed", timeout=30)
        await pilot.pause(0.5)
        asked = [path.removeprefix("/v1") for _, path, _ in server.requests[first_requests:]]
        text = screen_text(second)
        about_the_job = [path for path in asked if path != "/fine_tuning/jobs"]    # the list polls on (0.25 s)
        assert about_the_job == [f"/fine_tuning/jobs/{job_id}", f"/fine_tuning/jobs/{job_id}/events"], asked
        assert "cached" not in text and "jobs list updated every" in text
