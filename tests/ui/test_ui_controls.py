"""Controls keep their promises: Escape clears a filter, `=` is auto smoothing again, `r` says it polled, the
palette runs any action by name."""

from __future__ import annotations

import pytest

from ftwatch.ui.widgets.event_log import EventLog
from ftwatch.ui.widgets.job_list import JobList
from ftwatch.ui.widgets.status_line import StatusLine

from .conftest import wait_for
from .test_ui_monitor import SIZE, loaded


async def test_escape_clears_the_filter_from_the_list_but_only_returns_from_the_log(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, ids[0])
        jobs = app.screen.query_one(JobList)
        await pilot.press("slash", *"pricer")
        await wait_for(pilot, lambda: len(jobs.visible_ids) == 2, what="filtered rows")
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(jobs.visible_ids) == len(ids), what="every row again")
        assert "filter" not in app.screen.query_one(StatusLine).rendered_text and app.focused is jobs

        await pilot.press("slash", *"pricer", "enter")            # enter keeps the filter
        await wait_for(pilot, lambda: len(jobs.visible_ids) == 2, what="filtered rows")
        app.screen.query_one(EventLog).focus()
        await pilot.press("escape")                               # from the log: back to the list, filter kept
        await pilot.pause(0.2)
        assert app.focused is jobs and len(jobs.visible_ids) == 2
        await pilot.press("escape")                               # in the list: cleared
        await wait_for(pilot, lambda: len(jobs.visible_ids) == len(ids), what="every row again")


async def test_equals_returns_to_auto_smoothing_and_r_says_it_polled(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded(pilot, ids[0])
        caption = lambda: app.screen.query_one("#chart-caption").rendered_text   # noqa: E731
        await wait_for(pilot, lambda: "auto" in caption(), what="auto smoothing")
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: "auto" not in caption(), what="a chosen weight")
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: "auto" in caption(), what="auto again")
        await pilot.press("r")
        await wait_for(pilot, lambda: any(n.message.startswith("Polling now") for n in app._notifications),
                       what="the refresh notice")


async def test_the_palette_runs_an_action_by_its_name(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, ids[0])
        caption = lambda: app.screen.query_one("#chart-caption").rendered_text   # noqa: E731
        assert "log" not in caption()
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"log scale")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "log" in caption(), what="log scale from the palette")


async def test_the_chart_is_readable_at_80x24_and_z_zooms_it(world, make_app):
    from ftwatch.ui.widgets.loss_chart import LossChart

    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, ids[0])
        chart = app.screen.query_one(LossChart)
        assert chart.size.height >= 8
        await pilot.press("z")
        await pilot.pause(0.3)
        assert chart.size.height >= 18 and not app.screen.query_one("#jobs-panel").display
        await pilot.press("z")
        await pilot.pause(0.3)
        assert 8 <= chart.size.height < 18 and app.screen.query_one("#jobs-panel").display
        await pilot.press("z", "escape")                          # Escape also leaves the zoom
        await pilot.pause(0.3)
        assert chart.size.height < 18


async def test_the_palette_jumps_to_a_job_by_its_suffix(world, make_app):
    ids = world.populate_demo()
    target = next(i for i in ids if world.job_json(i).get("user_provided_suffix") == "car-pricer"
                  or "car-pricer" in (world.job_json(i).get("fine_tuned_model") or ""))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, ids[0])
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"jump car-pricer")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.selected_job_id == target, what="the jump")


async def test_a_filter_says_how_many_of_the_jobs_it_shows(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, ids[0])
        await pilot.press("slash", *"pricer")
        status = app.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: f"2 of {len(ids)} jobs" in status.rendered_text, what="the filter's count")


async def test_the_numbers_line_follows_the_charts_metric(world, make_app):
    from ftwatch.ui.widgets.job_progress import JobProgress

    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, ids[0])
        numbers = lambda: app.screen.query_one(JobProgress).rendered_text   # noqa: E731
        await wait_for(pilot, lambda: "loss " in numbers(), what="losses")
        await pilot.press("m")
        await wait_for(pilot, lambda: "token accuracy" in numbers() and "loss " not in numbers(),
                       what="accuracies under the accuracy chart")


def test_smoothing_never_reads_one():
    from ftwatch.domain.metrics.smoothing import MAX_HALF_LIFE, half_life, next_weight
    from ftwatch.ui import presentation as p

    weight = 0.5
    for _ in range(40):
        weight = next_weight(weight, stronger=True)
    assert 0 < weight < 1 and half_life(weight) == pytest.approx(MAX_HALF_LIFE)
    text = p.smoothing_text(weight, half_life(weight), auto=False)
    assert "1.000" not in text and "0.9999" in text


async def test_the_chart_and_log_titles_never_run_together(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot, ids[0])
        await pilot.press("l")
        for _ in range(2):
            await pilot.pause(0.3)
            caption = app.screen.query_one("#chart-caption")
            shown = caption.build_lines(caption.size.width, 1)[0].plain
            assert shown.startswith(("loss (log scale)", "token accuracy (log scale)"))
            assert shown == caption.plain or shown.endswith("…")           # a cut title says so
            log_caption = app.screen.query_one("#log-caption")
            assert log_caption.region.x - (caption.region.x + caption.region.width) >= 1   # a gap of its own
            await pilot.press("m")


async def test_g_G_home_and_end_select_the_first_and_last_job(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, ids[0])
        for key, expected in (("G", ids[-1]), ("g", ids[0]), ("end", ids[-1]), ("home", ids[0])):
            await pilot.press(key)
            await wait_for(pilot, lambda: app.screen.selected_job_id == expected, what=f"{key} selects")
