"""Every job at a glance: one DataTable row per job, updated cell by cell.

Cost model (issue 6): a poll that changes one job must repaint only that job's row. `DataTable.update_cell`
repaints the whole table, so `JobList` narrows that repaint to the changed cells (`refresh_cell`). Rows are rebuilt
only when the set or the order of visible jobs changes (a new job, a filter, a sort). Cells are rendered again
only when their value changed (`CellCachedTable`), so a poll renders the two or three cells it changed, not
the row's five.

Columns fit their content (`job_columns.fit_columns`): each is as wide as its widest value within its
bounds, so no column leaves a blank gap, and the width left over goes to more columns (created, trained
tokens, then the hyperparameters) rather than to blank space. The layout is decided when the whole list
arrives (the jobs list's poll) and on a resize, never on one job's update: an update never re-lays out the
table (a value that outgrew its column ends in "…" until the next jobs-list poll widens it).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Iterable, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from ftwatch.domain.models import Phase
from ftwatch.ui.widgets.cell_cache import CellCachedTable
from ftwatch.ui.widgets.job_columns import COLUMNS, Layout, content_widths, fit_columns

__all__ = ["COLUMNS", "JobList", "JobRow", "SORTS"]

SORTS = ("newest", "status", "name", "progress")
MARK = "● "          # before a job's name while it is marked for comparing (`space`): a mark, not a colour
_TONE_ORDER = {"active": 0, "waiting": 1, "bad": 2, "good": 3, "muted": 4}


@dataclass(frozen=True, slots=True)
class JobRow:
    """What one row shows, as plain strings (already cleaned): built by the screen, diffed here."""

    job_id: str
    phase: Phase
    tone: str
    badge: str
    name: str
    steps: str
    spark: str
    eta: str
    created_at: int
    fraction: float | None = None
    created: str = ""            # "Nov 24 16:04": an absolute time, so the column never ticks
    tokens: str = ""             # "1.2M tokens" once the job has trained
    hyper: str = ""              # "epochs 3 · batch 8 · lr× 1.8"
    health: str = ""             # "⚠ overfitting" (a second verdict: "+1"); the header says why

    def matches(self, needle: str) -> bool:
        haystack = f"{self.job_id} {self.name} {self.badge} {self.health}".lower()
        return all(word in haystack for word in needle.lower().split())


class JobList(CellCachedTable):
    """Posts `JobList.Selected` when the highlighted job changes; takes rows via `set_rows`."""

    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | {
        "job-list--active", "job-list--waiting", "job-list--good", "job-list--bad", "job-list--muted",
        "job-list--health",
    }
    # DataTable's home/end scroll the view but leave the selection where it was: here they select.
    BINDINGS = [
        Binding("g,home", "first_job", "First job", show=False, id="jobs.first"),
        Binding("G,end", "last_job", "Last job", show=False, id="jobs.last"),
    ]

    @dataclass
    class Selected(Message):
        job_list: JobList
        job_id: str

        @property
        def control(self) -> JobList:
            return self.job_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._rows: dict[str, JobRow] = {}
        self._shown: dict[str, JobRow] = {}
        self._order: list[str] = []
        self._filter = ""
        self._sort = SORTS[0]
        self._selected: str | None = None
        self._row_only = False
        self._layout: Layout = ()
        self._column_index: dict[str, int] = {}
        self._widest: dict[str, int] = content_widths(())
        self._marked: dict[str, None] = {}      # job ids marked with space, in marking order

    def on_mount(self) -> None:
        self._fit(self.app.size.width)

    def on_resize(self) -> None:
        """Fit the columns to the new width (80 columns included)."""
        if self._fit(self.size.width):
            self._sync()

    def _fit(self, width: int) -> bool:
        """Lay the columns out for `width` and the widest values; True if that changed them (rows dropped)."""
        room = width - self.styles.scrollbar_size_vertical
        widest = self._widest
        if self._marked:            # a marked name is two cells wider: its column makes room rather than cut it
            widest = {**widest, "name": widest.get("name", 0) + len(MARK)}
        layout = fit_columns(room, widest, 2 * self.cell_padding)
        if layout == self._layout:
            return False
        self._layout = layout
        self._column_index = {key: i for i, (key, _, _) in enumerate(layout)}
        self.clear(columns=True)
        for key, label, column_width in layout:
            self.add_column(label, key=key, width=column_width)
        self._order = []
        return True

    @property
    def column_keys(self) -> list[str]:
        return [key for key, _, _ in self._layout]

    @property
    def selected_id(self) -> str | None:
        return self._selected

    @property
    def sort_mode(self) -> str:
        return self._sort

    @property
    def filter_text(self) -> str:
        return self._filter

    @property
    def visible_ids(self) -> list[str]:
        return list(self._order)

    def set_rows(self, rows: Iterable[JobRow]) -> None:
        """The whole list (a jobs-list poll): the columns are measured again, and re-laid out if they must."""
        self._rows = {row.job_id: row for row in rows}
        self._widest = content_widths(self._rows.values())
        self._fit(self.size.width or self.app.size.width)
        self._sync()

    def update_row(self, row: JobRow) -> None:
        """One job changed: touch only its cells (or re-sort if its position must change). A health verdict
        wider than any shown so far lays the columns out again (rare: the first verdict, or a wider one), so it
        is never cut until the next jobs-list poll."""
        self._rows[row.job_id] = row
        if row.health and cell_len(row.health) > self._widest.get("health", 0):
            self._widest = content_widths(self._rows.values())
            self._fit(self.size.width or self.app.size.width)
        self._sync()

    @property
    def marked_ids(self) -> list[str]:
        """The jobs marked for comparing that are still listed, in the order they were marked."""
        return [job_id for job_id in self._marked if job_id in self._rows]

    def toggle_mark(self, job_id: str) -> bool:
        """Mark or unmark a job for comparing; True when it is marked now. Marks are kept by job id, so they
        survive polls, sorting and filtering (a hidden marked job is still compared)."""
        if job_id in self._marked:
            del self._marked[job_id]
        elif job_id in self._rows:
            self._marked[job_id] = None
        else:
            return False
        if self._fit(self.size.width or self.app.size.width):
            self._sync()
        elif job_id in self._order and "name" in self._column_index:
            self._set_cell(job_id, self._order.index(job_id), "name", self._cell(self._rows[job_id], "name"))
        return job_id in self._marked

    def set_filter(self, text: str) -> None:
        self._filter = text.strip()
        self._sync()

    def cycle_sort(self) -> str:
        self._sort = SORTS[(SORTS.index(self._sort) + 1) % len(SORTS)]
        self._sync()
        return self._sort

    def select(self, job_id: str) -> bool:
        """Move the cursor to `job_id` (clearing a filter that hides it); False if the job is unknown."""
        if job_id not in self._rows:
            return False
        if job_id not in self._order:
            self._filter = ""
            self._sync()
        self.move_cursor(row=self._order.index(job_id))
        self._announce(job_id)
        return True

    def _ordered(self) -> list[str]:
        rows = [row for row in self._rows.values() if not self._filter or row.matches(self._filter)]
        newest = sorted(rows, key=lambda row: (row.created_at, row.job_id), reverse=True)
        if self._sort == "status":
            newest.sort(key=lambda row: _TONE_ORDER.get(row.tone, 9))
        elif self._sort == "name":
            newest.sort(key=lambda row: row.name.lower())
        elif self._sort == "progress":
            newest.sort(key=lambda row: -1.0 if row.fraction is None else row.fraction, reverse=True)
        return [row.job_id for row in newest]

    def _sync(self) -> None:
        order = self._ordered()
        if order != self._order:
            self._rebuild(order)
            return
        for row_index, job_id in enumerate(order):
            old, new = self._shown.get(job_id), self._rows[job_id]
            if old == new:
                continue
            for column in self._changed_columns(old, new):
                self._set_cell(job_id, row_index, column, self._cell(new, column))
            self._shown[job_id] = new

    def _rebuild(self, order: list[str]) -> None:
        keep = self._selected
        self.clear()
        for job_id in order:
            row = self._rows[job_id]
            self.add_row(*(self._cell(row, key) for key in self._column_index), key=job_id)
        self._order = order
        self._shown = {job_id: self._rows[job_id] for job_id in order}
        if not order:
            return
        index = order.index(keep) if keep in order else 0
        self.move_cursor(row=index, animate=False)
        self._announce(order[index])

    def _changed_columns(self, old: JobRow | None, new: JobRow) -> list[str]:
        """The shown columns whose value differs (a column not shown waits for the next layout)."""
        if old is None:
            return list(self._column_index)
        changed = {f.name for f in fields(JobRow) if getattr(old, f.name) != getattr(new, f.name)}
        if {"tone", "phase", "health"} & changed:
            changed.add("badge")          # the status cell holds the verdict where it has no column of its own
        return [key for key in self._column_index if key in changed]

    def _cell(self, row: JobRow, column: str) -> Text:
        if column == "badge":
            tone = self.get_component_rich_style(f"job-list--{row.tone}", partial=True)
            if row.health and "health" not in self._column_index:      # narrow: "✓ ⚠ overfitting"
                symbol = row.badge.partition(" ")[0]
                return Text.assemble((symbol, tone), " ", (row.health, self._health_style()),
                                     no_wrap=True, overflow="ellipsis")
            return Text(row.badge, style=tone)
        if column == "health":
            return Text(row.health, style=self._health_style(), no_wrap=True, overflow="ellipsis")
        if column == "name" and row.job_id in self._marked:
            return Text(MARK + row.name, no_wrap=True, overflow="ellipsis")
        return Text(getattr(row, column), no_wrap=True, overflow="ellipsis")

    def _health_style(self):
        return self.get_component_rich_style("job-list--health", partial=True)

    def _set_cell(self, job_id: str, row_index: int, column: str, value: Text) -> None:
        self._row_only = True
        try:
            self.update_cell(job_id, column, value)
        finally:
            self._row_only = False
        self.refresh_coordinate(Coordinate(row_index, self._column_index[column]))

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):  # type: ignore[override]
        """Swallow the whole-table repaint `update_cell` asks for; `_set_cell` repaints just the cell."""
        if getattr(self, "_row_only", False) and not regions and not layout and not recompose:
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key.value is not None:
            self._announce(event.row_key.value)

    def _announce(self, job_id: str) -> None:
        if job_id != self._selected:
            self._selected = job_id
            self.post_message(self.Selected(self, job_id))

    def action_first_job(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last_job(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def move_by(self, delta: int) -> None:
        if self.row_count:
            self.move_cursor(row=max(0, min(self.row_count - 1, self.cursor_row + delta)))

    def rows_for(self, ids: Sequence[str]) -> list[JobRow]:
        return [self._rows[job_id] for job_id in ids if job_id in self._rows]
