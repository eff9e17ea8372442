"""When a watched job's checkpoints are read, and what a failed read costs: nothing but a later retry.

The checkpoints list (`GET /fine_tuning/jobs/{id}/checkpoints`, all pages) changes only when a checkpoint is
made, and the API says so in the events: "Checkpoint created at step N" for each kept checkpoint and "New
fine-tuned model created" for the final model, which is listed as the last checkpoint. So the list is read
- once on the first successful poll of a job that has already trained (steps seen, or finished),
- again after a poll that brought one of those two events,
- and once in the final catch-up of a finished job (`final`, a few attempts with back-off: there is no
  later poll to retry on), unless the list already read holds the job's final model, after which no
  checkpoint can come,
and never on the other polls: a running job in steady state stays at one request per poll.

The read is a side dish: a transient fault on it (429, 5xx, a dropped connection) leaves the list marked
stale and retried on the next poll, without a RETRYING state, a back-off or a lost event; a fatal answer
(a 404 for an old job whose checkpoints are gone, or an endpoint the server does not have) is believed and
the list left as it is.
"""

from __future__ import annotations

from typing import Awaitable, Callable, Sequence

from ftwatch.domain.events.api_events import event_types
from ftwatch.domain.models import JobEvent
from ftwatch.domain.tracker import JobTracker
from ftwatch.errors import FatalSourceError, TransientSourceError
from ftwatch.source.backoff import Backoff
from ftwatch.source.base import JobSource

CHECKPOINT_MESSAGES = ("Checkpoint created at step", "New fine-tuned model created")
FINAL_ATTEMPTS = 3


def says_checkpoint(added: Sequence[JobEvent]) -> bool:
    """Whether these new events announce a checkpoint (metrics events, the bulk, are not even parsed)."""
    for i, kind in enumerate(event_types(added)):
        if kind != "metrics" and added[i].message.lstrip().startswith(CHECKPOINT_MESSAGES):
            return True
    return False


class CheckpointsFetch:
    """The "checkpoints stale" flag of one watched job, and the reads that clear it."""

    def __init__(self, source: JobSource, job_id: str) -> None:
        self._source = source
        self._job_id = job_id
        self.stale = False
        self.reads = 0                # successful reads, for tests and the curious

    def mark_stale(self) -> None:
        self.stale = True

    async def refresh_if_stale(self, tracker: JobTracker) -> None:
        """One read when the list is stale; a transient fault keeps it stale (retried next poll)."""
        if not self.stale:
            return
        try:
            await self._read(tracker)
        except TransientSourceError:
            return

    async def final(self, tracker: JobTracker, *, backoff: Backoff,
                    pause: Callable[[float], Awaitable[None]]) -> None:
        """The finished job's last read: up to FINAL_ATTEMPTS with back-off, then the list as last read.

        Skipped when the list already read is complete: it holds the job's final model (the list ends with it,
        and nothing comes after it), so a followed job's last poll costs no extra request."""
        if not self.stale and _holds_final_model(tracker):
            return
        for attempt in range(1, FINAL_ATTEMPTS + 1):
            try:
                await self._read(tracker)
                return
            except TransientSourceError as error:
                if attempt == FINAL_ATTEMPTS:
                    return
                await pause(backoff.delay(attempt, error.retry_after))

    async def _read(self, tracker: JobTracker) -> None:
        try:
            checkpoints = await self._source.list_checkpoints(self._job_id)
        except FatalSourceError:
            self.stale = False        # gone or never there: asking again would only get the same answer
            return
        tracker.update_checkpoints(checkpoints)
        self.stale = False
        self.reads += 1


def _holds_final_model(tracker: JobTracker) -> bool:
    final = tracker.job.fine_tuned_model
    return bool(final) and any(c.fine_tuned_model_checkpoint == final for c in tracker.checkpoints)
