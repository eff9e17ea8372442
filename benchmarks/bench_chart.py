"""Row 2: the chart's redraw for a 100,000-step job vs a 1,000-step job, same widget size (120x30).

Two real `LossChart` widgets, 120x30 each, are mounted in one headless Textual app and fed the way the monitor
screen feeds its chart: a `JobTracker` per job, each new step merged, a snapshot taken, and the timed part is
exactly the pane's chart work: `views.chart_view(snapshot)` + `LossChart.set_data(data)` (reduce each series
to the chart's columns, plotext, parse its ANSI, diff against the previous lines, build strips). The two jobs
take turns step by step, so both see the same machine load; the time is the process's CPU time for the call
(the machine is shared). The frame is then let out (not timed: painting cached strips costs the same at any
length).

Reported:
- the median redraw per new step (what following a job costs; a chart may skip plotext when no pixel moved,
  which happens more often on a long job, so the details also count how often plotext ran);
- the median full re-render, forced on every step by toggling the log scale (`l`) so plotext runs each time
  for both lengths: the worst case of a redraw, which must not grow with the job either;
- the first draw of a job that is selected with its whole history (info: it pays the O(N) smoothing once).
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


class ChartsApp(App):
    CSS = "LossChart { width: 120; height: 30; }"

    def compose(self) -> ComposeResult:
        yield LossChart(id="small")
        yield LossChart(id="big")


def tracker_with(steps: int, total: int) -> JobTracker:
    job = Job(id=f"ftjob-bench{steps}", created_at=1_764_000_000, status="running",
              model="gpt-4.1-nano-2025-04-14",
              hyperparameters={"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 1.0})
    tracker = JobTracker(job)
    newest = None
    for page in pages(steps, 1000):
        # every event says the job's real total, so the x axis spans the whole job as it does live
        events = [parse_event({**e, "data": {**e["data"], "total_steps": total}} if e["type"] == "metrics" else e)
                  for e in page]
        tracker.merge(events, newer_than=newest)
        newest = events[0].id
    return tracker


class Feed:
    """One job that keeps training: `step()` merges its next event and returns the new snapshot."""

    def __init__(self, steps: int, redraws: int) -> None:
        total = steps + redraws + 100
        self.tracker = tracker_with(steps, total)
        self._next = pages(total, 1, seed=11, start=steps + 1)

    def snapshot(self):
        return self.tracker.snapshot(connection=Connection(), now=time.time())

    def step(self):
        self.tracker.merge([parse_event(e) for e in next(self._next)])
        return self.snapshot()


def draw(chart: LossChart, snapshot, log_scale: bool = False) -> float:
    began = time.process_time()
    data, _caption = views.chart_view(snapshot, views.KNOWN_FAMILIES[0].label, None, log_scale)
    chart.set_data(data)
    return time.process_time() - began


async def measure(small_steps: int, big_steps: int, redraws: int) -> dict:
    feeds = {"small": Feed(small_steps, redraws), "big": Feed(big_steps, redraws)}
    app = ChartsApp()
    async with app.run_test(size=(120, 62)) as pilot:
        charts = {name: app.query_one(f"#{name}", LossChart) for name in feeds}
        await pilot.pause()
        first = {name: draw(charts[name], feeds[name].snapshot()) for name in feeds}
        renders = {name: charts[name].renders for name in feeds}
        await pilot.pause()
        times: dict[str, list[float]] = {name: [] for name in feeds}
        for i in range(redraws):
            for name in (("small", "big") if i % 2 else ("big", "small")):
                times[name].append(draw(charts[name], feeds[name].step()))
            await pilot.pause()
        plotext_runs = {name: charts[name].renders - renders[name] for name in feeds}
        forced: dict[str, list[float]] = {name: [] for name in feeds}
        forced_runs = {name: charts[name].renders for name in feeds}
        for i in range(redraws):
            for name in (("small", "big") if i % 2 else ("big", "small")):
                forced[name].append(draw(charts[name], feeds[name].step(), log_scale=i % 2 == 0))
            await pilot.pause()
        forced_runs = {name: charts[name].renders - forced_runs[name] for name in feeds}
        return {"first_s": first, "redraw_s": times, "plotext_renders": plotext_runs, "forced_s": forced,
                "forced_renders": forced_runs}


def run(quick: bool = False) -> list[Row]:
    redraws = 20 if quick else 80
    big_steps = 20_000 if quick else 100_000
    asyncio.run(measure(100, 200, 2))        # import plotext and warm caches outside the measured run
    result = asyncio.run(measure(1_000, big_steps, redraws))
    small_med = statistics.median(result["redraw_s"]["small"])
    big_med = statistics.median(result["redraw_s"]["big"])
    label = f"{big_steps // 1000}k"
    return [
        Row(key="chart_redraw", what=f"chart redraw per new step, {label} vs 1k steps", figure=big_med * 1e3,
            unit="ms", baseline=small_med * 1e3, baseline_what="same chart, 1,000 steps", budget="<= 1.5x",
            limit=1.5, details={"size": CHART_SIZE, "redraws": redraws, "steps": big_steps, "clock": "process CPU",
                                "big_ms": [round(t * 1e3, 2) for t in result["redraw_s"]["big"]],
                                "small_ms": [round(t * 1e3, 2) for t in result["redraw_s"]["small"]],
                                "plotext_renders": result["plotext_renders"]}),
        Row(key="chart_rerender", what=f"chart full re-render (l toggles log scale), {label} vs 1k",
            figure=statistics.median(result["forced_s"]["big"]) * 1e3, unit="ms",
            baseline=statistics.median(result["forced_s"]["small"]) * 1e3, baseline_what="same chart, 1,000 steps",
            budget="<= 1.5x", limit=1.5,
            details={"big_ms": [round(t * 1e3, 2) for t in result["forced_s"]["big"]],
                     "small_ms": [round(t * 1e3, 2) for t in result["forced_s"]["small"]],
                     "plotext_renders": result["forced_renders"]}),
        Row(key="chart_first_draw", what=f"chart first draw of a selected job, {label} vs 1k",
            figure=result["first_s"]["big"] * 1e3, unit="ms", baseline=result["first_s"]["small"] * 1e3,
            baseline_what="same chart, 1,000 steps", budget="info", limit=0, kind="info",
            details={"note": "includes the one-off O(N) smoothing of the whole series"}),
    ]
