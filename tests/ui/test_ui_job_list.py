"""The jobs table with many jobs: one job's update repaints only the cells that changed."""

from __future__ import annotations

from dataclasses import replace
from unittest.mock import patch

from ftwatch.domain.models import Phase
from ftwatch.ui.widgets.job_list import JobList, JobRow
from textual.app import App, ComposeResult
from textual.widget import Widget


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
