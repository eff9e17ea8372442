"""The contract between ftwatch and wherever jobs come from.

The UI and the headless commands depend on this Protocol, never on the openai SDK, so tests can hand the
app any object with these methods. Every method raises only `ftwatch.errors.SourceError` subclasses:
`TransientSourceError` when trying again later may help, `FatalSourceError` (`AuthError`, `NotFoundError`)
when it cannot. Methods do not retry on their own: back-off is `source/backoff.py`'s job, so the UI can say
"retrying in 8 s" instead of hanging inside the SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from ftwatch.domain.models import Checkpoint, Job, JobEvent
from ftwatch.errors import TransientSourceError


class UnreachableError(TransientSourceError):
    """No HTTP answer at all (refused, DNS, dropped mid-body). Transient like any network blip, but a headless
    command that has *never* reached the API gives up after a few of these: a typo'd host will not heal."""


@dataclass(frozen=True, slots=True)
class EventPage:
    events: Sequence[JobEvent]        # exactly as the API returned them: newest first (`ApiEvents`: unparsed)
    has_more: bool


class JobSource(Protocol):
    description: str                  # where the data comes from, for the header: "api.openai.com"

    async def list_jobs(self) -> list[Job]:
        """Every job of the account, newest first (follows all pages)."""
        ...

    async def get_job(self, job_id: str) -> Job: ...

    async def list_events(self, job_id: str, *, after: str | None = None, limit: int = 100) -> EventPage:
        """One page of events, newest first; `after` walks toward older events."""
        ...

    async def list_checkpoints(self, job_id: str) -> list[Checkpoint]: ...

    async def result_csv(self, file_id: str) -> str:
        """The result file, decoded from the base64 the Files API serves."""
        ...

    async def cancel_job(self, job_id: str) -> Job: ...

    async def pause_job(self, job_id: str) -> Job:
        """Pause a running job; the job as the server answered (status `paused`, progress kept)."""
        ...

    async def resume_job(self, job_id: str) -> Job:
        """Resume a paused job; the job as the server answered (it queues, then trains on)."""
        ...

    async def aclose(self) -> None: ...
