"""A recorded job (scenario) turned into a `JobTimeline`.

Given fields are served verbatim; what the recording does not say is inferred from its events (see
inference.py). Without replay everything is visible at load time: the recorded end state, served as recorded.

With replay every event appears at `load time + (created_at - first created_at) / speed`, and the job object
follows the replay clock as the real API's would (openai-ft-api.md §5-§6): `validating_files`/`queued` until
"Fine-tuning job started", `running` while steps stream, `finished_at` set with the status still `running`
during the safety evaluation, and the recorded end state (given or inferred status, error, model name,
trained_tokens, result files) only with the last recorded event. What the job was created with (id, model,
suffix, files, epochs) is read from the whole recording at once, since the real API knows it from the start.
"""

from __future__ import annotations

import random
from typing import Any

from ftwatch.sim import catalogue as cat
from ftwatch.sim.curves import StepMetrics, fill_missing_steps
from ftwatch.sim.inference import Inference, created_job_id
from ftwatch.sim.resultfile import encoded_size, result_csv
from ftwatch.sim.scenario import ScenarioEntry
from ftwatch.sim.timeline import JobTimeline, ResultFile

# What a finished job's object says that a live one's does not yet: never served ahead of the replay clock.
END_STATE_FIELDS = ("status", "finished_at", "fine_tuned_model", "trained_tokens", "result_files", "error")
# A recorded finished_at may be released before the last event only if the job did not end in a failure.
_EARLY_FINISH_STATUSES = (None, "running", "succeeded")


