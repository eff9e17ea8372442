"""Health verdicts in the job's header: a mark and a word (`⚠ overfitting`) and the one-line reason, cut with
"… (i: all)" at the width and shown whole by `i`; nothing at all when there is no verdict; every rule in the
help. The verdicts are put on a finished job's snapshot (its watcher has stopped, so no poll replaces it)."""

from __future__ import annotations

from dataclasses import replace

from ftwatch.domain.insight.health import RULES
from ftwatch.domain.insight.verdict import Badge, Verdict
from ftwatch.ui import messages as m
from ftwatch.ui.screens.help import HelpScreen
from ftwatch.ui.screens.job_details import JobDetails
from ftwatch.ui.widgets.job_header import JobHeader
from ftwatch.ui.widgets.job_list import JobList

from .conftest import wait_for
from .test_ui_monitor import loaded

OVERFITTING = Verdict(Badge.OVERFITTING, "validation loss up 38% from its minimum at step 500 while training loss "
                                         "still falls (smoothed, last 20% of steps)")
STALLED = Verdict(Badge.STALLED, "no new event for 9m, 6x its cadence; the connection is fine: the job is silent")
DIVERGING = Verdict(Badge.DIVERGING, "smoothed training loss 3.1x its running minimum")


def header_lines(app) -> list[str]:
    return app.screen.query_one(JobHeader).rendered_text.splitlines()


def screen_words(app) -> str:
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    return " ".join(" ".join(line.strip(" │") for line in lines).split())


async def show_health(pilot, job_id: str, health: tuple[Verdict, ...]) -> None:
    screen = pilot.app.screen
    snapshot = screen.latest(job_id)
    screen.post_message(m.JobUpdated(replace(snapshot, health=health, new_events=())))
    await wait_for(pilot, lambda: screen.latest(job_id).health == health, what="the verdicts")
    await pilot.pause()


async def open_finished_job(pilot, world, ids) -> str:
    job_id = next(i for i in ids if world.job_json(i)["status"] == "succeeded")
    await loaded(pilot, ids[0])
    pilot.app.screen.query_one(JobList).select(job_id)
    await loaded(pilot, job_id)
    return job_id


async def test_a_verdict_shows_its_badge_and_whole_reason_and_none_claims_nothing(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        job_id = await open_finished_job(pilot, world, ids)
        header = app.screen.query_one(JobHeader)
        await show_health(pilot, job_id, ())                            # whatever the rules said of it
        assert len(header_lines(app)) == 2 and "⚠" not in header.rendered_text
        assert "healthy" not in header.rendered_text                  # no verdict is no claim
        await show_health(pilot, job_id, (OVERFITTING,))
        assert header_lines(app)[2].rstrip() == f"⚠ overfitting · {OVERFITTING.reason}"
        assert header.size.height == 3                                  # the header grew by the line
        await show_health(pilot, job_id, ())
        assert header.size.height == 2 and "⚠" not in header.rendered_text


async def test_at_80_columns_a_long_reason_is_cut_and_i_shows_it_whole(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        job_id = await open_finished_job(pilot, world, ids)
        await show_health(pilot, job_id, (OVERFITTING, STALLED))
        lines = header_lines(app)
        assert lines[2].startswith("⚠ overfitting · validation loss up 38%") and lines[3].startswith("⚠ stalled · ")
        assert lines[2].rstrip().endswith("… (i: all)") and all(len(line.rstrip()) <= 80 for line in lines)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, JobDetails), what="the details")
        await pilot.pause()
        shown = "".join(screen_words(app).split())                      # wrapped: compare without the breaks
        assert "".join(f"⚠ overfitting {OVERFITTING.reason}".split()) in shown
        assert "".join(f"⚠ stalled {STALLED.reason}".split()) in shown


async def test_more_verdicts_than_lines_name_the_rest_by_their_badges(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        job_id = await open_finished_job(pilot, world, ids)
        await show_health(pilot, job_id, (DIVERGING, OVERFITTING, STALLED))
        lines = header_lines(app)
        assert len(lines) == 4 and lines[2].startswith(f"⚠ diverging · {DIVERGING.reason}")
        assert lines[3].rstrip() == "⚠ overfitting · ⚠ stalled (i: all)"


async def test_the_help_explains_every_verdict_by_its_rule(world, make_app):
    world.populate_demo()
    app = make_app()
    async with app.run_test(size=(120, 60)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        await pilot.pause()
        text = "\n".join(strip.text for widget in app.screen.query("#help-health, #help-views")
                         for strip in widget.render_lines(widget.region.reset_offset))
        flat = "".join(text.split())
        assert {badge for badge, _ in RULES} == set(Badge)
        for badge, rule in RULES:
            assert f"⚠{badge}" in flat and "".join(rule.split()) in flat
        for key in ("b", "y", "space", "v", "x"):
            assert any(line.split() and line.split()[0] == key for line in text.splitlines()), key
