"""The monitor screen driven like a user would, against the simulator through the real SDK."""

from __future__ import annotations

from pathlib import Path

from ftwatch.sim.simulated import Timing
from ftwatch.ui.screens.confirm import ConfirmJobAction
from ftwatch.ui.screens.help import HelpScreen
from ftwatch.ui.widgets.event_log import EventLog
from ftwatch.ui.widgets.job_header import JobHeader
from ftwatch.ui.widgets.job_list import JobList
from ftwatch.ui.widgets.job_progress import JobProgress
from ftwatch.ui.widgets.loss_chart import LossChart
from ftwatch.ui.widgets.status_line import StatusLine
from ftwatch.ui.widgets.text_line import TextLine

from .conftest import START, wait_for

SIZE = (120, 40)
BRISK = Timing(validate=2.0, queue=1.0, warmup=2.0, step=1.0, full_validation=1.0, build_model=2.0,
               safety_eval=10.0, complete=1.0)


def header(pilot) -> str:
    return pilot.app.screen.query_one(JobHeader).rendered_text


def selected_snapshot(pilot):
    screen = pilot.app.screen
    return screen.latest(screen.selected_job_id) if screen.selected_job_id else None


async def loaded(pilot, job_id: str | None = None):
    """Wait until the selected job (or `job_id`) has its first snapshot on screen."""
    def ready():
        snapshot = selected_snapshot(pilot)
        return snapshot is not None and snapshot.job.created_at and (job_id is None or snapshot.job.id == job_id) \
            and snapshot.job.id in header(pilot)
    await wait_for(pilot, ready, what=f"job {job_id or 'selected'} on screen")
    return selected_snapshot(pilot)


async def test_j_and_k_move_between_jobs_and_the_job_pane_follows(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, ids[0])
        assert app.screen.query_one(JobList).visible_ids == ids          # newest first
        await pilot.press("j")
        await loaded(pilot, ids[1])
        assert ids[0] not in header(pilot)
        await pilot.press("j", "j")
        await loaded(pilot, ids[3])
        await pilot.press("k")
        await loaded(pilot, ids[2])
        await pilot.press("down")                                          # arrows move too (list focused)
        await loaded(pilot, ids[3])


async def test_progress_bar_and_chart_advance_as_the_simulated_job_trains(world, clock, make_app):
    job_id = world.create_job(total_steps=300, n_epochs=3, suffix="grower", timing=BRISK, step_seconds=1.0,
                              start_delay=-(2 + 1 + 2 + 20))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        first = await loaded(pilot, job_id)
        progress = app.screen.query_one(JobProgress)
        chart = app.screen.query_one(LossChart)
        step0, fraction0, renders0 = first.progress.step, progress.view.fraction, chart.renders
        lines0 = chart.rendered_text
        assert step0 and f"{step0}/300" in progress.rendered_text

        clock.advance(60)
        await wait_for(pilot, lambda: (s := selected_snapshot(pilot)) and s.progress.step >= step0 + 50
                               and f"{s.progress.step}/300" in progress.rendered_text and s, what="60 more steps")
        assert progress.view.fraction > fraction0
        assert chart.renders > renders0 and chart.rendered_text != lines0
        assert "ETA" in progress.rendered_text


async def test_scrolling_up_pauses_the_log_and_counts_what_arrives(world, clock, make_app):
    job_id = world.create_job(total_steps=2000, n_epochs=2, timing=BRISK, step_seconds=1.0, start_delay=-5)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, job_id)
        log = app.screen.query_one(EventLog)
        caption = app.screen.query_one("#log-caption", TextLine)
        clock.advance(1500)                                 # ~37 kept metric lines: more than the log shows
        await wait_for(pilot, lambda: log.line_count > log.size.height + 5, what="a full log")
        await wait_for(pilot, lambda: log.is_vertical_scroll_end, what="log at its end")
        assert caption.plain == "events"

        log.focus()
        await pilot.press("up", "up")
        await wait_for(pilot, lambda: not log.following, what="following paused")
        before, top = log.line_count, log.scroll_y
        assert "paused" in caption.plain

        clock.advance(400)
        await wait_for(pilot, lambda: log.line_count > before + 3, what="new lines while paused")
        await pilot.pause(0.3)
        arrived = log.line_count - before
        assert caption.plain == f"events · paused · +{arrived} new (End or f follows)"
        assert log.scroll_y == top                           # the view did not jump to the tail

        await pilot.press("f")
        await wait_for(pilot, lambda: log.following and log.is_vertical_scroll_end, what="following again")
        assert caption.plain == "events"


async def test_cancel_asks_first_and_then_the_job_shows_cancelled(world, make_app):
    job_id = world.create_job(total_steps=500, suffix="victim", timing=BRISK, start_delay=-20)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded(pilot, job_id)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmJobAction), what="the confirmation")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmJobAction), what="dialog closed")
        await pilot.pause(0.3)
        assert world.job_json(job_id)["status"] == "running"           # "no" sent nothing

        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmJobAction), what="the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: "⊘ cancelled" in header(pilot), what="cancelled in the header")
        jobs = app.screen.query_one(JobList)
        assert "⊘ cancelled" in str(jobs.get_row(job_id)[0])
        messages = [n.message for n in app._notifications]
        assert any("the server says cancelled" in message for message in messages)


