"""A simulated job's whole life, computed up front from a seed.

Durations are simulated seconds taken from a real 2026 gpt-4.1-nano job (openai-ft-api.md §5):
~1.5 min validating, seconds in the queue, ~2.5 min to step 1, ~1-2 s a step, ~18 s for each full
validation, ~35 s to build the model, ~12 min of safety evaluation. `speed` divides them all, so at
`--speed 50` a 500-step job is done in well under a minute of wall time while its events still carry
whole-second `created_at` values that collide the way real ones do.

A spec can shape the run for the health verdicts: `curve="overfitting"` (curves.py) trains a run whose
validation loss climbs while its training loss falls, and `stall_at_step=N` makes a job that stops after step
N and says nothing more: no event, no checkpoint, and its status stays `running` forever (until cancelled), the
way a stuck real job looks from outside.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ftwatch.sim import catalogue as cat
from ftwatch.sim.curves import CURVES, StepMetrics, epoch_end_steps, generate_metrics
from ftwatch.sim.resultfile import encoded_size, result_csv
from ftwatch.sim.timeline import JobTimeline, ResultFile

FATES = ("succeed", "fail", "cancel")
DEFAULT_STEP_SECONDS = 1.5


@dataclass(frozen=True, slots=True)
class Timing:
    """Simulated seconds between phases (each drawn +-30 % per job)."""

    validate: float = 90.0
    queue: float = 8.0
    warmup: float = 140.0
    step: float = DEFAULT_STEP_SECONDS
    full_validation: float = 18.0
    build_model: float = 35.0
    safety_eval: float = 720.0
    complete: float = 2.0


@dataclass(frozen=True, slots=True)
class JobSpec:
    total_steps: int = 500
    n_epochs: int = 3
    validation: bool = True
    fate: str = "succeed"
    model: str = "gpt-4.1-nano-2025-04-14"
    org_slug: str = "personal"
    suffix: str | None = None
    metadata: dict[str, str] | None = None
    seed: int | None = None
    training_file: str | None = None
    validation_file: str | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    integrations: list[Any] = field(default_factory=list)
    method: dict[str, Any] | None = None      # a checked create request's method (None: supervised)
    failure_code: str = "invalid_training_file"
    cancel_at_step: int | None = None
    curve: str = "healthy"                    # curves.CURVES
    stall_at_step: int | None = None          # silent and `running` after this step
    timing: Timing = field(default_factory=Timing)


@dataclass
class _Clock:
    """Walks simulated time forward; converts to wall time through `speed`."""

    wall: float
    speed: float
    rng: random.Random

    def wait(self, simulated_seconds: float, jitter: float = 0.3) -> float:
        factor = 1.0 + self.rng.uniform(-jitter, jitter) if jitter else 1.0
        self.wall += simulated_seconds * factor / self.speed
        return self.wall

    @property
    def stamp(self) -> int:
        return int(self.wall)


def build_simulated_job(spec: JobSpec, *, start_wall: float, speed: float, rng: random.Random,
                        organization_id: str) -> JobTimeline:
    if spec.fate not in FATES:
        raise ValueError(f"fate must be one of {', '.join(FATES)}, not {spec.fate!r}")
    if spec.total_steps < 1 or spec.n_epochs < 1:
        raise ValueError("total_steps and n_epochs must be at least 1")
    if spec.stall_at_step is not None and not 1 <= spec.stall_at_step <= spec.total_steps:
        raise ValueError(f"stall_at_step must be a step from 1 to {spec.total_steps}")
    if spec.curve not in CURVES:
        raise ValueError(f"curve must be one of {', '.join(CURVES)}, not {spec.curve!r}")
    ids = cat.IdMaker(rng)
    job_id = ids.job()
    training_file = spec.training_file or ids.file()
    validation_file = spec.validation_file or (ids.file() if spec.validation else None)
    given, resolved = _hyperparameters(spec, rng)
    clock = _Clock(start_wall, speed, rng)
    timeline = JobTimeline(job_id)
    job = cat.job_object(
        job_id=job_id, created_at=clock.stamp, model=spec.model, organization_id=organization_id,
        seed=spec.seed if spec.seed is not None else rng.randint(0, 2**31 - 1),
        training_file=training_file, validation_file=validation_file, suffix=spec.suffix,
        metadata=spec.metadata, hyper=given,
        integrations=spec.integrations, method=spec.method,
    )
    emit = _Emitter(timeline, ids, clock)
    timeline.states.add(clock.wall, job)
    emit.event(f"Created fine-tuning job: {job_id}")
    emit.event(cat.validating_message(training_file, validation_file))
    clock.wait(spec.timing.validate)
    if spec.fate == "fail":
        message, param = cat.FAILURE_MESSAGES.get(spec.failure_code, (spec.failure_code, None))
        timeline.states.add(clock.wall, {**job, "status": "failed",
                                         "error": {"code": spec.failure_code, "message": message, "param": param}})
        emit.event(message, level="error")
        return timeline
    timeline.states.add(clock.wall, {**job, "status": "queued"})
    emit.event("Files validated, moving job to queued state")
    clock.wait(spec.timing.queue)
    running = cat.with_hyperparameters({**job, "status": "running"}, resolved)
    timeline.states.add(clock.wall, running)
    timeline.events.add(clock.wall, cat.started_event(ids.event(), clock.stamp))
    clock.wait(spec.timing.warmup)
    metrics = generate_metrics(rng, spec.total_steps, spec.n_epochs, spec.validation, spec.curve)
    outcome = _train(spec, timeline, emit, clock, metrics, running)
    if outcome is None:
        return timeline
    _finish(spec, timeline, emit, clock, metrics, running, outcome, resolved)
    return timeline


def _hyperparameters(spec: JobSpec, rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the create call said (missing = "auto") and the numbers the job runs with."""
    given = cat.hyperparameters(*(spec.hyperparameters.get(k, "auto")
                                  for k in ("batch_size", "learning_rate_multiplier", "n_epochs")))
    picks = {"batch_size": [1, 1, 2, 4, 8], "learning_rate_multiplier": [0.1, 0.2, 1.0, 2.0]}
    resolved = {k: given[k] if given[k] != "auto" else rng.choice(options) for k, options in picks.items()}
    resolved["n_epochs"] = spec.n_epochs
    return given, resolved


