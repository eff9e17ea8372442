"""Cancelling (issue 5 §6): `c` asks first, the server's answer is reported, and a cancel that fails is shown
as an error toast with the server's reason, never swallowed, while the app keeps watching. (tests/ui covers
the happy path and a 500; here: the job ended on the server while the dialog was open (the real API answers
400), an answer lost mid-body (the server did cancel: the screen must converge to that) and a 429, plus a
hostile job id in the dialog.)"""

from __future__ import annotations

import pytest

from ftwatch.ui.screens.confirm import ConfirmJobAction
from ftwatch.ui.widgets.job_header import JobHeader

from .conftest import Notifications, running_job, wait_for

SIZE = (120, 36)


async def open_cancel_dialog(pilot, app, job_id: str) -> None:
    await wait_for(pilot, lambda: (s := app.screen.latest(job_id)) is not None and s.job.created_at
                   and job_id in app.screen.query_one(JobHeader).rendered_text, what="the job on screen")
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmJobAction), what="the confirmation dialog")


@pytest.mark.parametrize(("failure", "says"), [
    ("job_ended_while_the_dialog_was_open", "request rejected (400)"),
    ("connection_dropped", "cannot reach"),
    ("rate_limited", "rate limited (429)"),
])
async def test_a_failed_cancel_is_shown_with_the_reason(world, server, make_app, failure, says):
    job_id = running_job(world, total_steps=300)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        toasts = Notifications(app)
        await open_cancel_dialog(pilot, app, job_id)
        if failure == "job_ended_while_the_dialog_was_open":
            world.cancel(job_id)                       # someone else cancelled it: the API now answers 400
        else:
            server.faults.script(["drop" if failure == "connection_dropped" else "429"], only="/cancel")
        await pilot.press("y")
        failed = await wait_for(pilot, lambda: [t for t in toasts.errors() if t[1].startswith("Cancel failed")],
                                what="the failure toast")
        assert says in failed[0][1]
        if failure == "job_ended_while_the_dialog_was_open":
            assert "cancel" in failed[0][1].lower()                    # the server's own words come through
        if failure == "rate_limited":
            assert world.job_json(job_id)["status"] == "running"        # refused: nothing was cancelled
        else:
            # The job did end on the server (cancelled by someone else, or by our request whose answer was
            # lost mid-body): the failure toast is not taken as the truth, the next polls show what happened.
            assert world.job_json(job_id)["status"] == "cancelled"
            await wait_for(pilot, lambda: "cancelled" in app.screen.query_one(JobHeader).rendered_text,
                           what="the job shown cancelled after all")
        assert not any(t[1].startswith(f"{job_id}: the server says") for t in toasts.shown)
        assert app.is_running


async def test_a_hostile_job_id_in_the_cancel_dialog_is_inert(world, make_app):
    evil = "ftjob-Evil\x1b]52;c;UFdORUQ=\x07\x1b[2J[bold red]X"
    world.load_scenario({"jobs": [{"job": {"id": evil, "status": "running", "model": "gpt-4o-mini",
                                           "created_at": 1_763_999_000},
                                   "events": [{"object": "fine_tuning.job.event", "id": "ftevent-1",
                                               "created_at": 1_763_999_001, "level": "info",
                                               "message": "Fine-tuning job started", "type": "message",
                                               "data": None}]}]})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("JobList").visible_ids, what="the job listed")
        await pilot.pause(0.3)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmJobAction), what="the confirmation dialog")
        shot = app.export_screenshot().replace("&#160;", " ")
        assert "[bold red]X" in shot                       # shown literally...
        assert "\x1b" not in shot and "UFdORUQ" not in shot  # ...and harmlessly
