"""`ftwatch jobs [--status S] [--limit N] [--json]`: the account's jobs as a table, or one API object per line.

For a glance from a shell and for scripts: which jobs exist, which run, how far they are and when they end,
without opening the TUI. `--json` prints each job's dict exactly as the API returned it (the same bytes in
meaning `GET /fine_tuning/jobs` gave: unknown fields kept), one per line, for `jq`.

A 429 or 5xx on the jobs list is tried again twice (said on stderr); it is quick because it asks little and
loads little: the jobs list (source/rest_reader.py: the standard library,
not the 0.5-2 s openai SDK import) and one newest events page per running job, asked at once (job_glance.py).
The table's cells are cleaned server text; on a terminal the suffix and model columns give way so a row fits
the width, into a pipe every cell is whole.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from typing import Callable, Collection, Sequence, TextIO, TypeVar

from ftwatch.config import Settings
from ftwatch.domain.format import human_duration
from ftwatch.domain.text import clean
from ftwatch.errors import TransientSourceError
from ftwatch.headless.job_glance import Glance, glance_all, open_reader, page_reader, select_jobs
from ftwatch.source.backoff import Backoff
from ftwatch.source.base import UnreachableError
from ftwatch.ui.presentation import badge, created_text, short_model

EXIT_OK = 0
LIST_ATTEMPTS = 3           # tries of the jobs list through 429s and 5xx (an unreachable host is not retried)
T = TypeVar("T")
HEADERS = ("job", "status", "suffix", "model", "progress", "eta / took", "created")
MIN_SHRUNK = 8
GAP = "  "


def jobs(settings: Settings, *, out: TextIO, statuses: Collection[str] = (), limit: int = 20, as_json: bool = False,
         clock: Callable[[], float] = time.time, reader=None, width: int | None = None,
         sleep: Callable[[float], None] = time.sleep, backoff: Backoff = Backoff(cap=8.0)) -> int:
    """Print the jobs; `width` is the terminal's (None: not a terminal, nothing is cut)."""
    if reader is None:
        reader = open_reader(settings)
    cached = getattr(reader, "cached", False)

    def page(after: str | None, size: int):
        return _patiently(lambda: reader.jobs_page(after=after, limit=size), sleep, backoff)

    chosen = select_jobs(page, limit=limit, statuses=statuses)
    if as_json:
        out.write("".join(json.dumps(dict(job.raw), ensure_ascii=False) + "\n" for job in chosen))
        out.flush()
        return EXIT_OK
    glances = glance_all(chosen, page_reader(reader), clock(), settings.smoothing, cached=cached)
    if cached:
        print(f"ftwatch: offline: the jobs as the local history last saw them ({clean(reader.description)})",
              file=sys.stderr, flush=True)
    out.write(render_table(glances, width=width))
    out.flush()
    return EXIT_OK


def _patiently(read: Callable[[], T], sleep: Callable[[float], None], backoff: Backoff) -> T:
    """A rate limit or a 5xx on the jobs list is tried again a few times (saying so on stderr, as `follow` does),
    then it is the one-line error (exit 4); a script gets its list through a blip, a dead host fails fast."""
    for attempt in range(1, LIST_ATTEMPTS + 1):
        try:
            return read()
        except TransientSourceError as error:
            if attempt == LIST_ATTEMPTS or isinstance(error, UnreachableError):
                raise
            wait = backoff.delay(attempt, error.retry_after)
            print(f"ftwatch: {error.message}; retrying in {human_duration(max(1.0, wait))} (attempt {attempt})",
                  file=sys.stderr, flush=True)
            sleep(wait)
    raise AssertionError("unreachable")


def terminal_width(stream: TextIO) -> int | None:
    """The terminal's width when `stream` is one, else None (a pipe gets whole cells)."""
    try:
        if stream.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return None


def row(glance: Glance) -> tuple[str, ...]:
    job, progress = glance.job, glance.progress
    steps = f"{progress.step}/{progress.total_steps}" if progress.step is not None and progress.total_steps else ""
    when = progress.label
    if glance.health:
        when = f"⚠ {glance.health[0].badge}" + (f" ({when})" if when else "")
    elif glance.trouble:
        when = "? events unread"
    return (clean(job.id, max_len=64), badge(glance.phase, job.status), clean(job.suffix or "", max_len=64),
            clean(short_model(job.model or ""), max_len=64), steps or "-", when or "-",
            created_text(job.created_at) or "-")


def render_table(glances: Sequence[Glance], *, width: int | None = None) -> str:
    """Aligned columns under a header line; `no jobs` when there are none (said, not a blank screen)."""
    if not glances:
        return "no jobs\n"
    rows = [HEADERS, *(row(g) for g in glances)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
    if width is not None:
        widths = _fit(widths, width)
    lines = []
    for cells in rows:
        fitted = [_cut(cell, w).ljust(w) for cell, w in zip(cells, widths) if w]
        lines.append(GAP.join(fitted).rstrip())
    return "\n".join(lines) + "\n"


def _fit(widths: list[int], width: int) -> list[int]:
    """Make a row fit `width`: the suffix, then the model give way (to MIN_SHRUNK), then the created column goes,
    then the model's, then the ETA gives way. The job id, its status and its progress stay whole (0: dropped)."""
    natural, widths = widths, list(widths)

    def excess() -> int:
        shown = [w for w in widths if w]
        return sum(shown) + len(GAP) * (len(shown) - 1) - width

    for step in (("shrink", 2), ("shrink", 3), ("drop", 6), ("drop", 3), ("shrink", 5)):
        over = excess()
        if over <= 0:
            break
        kind, index = step
        widths[index] = 0 if kind == "drop" else max(min(widths[index], MIN_SHRUNK), widths[index] - over)
    for index in (3, 2, 5):          # room a later step freed goes back to the columns shrunk before it
        if widths[index]:
            widths[index] += max(0, min(-excess(), natural[index] - widths[index]))
    return widths


def _cut(cell: str, width: int) -> str:
    return cell if len(cell) <= width else cell[:max(0, width - 1)] + "…"
