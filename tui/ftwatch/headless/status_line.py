"""`ftwatch status --oneline [--tmux] [--width N]`: the account in one short line, for tmux's status-right.

    sarcasm 412/500 ▇▅▃▂▂▁ ETA 3m · ✗ triage failed · 2 queued        (or `idle`)

Many people live in tmux, where one status line is worth more than a window. tmux runs the command every
`status-interval` seconds, so it must be quick and cheap: the newest page of the jobs list plus one newest
events page per running job, nothing else (job_glance.py), through the SDK-free reader (the openai import alone
would take longer than the budget), and no retries (tmux asks again soon).

What it says: each running job with step/total, a sparkline of its smoothed training loss over its newest steps
and its ETA (`evaluating`, or `⚠ stalled` when the job stopped stepping); a job that failed in the last day,
flagged with ✗; how many wait in the queue; `idle` when nothing runs. Marks and words carry it all (it reads
without colour); `--tmux` adds tmux style codes (`#[fg=white,bg=red,bold]` for a failure, `#[fg=black,bg=yellow]`
for a warning: each with its own background, so it reads on any status bar), and `##` for a `#` in server text so
a job's suffix cannot restyle the bar. `--width N` gives up detail in a fixed order until the line fits: the sparkline,
then long names, then names, then one count per kind; a line still too long is cut with `…`.
A failure to reach the API is a short word on stdout (`⚠ unreachable`, `⚠ key refused`) and the whole message
on stderr, so the bar says something true instead of going blank.
"""

from __future__ import annotations

import math
import sys
import time
import unicodedata
from dataclasses import dataclass
from typing import Callable, Sequence, TextIO

from ftwatch.config import Settings
from ftwatch.domain.format import human_duration
from ftwatch.domain.models import Phase
from ftwatch.domain.text import clean
from ftwatch.errors import AuthError, ConfigError, FtwatchError, TransientSourceError
from ftwatch.headless.job_glance import Glance, glance_all, open_reader, page_reader
from ftwatch.source.base import UnreachableError
from ftwatch.ui.presentation import bucket_means, sparkline

RECENT_FAILURE = 24 * 3600.0     # a failed job is flagged for a day after it was created (failed jobs have no
                                 # finished_at in the API, and reading their events would cost a request each)
STATUS_TIMEOUT = 5.0             # per request: tmux shows the previous line meanwhile
SEPARATOR = " · "
IDLE = "idle"
# Each part brings its own background where it has a colour: tmux's default bar is green (and users pick any), so a
# green or red word on the bar's own background can vanish (seen: green on the default green bar).
TMUX_STYLE = {"run": "#[bold]", "warn": "#[fg=black,bg=yellow]", "bad": "#[fg=white,bg=red,bold]", "idle": "#[dim]"}
WAITING = (Phase.QUEUED, Phase.VALIDATING_FILES)


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    tone: str           # run | warn | bad | idle


@dataclass(frozen=True, slots=True)
class Detail:
    """How much each part says; `--width` walks down this list until the line fits."""

    spark: int = 8
    name: int | None = 16           # None: no name
    summary: bool = False           # one count per kind instead of one part per job


DETAILS = (Detail(), Detail(spark=4), Detail(spark=0), Detail(spark=0, name=8), Detail(spark=0, name=None),
           Detail(spark=0, name=None, summary=True))


def status(settings: Settings, *, out: TextIO, err: TextIO | None = None, oneline: bool = True, tmux: bool = False,
           width: int | None = None, clock: Callable[[], float] = time.time, reader=None) -> int:
    err = sys.stderr if err is None else err
    try:
        if reader is None:
            reader = open_reader(settings, timeout=min(settings.timeout, STATUS_TIMEOUT))
        cached = getattr(reader, "cached", False)
        jobs, _ = reader.jobs_page(limit=100)      # running and queued jobs are among the newest
        now = clock()
        shown = [job for job in jobs if job.status in ("running", "paused", "queued", "validating_files")
                 or (job.status == "failed" and now - job.created_at < RECENT_FAILURE)]
        glances = glance_all(shown, page_reader(reader), now, settings.smoothing, cached=cached)
    except FtwatchError as error:
        print(f"ftwatch: {error.message}", file=err, flush=True)
        out.write(render([Part(f"⚠ {trouble_word(error)}", "bad")], width=width, tmux=tmux) + "\n")
        out.flush()
        return 2 if isinstance(error, ConfigError) else 4
    if oneline:
        out.write(line(glances, width=width, tmux=tmux, offline=cached) + "\n")
    else:
        out.write("".join(part.text + "\n" for part in parts(glances, DETAILS[0], offline=cached)))
    out.flush()
    return 0


def line(glances: Sequence[Glance], *, width: int | None = None, tmux: bool = False, offline: bool = False) -> str:
    """The most detailed line that fits `width` cells (tmux codes do not count)."""
    for detail in DETAILS:
        chosen = parts(glances, detail, offline=offline)
        if width is None or cells(SEPARATOR.join(p.text for p in chosen)) <= width:
            return render(chosen, width=width, tmux=tmux)
    return render(chosen, width=width, tmux=tmux)


