"""--offline reads only the local history: follow, summary and export print what they printed online, not one
request reaches the API, stderr says offline; wait refuses in one line; a job the history never saw is one
line too; the TUI shows the cached jobs with no API at all and says offline in its status line."""

from __future__ import annotations

import json

import pytest

from ftwatch.cli import main
from ftwatch.config import Secret, Settings
from ftwatch.errors import FatalSourceError
from ftwatch.launch import make_app
from ftwatch.source.offline_source import OfflineSource
from ftwatch.ui.widgets.job_list import JobList
from simkit import ThreadedSim

from .conftest import FAST, wait_for
from .test_instant_relaunch import screen_text


@pytest.fixture
def sim():
    made = ThreadedSim(speed=1000.0, seed=9)
    yield made
    made.close()


def run(sim, capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPENAI_API_KEY", "sk-test")
        status = main([*argv, "--base-url", sim.server.base_url])
    done = capsys.readouterr()
    return status, done.out, done.err


def offline(sim, capsys, *argv: str) -> tuple[int, str, str]:
    """The same command with --offline, no key in the environment, and no request allowed."""
    mark = len(sim.server.requests)
    status = main([*argv, "--offline", "--base-url", sim.server.base_url])
    done = capsys.readouterr()
    assert sim.server.requests[mark:] == []
    return status, done.out, done.err


def test_follow_summary_and_export_offline_print_what_they_printed_online(sim, capsys):
    job_id = sim.run(lambda: sim.world.create_job(total_steps=200, timing=FAST, start_delay=-10_000))
    online = {name: run(sim, capsys, *argv) for name, argv in (
        ("follow", ("follow", job_id, "--json")), ("summary", ("summary", job_id, "--json")),
        ("export", ("export", job_id)))}
    for name, argv in (("follow", ("follow", job_id, "--json")), ("summary", ("summary", job_id, "--json")),
                       ("export", ("export", job_id))):
        status, out, err = offline(sim, capsys, *argv)
        assert status == online[name][0] == 0
        assert out == online[name][1], name
        assert "offline: reading only the local history" in err
    summary = json.loads(online["summary"][1])
    assert summary["status"] == "succeeded" and summary["steps"] == 200 and summary["checkpoints"]


def test_wait_offline_refuses_in_one_line(sim, capsys):
    job_id = sim.run(lambda: sim.world.create_job(total_steps=20, timing=FAST, start_delay=-10_000))
    status, out, err = offline(sim, capsys, "wait", job_id)
    assert status == 2 and out == "" and err.count("\n") == 1 and "cannot wait" in err


def test_a_job_the_history_never_saw_is_one_line_offline(sim, capsys):
    status, out, err = offline(sim, capsys, "summary", "ftjob-never-seen")
    assert status == 4 and out == ""
    assert err.splitlines()[-1] == ("ftwatch: ftjob-never-seen is not in the local history "
                                    "(offline: nothing is asked of the API)")


def test_a_job_last_seen_running_prints_what_is_stored_and_says_so(sim, capsys):
    job_id = sim.run(lambda: sim.world.create_job(total_steps=5000, timing=FAST, start_delay=-60))
    status, out, _ = run(sim, capsys, "summary", job_id, "--json")
    assert status == 0 and json.loads(out)["status"] == "running"
    status, out, err = offline(sim, capsys, "follow", job_id)
    assert status == 0 and "step 1/5000" in out and out.count("\n") > 10
    assert "the local history last saw" in err and "running" in err and "without --offline" in err


def test_offline_and_no_cache_together_are_refused(sim, capsys):
    status = main(["follow", "ftjob-x", "--offline", "--no-cache"])
    assert status == 2 and "cannot be combined" in capsys.readouterr().err


async def test_the_monitor_offline_shows_the_cached_jobs_with_no_api_at_all(world, clock, server):
    for steps in (40, 60):
        world.create_job(total_steps=steps, timing=FAST, start_delay=-10_000)
    online = Settings(base_url=server.base_url, api_key=Secret("sk-test"), poll_interval=0.05)
    app = make_app(online, demo=False, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.query_one(JobList).visible_ids) == 2, what="two jobs")
        first = app.screen.query_one(JobList).visible_ids[0]
        await wait_for(pilot, lambda: (s := app.screen.latest(first)) and s.phase.is_terminal
                       and s.connection.state.value == "ok", what="the selected job read whole")
    asked = len(server.requests)

    offline_settings = Settings(base_url=server.base_url, poll_interval=0.05, offline=True)     # no key either
    app = make_app(offline_settings, demo=False, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.query_one(JobList).visible_ids) == 2, what="the cached jobs")
        await wait_for(pilot, lambda: (s := app.screen.latest(first)) and s.connection.state.value == "ok",
                       what="the selected job from the history")
        text = screen_text(app)
        assert "offline · jobs list read from the local history" in text
        assert "offline · job read from the local history" in text
        assert len(app.screen.latest(first).metrics.get("train_loss")) in (40, 60)
    assert len(server.requests) == asked


async def test_job_actions_offline_are_refused_by_name(open_history):
    source = OfflineSource(open_history())
    for verb, action in (("cancel", source.cancel_job), ("pause", source.pause_job), ("resume", source.resume_job)):
        with pytest.raises(FatalSourceError, match=f"offline: cannot {verb} a job without the API"):
            await action("ftjob-x")
