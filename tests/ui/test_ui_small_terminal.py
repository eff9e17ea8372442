"""A terminal too small to draw the monitor: a clear sentence instead of a garbled screen, at launch and when
a running monitor is shrunk, and everything back (with what arrived meanwhile) once it grows again."""

from __future__ import annotations

import shlex
import sys
import time

import pytest

from ftwatch.ui.min_size import MIN_COLUMNS, MIN_ROWS, too_small
from ftwatch.ui.widgets.job_list import JobList
from ftwatch.ui.widgets.loss_chart import LossChart

from .conftest import wait_for
from .test_ui_monitor import BRISK, loaded, selected_snapshot


@pytest.mark.parametrize("columns, rows", [(MIN_COLUMNS - 1, 40), (200, MIN_ROWS - 1), (20, 5), (1, 1)])
def test_below_the_minimum_the_message_names_both_sizes(columns, rows):
    message = too_small(columns, rows)
    assert message is not None and f"{columns}x{rows}" in message and f"{MIN_COLUMNS}x{MIN_ROWS}" in message
    assert "\n" not in message


@pytest.mark.parametrize("columns, rows", [(MIN_COLUMNS, MIN_ROWS), (80, 24), (300, 100)])
def test_at_or_above_the_minimum_there_is_nothing_to_say(columns, rows):
    assert too_small(columns, rows) is None


async def test_a_shrunk_monitor_explains_itself_keeps_polling_and_comes_back_whole(world, clock, make_app):
    job_id = world.create_job(total_steps=300, timing=BRISK, step_seconds=1.0, start_delay=-30)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        first = await loaded(pilot, job_id)
        screen = app.screen
        notice = screen.query_one("#too-small")
        assert not notice.display

        await pilot.resize_terminal(50, 12)
        await wait_for(pilot, lambda: notice.display and "50x12" in str(notice.render()), what="the notice")
        assert not screen.query_one("#jobs-panel").display and not screen.query_one("#job-pane").display

        clock.advance(40)                              # the job trains on while the screen is covered
        await wait_for(pilot, lambda: selected_snapshot(pilot).progress.step >= first.progress.step + 30,
                       what="polling to go on under the notice")

        await pilot.resize_terminal(100, 30)
        await wait_for(pilot, lambda: not notice.display and screen.query_one(JobList).display, what="the monitor")
        step = selected_snapshot(pilot).progress.step
        await wait_for(pilot, lambda: f"{step}/300" in screen.query_one("#job-progress").rendered_text,
                       what="the progress bar to show what arrived meanwhile")
        assert "training step" not in screen.query_one(LossChart).rendered_text


@pytest.mark.tmux
def test_launching_in_a_tiny_terminal_is_a_one_line_error(tmux):
    command = shlex.join([sys.executable, "-m", "ftwatch", "--demo"]) + "; echo exit=$?; sleep 30"
    tmux.start(command, width=120, height=10)
    screen = tmux.wait_for(lambda s: "exit=" in s, "ftwatch to give up")
    text = " ".join(screen.split())
    assert "exit=2" in text
    assert "the terminal is 120x10; the monitor needs at least 60x20" in text
    assert "Traceback" not in text


@pytest.mark.tmux
def test_shrinking_the_terminal_of_a_running_demo_shows_the_notice_then_the_monitor_again(tmux):
    command = shlex.join([sys.executable, "-m", "ftwatch", "--demo"])
    tmux.start(command, width=80, height=24)
    tmux.wait_for(lambda s: "SIMULATION" in s and "/500" in s, "the demo to come alive")
    tmux.run("resize-window", "-t", tmux.session, "-x", "56", "-y", "24")
    screen = tmux.wait_for(lambda s: "56x24" in " ".join(s.split()), "the too-small notice")
    assert "SIMULATION" not in screen
    tmux.run("resize-window", "-t", tmux.session, "-x", "80", "-y", "24")
    tmux.wait_for(lambda s: "SIMULATION" in s and "/500" in s and "56x24" not in s, "the monitor to come back")
    tmux.run("send-keys", "-t", tmux.session, "q")
    deadline = time.monotonic() + 10
    while tmux.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tmux.alive(), "q did not quit"