def parts(glances: Sequence[Glance], detail: Detail, *, offline: bool = False) -> list[Part]:
    """`offline`: the glances are the local history's (--offline): said first, and no ETA is given."""
    failed = [g for g in glances if g.phase is Phase.FAILED]
    active = [g for g in glances if g.phase in (Phase.RUNNING, Phase.EVALUATING, Phase.PAUSED)]
    waiting = sum(1 for g in glances if g.phase in WAITING)
    out: list[Part] = [Part("offline", "warn")] if offline else []
    if failed:
        names = [_name(g, detail.name) for g in failed]
        if len(failed) == 1 and names[0] and not detail.summary:
            out.append(Part(f"✗ {names[0]} failed", "bad"))
        else:
            out.append(Part(f"✗ {len(failed)} failed", "bad"))
    if detail.summary and active:
        warn = any(g.health for g in active)
        etas = [g.progress.eta_seconds for g in active if g.progress.eta_seconds is not None]
        soonest = f" ETA {short_duration(min(etas))}" if etas else ""
        out.append(Part(f"{len(active)} running{soonest}" + (" ⚠" if warn else ""), "warn" if warn else "run"))
    else:
        out.extend(_job_part(g, detail) for g in active)
    if waiting:
        out.append(Part(f"{waiting} queued", "idle"))
    if not active:
        out.insert(len(out) - (1 if waiting else 0), Part(IDLE, "idle"))
    return out


def _job_part(glance: Glance, detail: Detail) -> Part:
    progress = glance.progress
    words = [_name(glance, detail.name)]
    if progress.step is not None and progress.total_steps:
        words.append(f"{progress.step}/{progress.total_steps}")
    if detail.spark and glance.phase is Phase.RUNNING:
        words.append(loss_sparkline(glance.smoothed, detail.spark))
    tone = "run"
    if glance.health:
        words.append(f"⚠ {glance.health[0].badge}")
        tone = "warn"
    elif glance.phase is Phase.EVALUATING:
        words.append("evaluating")
    elif glance.phase is Phase.PAUSED:
        words.append("paused")
        tone = "warn"
    elif progress.eta_seconds is not None:
        words.append(f"ETA {short_duration(progress.eta_seconds)}")
    elif progress.label.startswith("no step"):
        words.append(progress.label)
        tone = "warn"
    elif glance.trouble:
        words.append("?")
    return Part(" ".join(w for w in words if w), tone)


def _name(glance: Glance, limit: int | None) -> str:
    if limit is None:
        return ""
    job = glance.job
    name = clean(job.suffix) if job.suffix else "…" + clean(job.id)[-6:]
    return name if len(name) <= limit else name[:limit - 1] + "…"


def loss_sparkline(smoothed: Sequence[float], width: int) -> str:
    """The smoothed loss over the page's steps in at most `width` blocks (▁ low … █ high); nothing under 2 points."""
    values = [v for v in smoothed if math.isfinite(v)]
    if len(values) < 2 or width <= 0:
        return ""
    if len(values) > width:
        values = bucket_means(list(range(len(values))), values, width)
    return sparkline(values, width)


def short_duration(seconds: float) -> str:
    """The ETA in its largest unit only ("45s", "3m", "1h04m", "2d03h"): a status bar has little room."""
    text = human_duration(seconds)
    return text.replace(" ", "") if ("h" in text or "d" in text) else text.split(" ")[0]


def trouble_word(error: FtwatchError) -> str:
    if isinstance(error, ConfigError):
        return "no key" if "is not set" in error.message else "config"
    if isinstance(error, AuthError):
        return "key refused"
    if isinstance(error, UnreachableError):
        return "unreachable"
    if isinstance(error, TransientSourceError):
        return "rate limited" if error.status == 429 else "API trouble"
    return "API error"


def render(chosen: Sequence[Part], *, width: int | None = None, tmux: bool = False) -> str:
    """Join the parts; cut at `width` cells with `…`; in tmux mode, colour each part and double every `#`."""
    out: list[str] = []
    room = width
    for index, part in enumerate(chosen):
        text = (SEPARATOR if index else "") + part.text
        if room is not None and cells(text) > room:
            text = _cut_cells(text, room)
        if room is not None:
            room -= cells(text)
        if tmux:
            body = text.replace("#", "##")
            lead = ""
            if index and body.startswith(SEPARATOR):
                lead, body = SEPARATOR, body[len(SEPARATOR):]
            out.append(f"{lead}{TMUX_STYLE[part.tone]}{body}#[default]")
        else:
            out.append(text)
        if room is not None and room <= 0:
            break
    return "".join(out)


def cells(text: str) -> int:
    """Terminal cells: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cut_cells(text: str, room: int) -> str:
    if room <= 0:
        return ""
    out, used = [], 0
    for char in text:
        size = cells(char)
        if used + size > room - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…"
