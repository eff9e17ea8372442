"""`b` shows the selected job's checkpoints with the best marked and its rule said; `y` copies a model name;
the chart marks each checkpoint's step. Driven against the simulator through the real SDK.

The simulator lists checkpoints as the API does; where a snapshot does not carry them yet, the test hands the
screen the job's snapshot with them (the same message a poll posts), parsed from the simulator's own list.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from ftwatch.domain.models import Checkpoint
from ftwatch.domain.parse import parse_checkpoint
from ftwatch.ui import messages as m
from ftwatch.ui.screens.checkpoints import BEST, CheckpointsView, cut_middle, empty_words, layout
from ftwatch.ui.widgets.chart_legend import CHECKPOINT_MARK
from ftwatch.ui.widgets.chart_render import ChartSpec, checkpoint_columns, render_chart
from ftwatch.ui.widgets.job_list import JobList
from ftwatch.ui.widgets.loss_chart import LossChart

from .conftest import wait_for
from .test_ui_monitor import loaded


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def words(app) -> str:
    """The dialog's words run together (its wrapped lines joined, without the box's borders)."""
    return " ".join(" ".join(line.strip(" │") for line in screen_text(app).splitlines()).split())


def table_rows(app) -> list[str]:
    """The dialog's table rows as shown: `★ best`, or blanks, then the step."""
    return [line for line in screen_text(app).splitlines() if re.search(r"│ +(★ best)? +\d+ ", line)]


def sim_checkpoints(world, job_id: str) -> tuple[Checkpoint, ...]:
    return tuple(sorted((parse_checkpoint(c) for c in world.checkpoints_json(job_id)), key=lambda c: c.step_number))


async def with_checkpoints(pilot, world, job_id: str, checkpoints: tuple[Checkpoint, ...] | None = None):
    """The job's snapshot on screen carrying `checkpoints` (default: the simulator's list)."""
    screen = pilot.app.screen if not isinstance(pilot.app.screen, CheckpointsView) else pilot.app.screen_stack[0]
    wanted = sim_checkpoints(world, job_id) if checkpoints is None else checkpoints
    snapshot = screen.latest(job_id)
    if snapshot.checkpoints != wanted:
        screen.post_message(m.JobUpdated(replace(snapshot, checkpoints=wanted, new_events=())))
        await wait_for(pilot, lambda: screen.latest(job_id).checkpoints == wanted, what="the checkpoints")
    return screen.latest(job_id)


def finished_job(world, ids, status: str) -> str:
    return next(i for i in ids if world.job_json(i)["status"] == status)


async def test_b_marks_the_best_and_y_copies_it_then_the_highlighted_one(world, make_app):
    ids = world.populate_demo()
    job_id = finished_job(world, ids, "succeeded")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, ids[0])
        app.screen.query_one(JobList).select(job_id)
        await loaded(pilot, job_id)
        snapshot = await with_checkpoints(pilot, world, job_id)
        await pilot.press("b")
        view = await wait_for(pilot, lambda: isinstance(app.screen, CheckpointsView) and app.screen, what="b")
        await pilot.pause()
        best = view.best
        assert best is not None and best.checkpoint in snapshot.checkpoints
        text = screen_text(app)
        rows = table_rows(app)
        steps = [c.step_number for c in snapshot.checkpoints]
        assert steps == sorted(steps) and len(rows) == len(steps) == 3            # by step, oldest first
        marked = [row for row in rows if BEST in row]
        assert len(marked) == 1 and f" {best.checkpoint.step_number} " in marked[0]
        assert best.explain() in words(app)                           # the rule that chose it
        assert "full val" in text and "val" in text and "train" in text           # the API's metrics

        await pilot.press("y")                                                    # the best is highlighted first
        await wait_for(pilot, lambda: app.clipboard == best.checkpoint.fine_tuned_model_checkpoint, what="copied")
        assert any(n.message == f"Copied {app.clipboard}" for n in app._notifications)
        other = next(c for c in snapshot.checkpoints if c is not best.checkpoint)
        await pilot.press(*["up"] * 3 if other.step_number < best.checkpoint.step_number else ["down"] * 3)
        await pilot.pause()
        target = snapshot.checkpoints[0] if other.step_number < best.checkpoint.step_number else snapshot.checkpoints[-1]
        assert view.highlighted == target and target.fine_tuned_model_checkpoint in words(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.clipboard == target.fine_tuned_model_checkpoint, what="copied another")
        world_names = {c["fine_tuned_model_checkpoint"] for c in world.checkpoints_json(job_id)}
        assert app.clipboard in world_names

        await pilot.press("b")                                                    # b (or escape) closes
        await wait_for(pilot, lambda: not isinstance(app.screen, CheckpointsView), what="closed")


async def test_no_checkpoints_yet_says_why_and_new_ones_appear_while_open(world, make_app):
    ids = world.populate_demo()
    running, done = ids[0], finished_job(world, ids, "succeeded")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, running)
        assert not world.checkpoints_json(running)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckpointsView), what="b")
        await pilot.pause()
        said = words(app)
        assert "OpenAI writes one at the end of each epoch; none yet" in said
        assert "The first is due at step" in said and BEST not in said
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CheckpointsView), what="closed")

        app.screen.query_one(JobList).select(done)
        await loaded(pilot, done)
        every = sim_checkpoints(world, done)
        await with_checkpoints(pilot, world, done, every[:1])                 # one so far
        await pilot.press("b")
        view = await wait_for(pilot, lambda: isinstance(app.screen, CheckpointsView) and app.screen, what="b")
        await pilot.pause()
        assert view.best.checkpoint == every[0] and [BEST in row for row in table_rows(app)] == [True]
        await with_checkpoints(pilot, world, done, every)                     # the next poll brings the rest
        await wait_for(pilot, lambda: view.best is not None and len(view.query_one("DataTable").rows) == 3,
                       what="the view follows the poll")
        await pilot.pause()
        rows, text = table_rows(app), screen_text(app)
        assert len(rows) == 3 and sum(BEST in row for row in rows) == 1
        assert [int(re.search(r"(\d+) ", row.replace(BEST, "")).group(1)) for row in rows] == [c.step_number for c in every]
        assert max(len(line.rstrip()) for line in text.splitlines()) <= 80


