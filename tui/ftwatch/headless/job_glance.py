"""Every job at a glance for `ftwatch jobs` and `ftwatch status`: the jobs list, plus one newest events page per
running job, read through the domain's own tracker.

Both commands must answer fast (a status line is asked every few seconds), so the requests are counted: the
jobs list (one page of 100; older pages only while `--limit` or `--status` still want jobs), and one events page
of `PEEK_LIMIT` per running job, the pages asked at once. A finished job gets no request: its duration comes from
the job itself (`created_at` to `finished_at`). A running job's page is merged into a `JobTracker`, so its step,
total, ETA ("ETA 3m 12s", "evaluating for 2m", "no step for 8m"), phase and `stalled` verdict are exactly what the
TUI would say; only `stalled` is kept of the health rules (a page is too short a stretch of a curve to judge it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Collection, Mapping

from ftwatch.domain.insight.row_health import STALL_BADGES
from ftwatch.domain.insight.verdict import Verdict
from ftwatch.domain.models import Job, Phase
from ftwatch.domain.phase import detect_phase
from ftwatch.domain.progress import estimate_progress
from ftwatch.domain.row_peek import PEEK_LIMIT
from ftwatch.domain.snapshot import Progress
from ftwatch.errors import SourceError
from ftwatch.source.base import EventPage

STATUSES = ("validating_files", "queued", "running", "paused", "succeeded", "failed", "cancelled")
PageReader = Callable[[list[str]], Mapping[str, "EventPage | SourceError"]]


@dataclass(frozen=True, slots=True)
class Glance:
    job: Job
    phase: Phase
    progress: Progress
    smoothed: tuple[float, ...] = ()        # smoothed train loss over the page's steps, oldest first
    health: tuple[Verdict, ...] = ()        # `stalled` only
    trouble: str | None = None              # the events page could not be read: the job is shown without it


def wants_page(job: Job) -> bool:
    """Only a running job gets its newest events read (one request): its step, ETA and loss move."""
    return job.status == "running"


def select_jobs(pages: Callable[[str | None, int], tuple[list[Job], bool]], *, limit: int,
                statuses: Collection[str] = ()) -> list[Job]:
    """The newest `limit` jobs (0: all) whose status is one of `statuses` (empty: any), newest first.

    `pages(after, page_limit)` reads one page of the jobs list. A plain `--limit 20` asks one page of 20;
    a filter reads pages of 100 until enough jobs match or the list ends."""
    wanted: list[Job] = []
    after: str | None = None
    page_limit = 100 if statuses or not limit or limit > 100 else limit
    seen: set[str] = set()
    while True:
        jobs, has_more = pages(after, page_limit)
        fresh = [job for job in jobs if job.id not in seen]
        seen.update(job.id for job in fresh)
        wanted.extend(job for job in fresh if not statuses or job.status in statuses)
        if limit and len(wanted) >= limit:
            return wanted[:limit]
        if not fresh or not (has_more or len(jobs) >= page_limit):
            return wanted
        after = fresh[-1].id


def glance(job: Job, page: EventPage | SourceError | None, now: float, smoothing: float | None = None, *,
           cached: bool = False) -> Glance:
    """One job as the table and the status line show it, from its newest page when it has one.

    `cached`: the job and page come from the local history (--offline), as they were when last seen: their
    step and loss stand, but an ETA or a `stalled` measured against now would be invented, so neither is given
    (the label says `cached`)."""
    seen = _glance(job, page, now, smoothing)
    if cached and not seen.phase.is_terminal:
        seen = replace(seen, progress=replace(seen.progress, eta_seconds=None, label="cached"), health=())
    return seen


def _glance(job: Job, page: EventPage | SourceError | None, now: float, smoothing: float | None) -> Glance:
    if page is None or isinstance(page, SourceError):
        phase = detect_phase(job, ())
        progress = estimate_progress(phase=phase, step=None, total_steps=None, created_at=job.created_at or None,
                                     finished_at=job.finished_at, now=now)
        trouble = page.message if isinstance(page, SourceError) else None
        return Glance(job, phase, progress, trouble=trouble)
    from ftwatch.domain.insight.row_looks import page_snapshot   # ~0.1 s of imports finished jobs never pay

    snapshot = page_snapshot(job, page.events, now, smoothing)
    series = snapshot.metrics.get("train_loss")
    smoothed = tuple(series.smoothed(snapshot.smoothing).values) if series is not None and len(series) else ()
    health = tuple(v for v in snapshot.health if v.badge in STALL_BADGES)
    return Glance(job, snapshot.phase, snapshot.progress, smoothed, health)


def glance_all(jobs: list[Job], read_pages: PageReader, now: float, smoothing: float | None = None, *,
               cached: bool = False) -> list[Glance]:
    """Each job's glance; the running ones' pages read in one go by `read_pages(job_ids)`."""
    running = [job.id for job in jobs if wants_page(job)]
    pages = read_pages(running) if running else {}
    return [glance(job, pages.get(job.id), now, smoothing, cached=cached) for job in jobs]


def page_reader(reader) -> PageReader:
    """`read_pages` over a reader: one request per job, at once (or the local history's pages)."""
    return lambda job_ids: reader.events_pages(job_ids, limit=PEEK_LIMIT)


def open_reader(settings, *, timeout: float | None = None):
    """The API through the SDK-free reader, or with --offline the local history (no request at all)."""
    if getattr(settings, "offline", False):
        from ftwatch.source.cached_reader import CachedReader
        from ftwatch.source.history_source import history_for

        return CachedReader(history_for(settings))
    from ftwatch.source.rest_reader import RestReader

    return RestReader(settings, timeout=timeout)
