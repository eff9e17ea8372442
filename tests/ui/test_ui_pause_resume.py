"""`p` pauses the selected running job and resumes a paused one, each after a question like cancel's."""

from __future__ import annotations


from ftwatch.ui.screens.confirm import ConfirmJobAction
from ftwatch.ui.widgets.job_list import JobList
from ftwatch.ui.widgets.job_progress import JobProgress

from .conftest import wait_for
from .test_ui_monitor import BRISK, SIZE, header, loaded, selected_snapshot


def dialog_text(app) -> str:
    return " ".join(str(w.render()) for w in app.screen.query("Static, Button"))


def progress_text(app) -> str:
    return app.screen.query_one(JobProgress).rendered_text


async def test_p_pauses_keeping_progress_then_resumes(world, make_app):
    job_id = world.create_job(total_steps=500, suffix="pausable", timing=BRISK, start_delay=-30)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded(pilot, job_id)
        await wait_for(pilot, lambda: (selected_snapshot(pilot).progress.step or 0) >= 5, what="some steps")

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmJobAction), what="the pause question")
        asked = dialog_text(app)
        assert "Pause" in asked and job_id in asked and "progress is kept" in asked
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmJobAction), what="dialog closed")
        await pilot.pause(0.3)
        assert world.job_json(job_id)["status"] == "running"            # "no" sent nothing

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmJobAction), what="the pause question")
        await pilot.press("y")
        await wait_for(pilot, lambda: "paused" in header(pilot), what="paused in the header")
        assert world.job_json(job_id)["status"] == "paused"
        assert any("the server says paused" in n.message for n in app._notifications)
        assert not any(n.message.startswith("Polling now") for n in app._notifications)   # one notice, not two
        row = " ".join(str(cell) for cell in app.screen.query_one(JobList).get_row(job_id))
        assert "paused" in row
        step = selected_snapshot(pilot).progress.step
        assert step and f"{step}/500" in progress_text(app)               # its progress is kept on screen

        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmJobAction), what="the resume question")
        assert "Resume" in dialog_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: any("Resume requested" == n.title for n in app._notifications),
                       what="the resume answer")
        assert world.job_json(job_id)["status"] in ("queued", "running")
        await wait_for(pilot, lambda: "paused" not in header(pilot), what="no longer paused")


async def test_p_on_a_finished_job_says_why_and_asks_nothing(world, make_app):
    job_id = world.create_job(total_steps=20, timing=BRISK, start_delay=-3600)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded(pilot, job_id)
        await pilot.press("p")
        await wait_for(pilot, lambda: any("has already finished" in n.message for n in app._notifications),
                       what="the refusal")
        assert not isinstance(app.screen, ConfirmJobAction)


def test_a_paused_header_says_paused_once():
    from ftwatch.domain.models import Job, Phase
    from ftwatch.domain.snapshot import Connection, JobSnapshot, Progress, Trend
    from ftwatch.ui import views

    job = Job(id="ftjob-p", status="paused", created_at=1_700_000_000, model="gpt-4o-mini")
    snapshot = JobSnapshot(job=job, phase=Phase.PAUSED, events=(), new_events=(), metrics=None,
                           progress=Progress(35, 500, 0.07, None, None, "paused"), trend=Trend.UNKNOWN,
                           connection=Connection(), taken_at=0, smoothing=0.9)
    view = views.header_view(snapshot, now=0)
    assert "paused" in view.badge and "paused" not in view.doing