async def test_the_palette_opens_the_checkpoints(world, make_app):
    ids = world.populate_demo()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot, ids[0])
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        await pilot.press(*"checkpoints")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckpointsView), what="checkpoints from the palette")


async def test_checkpoint_steps_are_marked_on_the_chart_and_named_in_its_legend(world, make_app):
    ids = world.populate_demo()
    job_id = finished_job(world, ids, "succeeded")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot, ids[0])
        app.screen.query_one(JobList).select(job_id)
        await loaded(pilot, job_id)
        chart = app.screen.query_one(LossChart)
        snapshot = await with_checkpoints(pilot, world, job_id)
        await wait_for(pilot, lambda: CHECKPOINT_MARK in chart.rendered_text, what="the marks")
        lines = chart.rendered_text.splitlines()
        edge = next(line for line in lines if "└" in line)
        assert edge.count(CHECKPOINT_MARK) == 3                        # steps 250, 500 and 750
        assert f"{CHECKPOINT_MARK} c" in lines[0] or f"{CHECKPOINT_MARK} c" in lines[1]    # the legend names it
        renders = -1
        while renders != chart.renders:                                # the first frames settle (sizes, colours)
            renders = chart.renders
            await pilot.pause(0.3)
        app.screen.post_message(m.JobUpdated(replace(snapshot, new_events=())))     # a poll that brings nothing new
        await pilot.pause(0.2)
        assert chart.renders == renders                                # the same marks: no redraw


def test_marks_land_on_the_epoch_lines_at_the_same_steps():
    """OpenAI writes checkpoints at epoch ends: a mark at an epoch's step sits under that epoch's line."""
    xs = list(range(0, 901, 3))
    ys = [2.0 / (1 + x / 50) for x in xs]
    for width, height in ((78, 8), (110, 14), (50, 12), (140, 20)):
        spec = ChartSpec(width=width, height=height, raw=(xs, ys), x_max=900, epochs=(300.0, 600.0),
                         checkpoints=(300.0, 600.0, 900.0))
        lines = [line.plain for line in render_chart(spec)]
        dotted = Counter(i for line in lines for i, c in enumerate(line) if c == "┊")
        epoch_lines = sorted(i for i, rows in dotted.items() if rows > 1)       # not the legend's one sample
        edge = next(line for line in lines if "└" in line)
        marks = [i for i, c in enumerate(edge) if c == CHECKPOINT_MARK]
        assert marks[:2] == epoch_lines and marks[2] == edge.index("┘") - 1, (width, lines)


def test_no_mark_outside_the_axis_and_none_without_checkpoints():
    assert checkpoint_columns([0, -5, float("nan"), 1200], 1000, 1, 70) == ()
    xs, ys = [0, 50, 100], [1.0, 0.8, 0.7]
    plain = "\n".join(line.plain for line in render_chart(ChartSpec(width=60, height=12, raw=(xs, ys), x_max=100)))
    assert CHECKPOINT_MARK not in plain and "checkpoint" not in plain


def test_layout_keeps_the_losses_and_a_readable_name_at_80_columns():
    metrics = {"train_loss": 0.51, "valid_loss": 0.62, "full_valid_loss": 0.6, "train_mean_token_accuracy": 0.8,
               "valid_mean_token_accuracy": 0.7, "full_valid_mean_token_accuracy": 0.71}
    checkpoints = [Checkpoint(id=f"c{i}", created_at=i, step_number=250 * i, metrics=metrics,
                              fine_tuned_model_checkpoint=f"ft:gpt-4.1-nano-2025-04-14:personal:car-pricer:x:ckpt-step-{250 * i}")
                   for i in (1, 2, 3)]
    columns, name_width = layout(checkpoints, 76)
    keys = [k for k, _ in columns]
    assert keys[:3] == ["train_loss", "valid_loss", "full_valid_loss"] and len(keys) < 6 and name_width >= 24
    wide, _ = layout(checkpoints, 106)
    assert len(wide) == 6
    cut = cut_middle(checkpoints[0].fine_tuned_model_checkpoint, name_width)
    assert len(cut) == name_width and cut.startswith("ft:gpt") and cut.endswith("ckpt-step-250") and "…" in cut


def test_empty_words_say_why_for_a_finished_job_too(world):
    from ftwatch.domain.models import Phase

    class Snap:                     # the fields empty_words reads
        def __init__(self, phase):
            self.phase = phase
            self.progress = type("P", (), {"total_steps": 300})()
            self.job = type("J", (), {"hyperparameters": {"n_epochs": 3}})()

    assert "epoch 1" in empty_words(Snap(Phase.RUNNING)) and "step 100" in empty_words(Snap(Phase.RUNNING))
    assert "cancelled before one was written" in empty_words(Snap(Phase.CANCELLED))
    assert "loading" in empty_words(None)
