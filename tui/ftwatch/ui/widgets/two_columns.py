"""Labels in one column, words in the next, the words wrapping within their own column: the job details' fields
and the help's rules (a rule is longer than a line) read the same way."""

from __future__ import annotations

from typing import Iterable

from rich.table import Table
from rich.text import Text


def two_columns(rows: Iterable[tuple[str, str]], *, indent: int = 0) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, indent), expand=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for label, words in rows:
        table.add_row(Text(label), Text(words))
    return table
