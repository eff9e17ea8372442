"""The smallest terminal the monitor can draw usefully, and what to say below it.

Below this the chart has no rows left and the jobs table no columns for steps; a garbled screen would
look like a bug. So the launch refuses with one line (`ftwatch: the terminal is 40x10 ...`, exit 2) and a
running monitor that is shrunk (a tmux split, a phone's SSH client turned sideways) covers itself with this
message instead, keeps polling, and comes back whole when the terminal grows again.
"""

from __future__ import annotations

MIN_COLUMNS = 60
MIN_ROWS = 20


def too_small(columns: int, rows: int) -> str | None:
    """The message for a terminal of `columns` x `rows`, or None when it is big enough."""
    if columns >= MIN_COLUMNS and rows >= MIN_ROWS:
        return None
    return (f"the terminal is {columns}x{rows}; the monitor needs at least {MIN_COLUMNS}x{MIN_ROWS} "
            f"(enlarge it, or use `ftwatch follow JOB_ID` for a line-by-line view)")