async def test_a_failed_cancel_is_shown_not_swallowed(world, server, make_app):
    job_id = world.create_job(total_steps=500, timing=BRISK, start_delay=-20)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded(pilot, job_id)
        server.faults.script(["500"] * 50, only="/cancel")
        await pilot.press("c", "y")
        await wait_for(pilot, lambda: any("Cancel failed" in n.message for n in app._notifications),
                       what="the failure notice")
        server.faults.clear()
        assert world.job_json(job_id)["status"] == "running"


async def test_a_finish_notice_fires_once_per_job_and_runs_the_notify_command(world, clock, make_app, tmp_path):
    world.create_job(total_steps=100, start_at=START - 5 * 3600)          # finished before we looked: silent
    job_id = world.create_job(total_steps=12, n_epochs=1, timing=BRISK, step_seconds=1.0, start_delay=-4)
    out = tmp_path / "notified.txt"
    command = f'printf "%s %s\\n" "$FTWATCH_JOB_ID" "$FTWATCH_JOB_STATUS" >> {out}'
    app = make_app(notify_cmd=command)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded(pilot, job_id)
        screen = app.screen
        assert screen.finish_notices == []
        for _ in range(6):
            clock.advance(10)
            await pilot.pause(0.2)
        await wait_for(pilot, lambda: screen.finish_notices, what="the finish notice")
        await wait_for(pilot, lambda: out.exists() and out.read_text(), what="the notify command")
        for _ in range(3):                                  # more polls of a finished job: still once
            await pilot.press("r")
            await pilot.pause(0.3)
        assert screen.finish_notices == [(job_id, "succeeded")]
        assert out.read_text() == f"{job_id} succeeded\n"
        assert sum("Job finished" == n.title for n in app._notifications) == 1


async def test_hostile_strings_are_shown_literally_and_harmlessly(world, make_app):
    (job_id,) = world.load_scenario(Path(__file__).parent / "scenarios" / "hostile.json")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, job_id)
        log = app.screen.query_one(EventLog)
        await wait_for(pilot, lambda: len(log.lines) >= 8, what="the hostile events in the log")
        shown = "\n".join(log.lines)
        assert "[bold red]not markup[/bold red] and [link=https://evil.example]a link[/link]" in shown
        assert "clipboard  write" in shown and "screen  clear" in shown      # sequences removed, text kept
        assert "a [$error]variable[/]" in shown
        row = " ".join(str(cell) for cell in app.screen.query_one(JobList).get_row(job_id))
        assert "[bold red]pwn" in row
        assert "gpt-4o-mini[bold]" in row or "gpt-4o-mini-2024-07-18[bold]" in header(pilot)
        screen_text = app.export_screenshot()
        for widget_text in (shown, row, header(pilot), screen_text):
            assert "\x1b" not in widget_text and "\x07" not in widget_text and "\u202e" not in widget_text
        assert "ZXZpbA" not in shown + row                                 # the OSC 52 payload is gone whole


async def test_help_lists_the_keys_that_work_now(world, make_app):
    world.populate_demo()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
        text = str(app.screen.query_one("#help-keys").render())
        for expected in ("Next job", "Cancel job", "Smooth more", "Log scale", "Metric", "Follow log", "Copy id",
                         "Refresh", "Filter", "Quit", "Help"):
            assert expected in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="help closed")


async def test_chart_keys_change_smoothing_scale_and_metric(world, clock, make_app):
    job_id = world.create_job(total_steps=300, timing=BRISK, start_delay=-60)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, job_id)
        caption = app.screen.query_one("#chart-caption", TextLine)
        await wait_for(pilot, lambda: caption.plain.startswith("loss"), what="the chart caption")
        assert "smoothing auto" in caption.plain and "half-life 6 steps" in caption.plain
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: "half-life 12 steps" in caption.plain, what="more smoothing")
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket",
                          "left_square_bracket", "left_square_bracket")
        await wait_for(pilot, lambda: "raw" in caption.plain, what="no smoothing")
        await pilot.press("l")
        await wait_for(pilot, lambda: "log scale" in caption.plain, what="log scale")
        await pilot.press("m")
        await wait_for(pilot, lambda: caption.plain.startswith("token accuracy"), what="the next metric")


async def test_filter_copy_and_jump_to_job(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, ids[0])
        jobs = app.screen.query_one(JobList)
        await pilot.press("slash", *"pricer")
        await wait_for(pilot, lambda: len(jobs.visible_ids) == 2, what="filtered rows")     # pricer, car-pricer
        assert "filter: pricer" in app.screen.query_one(StatusLine).rendered_text
        await pilot.press("enter")
        await loaded(pilot, ids[3])
        await pilot.press("y")
        assert app.clipboard == ids[3]

        hidden = next(job_id for job_id in reversed(ids) if job_id not in jobs.visible_ids)
        app.screen.jump_to_job(hidden)                       # what the palette's "jump to" calls
        await loaded(pilot, hidden)
        assert len(jobs.visible_ids) == len(ids)             # jumping to a filtered-out job clears the filter


async def test_api_trouble_is_a_calm_status_not_a_crash(world, server, make_app):
    world.populate_demo()
    server.faults.script(["503"] * 6, only="/fine_tuning/jobs")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        status = app.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "retrying" in status.rendered_text, what="a retrying status")
        assert "503" in status.rendered_text or "server" in status.rendered_text
        server.faults.clear()
        await pilot.press("r")
        await loaded(pilot)
        await wait_for(pilot, lambda: "updated" in status.rendered_text, what="recovered")
