"""Pictures of the main screens (pytest-textual-snapshot), from the demo world at a fixed seed and clock.

The demo's simulator runs inside the app's own loop (as `ftwatch --demo` does), on a FakeClock that never
moves, so every run shows exactly the same jobs, steps, chart and log. Update with `--snapshot-update`
after an intended change and look at the SVGs in __snapshots__/ before committing them.
"""

from __future__ import annotations

import pytest

from ftwatch.config import Settings
from ftwatch.launch import make_app
from ftwatch.sim.world import FakeClock
from ftwatch.ui.widgets.job_header import JobHeader

from .conftest import START


def demo_app():
    return make_app(Settings(poll_interval=0.05), demo=True, clock=FakeClock(START))


async def settled(pilot) -> None:
    """Every running/evaluating job's row filled and the selected job drawn: the picture will not change."""
    screen = pilot.app.screen
    for _ in range(400):
        selected = screen.selected_job_id
        rows_ready = selected and all(screen.latest(job_id) for job_id in screen._workers.watchers.followed)
        if rows_ready and screen.latest(selected) and selected in screen.query_one(JobHeader).rendered_text:
            break
        await pilot.pause(0.025)
    else:
        raise AssertionError("the demo did not settle")
    await pilot.pause(0.2)


def test_running_job_with_chart_and_log(snap_compare):
    """The demo as it opens at 120x35: every job with its badge, the running job's bar, chart and log."""
    assert snap_compare(demo_app(), terminal_size=(120, 35), run_before=settled)


def test_stacked_layout_at_80x24(snap_compare):
    """80x24: the table fits, the chart sits above the log, nothing is cut off."""
    assert snap_compare(demo_app(), terminal_size=(80, 24), run_before=settled)


def test_failed_job_shows_its_error(snap_compare):
    """The failed job selected (G, then k: the demo's second oldest): the ✗ badge and the error code and message
    in the header."""

    async def select_failed(pilot):
        await settled(pilot)
        await pilot.press("G", "k")
        await settled(pilot)

    assert snap_compare(demo_app(), terminal_size=(120, 35), run_before=select_failed)


def test_help_screen(snap_compare):
    """`?` lists every key that works right now, from the active bindings."""

    async def open_help(pilot):
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)

    assert snap_compare(demo_app(), terminal_size=(120, 35), run_before=open_help)


def test_no_color(snap_compare, monkeypatch: pytest.MonkeyPatch):
    """NO_COLOR: no colour at all, and every status still readable from its symbol and word."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(demo_app(), terminal_size=(120, 35), run_before=settled)


def test_pause_question(snap_compare):
    """`p` on the running job: the question names the job, says its progress is kept, and "keep running"
    has the focus."""

    async def ask_to_pause(pilot):
        await settled(pilot)
        await pilot.press("p")
        await pilot.pause(0.3)

    assert snap_compare(demo_app(), terminal_size=(120, 35), run_before=ask_to_pause)


def test_no_color_at_80x24(snap_compare, monkeypatch: pytest.MonkeyPatch):
    """NO_COLOR at 80x24: every footer key spaced from its words, the chart's legend naming each mark,
    long log messages wrapped under the message column."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(demo_app(), terminal_size=(80, 24), run_before=settled)
