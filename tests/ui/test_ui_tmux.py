"""End to end: the real `ftwatch --demo` in a real terminal (tmux at 80x24), driven with keys, read back
with `capture-pane`: what a new user does in their first minute."""

from __future__ import annotations

import re
import shlex
import sys
import time

import pytest

pytestmark = pytest.mark.tmux

JOB_ID = re.compile(r"ftjob-[A-Za-z0-9]{24}")


def header_job(screen: str) -> str | None:
    """The job id on the job header line (the first line that starts with a job id)."""
    for line in screen.splitlines():
        match = JOB_ID.match(line.strip())
        if match:
            return match.group(0)
    return None


def test_demo_at_80x24_moves_between_jobs_and_quits(tmux):
    command = shlex.join([sys.executable, "-m", "ftwatch", "--demo"])
    tmux.start(command, width=80, height=24)
    screen = tmux.wait_for(lambda s: "SIMULATION" in s and "/500" in s and header_job(s), "the demo to come alive")
    assert "▶ running" in screen and "… validating" in screen      # three job rows: the chart gets 8 rows
    assert all(len(line) <= 80 for line in screen.splitlines())
    first = header_job(screen)

    tmux.run("send-keys", "-t", tmux.session, "j")
    screen = tmux.wait_for(lambda s: header_job(s) not in (None, first), "j to select the next job")
    second = header_job(screen)
    tmux.run("send-keys", "-t", tmux.session, "k")
    tmux.wait_for(lambda s: header_job(s) == first, "k to come back")

    step = re.search(r"(\d+)/500", screen)
    assert step is not None
    tmux.wait_for(lambda s: (m := re.search(r"(\d+)/500", s)) and int(m.group(1)) > int(step.group(1)),
                  "the running job to advance")
    assert second != first

    tmux.run("send-keys", "-t", tmux.session, "q")
    deadline = time.monotonic() + 10
    while tmux.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tmux.alive(), "q did not quit"


def test_switching_to_a_job_with_fewer_events_leaves_no_lines_of_the_previous_one(tmux):
    """The terminal itself is read back: a log that is cleared but not repainted keeps the previous job's
    lines on screen below the new job's (the widget's own state looks right; only the screen is wrong)."""
    command = shlex.join([sys.executable, "-m", "ftwatch", "--demo"])
    tmux.start(command, width=120, height=35)
    screen = tmux.wait_for(lambda s: "step 10/500" in s and "Fine-tuning job started" in s, "the running job's log")
    running = header_job(screen)
    tmux.run("send-keys", "-t", tmux.session, "j")
    validating = header_job(tmux.wait_for(lambda s: header_job(s) not in (None, running), "the next job"))
    tmux.run("send-keys", "-t", tmux.session, "j")
    tmux.wait_for(lambda s: header_job(s) not in (None, running, validating) and "Files validated" in s,
                  "the queued job and its three events")
    time.sleep(1.0)
    screen = tmux.screen()
    assert "Fine-tuning job started" not in screen and "step 1/500" not in screen, screen


FULL_LOG_APP = """
from textual.app import App
from ftwatch.ui.widgets.event_log import EventLog

class FullLog(App):
    CSS = "EventLog { height: 1fr; }"

    def compose(self):
        yield EventLog(max_lines=8)

    def on_mount(self):
        self.n = 0
        self.set_interval(0.1, self.add)

    def add(self):
        if self.n < 30:
            self.query_one(EventLog)._append([f"line {self.n:03d}"])
            self.n += 1

FullLog().run()
"""


def test_a_full_log_keeps_showing_the_newest_lines(tmux, tmp_path):
    """Past `max_lines` the oldest lines drop off and every kept line moves up a row; the terminal must show
    the newest lines, not a log frozen at the moment it filled up."""
    script = tmp_path / "full_log.py"
    script.write_text(FULL_LOG_APP)
    tmux.start(shlex.join([sys.executable, str(script)]), width=60, height=12)
    screen = tmux.wait_for(lambda s: "line 029" in s, "the 30th line on screen", timeout=20)
    shown = [line.strip() for line in screen.splitlines() if line.strip()]
    assert shown == [f"line {n:03d}" for n in range(22, 30)], screen

