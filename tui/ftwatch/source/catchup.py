"""Fetch exactly the events a job's timeline does not have yet, whatever the API throws at us.

The API has no "events since X": pages are newest first and `after` walks toward older events. So each poll
reads the newest page and stops at the first id already known; only while a whole page is new does it follow
`after` further back. In steady state that is ONE request per poll; a backfill of N events at limit L is
ceil(N / L) requests, plus one when the last page was exactly full and its `has_more` must be confirmed.

Nothing is merged until the walk has joined up with what is known (or, for the first backfill, reached the
oldest event), so the chunk handed to the timeline is always contiguous: a gap is impossible by construction.
The newest page is asked for with a limit sized to what the last polls brought (`first_page_limit`: twice the
recent arrivals plus a margin, between `MIN_FIRST_PAGE` and the page limit): a job logging two steps between
polls costs a page of ~12 events, not 100 (a tenth of the JSON to download and decode, per poll, for hours).
A poll that finds that whole page new continues the walk with full pages, so a burst costs one extra
request at most, and the next poll asks for a bigger first page.

The walk's state (collected events and cursor) survives a transient error, so a retry resumes where it stopped
instead of starting a burst of 1,000 events over. Hostile pages are handled here too:
- `has_more: false` on a full page, or when we have not yet met a known id: keep walking (it may lie);
- an empty page (the newest page, or one in the middle of a walk): ask once more; if it stays empty, a
  backfill accepts it as the end (a job may have no events yet), a catch-up keeps its place and resumes next
  poll (events never disappear, so an empty newest page above known events is a fault) and accepts a gap only
  after `MAX_STALLED_POLLS`, rather than freezing the view forever;
- a server that ignores `after` (no new id on a page) ends the walk instead of looping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from ftwatch.domain.events.api_events import concat, event_ids, take
from ftwatch.domain.models import JobEvent
from ftwatch.source.base import JobSource

MAX_STALLED_POLLS = 3
MIN_FIRST_PAGE = 10       # the smallest newest-page request: room for a few arrivals and known events to meet


class KnownEvents(Protocol):
    def knows(self, event_id: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Chunk:
    """New events, newest first, and the known event the walk met just below them (None when it met none:
    a first backfill, or a gap accepted after a stall). The merge places the chunk right above that event, so
    the order stays the API's even when `created_at` is all equal or runs backwards."""

    events: Sequence[JobEvent]
    newer_than: str | None = None


class EventCatchUp:
    def __init__(self, source: JobSource, job_id: str, *, page_limit: int = 100, backfill_limit: int = 100) -> None:
        self._source = source
        self._job_id = job_id
        self._page_limit = page_limit
        self._backfill_limit = backfill_limit
        self._reset()
        self._stalled_polls = 0
        self._recent_arrivals = page_limit      # unknown until a catch-up has joined up: ask for a full page

    @property
    def first_page_limit(self) -> int:
        """The limit of the next poll's first (newest) page, once the timeline is backfilled."""
        return max(min(MIN_FIRST_PAGE, self._page_limit), min(self._page_limit, 2 * self._recent_arrivals + 8))

    def _reset(self) -> None:
        self._collected: list[Sequence[JobEvent]] = []   # per page: newest first, contiguous from the top
        self._ids: set[str] = set()
        self._after: str | None = None
        self._previous_said_end = False

    async def fetch(self, known: KnownEvents, *, backfill: bool) -> Chunk | None:
        """The new events (newest first) and where they join, ready for `JobTracker.merge(chunk.events,
        newer_than=chunk.newer_than)`; or None when this poll could not join up yet.

        `backfill` is true while the timeline is empty: then there is no known id to meet, and the walk ends at
        the oldest event instead. Raises SourceError; the walk resumes on the next call.
        """
        empty_retries = 0
        while True:
            if backfill:
                limit = self._backfill_limit
            elif self._after is None:                # the newest page (a walk always has a cursor)
                limit = self.first_page_limit
            else:
                limit = self._page_limit
            page = await self._source.list_events(self._job_id, after=self._after, limit=limit)
            events = page.events
            if not events:
                if backfill and self._previous_said_end:
                    return self._finish()
                if empty_retries == 0:
                    empty_retries += 1
                    continue
                if backfill:
                    return self._finish()
                return self._stall()
            met_known: str | None = None
            fresh: list[int] = []
            ids = event_ids(events)                  # the events themselves stay unparsed (`ApiEvents`)
            for i, event_id in enumerate(ids):
                if known.knows(event_id):
                    met_known = event_id
                    break
                if event_id not in self._ids:
                    self._ids.add(event_id)
                    fresh.append(i)
            if fresh:
                self._collected.append(take(events, fresh))
            if met_known is not None or not fresh:
                return self._finish(met_known)
            self._after = ids[-1]
            self._previous_said_end = not page.has_more
            if backfill and not page.has_more and len(events) < limit:
                return self._finish()

    def _finish(self, newer_than: str | None = None) -> Chunk:
        chunk = Chunk(concat(self._collected), newer_than)
        if newer_than is not None:                 # joined up: this many arrived since the last poll
            self._recent_arrivals = len(chunk.events)
        self._reset()
        self._stalled_polls = 0
        return chunk

    def _stall(self) -> Chunk | None:
        self._stalled_polls += 1
        if self._stalled_polls >= MAX_STALLED_POLLS:
            return self._finish()
        return None
