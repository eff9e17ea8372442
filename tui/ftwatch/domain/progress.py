"""Where a job is and when it will be done, in words a user can act on.

The ETA comes from the step rate over a recent window of metrics events (the rate drifts: full validations
pause training, queues stall), not from the start of the job. It stays hidden until at least 10 steps or
5% of them are done, because the first steps' timing says little about the rest, and it is withdrawn when no
step came for a long while (a stalled job or a silent link): "no step for 8m", never "ETA 0s". After the last step the
job is not "done in 0s": it is evaluating (the real API spends ~12 minutes there), so the label says for
how long. After the end, the label is the job's whole duration.
"""

from __future__ import annotations

from typing import Sequence

from ftwatch.domain.format import human_duration
from ftwatch.domain.models import Phase
from ftwatch.domain.snapshot import Progress

MIN_STEPS = 10
MIN_FRACTION = 0.05
QUIET_FLOOR = 120.0      # seconds without a step before an ETA is no longer believed...
QUIET_STEPS = 20         # ...and at least this many of the job's own step intervals
OVERDUE_FLOOR = 30.0     # or: the rate said it would be done by now, and no step came for this long


def step_rate(recent: Sequence[tuple[int, float]]) -> float | None:
    """Steps per second over `recent` (step, time) pairs in step order; None without elapsed time."""
    if len(recent) < 2:
        return None
    (first_step, first_time), (last_step, last_time) = recent[0], recent[-1]
    if last_time <= first_time or last_step <= first_step:
        return None
    return (last_step - first_step) / (last_time - first_time)


def step_fraction(step: int | None, total_steps: int | None) -> float | None:
    """How far through its steps a job is, in [0, 1]; None while either is unknown."""
    if step is None or not total_steps:
        return None
    return min(1.0, max(0.0, step / total_steps))


def job_took(created_at: float | None, finished_at: float | None, last_event_at: float | None = None) -> float | None:
    """How long a finished job took, one definition everywhere (jobs list row, header, summary): from
    `created_at` to the API's `finished_at` (the model built, the figure OpenAI's dashboard shows), or, for
    jobs that never get one (failed, cancelled), to their last event. None when neither is known."""
    end = finished_at if finished_at is not None else last_event_at
    if created_at is None or end is None:
        return None
    return max(0.0, end - created_at)


def estimate_progress(
    *,
    phase: Phase,
    step: int | None,
    total_steps: int | None,
    recent: Sequence[tuple[int, float]] = (),
    created_at: float | None = None,
    training_started_at: float | None = None,
    training_ended_at: float | None = None,
    ended_at: float | None = None,
    finished_at: float | None = None,
    now: float,
) -> Progress:
    """`recent`: the latest (step, created_at) pairs of metrics events, oldest first.

    `training_ended_at`: when the last step finished (job `finished_at`, or the last step's event);
    `ended_at`: when a finished job's last event happened; `finished_at`: the job's own (see `job_took`).
    Times are wall-clock seconds.
    """
    fraction = step_fraction(step, total_steps)
    started = training_started_at if training_started_at is not None else created_at

    if phase.is_terminal:
        took = job_took(created_at, finished_at, ended_at if ended_at is not None else training_ended_at)
        label = f"took {human_duration(took)}" if took is not None else ""
        return Progress(step, total_steps, fraction, None, took, label)

    elapsed = now - started if started is not None and phase.is_active else None
    finished_training = phase is Phase.EVALUATING or (
        step is not None and total_steps is not None and step >= total_steps)
    if finished_training:
        since = training_ended_at if training_ended_at is not None else (recent[-1][1] if recent else None)
        label = f"evaluating for {human_duration(now - since)}" if since is not None else "evaluating"
        return Progress(step, total_steps, fraction, None, elapsed, label)
    if phase is Phase.PAUSED:
        return Progress(step, total_steps, fraction, None, None, "paused")
    if phase is not Phase.RUNNING or step is None or not total_steps:
        return Progress(step, total_steps, fraction, None, elapsed, "")

    enough = step >= MIN_STEPS or step >= MIN_FRACTION * total_steps
    rate = step_rate(recent)
    if not enough or rate is None:
        return Progress(step, total_steps, fraction, None, elapsed, "")
    since_last = max(0.0, now - recent[-1][1])
    remaining = (total_steps - step) / rate
    if since_last > max(QUIET_FLOOR, QUIET_STEPS / rate) or (since_last > remaining and since_last >= OVERDUE_FLOOR):
        # A job that stopped stepping is not "done in 0s": the rate no longer says anything about the rest.
        return Progress(step, total_steps, fraction, None, elapsed, f"no step for {human_duration(since_last)}")
    eta = max(0.0, remaining - since_last)
    return Progress(step, total_steps, fraction, eta, elapsed, f"ETA {human_duration(eta)}")
