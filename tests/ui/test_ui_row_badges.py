"""Health badges on the jobs rows: a new user sees which job overfits and which stalled without visiting each.

A finished job nobody visited is judged from its result file (read once), a running job nobody follows from its
newest events (read at each jobs-list poll), a followed job from its own snapshot. Read back from the screen at
80x24 (the verdict shares the status cell) and 120x35 (its own column), against the simulator.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ftwatch.domain.insight.verdict import Badge, Verdict
from ftwatch.domain.models import Job
from ftwatch.domain.snapshot import Connection, JobsSnapshot, LinkState
from ftwatch.sim.simulated import Timing
from ftwatch.ui import views, watchers
from ftwatch.ui.monitor_state import MonitorState
from ftwatch.ui.widgets.job_columns import content_widths, fit_columns
from ftwatch.ui.widgets.job_list import JobList

from .conftest import START, wait_for
from .test_ui_footer import screen_lines
from .test_ui_job_columns import row

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "real-samples"
OVERFITTING_CSV = SAMPLES / "metrics_patent_insights_1665steps_valid_every_100.csv"   # valid 0.52 -> 0.94
HOUR = 3600
SIZES = [(80, 24), (120, 35)]
WAITING = Timing(validate=10 * HOUR)          # the newest job validates the whole test: it is the selected one


def _event(job_id: str, n: int, at: int, message: str, **data) -> dict:
    kind = "metrics" if data else "message"
    return {"object": "fine_tuning.job.event", "id": f"ftevent-{job_id[-6:]}-{n:04d}", "created_at": at,
            "level": "info", "message": message, "data": data or None, "type": kind}


def overfitting_entry(now: float) -> dict:
    """A succeeded job whose real result file (1,665 steps) has its validation loss climb from 0.52 to 0.94."""
    job_id, start = "ftjob-overfitpatents0001", int(now - 5 * HOUR)
    events = [_event(job_id, 2, start + 3000, "The job has successfully completed"),
              _event(job_id, 1, start + 60, "Fine-tuning job started")]
    return {"job": {"id": job_id, "status": "succeeded", "created_at": start, "finished_at": start + 3000,
                    "model": "gpt-4o-mini-2024-07-18", "user_provided_suffix": "patents",
                    "validation_file": "file-patentsvalid"},
            "events": events, "result_csv": OVERFITTING_CSV.read_text()}


def stalled_entry(now: float) -> dict:
    """A running job that stepped every 2 s for 40 steps, then went silent half an hour ago."""
    job_id, last = "ftjob-stalledrunning0001", int(now - 1800)
    first = last - 2 * 40
    steps = [_event(job_id, 1 + s, first + 2 * s, f"Step {s}/200: training loss=1.00", step=s, total_steps=200,
                    train_loss=1.0 - s / 100, train_mean_token_accuracy=0.5) for s in range(1, 41)]
    events = [*reversed(steps), _event(job_id, 1, first - 10, "Fine-tuning job started")]
    return {"job": {"id": job_id, "status": "running", "created_at": first - 300, "model": "gpt-4.1-nano-2025-04-14",
                    "user_provided_suffix": "stuck", "validation_file": "file-stuckvalid"},
            "events": events, "replay": False}


def badge_world(world, healthy: bool = True) -> dict[str, str]:
    """The selected (newest) job validating, an overfitting succeeded job, a stalled running job (neither of them
    selected) and a healthy succeeded job (left out where the table has room for three rows only)."""
    now = world.now()
    ids = {"healthy": world.create_job(total_steps=120, n_epochs=2, suffix="healthy", start_at=now - 3 * HOUR)} \
        if healthy else {}
    ids["overfitting"], ids["stalled"] = world.load_scenario({"jobs": [overfitting_entry(now), stalled_entry(now)]})
    ids["selected"] = world.create_job(total_steps=100, suffix="newest", start_delay=0, timing=WAITING)
    return ids


def row_line(app, job_id: str) -> str:
    """The job's row as it reads on screen."""
    table = app.screen.query_one(JobList)
    y = table.region.y + 1 + table.visible_ids.index(job_id)          # under the header
    return screen_lines(app)[y][table.region.x:table.region.right]


async def badges_on_screen(pilot, ids: dict[str, str]) -> dict[str, str]:
    app = pilot.app
    table = app.screen.query_one(JobList)
    await wait_for(pilot, lambda: len(table.visible_ids) == len(ids), what="every job listed")
    await wait_for(pilot, lambda: "⚠ overfitting" in row_line(app, ids["overfitting"]), what="the overfitting badge")
    await wait_for(pilot, lambda: "⚠ stalled" in row_line(app, ids["stalled"]), what="the stalled badge")
    await pilot.pause(0.3)
    return {name: row_line(app, job_id) for name, job_id in ids.items()}


