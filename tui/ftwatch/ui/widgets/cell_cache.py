"""A DataTable that renders a cell again only when the cell's value changed, and renders plain text cheaply.

Why (issue 6, CPU while following a job): `DataTable` keys its rendered cells on a table-wide update counter,
so after any `update_cell` it renders every visible cell of the row again through Rich's render pipeline
(Styled(Padding(Text)) -> render_lines, ~0.5 ms a cell on a cold cache). A poll changes two or three cells
of one row (the step count, the ETA, sometimes the sparkline); this table keeps each cell's rendering for as
long as the cell holds the very same value object, and draws an unstyled one-line text that fits its cell as
the single segment Rich would have produced.

Both lean on `DataTable._render_cell` and `_get_styles_to_render_cell`, which are private: they are used only
while those are byte-for-byte the ones this was written against (see `textual_fingerprint`); otherwise the
table renders exactly as a stock DataTable does. tests/ui/test_ui_job_list.py compares the two renderings.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable

from ftwatch.ui.textual_fingerprint import fingerprint

# Fingerprints (source text + Textual version: the same on every CPython) of textual 8.2.8
# `DataTable._render_cell` and `DataTable._get_styles_to_render_cell`.
KNOWN_FINGERPRINTS = frozenset({("c0f6fd43a1bb1f02", "22a1ce93ef618ec4")})
CELL_CACHE_SIZE = 8192           # rendered cells kept (a few cursor/focus states of each visible cell)


def _known_data_table() -> bool:
    styles = getattr(DataTable._get_styles_to_render_cell, "__wrapped__", DataTable._get_styles_to_render_cell)
    return (fingerprint(DataTable._render_cell), fingerprint(styles)) in KNOWN_FINGERPRINTS


class CellCachedTable(DataTable):
    CELL_CACHE = _known_data_table()

    def __init__(self, *args, **kwargs) -> None:
        self._cell_lines: dict[tuple, tuple[object, list]] = {}
        super().__init__(*args, **kwargs)

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int, cursor: bool = False,
                     hover: bool = False):
        if not self.CELL_CACHE or row_index < 0 or column_index < 0:       # unknown Textual, or the header
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        value = self._data.get(row_key, {}).get(column_key)
        key = (row_key, column_key, row_index, column_index, base_style, width, cursor, hover,
               self._show_hover_cursor, self.show_cursor, self._pseudo_class_state, self.cell_padding,
               self.cursor_foreground_priority, self.cursor_background_priority)
        cached = self._cell_lines.get(key)
        if cached is not None and cached[0] is value:
            return cached[1]
        lines = self._plain_cell(value, row_index, column_index, base_style, width, cursor, hover)
        if lines is None:
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        if len(self._cell_lines) >= CELL_CACHE_SIZE:
            self._cell_lines.clear()
        self._cell_lines[key] = (value, lines)
        return lines

    def _plain_cell(self, value: object, row_index: int, column_index: int, base_style: Style, width: int,
                    cursor: bool, hover: bool) -> list[list[Segment]] | None:
        """What `DataTable._render_cell` makes of an unstyled one-line text that fits its cell: the text padded
        to the cell's width, in the cell's style, as one segment. None for anything else."""
        if not isinstance(value, Text) or value.spans or value.style or value.justify not in (None, "default"):
            return None
        plain, padding = value.plain, self.cell_padding
        room = width - 2 * padding
        if len(plain) > room or cell_len(plain) != len(plain) or not plain.isprintable():
            return None
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, row_index < self.fixed_rows or column_index < self.fixed_columns, hover, cursor,
            self.show_cursor, self._show_hover_cursor, self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css")
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        return [[Segment(f"{' ' * padding}{plain:<{room}}{' ' * padding}", pre_style + post_style)]]

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._cell_lines.clear()
