"""Row 7: 1,000 jobs in the jobs pane: the initial fill vs a bare DataTable, and what a one-job update touches.

The real `JobList` (with its CSS) is mounted in a headless app at 120x40, with rows built by the screen's own
`views.job_row` from 1,000 jobs of mixed statuses. Timed: `JobList.set_rows(rows)` until the next frame is
out (`pilot.pause()`), against a bare `DataTable` with the same columns given the same cells with `add_rows`,
alternately, several times; medians.

Then one job changes (its steps, bar and ETA move on, as a poll of a running job does) and `update_row` is
called while every repaint request that reaches Textual's `Widget.refresh` is recorded: the regions must all
lie on that job's row (a region-less refresh repaints the whole table, a layout refresh the whole screen).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import replace

from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import DataTable

from benchmarks.report import Row
from ftwatch.domain.models import Job
from ftwatch.ui import views
from ftwatch.ui.widgets.job_list import COLUMNS, JobList

N_JOBS = 1000
STATUSES = ("succeeded",) * 7 + ("failed", "cancelled", "running", "queued", "validating_files")
CSS_PATHS = ["../tui/ftwatch/ui/widgets/job_list.tcss"]


def make_jobs(n: int) -> list[Job]:
    jobs = []
    for i in range(n):
        status = STATUSES[i % len(STATUSES)]
        created = 1_764_000_000 - i * 3600
        jobs.append(Job(id=f"ftjob-{i:024d}", created_at=created, status=status, model="gpt-4.1-nano-2025-04-14",
                        suffix=f"exp-{i}", finished_at=created + 1800 if status in ("succeeded", "failed") else None,
                        fine_tuned_model=f"ft:gpt-4.1-nano-2025-04-14:personal:exp-{i}:abc{i}"
                        if status == "succeeded" else None))
    return jobs


class PaneApp(App):
    CSS_PATH = CSS_PATHS

    def __init__(self, bare: bool) -> None:
        super().__init__()
        self.bare = bare

    def compose(self) -> ComposeResult:
        if self.bare:
            yield DataTable(id="jobs", cursor_type="row")
        else:
            yield JobList(id="jobs")


async def fill_once(bare: bool, rows) -> float:
    app = PaneApp(bare)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        if bare:
            table = app.query_one(DataTable)
            for key, label, width in COLUMNS:
                table.add_column(label, key=key, width=width)
            helper = JobList()               # only for its cell styling; not mounted
            cells = [[helper._cell(row, key) if key != "badge" else _badge(row) for key, _, _ in COLUMNS]
                     for row in rows]
            await pilot.pause()
            began = time.perf_counter()
            table.add_rows(cells)
        else:
            table = app.query_one(JobList)
            await pilot.pause()
            began = time.perf_counter()
            table.set_rows(rows)
        await pilot.pause()
        return time.perf_counter() - began


def _badge(row):
    from rich.text import Text

    return Text(row.badge)


async def one_update(rows) -> dict:
    app = PaneApp(False)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(JobList)
        await pilot.pause()
        table.set_rows(rows)
        await pilot.pause()
        target_index = 3                    # visible without scrolling
        target = rows[target_index]
        changed = replace(target, steps="412/1000 ▰▰▰▰▱▱▱▱", eta="3m left", spark="▇▆▅▄▃▂▂▁",
                          fraction=0.412)
        recorded: list[tuple] = []
        original = Widget.refresh

        def spy(self, *regions, repaint=True, layout=False, recompose=False):
            if self is table:
                recorded.append((tuple(regions), layout, recompose))
            return original(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

        Widget.refresh = spy
        try:
            began = time.perf_counter()
            table.update_row(changed)
            spent = time.perf_counter() - began
        finally:
            Widget.refresh = original
        await pilot.pause()
        row_y = table.get_row_index(target.job_id) + (1 if table.show_header else 0) - int(table.scroll_y)
        whole = sum(1 for regions, layout, recompose in recorded if not regions or layout or recompose)
        ys = sorted({y for regions, *_ in recorded for region in regions
                     for y in range(region.y, region.y + region.height)})
        cells = sum(len(regions) for regions, *_ in recorded)
        shown = table.get_row(target.job_id)
        return {"refresh_calls": len(recorded), "whole_widget_refreshes": whole, "rows_touched": ys,
                "expected_row_y": row_y, "regions": cells, "table_height": table.size.height, "update_ms": spent * 1e3,
                "row_now_shows_new_steps": any("412/1000" in str(cell) for cell in shown)}


async def measure(reps: int) -> dict:
    rows = [views.job_row(job, None, None) for job in make_jobs(N_JOBS)]
    await fill_once(True, rows)             # warm imports and caches for both
    await fill_once(False, rows)
    bare, ours = [], []
    for _ in range(reps):
        bare.append(await fill_once(True, rows))
        ours.append(await fill_once(False, rows))
    return {"bare_s": bare, "ours_s": ours, "update": await one_update(rows)}


def run(quick: bool = False) -> list[Row]:
    result = asyncio.run(measure(3 if quick else 7))
    bare, ours, update = statistics.median(result["bare_s"]), statistics.median(result["ours_s"]), result["update"]
    others = [y for y in update["rows_touched"] if y != update["expected_row_y"]]
    other_rows = update["table_height"] if update["whole_widget_refreshes"] else len(others)
    update["own_row_repainted"] = update["expected_row_y"] in update["rows_touched"]
    return [
        Row(key="jobs_fill", what="1,000 jobs: initial fill of the jobs pane", figure=ours * 1e3, unit="ms",
            baseline=bare * 1e3, baseline_what="bare DataTable.add_rows, same cells", budget="<= 2x", limit=2.0,
            details={"ours_ms": [round(t * 1e3, 1) for t in result["ours_s"]],
                     "bare_ms": [round(t * 1e3, 1) for t in result["bare_s"]]}),
        Row(key="jobs_update_rows", what="1,000 jobs: other rows repainted by a one-job update",
            figure=float(other_rows), unit="rows", budget="0 (only its own row)", limit=0.0, kind="exact",
            compare="figure", details=update),
    ]
