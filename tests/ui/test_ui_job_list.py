"""The jobs table with many jobs: one job's update repaints only the cells that changed."""

from __future__ import annotations

from dataclasses import replace
from unittest.mock import patch

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable

from ftwatch.domain.models import Phase
from ftwatch.ui.widgets.cell_cache import CellCachedTable
from ftwatch.ui.widgets.job_list import COLUMNS, JobList, JobRow


def rows(count: int) -> list[JobRow]:
    return [JobRow(job_id=f"ftjob-{i:024d}", phase=Phase.RUNNING, tone="active", badge="▶ running",
                   name=f"job {i} · gpt-4.1-nano", steps=f"{i % 500}/500 ▱▱▱▱▱", spark="▇▅▃▂▁", eta="ETA 3m",
                   created_at=1_764_000_000 + i, fraction=(i % 500) / 500) for i in range(count)]


class ListApp(App):
    def compose(self) -> ComposeResult:
        yield JobList(id="jobs")


async def test_a_one_job_update_touches_only_its_changed_cells():
    app = ListApp()
    async with app.run_test(size=(120, 40)) as pilot:
        jobs = app.query_one(JobList)
        all_rows = rows(1000)
        jobs.set_rows(all_rows)
        await pilot.pause()
        assert len(jobs.visible_ids) == 1000 and jobs.visible_ids[0] == all_rows[-1].job_id   # newest first

        refreshed: list[tuple] = []
        original = Widget.refresh

        def spy(widget, *regions, **kwargs):            # what actually reaches Textual's repaint machinery
            if widget is jobs:
                refreshed.append((regions, kwargs))
            return original(widget, *regions, **kwargs)

        target = all_rows[-3]                                     # on screen: third row
        with patch.object(Widget, "refresh", spy):
            jobs.update_row(replace(target, steps="499/500 ▰▰▰▰▰", eta="ETA 1s"))
        await pilot.pause()

        repaints = [regions for regions, _ in refreshed]
        assert repaints and all(len(regions) == 1 and regions[0].height == 1 for regions in repaints)
        assert len(repaints) == 2                                 # the steps cell and the eta cell
        cells = [str(cell) for cell in jobs.get_row(target.job_id)]
        assert cells[2] == "499/500 ▰▰▰▰▰" and cells[4] == "ETA 1s"

        jobs.update_row(replace(target, steps="499/500 ▰▰▰▰▰", eta="ETA 1s"))   # same values: nothing at all
        assert jobs.visible_ids[2] == target.job_id



async def test_a_poll_renders_only_the_cells_it_changed_and_the_row_shows_them():
    app = ListApp()
    async with app.run_test(size=(120, 10)) as pilot:
        jobs = app.query_one(JobList)
        row = rows(1)[0]
        jobs.set_rows([row])
        await pilot.pause()
        rendered: list[int] = []
        plain_cell = JobList._plain_cell

        def counting(table, value, row_index, column_index, *args):
            rendered.append(column_index)                  # every cell rendered again goes through here first
            return plain_cell(table, value, row_index, column_index, *args)

        with patch.object(JobList, "_plain_cell", counting):
            for step in range(1, 6):
                rendered.clear()
                jobs.update_row(replace(row, steps=f"{step}/500 ▱▱▱▱▱", eta=f"ETA {10 - step}m"))
                await pilot.pause()
                assert sorted(rendered) == [2, 4]          # the steps and the eta, not the badge, name, sparkline
                line = jobs.render_line(1).text
                assert f"{step}/500 ▱▱▱▱▱" in line and f"ETA {10 - step}m" in line and "▶ running" in line


@pytest.mark.parametrize("value", ["118/1000 ━━╸──", "ETA 3m 12s", "▇▅▃▂▁", "", "12 characters", "exactly 14 ch",
                                   "much too long for its cell", "wide 日本", "tab\there"])
async def test_a_plain_cell_is_drawn_exactly_as_the_data_table_would_draw_it(value):
    app = ListApp()
    async with app.run_test(size=(120, 10)) as pilot:
        jobs = app.query_one(JobList)
        jobs.set_rows(rows(1))
        await pilot.pause()
        row_key = jobs.visible_ids[0]
        for column_index, (column, _, _) in enumerate(COLUMNS):
            text = Text(value, no_wrap=True, overflow="ellipsis")
            jobs.update_cell(row_key, column, text)
            width = jobs.ordered_columns[column_index].get_render_width(jobs)
            base = jobs._get_row_style(0, jobs.rich_style)
            for cursor, hover in ((False, False), (True, False), (False, True), (True, True)):
                fast = jobs._plain_cell(text, 0, column_index, base, width, cursor, hover)
                usual = DataTable._render_cell(jobs, 0, column_index, base, width, cursor, hover)
                if len(value) + 2 > width or value in ("wide 日本", "tab\there"):
                    assert fast is None                    # left to the data table
                    continue
                assert fast is not None
                assert Strip(fast[0]).simplify() == Strip(usual[0]).simplify()


def test_the_known_textual_gets_the_cell_cache():
    assert CellCachedTable.CELL_CACHE          # a Textual upgrade that changed DataTable's cells turns it off