@pytest.mark.parametrize("size", SIZES)
async def test_rows_say_which_job_overfits_and_which_stalled_without_a_visit(world, server, make_app, size):
    ids = badge_world(world, healthy=size[1] > 24)          # 80x24 shows three rows
    app = make_app()
    async with app.run_test(size=size) as pilot:
        lines = await badges_on_screen(pilot, ids)
        assert app.screen.selected_job_id == ids["selected"]                # neither was visited
        assert "⚠" not in lines["selected"] and "⚠" not in lines.get("healthy", ""), lines
        assert "✓" in lines["overfitting"] and "▶" in lines["stalled"]      # the phase's symbol stays
        if size[0] >= 120:                                                   # its own column, the status whole
            assert "✓ succeeded" in lines["overfitting"] and "▶ running" in lines["stalled"]
            assert "health" in screen_lines(app)[app.screen.query_one(JobList).region.y]
        assert max(len(line.rstrip()) for line in screen_lines(app)) <= size[0]   # nothing cut at the edge
        succeeded = len(ids) - 2
        result_reads = [r for r in server.requests if r[1].startswith("/v1/files/") and r[1].endswith("/content")]
        assert len(result_reads) == succeeded               # once per succeeded job never followed
        for _ in range(4):                                  # more jobs-list polls: never a second read
            await pilot.pause(0.3)
        assert len([r for r in server.requests if r[1].endswith("/content")]) == succeeded


async def test_a_running_job_beyond_the_followed_rows_is_judged_from_its_newest_events(
        world, server, make_app, monkeypatch: pytest.MonkeyPatch):
    """With no room left for followed rows, the stalled job's row still says so: one page of its newest events
    per jobs-list poll (and nothing for the jobs that are not running)."""
    monkeypatch.setattr(watchers, "MAX_ROW_WATCHERS", 0)
    ids = badge_world(world)
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        lines = await badges_on_screen(pilot, ids)
        assert ids["stalled"] not in app.screen._workers.watchers.followed
        assert "40/200" in lines["stalled"]                  # the same page gives its row's steps
        polls_before = sum(1 for r in server.requests if r[1] == "/v1/fine_tuning/jobs")
        peeks_before = [r for r in server.requests if r[1].endswith(f"{ids['stalled']}/events")]
        for _ in range(5):
            await pilot.pause(0.3)
        polls = sum(1 for r in server.requests if r[1] == "/v1/fine_tuning/jobs") - polls_before
        peeks = len([r for r in server.requests if r[1].endswith(f"{ids['stalled']}/events")]) - len(peeks_before)
        assert polls >= 2 and peeks <= polls + 1             # one page per jobs-list poll, never more
        assert all(r[2].get("limit") == "20" for r in server.requests if r[1].endswith(f"{ids['stalled']}/events"))
        assert "⚠ stalled" in row_line(app, ids["stalled"])


def test_a_row_names_its_first_verdict_and_counts_the_others():
    job = Job(id="ftjob-x", created_at=START, status="running", model="gpt-4o-mini")
    assert views.job_row(job, None, None).health == ""
    one = views.job_row(job, None, None, health=(Verdict(Badge.STALLED, "no event for 9 min"),))
    assert one.health == "⚠ stalled"
    two = views.job_row(job, None, None, health=(Verdict(Badge.DIVERGING, "NaN"), Verdict(Badge.OVERFITTING, "up")))
    assert two.health == "⚠ diverging +1"                                     # assess's order
    assert two.matches("diverging") and not one.matches("overfitting")       # `/` finds the flagged jobs
    now = views.job_row(job, None, None, health=(Verdict(Badge.OVERFITTING, "up"), Verdict(Badge.STALLED, "quiet")))
    assert now.health == "⚠ stalled +1"                                       # what is wrong right now first


def test_a_verdict_gets_its_own_column_where_the_name_keeps_room_and_shares_the_status_cell_where_not():
    rows = [row("support-bot · gpt-4.1-nano"), row("car-pricer · gpt-4.1-nano", health="⚠ overfitting")]
    wide = fit_columns(119, content_widths(rows))
    assert [key for key, _, _ in wide][:3] == ["badge", "health", "name"]
    assert dict((k, w) for k, _, w in wide)["name"] == len("support-bot · gpt-4.1-nano")
    narrow = fit_columns(79, content_widths(rows))
    assert "health" not in [key for key, _, _ in narrow]
    widths = dict((k, w) for k, _, w in narrow)
    assert widths["badge"] >= len("✓ ⚠ overfitting") and sum(w + 2 for w in widths.values()) <= 79
    calm = fit_columns(119, content_widths(rows[:1]))
    assert "health" not in [key for key, _, _ in calm]                       # no verdict, no column