@dataclass
class _Emitter:
    timeline: JobTimeline
    ids: cat.IdMaker
    clock: _Clock

    def event(self, message: str, *, level: str = "info") -> None:
        self.timeline.events.add(self.clock.wall, cat.event(self.ids.event(), self.clock.stamp, message, level=level))


def _train(spec: JobSpec, timeline: JobTimeline, emit: _Emitter, clock: _Clock,
           metrics: list[StepMetrics], running: dict[str, Any]) -> list[tuple[int, str]] | None:
    """Metrics events step by step; checkpoints at the inner epoch ends. Returns the checkpoint names,
    or None if the job was cancelled or stalled on the way."""
    ids, total = emit.ids, spec.total_steps
    epoch_ends = epoch_end_steps(total, spec.n_epochs)
    names: list[tuple[int, str]] = []
    for m in metrics:
        clock.wait(spec.timing.step, jitter=0.45)
        if m.full_valid_loss is not None:
            clock.wait(spec.timing.full_validation)
        timeline.events.add(clock.wall, cat.metrics_event(ids.event(), clock.stamp, m, total))
        if m.step in epoch_ends and m.step != total:
            name = cat.fine_tuned_model_name(spec.model, spec.org_slug, spec.suffix, ids.model_tag())
            name += f":ckpt-step-{m.step}"
            timeline.checkpoints.add(clock.wall, cat.checkpoint(ids.checkpoint(), clock.stamp, name,
                                                                timeline.job_id, m))
            names.append((m.step, name))
        if spec.fate == "cancel" and m.step == (spec.cancel_at_step or max(1, int(total * 0.4))):
            clock.wait(spec.timing.step)
            timeline.states.add(clock.wall, {**running, "status": "cancelled"})
            return None
        if m.step == spec.stall_at_step:
            return None
    return names


def _finish(spec: JobSpec, timeline: JobTimeline, emit: _Emitter, clock: _Clock, metrics: list[StepMetrics],
            running: dict[str, Any], checkpoints: list[tuple[int, str]], resolved: dict[str, Any]) -> None:
    ids = emit.ids
    final_name = cat.fine_tuned_model_name(spec.model, spec.org_slug, spec.suffix, ids.model_tag())
    clock.wait(spec.timing.build_model)
    finished_at = clock.stamp
    evaluating = {**running, "finished_at": finished_at}
    timeline.states.add(clock.wall, evaluating)
    for step, _name in checkpoints:
        emit.event(f"Checkpoint created at step {step}")
    timeline.checkpoints.add(clock.wall, cat.checkpoint(ids.checkpoint(), clock.stamp, final_name,
                                                        timeline.job_id, metrics[-1]))
    emit.event("New fine-tuned model created")
    emit.event("Evaluating model against our usage policies")
    clock.wait(spec.timing.safety_eval)
    timeline.events.add(clock.wall, cat.moderation_event(ids.event(), clock.stamp, final_name))
    emit.event("Usage policy evaluations completed, model is now enabled for sampling")
    clock.wait(spec.timing.complete)
    file_id = ids.file()
    tokens = spec.total_steps * int(resolved["batch_size"]) * emit.clock.rng.randint(150, 900)
    csv_text = result_csv(metrics)
    file = cat.file_object(file_id, clock.stamp, encoded_size(csv_text))
    timeline.results.add(clock.wall, ResultFile(file, csv_text))
    timeline.states.add(clock.wall, {**evaluating, "status": "succeeded", "fine_tuned_model": final_name,
                                     "result_files": [file_id], "trained_tokens": tokens})
    emit.event("The job has successfully completed")
