"""The event log as a user reads it: long messages wrap under the message column instead of being cut, a new
width folds them again, the keys and the wheel scroll it, and "+N new" counts events (not wrapped rows).

Rows are read back from the widget's own rendering (`render_line`, what the compositor draws), so a row that
is cut, styled wrongly or not re-folded shows up here as it would on the terminal.
"""

from __future__ import annotations

import re
import shlex
import sys
import time
from pathlib import Path

import pytest
from textual import events, on
from textual.app import App, ComposeResult

import ftwatch.ui.widgets as widgets
from ftwatch.domain.wrap import LOG_MESSAGE_COLUMN
from ftwatch.sim.simulated import Timing
from ftwatch.ui.screens.help import HelpScreen
from ftwatch.ui.widgets.event_log import EventLog
from ftwatch.ui.widgets.job_header import JobHeader
from ftwatch.ui.widgets.text_line import TextLine

from .conftest import wait_for

SIZE = (120, 40)
BRISK = Timing(validate=2.0, queue=1.0, warmup=2.0, step=1.0, full_validation=1.0, build_model=2.0,
               safety_eval=10.0, complete=1.0)

INDENT = " " * LOG_MESSAGE_COLUMN
MESSAGE = ("Files validated, moving job to queued state; training file file-NjoQGHBhgJpnBjoGG has 12,345 "
           "examples and 1,234,567 tokens at step 120/500")
LINE = f"22:00:10 info  {MESSAGE}"


class LogApp(App):
    """The log alone, styled by its real stylesheet."""

    CSS_PATH = [str(Path(widgets.__file__).parent / "event_log.tcss")]
    CSS = "EventLog { height: 1fr; }"

    def __init__(self) -> None:
        super().__init__()
        self.following: list[tuple[bool, int]] = []

    def compose(self) -> ComposeResult:
        yield EventLog()

    @on(EventLog.Following)
    def _following(self, message: EventLog.Following) -> None:
        self.following.append((message.following, message.unseen))


async def loaded(pilot, job_id: str = "ftjob-") -> None:
    header = pilot.app.screen.query_one(JobHeader)
    await wait_for(pilot, lambda: job_id in header.rendered_text, what=f"{job_id} in the header")


def shown(log: EventLog) -> list[str]:
    """The log's rows as drawn, trailing blanks dropped."""
    return [log.render_line(y).text.rstrip() for y in range(log.size.height)]


def whole(rows: list[str]) -> str:
    """The text of rows read back, rows joined at their breaks (runs of spaces read as one)."""
    return " ".join(" ".join(rows).split())


def check_wrapped(rows: list[str], width: int) -> None:
    assert rows[0].startswith("22:00:10 info  Files validated")
    assert len(rows) > 1 and all(len(row) <= width for row in rows), rows
    assert all(row.startswith(INDENT) and row[LOG_MESSAGE_COLUMN] != " " for row in rows[1:]), rows
    assert "".join(rows).replace(" ", "") == LINE.replace(" ", "")      # nothing cut, nothing reordered
    room = width - LOG_MESSAGE_COLUMN
    for token in ("12,345", "1,234,567", "120/500", "file-NjoQGHBhgJpnBjoGG"):
        if len(token) <= room:                                          # never split while it fits a row
            assert any(token in row.split() for row in rows), (token, rows)
        else:
            assert not any(token in row.split() for row in rows)        # too long: cut, but every cell kept
    if all(len(word) <= room for word in LINE.split()):
        assert whole(rows) == " ".join(LINE.split())                   # broken only at spaces


async def test_a_long_message_wraps_whole_under_the_message_column_and_rewraps_on_resize():
    async with LogApp().run_test(size=(44, 12)) as pilot:
        log = pilot.app.query_one(EventLog)
        log._append([LINE, "22:00:11 info  short"])
        await pilot.pause()
        rows = [row for row in shown(log) if row]
        check_wrapped(rows[:-1], 44)
        assert rows[-1] == "22:00:11 info  short" and log.line_count == 2
        narrow = len(rows)

        await pilot.resize_terminal(80, 12)
        await pilot.pause()
        rows = [row for row in shown(log) if row]
        check_wrapped(rows[:-1], 80)
        assert len(rows) < narrow

        await pilot.resize_terminal(32, 12)
        await pilot.pause()
        rows = [row for row in shown(log) if row]
        check_wrapped(rows[:-1], 32)
        assert len(rows) > narrow and log.line_count == 2