def listed(*jobs: Job) -> MonitorState:
    state = MonitorState()
    state.apply_jobs(JobsSnapshot(jobs=jobs, connection=Connection(state=LinkState.OK), taken_at=START))
    return state


def test_each_finished_jobs_result_file_is_asked_for_once_a_few_at_a_time_and_never_for_a_visited_one():
    finished = [Job(id=f"ftjob-{n}", created_at=START - n, status="succeeded", model="m", result_files=(f"file-{n}",))
                for n in range(5)]
    no_file = Job(id="ftjob-failed", created_at=START - 9, status="failed", model="m")
    running = Job(id="ftjob-run", created_at=START, status="running", model="m", result_files=("file-run",))
    state = listed(running, *finished, no_file)
    state.latest["ftjob-1"] = object()              # visited: its own snapshot judges it
    assert [j.id for j in state.wanted_results(3)] == ["ftjob-0", "ftjob-2", "ftjob-3"]     # newest first
    assert [j.id for j in state.wanted_results(3)] == ["ftjob-4"]
    assert state.wanted_results(3) == []                                    # the file never changes


def test_only_running_jobs_nobody_follows_are_peeked_and_at_every_poll():
    running = [Job(id=f"ftjob-r{n}", created_at=START - n, status="running", model="m") for n in range(3)]
    state = listed(*running, Job(id="ftjob-q", created_at=START - 5, status="queued", model="m"))
    assert [j.id for j in state.wanted_running_peeks(followed=["ftjob-r0"])] == ["ftjob-r1", "ftjob-r2"]
    assert [j.id for j in state.wanted_running_peeks(followed=["ftjob-r0"])] == ["ftjob-r1", "ftjob-r2"]


async def test_the_demos_overfitted_and_stalled_jobs_say_so_in_their_rows_on_first_look(world, make_app):
    """`ftwatch --demo`: the newest job is selected; patent-claims (finished hours ago) and ticket-triage
    (silent for minutes) carry their badges anyway, and the healthy finished car-pricer carries none."""
    shown = world.populate_demo()
    by_suffix = {world.job_json(i)["user_provided_suffix"]: i for i in shown}
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        table = app.screen.query_one(JobList)
        cells = lambda name: " ".join(str(c) for c in table.get_row(by_suffix[name]))   # noqa: E731
        await wait_for(pilot, lambda: len(table.visible_ids) == len(shown), what="every demo job listed")
        await wait_for(pilot, lambda: "⚠ overfitting" in cells("patent-claims"), what="patent-claims' badge")
        await wait_for(pilot, lambda: "⚠ stalled" in cells("ticket-triage"), what="ticket-triage's badge")
        await pilot.pause(0.5)
        assert app.screen.selected_job_id == shown[0]
        assert "⚠" not in cells("car-pricer") and "⚠" not in cells("support-bot")


async def test_at_80x24_the_status_line_counts_the_flagged_jobs_the_rows_cannot_show(world, make_app):
    """Only three rows fit at 80x24 and the demo's flagged jobs are the fifth and seventh: the status line says
    "⚠ 2 flagged" so a new user knows to look (and `/stalled` or `/overfit` finds them)."""
    from ftwatch.ui.widgets.status_line import StatusLine

    shown = world.populate_demo()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "⚠ 2 flagged" in status.lines[0].plain if status.lines else False,
                       what="the flagged count in the status line")
        assert len(app.screen.query_one(JobList).visible_ids) == len(shown)


def test_with_no_room_for_the_source_the_link_words_stay_whole():
    """At 80 columns "⚠ 2 flagged" leaves the source no room: the source goes, the link's words stay whole
    (Text.truncate(0) truncates nothing, which once left the source and cut the link to "…")."""
    from ftwatch.ui.widgets.status_line import StatusLine, StatusView

    line = StatusLine()
    line._view = StatusView(source="simulated API on 127.0.0.1:40411", link="jobs list updated every 10 s",
                            demo=True, jobs=9, flagged=2)
    line._style = lambda name: None          # unmounted: no stylesheet to read component styles from
    text = line.build_lines(80, 1)[0].plain
    assert "jobs list updated every 10 s" in text and "⚠ 2 flagged" in text
    assert "127.0.0" not in text and len(text) <= 80
