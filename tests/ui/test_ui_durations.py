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


async def test_finished_jobs_rows_are_complete_before_any_visit(world, server, make_app):
    """The succeeded, failed and cancelled demo jobs show their last step, last loss and duration on first
    paint, from one small page each, without being selected."""
    ids = world.populate_demo()
    finished = [i for i in ids if world.job_json(i)["status"] in ("succeeded", "failed", "cancelled")]
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot, ids[0])
        jobs = app.screen.query_one(JobList)
        row = lambda job_id: " ".join(str(cell) for cell in jobs.get_row(job_id))   # noqa: E731
        await wait_for(pilot, lambda: all("took" in row(i) for i in finished), what="every finished row's duration")
        succeeded = next(i for i in finished if world.job_json(i)["status"] == "succeeded")
        await wait_for(pilot, lambda: re.search(r"\d+/\d+", row(succeeded)) and re.search(r"\d\.\d", row(succeeded).split("/")[-1]),
                       what="the succeeded job's steps and last loss")
        assert app.screen.selected_job_id == ids[0]                        # nothing was visited
        peeks = [r for r in server.requests if "/events" in r[1] and any(i in r[1] for i in finished)]
        assert 0 < len(peeks) <= 2 * len(finished)                          # one small page each (a retry at most)