async def test_only_the_level_of_an_events_first_row_is_coloured():
    async with LogApp().run_test(size=(40, 8)) as pilot:
        log = pilot.app.query_one(EventLog)
        log._append(["22:00:10 error The job failed: error error error in file-x at step 3 error"])
        await pilot.pause()
        rows = shown(log)
        assert rows[0].startswith("22:00:10 error The job") and rows[1].startswith(INDENT + "error")

        def bold_cells(y: int) -> str:
            return "".join(text for text, style, _ in log.render_line(y) if style is not None and style.bold)

        assert bold_cells(0) == "error"                                   # the level column, once
        assert all(bold_cells(y) == "" for y in range(1, len([r for r in rows if r])))


async def fill(pilot, log: EventLog, count: int = 40) -> None:
    log._append([f"22:{n // 60:02d}:{n % 60:02d} info  event {n:02d} says something long enough to wrap "
                 f"onto a second row" for n in range(count)])
    await pilot.pause()
    await wait_for(pilot, lambda: log.is_vertical_scroll_end and log.max_scroll_y > 0, what="the log at its end")


async def test_page_keys_home_end_and_the_wheel_scroll_the_wrapped_log_and_pause_and_resume_following():
    async with LogApp().run_test(size=(44, 10)) as pilot:
        app = pilot.app
        log = app.query_one(EventLog)
        log.focus()
        await fill(pilot, log)
        assert len(log.rows) > log.line_count == 40 and log.following
        bottom = log.scroll_y
        assert "event 39" in whole(shown(log))

        await pilot.press("pageup")
        assert log.scroll_y == bottom - (log.size.height - 1) and not log.following
        await pilot.press("pagedown")
        assert log.scroll_y == bottom and log.following                   # back at the end: following again

        await pilot.press("home")
        assert log.scroll_y == 0 and not log.following
        assert shown(log)[0].startswith("22:00:00 info  event 00")
        await pilot.press("down", "down")
        assert log.scroll_y == 2 and not log.following
        await pilot.press("end")
        assert log.scroll_y == log.max_scroll_y and log.following
        assert "event 39" in whole(shown(log))

        said = len(app.following)
        log.post_message(events.MouseScrollUp(log, 2, 2, 0, -1, 0, False, False, False))
        await pilot.pause()
        assert log.scroll_y < bottom and not log.following
        while log.scroll_y < log.max_scroll_y:
            log.post_message(events.MouseScrollDown(log, 2, 2, 0, 1, 0, False, False, False))
            await pilot.pause()
        assert log.following
        assert app.following[said:] == [(False, 0), (True, 0)]           # paused once, resumed once


async def test_new_events_while_paused_are_counted_as_events_and_the_view_stays_put():
    async with LogApp().run_test(size=(44, 10)) as pilot:
        app = pilot.app
        log = app.query_one(EventLog)
        log.focus()
        await fill(pilot, log)
        await pilot.press("pageup")
        top = shown(log)
        log._append([LINE, "22:59:00 info  one more"])         # five rows, two events
        await pilot.pause()
        assert app.following[-1] == (False, 2) and shown(log) == top

        await pilot.resize_terminal(70, 10)                     # rewrapped: fewer rows, same count
        await pilot.pause()
        assert app.following[-1] == (False, 2) and not log.following
        await pilot.press("end")
        assert app.following[-1] == (True, 0)
        assert whole(shown(log)[-3:]).endswith("22:59:00 info one more")


async def test_the_caption_counts_new_events_after_wrapping_and_a_rewrap(world, clock, make_app):
    """In the app: the log pane beside the chart is ~48 columns, so metrics lines wrap; paused, "+N new"
    counts the events that arrived; a resize into the stacked layout rewraps without changing it."""
    job_id = world.create_job(total_steps=2000, n_epochs=2, timing=BRISK, step_seconds=1.0, start_delay=-5)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, job_id)
        log = app.screen.query_one(EventLog)
        caption = app.screen.query_one("#log-caption", TextLine)
        clock.advance(1500)
        await wait_for(pilot, lambda: log.line_count > log.size.height + 5 and log.is_vertical_scroll_end,
                       what="a full log")
        assert len(log.rows) > log.line_count                           # some lines did wrap
        log.focus()
        await pilot.press("pageup")
        while not shown(log)[0][:2].isdigit():                          # an event's first row at the top
            await pilot.press("up")
        top_event = shown(log)[0].split("  ")[1]                       # e.g. "step 900/2000"
        before, rows_before = log.line_count, len(log.rows)
        assert caption.plain == "events · paused (End or f follows)"

        clock.advance(400)
        await wait_for(pilot, lambda: log.line_count > before + 3, what="new lines while paused")
        await pilot.pause(0.3)
        arrived = log.line_count - before
        assert len(log.rows) - rows_before > arrived                     # more rows than events arrived
        assert caption.plain == f"events · paused · +{arrived} new (End or f follows)"

        await pilot.resize_terminal(90, 40)                              # stacked: the log gets the full width
        await wait_for(pilot, lambda: log.size.width > 80, what="the stacked layout")
        await pilot.pause(0.3)
        assert caption.plain == f"events · paused · +{arrived} new (End or f follows)"
        assert top_event in shown(log)[0]                                # the view stayed on its event

        await pilot.press("end")
        await wait_for(pilot, lambda: caption.plain == "events", what="following again")


