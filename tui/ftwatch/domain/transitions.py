"""Say "job finished" once per job, and only for endings the user could not have seen already."""

from __future__ import annotations

from dataclasses import dataclass

from ftwatch.domain.models import Job, Phase
from ftwatch.domain.phase import phase_of_status


@dataclass(frozen=True, slots=True)
class Transition:
    job: Job
    phase: Phase            # SUCCEEDED, FAILED or CANCELLED
    previous: Phase         # what it was last seen as


class FinishNotices:
    """Feed it every job object you see; it returns a Transition the first time a job that was seen
    unfinished is seen finished. Jobs already finished when first seen (at startup) never fire, and a job
    fires at most once, whatever the API later says about it.
    """

    def __init__(self) -> None:
        self._last: dict[str, Phase] = {}
        self._fired: set[str] = set()

    def seen(self, job: Job) -> Transition | None:
        phase = phase_of_status(job.status)
        previous = self._last.get(job.id)
        self._last[job.id] = phase
        if not phase.is_terminal or previous is None or previous.is_terminal or job.id in self._fired:
            return None
        self._fired.add(job.id)
        return Transition(job=job, phase=phase, previous=previous)
