"""Partial updates render only the rows they write (ui/partial_updates.py): while a job is followed, every
frame must put exactly the characters on the terminal that Textual's own renderer would, at a fraction of
the rows rendered."""

from __future__ import annotations

from rich.console import Console
from textual import _compositor
from textual.widget import Widget

from ftwatch.ui import partial_updates
from ftwatch.ui.widgets.job_progress import JobProgress

from .conftest import wait_for
from .test_ui_monitor import BRISK, SIZE, loaded, selected_snapshot


def test_the_known_textual_gets_the_rows_only_renderer():
    partial_updates.install()
    assert partial_updates.rows_only_installed()
    assert _compositor.Compositor.render_partial_update is partial_updates._render_partial_update


async def test_following_a_job_writes_what_textual_would_while_rendering_far_fewer_rows(world, clock, make_app,
                                                                                       monkeypatch):
    job_id = world.create_job(total_steps=300, n_epochs=3, suffix="rows", timing=BRISK, step_seconds=1.0,
                              start_delay=-(2 + 1 + 2 + 20))
    frames: list[tuple[str, str]] = []
    rendered = {"ours": 0, "stock": 0}
    rows_per_frame: list[tuple[int, int]] = []        # (ours, Textual's) rows rendered
    counting = {"into": None}
    real_render_lines = Widget.render_lines

    def render_lines(self, crop):
        if counting["into"]:
            rendered[counting["into"]] += crop.height
        return real_render_lines(self, crop)

    def both(self):
        regions = set(self._dirty_regions)
        rendered.update(ours=0, stock=0)
        counting["into"] = "ours"
        ours = partial_updates._render_partial_update(self)
        self._dirty_regions.update(regions)         # Textual's renderer gets the very same update to draw
        counting["into"] = "stock"
        stock = partial_updates.STOCK_PARTIAL_UPDATE(self)
        counting["into"] = None
        rows_per_frame.append((rendered["ours"], rendered["stock"]))
        if ours is not None and stock is not None:
            console = Console(width=SIZE[0], color_system="truecolor", force_terminal=True)
            frames.append((ours.render_segments(console), stock.render_segments(console)))
        return ours

    app = make_app()
    monkeypatch.setattr(Widget, "render_lines", render_lines)
    monkeypatch.setattr(_compositor.Compositor, "render_partial_update", both)
    async with app.run_test(size=SIZE) as pilot:
        first = await loaded(pilot, job_id)
        progress = app.screen.query_one(JobProgress)
        frames.clear()
        rows_per_frame.clear()
        step = first.progress.step
        for _ in range(6):                          # six polls, each bringing a few steps
            clock.advance(3)
            await wait_for(pilot, lambda: (s := selected_snapshot(pilot)) and s.progress.step >= step + 2
                           and f"{s.progress.step}/300" in progress.rendered_text, what="3 more steps on screen")
            step = selected_snapshot(pilot).progress.step
            await pilot.pause()
    assert len(frames) >= 6
    for ours, stock in frames:
        assert ours == stock
    ratios = sorted(ours / stock for ours, stock in rows_per_frame if stock)
    assert ratios[len(ratios) // 2] < 1 / 3            # a typical frame (a log scroll repaints a whole pane)
