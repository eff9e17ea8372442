"""A recorded job (scenario) turned into a `JobTimeline`.

Given fields are served verbatim; what the recording does not say is inferred from the events visible
so far, the way a person reading the log would: the status from the latest phase message, total steps
from the metrics, `finished_at` from "New fine-tuned model created" (it is set before the safety
evaluation ends, §6), the model and suffix from any `ft:` name in the messages. In replay mode every
event appears at `load time + (created_at - first created_at) / speed`, and the job object follows.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from ftwatch.sim import catalogue as cat
from ftwatch.sim.curves import StepMetrics, fill_missing_steps
from ftwatch.sim.resultfile import encoded_size, result_csv
from ftwatch.sim.scenario import ScenarioEntry
from ftwatch.sim.timeline import JobTimeline, ResultFile

_FT_NAME = re.compile(r"\bft:[^\s:]+:[^\s:]*:[^\s:]*:[A-Za-z0-9]+")
_CKPT = re.compile(r"^Checkpoint created at step (\d+)(?: with Snapshot ID: (\S+))?")
_VALIDATING = re.compile(r"^Validating training file: (\S+?)(?: and validation file: (\S+))?$")
_RUNNING_PREFIXES = ("Fine-tuning job started", "Step ", "Checkpoint created", "New fine-tuned model",
                     "Evaluating model", "Moderation checks", "Usage policy evaluations")
_DONE = ("The job has successfully completed", "Fine tuning job successfully completed")


@dataclass
class _Inference:
    """What the events seen so far say about the job (fed oldest first)."""

    default_model: str = "gpt-4o-mini-2024-07-18"
    job_id: str | None = None
    created_at: int | None = None
    status: str = "validating_files"
    training_file: str | None = None
    validation_file: str | None = None
    model_name: str | None = None           # ft:... of the final model, if the log names it
    total_steps: int | None = None
    finished_at: int | None = None
    checkpoint_steps: list[tuple[int, str | None, int]] = field(default_factory=list)
    metrics: dict[int, StepMetrics] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    first_step_seen: int | None = None

    def feed(self, ev: dict[str, Any]) -> None:
        message = str(ev.get("message", ""))
        stamp = ev.get("created_at") if isinstance(ev.get("created_at"), int) else None
        if self.created_at is None:
            self.created_at = stamp
        if match := re.match(r"^Created fine-tuning job: (\S+)$", message):
            self.job_id = self.job_id or match[1]
            self.created_at = stamp
        if match := _VALIDATING.match(message):
            self.training_file, self.validation_file = match[1], match[2]
        if message.startswith("Files validated"):
            self.status = "queued"
        if message.startswith(_RUNNING_PREFIXES) or ev.get("type") == "metrics":
            self.status = "running"
        if isinstance(ev.get("data"), dict) and ev.get("type") == "metrics":
            self._metrics(ev["data"])
        if match := _CKPT.match(message):
            self.checkpoint_steps.append((int(match[1]), match[2], stamp or 0))
        if message.startswith("New fine-tuned model created"):
            self.finished_at = stamp
        name = _FT_NAME.search(message)
        if name and not message[name.end():].startswith(":ckpt-step-"):
            self.model_name = name[0]
        if message in _DONE:
            self.status = "succeeded"
        if ev.get("level") == "error":
            self.status = "failed"
            self.error = _error_from(message)
        if "cancelled" in message.lower() and self.status != "succeeded":
            self.status = "cancelled"

    def _metrics(self, data: dict[str, Any]) -> None:
        step, loss = data.get("step"), data.get("train_loss")
        if isinstance(data.get("total_steps"), int):
            self.total_steps = data["total_steps"]
        if not isinstance(step, int) or not isinstance(loss, (int, float)):
            return
        if self.first_step_seen is None:
            self.first_step_seen = step
        acc = data.get("train_mean_token_accuracy")
        if not isinstance(acc, (int, float)):
            acc = round(1.0 / (1.0 + 0.45 * max(0.0, float(loss))), 5)
        valid = data.get("valid_loss") if isinstance(data.get("valid_loss"), (int, float)) else None
        valid_acc = data.get("valid_mean_token_accuracy")
        self.metrics[step] = StepMetrics(
            step, float(loss), float(acc), valid,
            float(valid_acc) if isinstance(valid_acc, (int, float)) else None,
            data.get("full_valid_loss") if isinstance(data.get("full_valid_loss"), (int, float)) else None,
            data.get("full_valid_mean_token_accuracy")
            if isinstance(data.get("full_valid_mean_token_accuracy"), (int, float)) else None,
        )


def _error_from(message: str) -> dict[str, Any]:
    if message.startswith("The job failed due to an invalid training file"):
        return {"code": "invalid_training_file", "message": message, "param": "training_file"}
    param = "training_file" if "training file" in message.lower() else None
    return {"code": "job_failed", "message": message, "param": param}


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

    def wall_time(self, created_at: int, first: int) -> float:
        if not self.replay:
            return self.load_wall
        return self.load_wall + (created_at - first) / self.speed

    def build(self) -> JobTimeline:
        events = list(reversed(self.entry.events or []))        # oldest first
        given = self.entry.job
        first = next((e["created_at"] for e in events), given.get("created_at", int(self.load_wall)))
        inference = _Inference()
        inference.job_id = given.get("id")
        timeline = JobTimeline(given.get("id") or self._peek_job_id(events) or self.synthetic["job_id"])
        previous: dict[str, Any] | None = None
        if not events:
            timeline.states.add(self.load_wall, self.job_state(inference))
        for ev in events:
            at = self.wall_time(ev["created_at"], first)
            inference.feed(ev)
            timeline.events.add(at, ev)
            state = self.job_state(inference)
            if state != previous:
                timeline.states.add(at, state)
                previous = state
        self._checkpoints(timeline, inference, first)
        self._result(timeline, inference)
        return timeline

    @staticmethod
    def _peek_job_id(events: list[dict[str, Any]]) -> str | None:
        for ev in events:
            if match := re.match(r"^Created fine-tuning job: (\S+)$", str(ev.get("message", ""))):
                return match[1]
        return None

    def final_model(self, inf: _Inference) -> str:
        return inf.model_name or cat.fine_tuned_model_name(self._base_model(inf), "personal",
                                                           self.entry.job.get("user_provided_suffix"),
                                                           self.synthetic["tag"])

    def _base_model(self, inf: _Inference) -> str:
        if inf.model_name:
            return inf.model_name.split(":")[1]
        return self.entry.job.get("model") or inf.default_model

    def job_state(self, inf: _Inference) -> dict[str, Any]:
        given = self.entry.job
        suffix = _suffix_of(inf.model_name) if inf.model_name else given.get("user_provided_suffix")
        created_at = inf.created_at if inf.created_at is not None else int(self.load_wall)
        if inf.job_id is None and inf.first_step_seen is not None:
            created_at -= 2 * inf.first_step_seen + 240     # a tail: estimate the start of the job
        n_epochs: Any = len(inf.checkpoint_steps) + 1 if inf.checkpoint_steps else 3
        hyper = cat.hyperparameters()
        inferred = cat.job_object(
            job_id=inf.job_id or self.synthetic["job_id"], created_at=created_at, model=self._base_model(inf),
            organization_id=self.org, seed=self.synthetic["seed"],
            training_file=inf.training_file or self.synthetic["training_file"],
            validation_file=inf.validation_file, suffix=suffix, metadata=None, hyper=hyper,
        )
        # A given status wins, and the other fields are filled to agree with it.
        status = given.get("status") if isinstance(given.get("status"), str) else inf.status
        inferred["status"] = status
        if status not in ("validating_files", "queued", "failed"):
            inferred = cat.with_hyperparameters(inferred, cat.hyperparameters(1, 1.0, n_epochs))
        inferred["finished_at"] = inf.finished_at
        if status == "succeeded":
            inferred["fine_tuned_model"] = self.final_model(inf)
            inferred["result_files"] = [self.synthetic["result_file"]]
            inferred["trained_tokens"] = (inf.total_steps or 100) * self.synthetic["tokens_per_step"]
            if inferred["finished_at"] is None:
                inferred["finished_at"] = max((m_at for *_, m_at in inf.checkpoint_steps), default=created_at)
        if inf.error:
            inferred["error"] = dict(inf.error)
        out = dict(given)
        for key, value in inferred.items():
            out.setdefault(key, value)
        return out

    def _checkpoints(self, timeline: JobTimeline, inf: _Inference, first: int) -> None:
        given = self.entry.checkpoints
        if given is not None:
            for ck in reversed(given):
                stamp = ck.get("created_at") if isinstance(ck.get("created_at"), int) else first
                timeline.checkpoints.add(self.wall_time(stamp, first), ck)
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

    def _rows(self, inf: _Inference) -> list[StepMetrics]:
        """Every step: the recorded ones as recorded, the gaps synthesised (once, so checkpoints and the
        result file agree)."""
        if self._metric_rows is None:
            total = inf.total_steps or (max(inf.metrics) if inf.metrics else 100)
            known = {k: v for k, v in inf.metrics.items() if k <= total}
            self._metric_rows = fill_missing_steps(self.rng, total, known)
        return self._metric_rows

    def _result(self, timeline: JobTimeline, inf: _Inference) -> None:
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
