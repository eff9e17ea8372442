"""Two polls, two cadences, one wording: the status line is about the jobs list, the job's header about that
job, and each says what it refreshes ("jobs list updated every 10 s", "job updated every 2 s", "job updated
30 s ago" once late). Read back from the screen at 120 and 80 columns."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.app import App, ComposeResult

from ftwatch.domain.snapshot import Connection, LinkState
from ftwatch.ui import presentation as p
from ftwatch.ui.widgets.job_header import JobHeader
from ftwatch.ui.widgets.job_pane import JobPane
from ftwatch.ui.widgets.status_line import StatusLine, StatusView

from .conftest import wait_for
from .test_ui_footer import screen_lines
from .test_ui_monitor import loaded


@pytest.mark.parametrize("size", [(120, 35), (80, 24)])
async def test_the_status_line_names_the_jobs_list_and_the_header_names_the_job(world, clock, make_app, size):
    ids = world.populate_demo()
    app = make_app()                                   # polls: a running job every 0.05 s, the list every 0.25 s
    async with app.run_test(size=size) as pilot:
        await loaded(pilot, ids[0])
        await wait_for(pilot, lambda: any("jobs list updated every 0.25 s" in line for line in screen_lines(app)),
                       what="the status line's cadence")
        lines = screen_lines(app)
        status = next(line for line in lines if "jobs list updated every" in line)
        header = next(line for line in lines if ids[0] in line)
        assert header.rstrip().endswith("job updated every 0.05 s")
        assert "jobs list" not in header and "job updated" not in status
        assert status.rstrip().endswith("sort: newest") and f"  {len(ids)} jobs" in status

        pane = app.screen.query_one(JobPane)
        snapshot = app.screen.latest(ids[0])
        late = replace(snapshot, connection=Connection(state=LinkState.OK, last_success=clock() - 37))
        pane.tick(late, clock())                       # a poll 37 s late: its age, coarse
        assert app.screen.query_one(JobHeader).age == "job updated 30 s ago"


class StatusApp(App):
    def compose(self) -> ComposeResult:
        yield StatusLine()


async def test_a_short_status_line_cuts_the_source_name_not_the_link():
    async with StatusApp().run_test(size=(80, 3)) as pilot:
        status = pilot.app.query_one(StatusLine)
        late = Connection(state=LinkState.OK, last_success=1000.0 - 45)
        status.show(StatusView(source="simulated API on 127.0.0.1", link=p.link_text(late, 1000.0, 10.0),
                               tone=p.link_tone(late, 1000.0, 10.0), demo=True, jobs=7))
        await pilot.pause()
        line = status.rendered_text
        assert "jobs list updated 40 s ago" in line and "simulated" in line and "…" in line
        assert line.rstrip().endswith("7 jobs · sort: newest") and "ago  " in line
        retrying = Connection(state=LinkState.RETRYING, message="rate limited (429)", retry_at=1008.0)
        status.show(StatusView(source="api.openai.com", link=p.link_text(retrying, 1000.0, 10.0), demo=False, jobs=7))
        await pilot.pause()
        assert "api.openai.com · rate limited (429) · retrying in 8 s" in status.rendered_text
