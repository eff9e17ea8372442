"""`space` marks jobs, `v` compares them: smoothed losses overlaid by step or by fraction (`x`), each run with its
own mark, and their final / best / best-checkpoint losses side by side; Escape returns with the marks kept.
Driven against the seeded simulator through the real SDK."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ftwatch.domain.format import metric_value
from ftwatch.domain.insight.compare import run_totals
from ftwatch.domain.insight.verdict import Badge, Verdict
from ftwatch.domain.metrics.series import MetricSeries
from ftwatch.domain.metrics.smoothing import auto_weight
from ftwatch.domain.models import Job
from ftwatch.domain.parse import parse_checkpoint
from ftwatch.ui import messages as m
from ftwatch.ui.compare_workers import RunUpdated
from ftwatch.ui.screens.compare import ASK_TO_MARK, CompareView, run_names, runs_to_compare, value_at
from ftwatch.ui.screens.monitor import MonitorScreen
from ftwatch.ui.widgets.compare_chart import RUN_MARKS, CompareChart, legend_line
from ftwatch.ui.widgets.job_list import MARK, JobList

from .conftest import wait_for
from .test_ui_monitor import loaded

COMPARED = ("support-bot", "pricer", "car-pricer")      # running (500 steps), evaluating (200), succeeded (750)


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def by_suffix(world, ids) -> dict[str, str]:
    return {world.job_json(i).get("user_provided_suffix"): i for i in ids}


def expected_totals(world, job_id: str, metric: str = "train_loss") -> tuple[str, str]:
    """The final and best smoothed `metric` worked out from the simulator's own events (not the app's)."""
    series, total = MetricSeries(metric), None
    for event in reversed(world.events_json(job_id)):
        data = event.get("data") or {}
        if event.get("type") == "metrics":
            total = data.get("total_steps", total)
            if metric in data:
                series.append(data["step"], data[metric])
    smoothed = series.view().smoothed(auto_weight(total))
    totals = run_totals(smoothed.steps, smoothed.values)
    return (f"{metric_value(totals.final)} @ {totals.final_step}",
            f"{metric_value(totals.best)} @ {totals.best_step}")


def sim_checkpoints(world, job_id: str):
    return tuple(sorted((parse_checkpoint(c) for c in world.checkpoints_json(job_id)), key=lambda c: c.step_number))


async def mark(pilot, job_id: str) -> None:
    job_list = pilot.app.screen.query_one(JobList)
    job_list.select(job_id)
    await wait_for(pilot, lambda: pilot.app.screen.selected_job_id == job_id, what=f"{job_id} selected")
    await pilot.press("space")
    await wait_for(pilot, lambda: job_id in job_list.marked_ids, what=f"{job_id} marked")


async def open_compare(pilot, world, job_ids) -> CompareView:
    await pilot.press("v")
    view = await wait_for(pilot, lambda: isinstance(pilot.app.screen, CompareView) and pilot.app.screen, what="v")
    await wait_for(pilot, lambda: all(view.totals(i).points for i in job_ids) and not (view.reading - {
        i for i in job_ids if world.job_json(i)["status"] not in ("succeeded", "failed", "cancelled")}),
        what="every run read")
    await pilot.pause()
    return view


def marked_rows(app) -> list[str]:
    return [line for line in screen_text(app).splitlines() if MARK.strip() in line]


async def test_three_marked_jobs_compared_by_step_then_by_fraction_and_escape_keeps_the_marks(world, make_app):
    ids = world.populate_demo()
    jobs = by_suffix(world, ids)
    wanted = [jobs[s] for s in COMPARED]
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, ids[0])
        for job_id in wanted:
            await mark(pilot, job_id)
        rows = marked_rows(app)
        assert len(rows) == 3 and all(any(f"{MARK}{s}" in row for row in rows) for s in COMPARED)

        view = await open_compare(pilot, world, wanted)
        chart = view.query_one(CompareChart)
        legend = chart.rendered_text.splitlines()[0]
        for mark_char, suffix in zip(RUN_MARKS, COMPARED):                 # each run: its own mark and its name
            assert f"{mark_char} {suffix}" in legend
        assert len(set(chart.run_colors()[:3])) == 3 and None not in chart.run_colors()[:3]   # and its own colour
        text = screen_text(app)
        for job_id in wanted:
            final, best = expected_totals(world, job_id)
            assert final in text and best in text, (job_id, final, best)
        assert "gpt-4.1-nano" in text and "3 · " in text                     # base model, epochs · batch · lr×
        assert "by step" in text and chart.rendered_text.rstrip().endswith("step →")


        await pilot.press("x")
        await wait_for(pilot, lambda: "fraction of training →" in chart.rendered_text, what="the fraction axis")
        assert "by fraction of training" in screen_text(app)
        plot = chart.rendered_text.splitlines()
        assert "0.5" in plot[-2] and plot[-2].rstrip().endswith("1")          # runs line up on 0..1
        await pilot.press("x")
        await wait_for(pilot, lambda: chart.rendered_text.rstrip().endswith("step →"), what="back to steps")

        assert jobs["support-bot"] in view.reading              # the running run is followed while the view is open
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="escape")
        await pilot.pause()
        assert app.screen.query_one(JobList).marked_ids == wanted               # marks stay, in marking order
        assert len(marked_rows(app)) == 3
        assert not view.reading
        assert not [w for w in app.workers if (w.group or "").startswith("compare:") and not w.is_finished]


async def test_the_table_shows_each_runs_best_checkpoint_and_health_verdicts(world, make_app):
    best_checkpoint = pytest.importorskip("ftwatch.domain.insight.best_checkpoint").best_checkpoint
    ids = world.populate_demo()
    jobs = by_suffix(world, ids)
    wanted = [jobs[s] for s in COMPARED]
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, ids[0])
        for job_id in wanted:
            await mark(pilot, job_id)
        view = await open_compare(pilot, world, wanted)
        car = jobs["car-pricer"]                        # the sim's checkpoints and a verdict, as a poll brings them
        snapshot = replace(view.snapshot(car), checkpoints=sim_checkpoints(world, car),
                           health=(Verdict(Badge.OVERFITTING, "validation loss up 38% from its minimum"),))
        view.post_message(RunUpdated(snapshot))
        best = best_checkpoint(snapshot.checkpoints, snapshot.metrics, view.weight(snapshot))
        cell = value_at(best.value, best.checkpoint.step_number)

        def row(label: str) -> str:
            return next((line for line in screen_text(app).splitlines() if line.strip().startswith(label)), "")

        await wait_for(pilot, lambda: "⚠ overfitting" in row("health"), what="the verdict")
        assert cell in row("best checkpoint")
        for job_id in wanted:                           # every run's own best, or "–" before its first checkpoint
            other = view.snapshot(job_id)
            found = best_checkpoint(other.checkpoints, other.metrics, view.weight(other)) if other.checkpoints else None
            assert (value_at(found.value, found.checkpoint.step_number) if found else "–") in row("best checkpoint")
        assert row("best checkpoint").split()[2] == "–"                      # support-bot: 19 steps, none yet
        assert row("health").rstrip().endswith("⚠ overfitting") and row("health").count("–") == 2


async def test_v_asks_for_two_marks_and_one_mark_is_compared_with_the_selected_job(world, make_app):
    ids = world.populate_demo()
    jobs = by_suffix(world, ids)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, ids[0])
        await pilot.press("v")
        await wait_for(pilot, lambda: any(n.message == ASK_TO_MARK for n in app._notifications), what="the ask")
        assert isinstance(app.screen, MonitorScreen)

        await mark(pilot, jobs["car-pricer"])
        await pilot.press("v")                          # the only marked job is the selected one: still ask
        await pilot.pause()
        assert isinstance(app.screen, MonitorScreen)

        app.screen.query_one(JobList).select(jobs["legal-drafts"])
        await wait_for(pilot, lambda: app.screen.selected_job_id == jobs["legal-drafts"], what="legal-drafts selected")
        view = await open_compare(pilot, world, [jobs["car-pricer"], jobs["legal-drafts"]])
        assert [job.id for job in view.jobs] == [jobs["car-pricer"], jobs["legal-drafts"]]
        assert "Compare 2 runs" in screen_text(app)
        await pilot.press("m")                          # validation: car-pricer has it, legal-drafts has none
        await wait_for(pilot, lambda: "smoothed validation loss" in screen_text(app), what="the validation loss")
        final, best = expected_totals(world, jobs["car-pricer"], "valid_loss")
        final_row = next(line for line in screen_text(app).splitlines() if line.strip().startswith("final"))
        assert final in final_row and final_row.rstrip().endswith("–")
        assert best in screen_text(app)
        await pilot.press("m")
        await wait_for(pilot, lambda: "smoothed train loss" in screen_text(app), what="back to the train loss")

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen), what="escape")
        job_list = app.screen.query_one(JobList)
        await pilot.press("space")                      # legal-drafts is selected: space marks it
        await wait_for(pilot, lambda: job_list.marked_ids == [jobs["car-pricer"], jobs["legal-drafts"]], what="marks")
        await pilot.press("space")                      # and unmarks it
        await wait_for(pilot, lambda: job_list.marked_ids == [jobs["car-pricer"]], what="unmark")


async def test_marks_survive_a_filter_and_a_jobs_list_poll(world, make_app):
    ids = world.populate_demo()
    jobs = by_suffix(world, ids)
    app = make_app()
    messages = []
    async with app.run_test(size=(120, 36), message_hook=messages.append) as pilot:
        await loaded(pilot, ids[0])
        await mark(pilot, jobs["pricer"])
        await mark(pilot, jobs["legal-drafts"])
        job_list = app.screen.query_one(JobList)
        job_list.set_filter("pricer")
        await pilot.pause()
        assert len(marked_rows(app)) == 1               # the hidden mark is kept, the shown one still reads "●"
        job_list.set_filter("")
        polls = sum(isinstance(message, m.JobsRefreshed) for message in messages)
        await wait_for(pilot, lambda: sum(isinstance(message, m.JobsRefreshed) for message in messages) >= polls + 2,
                       what="two more jobs-list polls")
        await pilot.pause()
        assert job_list.marked_ids == [jobs["pricer"], jobs["legal-drafts"]]
        assert len(marked_rows(app)) == 2


async def test_a_running_run_keeps_updating_while_the_view_is_open(world, make_app, clock):
    ids = world.populate_demo()
    jobs = by_suffix(world, ids)
    wanted = [jobs["support-bot"], jobs["car-pricer"]]
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, ids[0])
        for job_id in wanted:
            await mark(pilot, job_id)
        view = await open_compare(pilot, world, wanted)
        before = view.totals(jobs["support-bot"]).final_step
        assert jobs["support-bot"] in view.reading and jobs["car-pricer"] not in view.reading
        chart = view.query_one(CompareChart)
        renders = chart.renders
        await pilot.pause(0.4)                          # polls of a job whose clock stands still bring nothing new
        assert chart.renders == renders                 # ...and redraw nothing
        clock.advance(30)                               # ~50 more steps at 0.6 s a step
        await wait_for(pilot, lambda: view.totals(jobs["support-bot"]).final_step > before, what="new steps")
        final, _ = expected_totals(world, jobs["support-bot"])
        await wait_for(pilot, lambda: final in screen_text(app), what="the table follows")


async def test_without_colour_each_run_reads_by_its_own_mark_at_80x24(world, make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    ids = world.populate_demo()
    jobs = by_suffix(world, ids)
    wanted = [jobs[s] for s in COMPARED]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        await loaded(pilot)
        for job_id in wanted:
            await mark(pilot, job_id)
        view = await open_compare(pilot, world, wanted)
        chart = view.query_one(CompareChart)
        lines = chart.rendered_text.splitlines()
        plot = "\n".join(lines[1:-2])
        assert all(mark_char in plot for mark_char in RUN_MARKS[:3])          # each curve drawn with its mark
        text = screen_text(app)
        for mark_char, suffix in zip(RUN_MARKS, COMPARED):
            assert f"{mark_char} {suffix}" in text                           # legend and table heads agree
        assert all(row in text for row in ("final", "best", "best checkpoint", "health"))
        assert chart.size.height >= 10                                       # the chart keeps most of the room


@pytest.mark.parametrize(("marked", "selected", "expected"), [
    ([], "a", []),
    (["a"], "a", []),
    (["a"], "b", ["a", "b"]),
    (["a", "b"], "c", ["a", "b"]),
    ([str(k) for k in range(12)], None, [str(k) for k in range(8)]),
])
def test_which_runs_v_compares(marked, selected, expected):
    assert runs_to_compare(marked, selected) == expected


def test_runs_sharing_a_suffix_are_told_apart_by_their_ids_tail():
    jobs = [Job(id="ftjob-aaaa1111", created_at=1, status="succeeded", model="m", suffix="bot"),
            Job(id="ftjob-bbbb2222", created_at=2, status="succeeded", model="m", suffix="bot"),
            Job(id="ftjob-cccc3333", created_at=3, status="succeeded", model="m")]
    assert run_names(jobs) == ["bot …1111", "bot …2222", "ftjob-cccc3333"]


def test_a_narrow_legend_shortens_every_name_but_keeps_every_mark():
    text = legend_line(("support-bot-long-name", "pricer-with-a-long-name", "car"), (), 30).plain
    assert len(text) <= 30
    assert all(f"{mark_char} " in text for mark_char in RUN_MARKS[:3]) and "car" in text and "…" in text


def test_snapshot_three_runs_by_fraction_at_80x24(snap_compare):
    """The demo's running, evaluating and succeeded jobs (500, 200 and 750 steps) lined up by fraction of
    training at 80x24: three marks in the legend and the plot, the x axis named, the runs' numbers side by side."""
    from ftwatch.config import Settings
    from ftwatch.launch import make_app
    from ftwatch.sim.world import FakeClock

    from .conftest import START
    from .test_ui_snapshots import settled

    async def compare_by_fraction(pilot) -> None:
        await settled(pilot)
        screen = pilot.app.screen
        rows = {row.name.split(" · ")[0]: row.job_id for row in screen.query_one(JobList).rows_for(
            screen.query_one(JobList).visible_ids)}
        for suffix in COMPARED:
            await mark(pilot, rows[suffix])
        await pilot.press("v")
        view = await wait_for(pilot, lambda: isinstance(pilot.app.screen, CompareView) and pilot.app.screen,
                              what="v")
        await wait_for(pilot, lambda: all(view.totals(job.id).points for job in view.jobs), what="every run read")
        await pilot.press("x")
        await wait_for(pilot, lambda: "fraction of training →" in view.query_one(CompareChart).rendered_text,
                       what="by fraction")
        await pilot.pause(3.2)          # the marking toasts have gone

    app = make_app(Settings(poll_interval=0.05), demo=True, clock=FakeClock(START))
    assert snap_compare(app, terminal_size=(80, 24), run_before=compare_by_fraction)
