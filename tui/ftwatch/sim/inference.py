"""What a recorded job's events say about the job, read the way a person reads the log (oldest first).

The status comes from the latest phase message, total steps from the metrics, `finished_at` from "New
fine-tuned model created" (the real API sets it before the safety evaluation ends, openai-ft-api.md §6), the
model and suffix from any `ft:` name in the messages. Two statuses are kept: `status` (what the log says so
far, terminal once a completion or error message is read) and `phase` (the same, but never terminal), because
a replayed job must not look finished before its last recorded event is out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ftwatch.sim.curves import StepMetrics

_FT_NAME = re.compile(r"\bft:[^\s:]+:[^\s:]*:[^\s:]*:[A-Za-z0-9]+")
_CKPT = re.compile(r"^Checkpoint created at step (\d+)(?: with Snapshot ID: (\S+))?")
_VALIDATING = re.compile(r"^Validating training file: (\S+?)(?: and validation file: (\S+))?$")
_CREATED = re.compile(r"^Created fine-tuning job: (\S+)$")
_RUNNING_PREFIXES = ("Fine-tuning job started", "Step ", "Checkpoint created", "New fine-tuned model",
                     "Evaluating model", "Moderation checks", "Usage policy evaluations")
_DONE = ("The job has successfully completed", "Fine tuning job successfully completed")


def created_job_id(message: str) -> str | None:
    match = _CREATED.match(message)
    return match[1] if match else None


@dataclass
class Inference:
    """Fed one event at a time, oldest first."""

    default_model: str = "gpt-4o-mini-2024-07-18"
    job_id: str | None = None
    created_at: int | None = None
    status: str = "validating_files"
    phase: str = "validating_files"         # validating_files / queued / running: never terminal
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
        if (job_id := created_job_id(message)) is not None:
            self.job_id = self.job_id or job_id
            self.created_at = stamp
        if match := _VALIDATING.match(message):
            self.training_file, self.validation_file = match[1], match[2]
        if message.startswith("Files validated"):
            self.status = self.phase = "queued"
        if message.startswith(_RUNNING_PREFIXES) or ev.get("type") == "metrics":
            self.status = self.phase = "running"
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