async def test_help_lists_the_log_keys_with_their_ids_when_the_log_has_focus(world, make_app):
    world.populate_demo()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.screen.query_one(EventLog).focus()
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
        keys = str(app.screen.query_one("#help-keys").render())         # the section of keys with ids
        for row in ("pgup / pgdn  Page log", "home         Log top (pauses)", "Scroll log"):
            assert row in keys, keys
        assert any("end" in line and "Follow log" in line for line in keys.splitlines())
        if app.screen.query("#help-widget-keys"):                       # keys without an id: none of the log's
            extra = str(app.screen.query_one("#help-widget-keys").render())
            assert not any(word in extra for word in ("Scroll", "Page", "Home", "End")), extra


def log_rows(screen: str, column: int) -> list[str]:
    """The log pane's text on a captured terminal: each line from `column` on."""
    return [line[column:].rstrip() for line in screen.splitlines()]


@pytest.mark.tmux
def test_in_a_real_terminal_messages_wrap_the_wheel_pauses_and_a_resize_rewraps(tmux):
    """The real `ftwatch --demo` at 120x28 (log beside the chart), read back with capture-pane: the first
    events' messages continue on indented rows instead of being cut; a wheel turn over the log (an SGR mouse
    report, as a terminal sends it) pauses following and End resumes it; at 80 columns (stacked, the log as
    wide as the terminal) the metrics lines are folded again and fit one row each."""
    tmux.start(shlex.join([sys.executable, "-m", "ftwatch", "--demo"]), width=120, height=28)
    screen = tmux.wait_for(lambda s: "Files validated, moving job to" in s and "info  step 10/500" in s,
                           "the running job's first events")
    row = next(line for line in screen.splitlines() if "info  Files validated" in line)
    column = row.index("info  Files validated") - 9                      # where the log pane's rows start
    rows = log_rows(screen, column)
    at = next(i for i, text in enumerate(rows) if "info  Files validated" in text)
    assert rows[at + 1].startswith(INDENT) and "queued state" in rows[at + 1], rows[at:at + 2]
    assert all(len(text) <= 120 - column for text in rows)
    step = next(i for i, text in enumerate(rows) if "info  step 10/500" in text)
    assert rows[step + 1].startswith(INDENT) and re.fullmatch(r"val \d\.\d{3}", rows[step + 1].strip()), \
        rows[step:step + 2]                                              # its value on the next row, whole

    tmux.wait_for(lambda s: "Created fine-tuning job" not in s, "the log to outgrow its pane", timeout=60)
    tmux.run("send-keys", "-t", tmux.session, "-l", f"\x1b[<64;{column + 20};{at + 2}M")   # wheel up over the log
    tmux.wait_for(lambda s: "paused" in s, "the wheel to pause following")
    tmux.run("send-keys", "-t", tmux.session, "Enter")                    # to the log (focus moves by message)
    time.sleep(0.5)
    tmux.run("send-keys", "-t", tmux.session, "End")                      # then its End key
    tmux.wait_for(lambda s: "paused" not in s, "End to follow again")

    tmux.run("resize-window", "-t", tmux.session, "-x", "80", "-y", "28")

    def one_row_metrics(screen: str) -> bool:
        steps = [line for line in screen.splitlines() if re.search(r"info  step \d+/500  loss", line)]
        return bool(steps) and all("val" in line for line in steps[1:]) and \
            all(len(line) <= 80 for line in screen.splitlines())

    tmux.wait_for(one_row_metrics, "the log rewrapped at 80 columns: a metrics line fits one row again")