class RecordedJobBuilder:
    def __init__(self, entry: ScenarioEntry, *, rng: random.Random, organization_id: str,
                 load_wall: float, speed: float, replay: bool) -> None:
        self.entry, self.rng, self.ids = entry, rng, cat.IdMaker(rng)
        self.org, self.load_wall, self.speed, self.replay = organization_id, load_wall, speed, replay
        # Stable synthetic values, drawn once so every snapshot agrees.
        self.synthetic = {"job_id": self.ids.job(), "training_file": self.ids.file(),
                          "result_file": self.ids.file(), "tag": self.ids.model_tag(),
                          "seed": rng.randint(0, 2**31 - 1), "tokens_per_step": rng.randint(150, 900)}
        self._metric_rows: list[StepMetrics] | None = None
        self._whole = Inference()               # the whole recording, read at once (set by build)
        self._end_wall = load_wall              # when the last recorded event is released

    def wall_time(self, created_at: int, first: int) -> float:
        if not self.replay:
            return self.load_wall
        return self.load_wall + (created_at - first) / self.speed

    def build(self) -> JobTimeline:
        events = list(reversed(self.entry.events or []))        # oldest first
        given = self.entry.job
        first = next((e["created_at"] for e in events), given.get("created_at", int(self.load_wall)))
        self._whole = self._read(events)
        inference = self._read([])
        timeline = JobTimeline(given.get("id") or self._peek_job_id(events) or self.synthetic["job_id"])
        if not events:
            timeline.states.add(self.load_wall, self.job_state(inference))
        self._end_wall = self.wall_time(events[-1]["created_at"], first) if events else self.load_wall
        early_finish = self._early_finished_at()
        previous: dict[str, Any] | None = None
        for index, ev in enumerate(events):
            stamp = ev["created_at"]
            if early_finish is not None and first < early_finish < stamp:
                # The recorded finished_at falls between two events: the job object changes then, not later.
                previous = self._add_state(timeline, self.wall_time(early_finish, first), previous,
                                           self.job_state(inference, live=True, stamp=early_finish))
                early_finish = None
            at = self.wall_time(stamp, first)
            inference.feed(ev)
            timeline.events.add(at, ev)
            live = self.replay and index < len(events) - 1
            previous = self._add_state(timeline, at, previous, self.job_state(inference, live=live, stamp=stamp))
        self._checkpoints(timeline, inference, first)
        self._result(timeline, inference)
        return timeline

    def _read(self, events: list[dict[str, Any]]) -> Inference:
        inference = Inference(job_id=self.entry.job.get("id"))
        for ev in events:
            inference.feed(ev)
        return inference

    @staticmethod
    def _add_state(timeline: JobTimeline, at: float, previous: dict[str, Any] | None,
                   state: dict[str, Any]) -> dict[str, Any]:
        if state != previous:
            timeline.states.add(at, state)
        return state

    def _early_finished_at(self) -> int | None:
        """A recorded `finished_at` that a replay shows before the end (the job then evaluating)."""
        given = self.entry.job
        finished = given.get("finished_at")
        if not self.replay or not isinstance(finished, int) or isinstance(finished, bool):
            return None
        return finished if given.get("status") in _EARLY_FINISH_STATUSES else None

    @staticmethod
    def _peek_job_id(events: list[dict[str, Any]]) -> str | None:
        for ev in events:
            if (job_id := created_job_id(str(ev.get("message", "")))) is not None:
                return job_id
        return None

    def final_model(self, inf: Inference) -> str:
        return inf.model_name or cat.fine_tuned_model_name(self._base_model(inf), "personal",
                                                           self.entry.job.get("user_provided_suffix"),
                                                           self.synthetic["tag"])

    def _base_model(self, inf: Inference) -> str:
        if inf.model_name:
            return inf.model_name.split(":")[1]
        return self.entry.job.get("model") or inf.default_model

    def job_state(self, inf: Inference, *, live: bool = False, stamp: int | None = None) -> dict[str, Any]:
        """The job object after the events fed to `inf`. `live`: a replay before its last event, so no end
        state yet (recorded or inferred); the fields a job is created with come from the whole recording."""
        given = self.entry.job
        static = self._whole if self.replay else inf
        suffix = _suffix_of(static.model_name) if static.model_name else given.get("user_provided_suffix")
        created_at = static.created_at if static.created_at is not None else int(self.load_wall)
        if static.job_id is None and static.first_step_seen is not None:
            created_at -= 2 * static.first_step_seen + 240     # a tail: estimate the start of the job
        n_epochs: Any = len(static.checkpoint_steps) + 1 if static.checkpoint_steps else 3
        hyper = cat.hyperparameters()
        inferred = cat.job_object(
            job_id=static.job_id or self.synthetic["job_id"], created_at=created_at,
            model=self._base_model(static), organization_id=self.org, seed=self.synthetic["seed"],
            training_file=static.training_file or self.synthetic["training_file"],
            validation_file=static.validation_file, suffix=suffix, metadata=None, hyper=hyper,
        )
        # A given status wins, and the other fields are filled to agree with it (once the replay is over).
        if live:
            status = inf.phase
        else:
            status = given.get("status") if isinstance(given.get("status"), str) else inf.status
        inferred["status"] = status
        if status not in ("validating_files", "queued", "failed"):
            inferred = cat.with_hyperparameters(inferred, cat.hyperparameters(1, 1.0, n_epochs))
        inferred["finished_at"] = self._live_finished_at(inf, stamp) if live else inf.finished_at
        if status == "succeeded":
            inferred["fine_tuned_model"] = self.final_model(inf)
            inferred["result_files"] = [self.synthetic["result_file"]]
            inferred["trained_tokens"] = (inf.total_steps or 100) * self.synthetic["tokens_per_step"]
            if inferred["finished_at"] is None:
                inferred["finished_at"] = max((m_at for *_, m_at in inf.checkpoint_steps), default=created_at)
        if inf.error and not live:
            inferred["error"] = dict(inf.error)
        out = {key: inferred[key] if live and key in END_STATE_FIELDS else value for key, value in given.items()}
        for key, value in inferred.items():
            out.setdefault(key, value)
        return out

    def _live_finished_at(self, inf: Inference, stamp: int | None) -> int | None:
        """While running: set once the model is built (the log says so, or the replay clock passed the recorded
        value), with the recorded value if there is one: it does not change when the job then succeeds."""
        if inf.phase != "running":
            return None
        recorded = self._early_finished_at()
        if recorded is not None and (inf.finished_at is not None or (stamp is not None and stamp >= recorded)):
            return recorded
        return inf.finished_at

    def _checkpoints(self, timeline: JobTimeline, inf: Inference, first: int) -> None:
        given = self.entry.checkpoints
        if given is not None:
            for ck in reversed(given):
                stamp = ck.get("created_at") if isinstance(ck.get("created_at"), int) else first
                # Never after the job's end: a finished job's checkpoints are all there.
                timeline.checkpoints.add(min(self.wall_time(stamp, first), self._end_wall), ck)
            return
        if inf.finished_at is None:
            return                       # the model (and so its final checkpoint) is not built yet
        rows = self._rows(inf)
        by_step = {m.step: m for m in rows}
        final_step = inf.total_steps or max((step for step, *_ in inf.checkpoint_steps), default=len(rows))
        base, suffix = self._base_model(inf), _suffix_of(self.final_model(inf))
        for step, name, stamp in inf.checkpoint_steps:
            if name is None:
                tag = self.ids.model_tag()
                name = f"{cat.fine_tuned_model_name(base, 'personal', suffix, tag)}:ckpt-step-{step}"
            metric = by_step.get(step) or StepMetrics(step, 0.0, 0.0)
            timeline.checkpoints.add(self.wall_time(stamp, first),
                                     cat.checkpoint(self.ids.checkpoint(), stamp, name, timeline.job_id, metric))
        final_metric = by_step.get(final_step) or StepMetrics(final_step, 0.0, 0.0)
        timeline.checkpoints.add(self.wall_time(inf.finished_at, first),
                                 cat.checkpoint(self.ids.checkpoint(), inf.finished_at, self.final_model(inf),
                                                timeline.job_id, final_metric))

    def _rows(self, inf: Inference) -> list[StepMetrics]:
        """Every step: the recorded ones as recorded, the gaps synthesised (once, so checkpoints and the
        result file agree)."""
        if self._metric_rows is None:
            total = inf.total_steps or (max(inf.metrics) if inf.metrics else 100)
            known = {k: v for k, v in inf.metrics.items() if k <= total}
            self._metric_rows = fill_missing_steps(self.rng, total, known)
        return self._metric_rows

    def _result(self, timeline: JobTimeline, inf: Inference) -> None:
        """The result file appears with the first `succeeded` snapshot that names one."""
        done = next(((at, state) for at, state in timeline.states.timed()
                     if state.get("status") == "succeeded" and state.get("result_files")), None)
        if done is None:
            return
        at, state = done
        csv_text = self.entry.result_csv if self.entry.result_csv is not None else result_csv(self._rows(inf))
        stamp = state.get("finished_at") if isinstance(state.get("finished_at"), int) else int(self.load_wall)
        file = cat.file_object(state["result_files"][0], stamp, encoded_size(csv_text))
        timeline.results.add(at, ResultFile(file, csv_text))


def _suffix_of(model_name: str) -> str | None:
    parts = model_name.split(":")
    return (parts[3] or None) if len(parts) > 4 else None
