"""`i` shows the selected job whole: the failure reason and the fine-tuned model name never cut."""

from __future__ import annotations

from ftwatch.ui.screens.job_details import JobDetails
from ftwatch.ui.widgets.job_list import JobList

from .conftest import wait_for
from .test_ui_monitor import loaded


def details(app) -> str:
    fields = app.screen.query_one("#details-fields")
    return "\n".join(strip.text for strip in fields.render_lines(fields.region.reset_offset))


async def test_i_shows_a_failed_jobs_whole_reason_and_a_models_whole_name(world, make_app):
    ids = world.populate_demo()
    failed = next(i for i in ids if world.job_json(i)["status"] == "failed")
    succeeded = next(i for i in ids if world.job_json(i)["status"] == "succeeded")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, ids[0])
        for job_id in (failed, succeeded):
            app.screen.query_one(JobList).select(job_id)
            await loaded(pilot, job_id)
            if job_id == failed:                            # its header line is cut at 80, and says so
                from ftwatch.ui.widgets.job_header import JobHeader
                second = app.screen.query_one(JobHeader).rendered_text.splitlines()[1]
                assert second.rstrip().endswith("… (i: all)") and len(second.rstrip()) <= 80
            await pilot.press("i")
            await wait_for(pilot, lambda: isinstance(app.screen, JobDetails), what="the details")
            shown = "".join(details(app).split())           # wrapped at 80 columns: compare without the breaks
            job = world.job_json(job_id)
            assert job_id in shown
            if job_id == failed:
                assert "".join(job["error"]["message"].split()) in shown and job["error"]["code"] in shown
            else:
                assert job["fine_tuned_model"] in shown and f"trainedtokens{job['trained_tokens']:,}" in shown
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, JobDetails), what="closed")


def test_hostile_fields_are_cleaned():
    from ftwatch.domain.models import Job
    from ftwatch.ui.screens.job_details import detail_rows

    job = Job(id="ftjob-x", created_at=1_700_000_000, status="running", model="m\x1b]52;c;AAAA\x07",
              metadata={"k\x1b[2J": "v[bold]x[/bold]"})
    text = " ".join(f"{a} {b}" for a, b in detail_rows(job))
    assert "\x1b" not in text and "\x07" not in text and "[bold]" in text      # plain text, never markup

