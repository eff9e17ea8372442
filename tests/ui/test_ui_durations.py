"""A finished job's duration reads the same in its row before a visit, after it, and in its header."""

from __future__ import annotations

import re

from ftwatch.ui.widgets.job_list import JobList

from .conftest import wait_for
from .test_ui_monitor import SIZE, header, loaded


async def test_a_succeeded_jobs_took_is_the_same_in_the_row_and_the_header(world, make_app):
    ids = world.populate_demo()
    succeeded = next(i for i in ids if world.job_json(i)["status"] == "succeeded")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, ids[0])
        jobs = app.screen.query_one(JobList)
        row = lambda: " ".join(str(cell) for cell in jobs.get_row(succeeded))   # noqa: E731
        before = re.search(r"took [0-9hms ]+", row())
        assert before, row()
        jobs.select(succeeded)
        await loaded(pilot, succeeded)
        await wait_for(pilot, lambda: "took" in header(pilot) or "took" in app.screen.query_one("#job-progress").rendered_text,
                       what="the header's duration")
        shown = header(pilot) + " " + app.screen.query_one("#job-progress").rendered_text
        assert before.group(0).strip() in shown
        assert re.search(r"took [0-9hms ]+", row()).group(0) == before.group(0)
