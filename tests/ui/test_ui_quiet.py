"""What keeps following a job cheap (issue 6): the chart redraws when its curve moves, the log repaints only
what it adds and thins per-step lines without building events, and the app starts with the garbage collector
paused and resumes it once the first frame is on screen."""

from __future__ import annotations

import gc
import sys

from textual.app import App, ComposeResult

from domain.factories import metrics_dict
from ftwatch.domain.parse import parse_event
from ftwatch.domain.metrics.store import MetricStore
from ftwatch.domain.events.timeline import Timeline
from ftwatch.domain.events.log_thinning import keep_in_log
from ftwatch.ui.widgets.event_log import EventLog, kept_lines, log_line
from ftwatch.ui.widgets import loss_chart
from ftwatch.ui.widgets.loss_chart import ChartData, LossChart
from ui.conftest import wait_for


def history(total: int, upto: int) -> Timeline:
    timeline = Timeline(MetricStore())
    page = [metrics_dict(step, total, 2.0 / step, **({"full_valid_loss": 0.3} if step == 77 else {}))
            for step in range(1, upto + 1)]
    page.insert(3, {"id": "ev-note", "created_at": 1_700_000_003, "level": "warn", "message": "Checkpoint x",
                    "data": {}, "type": "message", "object": "fine_tuning.job.event"})
    timeline.merge([parse_event(d) for d in reversed(page)])
    return timeline


def test_thinning_through_the_timeline_keeps_exactly_what_keep_in_log_keeps():
    view = history(500, 200).view()
    expected = [log_line(e) for e in list(view)[5:] if keep_in_log(e, 500)]
    assert kept_lines(view, 5, 500) == expected
    assert kept_lines(list(view), 5, 500) == expected          # any sequence of events works the plain way
    assert any("full val" in line for line in expected) and any("Checkpoint" in line for line in kept_lines(view, 0, 500))


class ChartApp(App):
    CSS = "LossChart { width: 60; height: 16; }"

    def compose(self) -> ComposeResult:
        yield LossChart()


def chart_data(store: MetricStore, total: int, log_scale: bool = False) -> ChartData:
    raw = store.get("train_loss").view()
    identity = ("job", "loss", 0.0, total, log_scale, ())
    return ChartData(key=(*identity, len(raw)), identity=identity, newest_step=float(raw.steps[-1]), raw=raw,
                     x_max=total, log_scale=log_scale)


async def test_a_followed_chart_is_redrawn_when_its_curve_grows_by_a_dot_column_not_on_every_poll(monkeypatch):
    store = MetricStore()
    total = 1000                                    # 51 plot columns, 102 dot columns: ~10 steps per dot
    async with ChartApp().run_test() as pilot:
        chart = pilot.app.query_one(LossChart)
        for step in range(1, 101):
            store.add_values(step, total, {"train_loss": 2.0 / step})
        chart.set_data(chart_data(store, total))
        await pilot.pause()
        drawn, picture = chart.renders, chart.rendered_text
        assert drawn == 1 and picture.strip()

        store.add_values(101, total, {"train_loss": 0.5})      # same dot column as step 100 (but a new y)
        chart.set_data(chart_data(store, total))
        await pilot.pause()
        assert chart.renders == drawn

        for step in range(102, 131):                             # three dot columns further
            store.add_values(step, total, {"train_loss": 0.02})
        chart.set_data(chart_data(store, total))
        await pilot.pause()
        assert chart.renders == drawn + 1 and chart.rendered_text != picture

        chart.set_data(chart_data(store, total, log_scale=True))  # an option: redrawn at once
        await pilot.pause()
        assert chart.renders == drawn + 2

        store.add_values(131, total, {"train_loss": 1.5})      # same dot column: a spike in the newest one
        later = loss_chart.monotonic() + loss_chart.REDRAW_AT_LEAST_EVERY + 1
        monkeypatch.setattr(loss_chart, "monotonic", lambda: later)
        chart.set_data(chart_data(store, total, log_scale=True))
        await pilot.pause()
        assert chart.renders == drawn + 3                        # shown within REDRAW_AT_LEAST_EVERY seconds


class LogApp(App):
    CSS = "EventLog { height: 8; overflow-x: hidden; }"      # as in event_log.tcss

    def compose(self) -> ComposeResult:
        yield EventLog()


async def test_a_following_log_repaints_only_its_new_rows_and_then_shows_the_newest_at_the_bottom():
    async with LogApp().run_test(size=(60, 12)) as pilot:
        log = pilot.app.query_one(EventLog)
        log._append([f"line {i}" for i in range(3)])
        await pilot.pause()
        refreshed: list = []
        original = log.refresh

        def spy(*regions, **kwargs):
            refreshed.append((regions, kwargs))
            return original(*regions, **kwargs)

        log.refresh = spy                                       # type: ignore[method-assign]
        log._append(["line 3"])
        assert refreshed and all(regions for regions, kwargs in refreshed), "only the new row is repainted"
        assert not any(kwargs.get("layout") for _, kwargs in refreshed)
        log.refresh = original                                  # type: ignore[method-assign]

        for batch in range(4, 40, 6):
            log._append([f"line {i}" for i in range(batch, batch + 6)])
            await pilot.pause()
        await wait_for(pilot, lambda: log.is_vertical_scroll_end, what="the log at its end")
        bottom = log.render_line(log.size.height - 1).text
        assert bottom.startswith("line 39") and log.following


async def test_the_collector_is_paused_for_the_first_frame_and_resumed_after_it(make_app):
    assert gc.isenabled()
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for(pilot, gc.isenabled, what="the collector resumed after the first frame")
    assert gc.isenabled()


async def test_what_loading_the_sdk_and_the_chart_library_left_alive_is_frozen_once_they_are_in(make_app,
                                                                                                 monkeypatch):
    """Otherwise the collector's first full pass, a minute in, walks all of the SDK (~150 ms at once)."""
    frozen_with: list[tuple[bool, bool]] = []          # (source connected, plotext imported) at each freeze
    real_freeze = gc.freeze

    def freeze():
        frozen_with.append((app.screen._workers.source is not None, "plotext" in sys.modules))
        real_freeze()

    monkeypatch.setattr(gc, "freeze", freeze)
    app = make_app()
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: (True, True) in frozen_with, what="a freeze with the SDK and plotext in")
    assert frozen_with[0][0] is False and gc.isenabled()       # the first one: at the first frame
