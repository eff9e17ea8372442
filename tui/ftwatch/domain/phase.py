"""What a job is doing, as a user would say it — including the trap of the real API.

While the ~12-minute safety evaluation runs, the job is still `status == "running"`, but `finished_at` is
already set and the newest events are checkpoint / new-model / evaluating / moderation messages (or the
last training step). A monitor reading `status` alone shows "training" at 100% for twelve minutes. So:
running + (finished_at set, or the newest telling event is post-training) = EVALUATING. Success is never
inferred from `finished_at` or from messages: only `status` says a job succeeded, failed or was cancelled.
Unknown status strings map to UNKNOWN (the UI shows the raw string next to it).
"""

from __future__ import annotations

from typing import Sequence

from ftwatch.domain.models import Job, JobEvent, Phase
from ftwatch.domain.snapshot import JobSnapshot
from ftwatch.domain.metrics.event_points import metric_fields

_STATUS = {
    "validating_files": Phase.VALIDATING_FILES,
    "queued": Phase.QUEUED,
    "running": Phase.RUNNING,
    "paused": Phase.PAUSED,
    "succeeded": Phase.SUCCEEDED,
    "failed": Phase.FAILED,
    "cancelled": Phase.CANCELLED,
}
POST_TRAINING_PREFIXES = (
    "Checkpoint created at step",
    "New fine-tuned model created",
    "Evaluating model against our usage policies",
    "Moderation checks for snapshot",
    "Usage policy evaluations completed",
)
_TRAINING_PREFIXES = ("Fine-tuning job started",)


def phase_of_status(status: str) -> Phase:
    return _STATUS.get(status, Phase.UNKNOWN)


def is_post_training(event: JobEvent) -> bool:
    if event.type == "moderation_checks":
        return True
    message = event.message.lstrip()
    return message.startswith(POST_TRAINING_PREFIXES)


def detect_phase(job: Job, recent_events: Sequence[JobEvent]) -> Phase:
    """`recent_events` oldest -> newest (a timeline's tail); the newest telling event decides."""
    phase = phase_of_status(job.status)
    if phase is not Phase.RUNNING:
        return phase
    if job.finished_at is not None:
        return Phase.EVALUATING
    for event in reversed(recent_events):
        if is_post_training(event):
            return Phase.EVALUATING
        fields = metric_fields(event)
        if fields is not None:
            step, total, _, _ = fields
            return Phase.EVALUATING if total is not None and step >= total else Phase.RUNNING
        if event.message.lstrip().startswith(_TRAINING_PREFIXES):
            return Phase.RUNNING
    return Phase.RUNNING


def job_phase(job: Job, snapshot: JobSnapshot | None) -> Phase:
    """A job's phase now: its own latest snapshot's when that saw the same status (it knows the events, so it
    can tell training from evaluating), else what the status alone says."""
    if snapshot is not None and snapshot.job.id == job.id and snapshot.job.status == job.status:
        return snapshot.phase
    return detect_phase(job, ())
