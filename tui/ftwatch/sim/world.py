"""The simulated account: jobs that live on an injectable clock, deterministic from a seed. No I/O
except reading scenario files.

Everything visible is a function of `clock()`: a job's events appear when their time has come, so a
test that advances a `FakeClock` by an hour sees the whole life of a job at once, and two worlds with
the same seed, clock and calls serve byte-identical JSON.
"""

from __future__ import annotations

import inspect
import random
import time
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from ftwatch.sim import catalogue as cat
from ftwatch.sim.create_request import parse_create
from ftwatch.sim.demo import populate
from ftwatch.sim.errors import ApiError, ScenarioError
from ftwatch.sim.recorded import RecordedJobBuilder
from ftwatch.sim.scenario import ScenarioEntry, read_scenario
from ftwatch.sim.simulated import DEFAULT_STEP_SECONDS, JobSpec, Timing, build_simulated_job
from ftwatch.sim.timeline import JobTimeline, ResultFile

CANCELLABLE = ("validating_files", "queued", "running", "paused")


class FakeClock:
    """A wall clock that only moves when told to."""

    def __init__(self, start: float = 1_764_000_000.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        self._now += seconds
        return self._now


class World:
    def __init__(self, seed: int = 0, clock: Callable[[], float] | None = None, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.seed = seed
        self.clock = clock or time.time
        self.speed = float(speed)
        self._rng = random.Random(seed)
        self.organization_id = cat.IdMaker(self._rng).org()
        self._jobs: dict[str, JobTimeline] = {}

    def now(self) -> float:
        return self.clock()

    def _child_rng(self) -> random.Random:
        return random.Random(self._rng.getrandbits(64))

    def _add(self, timeline: JobTimeline) -> str:
        if timeline.job_id in self._jobs:
            raise ValueError(f"job {timeline.job_id} already exists")
        self._jobs[timeline.job_id] = timeline
        return timeline.job_id

    # --- making jobs -------------------------------------------------------------------------
    def create_job(self, total_steps: int = 500, n_epochs: int = 3, validation: bool = True,
                   fate: str = "succeed", model: str = "gpt-4.1-nano-2025-04-14", suffix: str | None = None,
                   start_delay: float = 0.0, step_seconds: float = DEFAULT_STEP_SECONDS,
                   metadata: dict[str, str] | None = None,
                   *, start_at: float | None = None, timing: Timing | None = None, **spec: Any) -> str:
        """A simulated job. `start_delay` (simulated seconds, divided by speed; negative = already
        under way) or `start_at` (absolute wall time) says when it is created. Extra keywords go to
        `JobSpec` (training_file, validation_file, seed, hyperparameters, failure_code, cancel_at_step)."""
        if timing is None or step_seconds != DEFAULT_STEP_SECONDS:
            timing = replace(timing or Timing(), step=step_seconds)
        job_spec = JobSpec(total_steps=total_steps, n_epochs=n_epochs, validation=validation, fate=fate,
                           model=model, suffix=suffix, metadata=metadata, timing=timing, **spec)
        start = start_at if start_at is not None else self.now() + start_delay / self.speed
        timeline = build_simulated_job(job_spec, start_wall=start, speed=self.speed, rng=self._child_rng(),
                                       organization_id=self.organization_id)
        return self._add(timeline)

    def create_from_request(self, body: Any) -> dict[str, Any]:
        """POST /fine_tuning/jobs: the body is checked as the real API checks it (create_request.py; an ApiError
        400 if it fails), then the job starts validating now. Training files whose id contains "invalid" fail
        validation, so a client can exercise a failure on purpose."""
        request = parse_create(body)
        hyper = request.hyperparameters
        n_epochs = hyper["n_epochs"] if isinstance(hyper.get("n_epochs"), int) else 3
        rng = random.Random(f"{self.seed}:{request.training_file}")
        job_id = self.create_job(
            total_steps=rng.randint(40, 400) * n_epochs // 3 or n_epochs, n_epochs=n_epochs,
            validation=request.validation_file is not None,
            fate="fail" if "invalid" in request.training_file else "succeed",
            model=cat.MODEL_SNAPSHOTS.get(request.model, request.model), suffix=request.suffix,
            metadata=request.metadata, training_file=request.training_file,
            validation_file=request.validation_file, seed=request.seed, hyperparameters=hyper,
            integrations=request.integrations, method=request.method,
        )
        return self.job_json(job_id)

    def load_scenario(self, path_or_obj: str | Path | dict[str, Any] | list[Any],
                      replay: bool | None = None, *, start_at: float | None = None) -> list[str]:
        """Load recorded or simulated jobs; `replay` (None = as each entry says) releases recorded
        events over time in their original rhythm divided by speed, the first one at `start_at` (wall time;
        default now: `ftwatch replay` gives the first recorded created_at, its clock being the recording's).
        Raises ScenarioError."""
        entries = read_scenario(path_or_obj, ids=cat.IdMaker(self._child_rng()), now=self.now())
        new: list[str] = []
        for entry in entries:
            if entry.events is None and (entry.simulate is not None or not entry.job):
                new.append(self._simulate_entry(entry))
                continue
            use_replay = replay if replay is not None else bool(entry.replay)
            builder = RecordedJobBuilder(entry, rng=self._child_rng(), organization_id=self.organization_id,
                                         load_wall=self.now() if start_at is None else start_at,
                                         speed=self.speed, replay=use_replay)
            timeline = builder.build()
            if timeline.job_id in self._jobs:
                raise ScenarioError(entry.source, f"{_at(entry)}job {timeline.job_id} is already loaded")
            new.append(self._add(timeline))
        return new

    def _simulate_entry(self, entry: ScenarioEntry) -> str:
        arguments = entry.simulate or {}
        allowed = (set(inspect.signature(self.create_job).parameters) - {"spec", "timing", "start_at"}
                   | {f.name for f in fields(JobSpec)} - {"timing", "org_slug"})
        unknown = sorted(set(arguments) - allowed)
        if entry.job.get("id") in self._jobs:
            raise ScenarioError(entry.source, f"{_at(entry)}job {entry.job['id']} is already loaded")
        if unknown:
            raise ScenarioError(entry.source, f"{entry.where}.simulate: unknown argument(s) {unknown}; "
                                              f"allowed: {sorted(allowed)}")
        try:
            job_id = self.create_job(**arguments)
        except (TypeError, ValueError) as exc:
            raise ScenarioError(entry.source, f"{entry.where}.simulate: {exc}") from None
        if entry.job:
            self._overlay(job_id, entry.job)
        return entry.job.get("id", job_id)

    def _overlay(self, job_id: str, overrides: dict[str, Any]) -> None:
        """Lay scenario job fields (e.g. a hostile suffix) over every snapshot of a simulated job. Only
        the job object changes: events and checkpoints keep the simulated id they were made with."""
        timeline = self._jobs.pop(job_id)
        new_id = overrides.get("id", job_id)
        rebuilt = JobTimeline(new_id)
        for at, state in timeline.states.timed():
            rebuilt.states.add(at, {**state, **overrides})
        rebuilt.events, rebuilt.checkpoints, rebuilt.results = timeline.events, timeline.checkpoints, timeline.results
        self._add(rebuilt)

    def populate_demo(self) -> list[str]:
        """The `--demo` account (sim/demo.py): one job of every phase; their ids, newest first."""
        return populate(self)

    # --- reading -----------------------------------------------------------------------------
    def _timeline(self, job_id: str) -> JobTimeline:
        timeline = self._jobs.get(job_id)
        if timeline is None or not timeline.is_visible(self.now()):
            raise ApiError.job_not_found(job_id)
        return timeline

    def job_ids(self) -> list[str]:
        """Visible jobs, newest first (created_at, then the later-added first on ties)."""
        now = self.now()
        visible = [(t.job(now).get("created_at", 0), i, t.job_id)
                   for i, t in enumerate(self._jobs.values()) if t.is_visible(now)]
        visible.sort(key=lambda item: (item[0] if isinstance(item[0], (int, float)) else 0, item[1]), reverse=True)
        return [job_id for *_, job_id in visible]

    def jobs_json(self) -> list[dict[str, Any]]:
        now = self.now()
        return [self._jobs[job_id].job(now) for job_id in self.job_ids()]

    def job_json(self, job_id: str) -> dict[str, Any]:
        return self._timeline(job_id).job(self.now())

    def events_json(self, job_id: str) -> list[dict[str, Any]]:
        """All visible events, newest first: what a lossless follower must end up with."""
        return list(reversed(self._timeline(job_id).visible_events(self.now())))

    def checkpoints_json(self, job_id: str) -> list[dict[str, Any]]:
        return list(reversed(self._timeline(job_id).visible_checkpoints(self.now())))

    def result_file(self, file_id: str) -> ResultFile:
        now = self.now()
        for timeline in self._jobs.values():
            result = timeline.result_file(now) if timeline.is_visible(now) else None
            if result is not None and result.file["id"] == file_id:
                return result
        raise ApiError.file_not_found(file_id)

    # --- changing ----------------------------------------------------------------------------
    def cancel(self, job_id: str) -> dict[str, Any]:
        timeline, now = self._timeline(job_id), self.now()
        job = timeline.job(now)
        if job.get("status") not in CANCELLABLE:
            raise ApiError(400, f"Job {job_id} has already {job.get('status')}; only validating, queued, "
                                f"running or paused jobs can be cancelled.", param="fine_tuning_job_id")
        timeline.cancel(now, {**job, "status": "cancelled"})
        return timeline.job(now)

    def pause(self, job_id: str) -> dict[str, Any]:
        timeline, now = self._timeline(job_id), self.now()
        job = timeline.job(now)
        if job.get("status") not in ("queued", "running") or job.get("finished_at") is not None:
            raise ApiError(400, f"Job {job_id} cannot be paused while {job.get('status')}"
                                f"{' (evaluating)' if job.get('finished_at') else ''}; only queued or "
                                "running jobs that are still training can be paused.", param="fine_tuning_job_id")
        timeline.pause(now, {**job, "status": "paused"}, job)
        return timeline.job(now)

    def resume(self, job_id: str) -> dict[str, Any]:
        timeline, now = self._timeline(job_id), self.now()
        job = timeline.job(now)
        if job.get("status") != "paused" or not timeline.is_paused:
            raise ApiError(400, f"Job {job_id} is not paused (status {job.get('status')}).",
                           param="fine_tuning_job_id")
        timeline.resume(now, {**job, "status": "queued"}, requeue_delay=8.0 / self.speed)
        return timeline.job(now)


def _at(entry: ScenarioEntry) -> str:
    return f"{entry.where}: " if entry.where else ""
