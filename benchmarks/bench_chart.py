"""Row 2: the chart's redraw for a 100,000-step job vs a 1,000-step job, same widget size (120x30).

The real `LossChart` widget is mounted alone in a headless Textual app at 120x30 and fed the way the monitor
screen feeds it: a `JobTracker` holds the job, each new step is merged, a snapshot taken, and the timed part
is exactly the screen's `_show_chart` work: `views.chart_view(snapshot)` + `LossChart.set_data(data)` (reduce
each series to the chart's columns, plotext, parse its ANSI, diff against the previous lines, build strips).
The frame is then let out (not timed: painting cached strips costs the same at any length).

Reported: the median redraw per new step (the budget), and the first draw of a job that is selected with
its whole history (info: it pays the O(N) smoothing pass once).
"""

from __future__ import annotations

import asyncio
import statistics
import time

from textual.app import App, ComposeResult

from benchmarks.events import pages
from benchmarks.report import Row
from ftwatch.domain.models import Job
from ftwatch.domain.parse import parse_event
from ftwatch.domain.snapshot import Connection
from ftwatch.domain.tracker import JobTracker
from ftwatch.ui import views
from ftwatch.ui.widgets.loss_chart import LossChart

CHART_SIZE = (120, 30)


class ChartApp(App):
    CSS = "LossChart { width: 120; height: 30; }"

    def compose(self) -> ComposeResult:
        yield LossChart(id="chart")


def tracker_with(steps: int, total: int) -> JobTracker:
    job = Job(id="ftjob-bench", created_at=1_764_000_000, status="running", model="gpt-4.1-nano-2025-04-14",
              hyperparameters={"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 1.0})
    tracker = JobTracker(job)
    newest = None
    for page in pages(steps, 1000):
        # total_steps in the events is the job's total (the x axis spans the whole job)
        events = [parse_event({**e, "data": {**e["data"], "total_steps": total}} if e["type"] == "metrics" else e)
                  for e in page]
        tracker.merge(events, newer_than=newest)
        newest = events[0].id
    return tracker


def _snapshot(tracker: JobTracker):
    return tracker.snapshot(connection=Connection(), now=time.time())


def _draw(chart: LossChart, snapshot) -> float:
    began = time.perf_counter()
    data, _caption = views.chart_view(snapshot, views.KNOWN_FAMILIES[0].label, None, False)
    chart.set_data(data)
    return time.perf_counter() - began


async def measure(steps: int, redraws: int) -> dict:
    total = steps + redraws + 100        # still running: room for the new steps
    tracker = tracker_with(steps, total)
    extra = pages(total, 1, seed=11, start=steps + 1)
    app = ChartApp()
    async with app.run_test(size=CHART_SIZE) as pilot:
        chart = app.query_one(LossChart)
        await pilot.pause()
        first = _draw(chart, _snapshot(tracker))
        renders_before = chart.renders
        await pilot.pause()
        times = []
        for _ in range(redraws):
            page = next(extra)
            tracker.merge([parse_event(e) for e in page])
            snapshot = _snapshot(tracker)
            times.append(_draw(chart, snapshot))
            await pilot.pause()
        return {"first_s": first, "redraw_s": times, "plotext_renders": chart.renders - renders_before,
                "lines": len(chart.lines)}


def run(quick: bool = False) -> list[Row]:
    redraws = 15 if quick else 60
    big_steps = 20_000 if quick else 100_000
    small = asyncio.run(measure(1_000, redraws))
    big = asyncio.run(measure(big_steps, redraws))
    small_med, big_med = statistics.median(small["redraw_s"]), statistics.median(big["redraw_s"])
    label = f"{big_steps // 1000}k"
    return [
        Row(key="chart_redraw", what=f"chart redraw per new step, {label} vs 1k steps", figure=big_med * 1e3,
            unit="ms", baseline=small_med * 1e3, baseline_what="same chart, 1,000 steps", budget="<= 1.5x",
            limit=1.5, details={"size": CHART_SIZE, "redraws": redraws, "steps": big_steps,
                                "big_ms": [round(t * 1e3, 3) for t in big["redraw_s"]],
                                "small_ms": [round(t * 1e3, 3) for t in small["redraw_s"]],
                                "plotext_renders": {"big": big["plotext_renders"], "small": small["plotext_renders"]}}),
        Row(key="chart_first_draw", what=f"chart first draw of a selected job, {label} vs 1k", figure=big["first_s"] * 1e3,
            unit="ms", baseline=small["first_s"] * 1e3, baseline_what="same chart, 1,000 steps", budget="info",
            limit=0, kind="info"),
    ]
