"""Which columns the jobs table shows at a given width, and how wide each is: pure, so it is tested alone.

Each column is as wide as its widest value, within its bounds, so no column leaves a blank gap after short
values; the width the core columns leave goes first to the name (up to its widest name), then to the extra
columns (created, trained tokens, hyperparameters), each shown only where it fits.

    80 columns:  status  suffix · model  steps  loss  eta / took
    120:         ... eta / took  created  trained
    160:         ... eta / took  created  trained  hyperparameters

A health verdict ("⚠ overfitting") gets its own column after the status once some job has one, where the name
keeps room enough (`NAME_KEEPS`); on a narrower screen (80 columns) it shares the status cell instead, after
the phase's symbol ("✓ ⚠ overfitting"), so it is visible at every width.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from rich.cells import cell_len


@dataclass(frozen=True, slots=True)
class Column:
    key: str                 # the JobRow field it shows
    label: str
    least: int               # never narrower: fits the usual values (a poll moving a job on stays inside it)
    most: int                # never wider: a longer value ends in "…"
    extra: bool = False      # shown only where it fits, after the core columns, in this order
    cut: int = 0             # an extra shown cut down to this width when it does not fit whole (0: whole only)


CATALOGUE = (
    Column("badge", "status", 12, 12),
    Column("name", "suffix · model", 14, 40),
    Column("steps", "steps", 13, 17),          # "999/999 ▰▰▰▰▰"; a 1,000-step job's counts widen it
    Column("spark", "loss", 8, 8),
    Column("eta", "eta / took", 12, 16),
    Column("created", "created", 7, 12, extra=True),
    Column("tokens", "trained", 7, 13, extra=True),
    Column("hyper", "hyperparameters", 15, 40, extra=True, cut=20),
)
HEALTH = Column("health", "health", 9, 16)     # "⚠ stalled" .. "⚠ overfitting +1"; shown once a job has one
SHARED_STATUS_MOST = 18                        # the status cell holding a verdict: "✓ ⚠ overfitting +1"
NAME_KEEPS = 20                                # beside a health column the name keeps this much (or its widest)
BY_KEY = {column.key: column for column in (*CATALOGUE, HEALTH)}
MEASURED = (*(column.key for column in CATALOGUE if column.least != column.most), HEALTH.key)
COLUMNS = tuple((c.key, c.label, c.least) for c in CATALOGUE if not c.extra)     # shown at every width
NAME = BY_KEY["name"]
Layout = tuple[tuple[str, str, int], ...]      # (key, label, width) of each column shown, in order


def content_widths(rows: Iterable[object]) -> dict[str, int]:
    """The widest value (in cells) of each column whose width follows its content; 0: no row has one.

    Runs over every job on each jobs-list poll: plain ASCII is measured with `len` (1,000 jobs: ~2 ms)."""
    widest = dict.fromkeys(MEASURED, 0)
    for row in rows:
        for key in MEASURED:
            text = getattr(row, key)
            width = len(text) if text.isascii() else cell_len(text)
            if width > widest[key]:
                widest[key] = width
    return widest


def fit_columns(width: int, widest: Mapping[str, int], padding: int = 2) -> Layout:
    """The columns that fit in `width` cells, each as wide as its widest value (within its bounds).

    The core columns always show; the name takes what they leave, up to its widest name. Then each extra
    column that has something to show is added, in order, while it fits whole (or cut down to its `cut`);
    the first that does not fit ends the row, so a column never shows while an earlier one is left out.
    A health verdict takes its own column after the status while the name keeps `NAME_KEEPS` cells (or its
    widest name), else the status column widens to hold the phase's symbol and the verdict.
    `padding`: the cells each column adds around its content."""
    def size(column: Column) -> int:
        return max(column.least, min(column.most, widest.get(column.key, 0)))

    widths = {c.key: size(c) for c in CATALOGUE if not c.extra}
    used = sum(w + padding for key, w in widths.items() if key != "name") + padding
    if widest.get(HEALTH.key):
        if width - used - size(HEALTH) - padding >= min(widths["name"], NAME_KEEPS):
            widths = {"badge": widths.pop("badge"), HEALTH.key: size(HEALTH), **widths}
            used += size(HEALTH) + padding
        else:
            shared = max(widths["badge"], min(SHARED_STATUS_MOST, 2 + widest[HEALTH.key]))
            used += shared - widths["badge"]
            widths["badge"] = shared
    widths["name"] = max(NAME.least, min(widths["name"], width - used))
    used += widths["name"]
    layout = [(key, BY_KEY[key].label, w) for key, w in widths.items()]
    for column in CATALOGUE:
        if not column.extra or not widest.get(column.key):
            continue
        room = width - used - padding
        wanted = size(column)
        if room < wanted and not (column.cut and room >= column.cut):
            break
        layout.append((column.key, column.label, min(wanted, room)))
        used += min(wanted, room) + padding
    return tuple(layout)
