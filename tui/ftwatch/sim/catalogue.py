"""The wire objects and the message texts of real fine-tuning jobs (openai-ft-api.md §3-§5).

Every builder here returns a dict whose keys come in the order the real API sends them, because a
recorded scenario and a simulated job must be indistinguishable to a client that prints raw JSON.
"""

from __future__ import annotations

import random
import string
from typing import Any

from ftwatch.sim.curves import StepMetrics

_ALNUM = string.ascii_letters + string.digits

# The 15 categories of a real `moderation_checks` event, in the recorded order.
MODERATION_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("harassment/threatening", "blocking"),
    ("sexual", "blocking"),
    ("sexual/minors", "blocking"),
    ("propaganda", "blocking"),
    ("hate", "blocking"),
    ("hate/threatening", "blocking"),
    ("illicit", "blocking"),
    ("violence", "blocking"),
    ("advice", "blocking"),
    ("self-harm/intent", "blocking"),
    ("self-harm/instructions", "non_blocking"),
    ("sensitive", "blocking"),
    ("highly-sensitive", "blocking"),
    ("biological threats", "blocking"),
    ("cyber security threats", "blocking"),
)

# Base model names resolve to a snapshot the way the real create endpoint does.
MODEL_SNAPSHOTS = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "gpt-3.5-turbo": "gpt-3.5-turbo-0125",
}

FAILURE_MESSAGES = {
    "invalid_training_file": (
        "The job failed due to an invalid training file. Invalid file format. "
        "Example 100, message 2 Discriminator 'role' is missing in value",
        "training_file",
    ),
    "invalid_n_examples": (
        "Training file has 7 example(s), but must have at least 10 examples",
        "training_file",
    ),
}


class IdMaker:
    """Ids in the real formats: `ftjob-`/`ftevent-`/`ftckpt_` + 24 alphanumerics, `file-` + 22."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def token(self, length: int) -> str:
        return "".join(self._rng.choice(_ALNUM) for _ in range(length))

    def job(self) -> str:
        return "ftjob-" + self.token(24)

    def event(self) -> str:
        return "ftevent-" + self.token(24)

    def checkpoint(self) -> str:
        return "ftckpt_" + self.token(24)

    def file(self) -> str:
        return "file-" + self.token(22)

    def org(self) -> str:
        return "org-" + self.token(24)

    def model_tag(self) -> str:
        return self.token(8)


def event(event_id: str, created_at: int, message: str, *, data: Any = None, type_: str = "message",
          level: str = "info") -> dict[str, Any]:
    """An event; `data` defaults to `{}` (only "Fine-tuning job started" carries `null`)."""
    return {
        "id": event_id,
        "created_at": created_at,
        "level": level,
        "message": message,
        "object": "fine_tuning.job.event",
        "data": {} if data is None else data,
        "type": type_,
    }


def started_event(event_id: str, created_at: int) -> dict[str, Any]:
    ev = event(event_id, created_at, "Fine-tuning job started")
    ev["data"] = None
    return ev


def validating_message(training_file: str, validation_file: str | None) -> str:
    if validation_file:
        return f"Validating training file: {training_file} and validation file: {validation_file}"
    return f"Validating training file: {training_file}"


def metrics_message(m: StepMetrics, total_steps: int) -> str:
    text = f"Step {m.step}/{total_steps}: training loss={m.train_loss:.2f}"
    if m.valid_loss is not None:
        text += f", validation loss={m.valid_loss:.2f}"
    if m.full_valid_loss is not None:
        text += f", full validation loss={m.full_valid_loss:.2f}"
    return text


def metrics_data(m: StepMetrics, total_steps: int) -> dict[str, Any]:
    """Keys in the order of the recorded events (step, train_loss, valid_loss, total_steps, ...)."""
    data: dict[str, Any] = {"step": m.step, "train_loss": m.train_loss}
    if m.valid_loss is not None:
        data["valid_loss"] = m.valid_loss
    data["total_steps"] = total_steps
    if m.full_valid_loss is not None:
        data["full_valid_loss"] = m.full_valid_loss
    data["train_mean_token_accuracy"] = m.train_mean_token_accuracy
    if m.valid_mean_token_accuracy is not None:
        data["valid_mean_token_accuracy"] = m.valid_mean_token_accuracy
    if m.full_valid_mean_token_accuracy is not None:
        data["full_valid_mean_token_accuracy"] = m.full_valid_mean_token_accuracy
    return data


def metrics_event(event_id: str, created_at: int, m: StepMetrics, total_steps: int) -> dict[str, Any]:
    return event(event_id, created_at, metrics_message(m, total_steps),
                 data=metrics_data(m, total_steps), type_="metrics")


def moderation_event(event_id: str, created_at: int, model_name: str) -> dict[str, Any]:
    data = {
        "blocked": False,
        "results": [
            {"flagged": False, "category": category, "enforcement": enforcement}
            for category, enforcement in MODERATION_CATEGORIES
        ],
        "finetuned_model_checkpoint_id": model_name,
    }
    return event(event_id, created_at, f"Moderation checks for snapshot {model_name} passed.",
                 data=data, type_="moderation_checks")


def checkpoint_metrics(m: StepMetrics) -> dict[str, Any]:
    data: dict[str, Any] = {
        "step": m.step,
        "train_loss": m.train_loss,
        "train_mean_token_accuracy": m.train_mean_token_accuracy,
    }
    optional = {
        "valid_loss": m.valid_loss,
        "valid_mean_token_accuracy": m.valid_mean_token_accuracy,
        "full_valid_loss": m.full_valid_loss,
        "full_valid_mean_token_accuracy": m.full_valid_mean_token_accuracy,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    return data


def checkpoint(ckpt_id: str, created_at: int, model_checkpoint: str, job_id: str,
               m: StepMetrics) -> dict[str, Any]:
    return {
        "object": "fine_tuning.job.checkpoint",
        "id": ckpt_id,
        "created_at": created_at,
        "fine_tuned_model_checkpoint": model_checkpoint,
        "fine_tuning_job_id": job_id,
        "metrics": checkpoint_metrics(m),
        "step_number": m.step,
    }


def hyperparameters(batch_size: Any = "auto", lr: Any = "auto", n_epochs: Any = "auto") -> dict[str, Any]:
    return {"batch_size": batch_size, "learning_rate_multiplier": lr, "n_epochs": n_epochs}


def method_object(method: dict[str, Any] | None, hyper: dict[str, Any]) -> dict[str, Any]:
    """The job's `method`: supervised as real jobs show it (the other two keys null), or the DPO / reinforcement
    configuration that was asked for, its hyperparameters completed with "auto" (reinforcement: the grader too)."""
    kind = method.get("type") if method else "supervised"
    if method is None or kind == "supervised":
        return {"type": "supervised", "dpo": None, "reinforcement": None,
                "supervised": {"hyperparameters": dict(hyper)}}
    config = dict(method.get(kind) or {})
    given = config.get("hyperparameters") or {}
    if kind == "dpo":
        config["hyperparameters"] = {"beta": given.get("beta", "auto"), **hyper}
    else:
        config["hyperparameters"] = {**hyper, **{k: given.get(k, default) for k, default in (
            ("reasoning_effort", "default"), ("compute_multiplier", "auto"), ("eval_interval", "auto"),
            ("eval_samples", "auto"))}}
    return {"type": kind, kind: config}


def job_object(*, job_id: str, created_at: int, model: str, organization_id: str, seed: int,
               training_file: str, validation_file: str | None, suffix: str | None,
               metadata: dict[str, str] | None, hyper: dict[str, Any],
               integrations: list[Any] | None = None, method: dict[str, Any] | None = None) -> dict[str, Any]:
    """A job as the create endpoint returns it (2026 field set and order, recorded sample)."""
    return {
        "id": job_id,
        "created_at": created_at,
        "error": {"code": None, "message": None, "param": None},
        "fine_tuned_model": None,
        "finished_at": None,
        "hyperparameters": dict(hyper),
        "model": model,
        "object": "fine_tuning.job",
        "organization_id": organization_id,
        "result_files": [],
        "seed": seed,
        "status": "validating_files",
        "trained_tokens": None,
        "training_file": training_file,
        "validation_file": validation_file,
        "estimated_finish": None,
        "integrations": list(integrations or []),
        "metadata": metadata,
        "method": method_object(method, hyper),
        "user_provided_suffix": suffix,
        "usage_metrics": None,
        "shared_with_openai": False,
        "eval_id": None,
        "internal_worker_backend": None,
        "internal_peashooter_execution": None,
        "train_experiment_id": None,
        "eval_experiment_id": None,
    }


def with_hyperparameters(job: dict[str, Any], hyper: dict[str, Any]) -> dict[str, Any]:
    """Resolved numbers replace "auto" once the job runs, in both places the API reports them."""
    out = dict(job)
    out["hyperparameters"] = dict(hyper)
    method = out.get("method")
    if isinstance(method, dict) and isinstance(method.get("supervised"), dict):
        out["method"] = {**method, "supervised": {"hyperparameters": dict(hyper)}}
    elif isinstance(method, dict) and method.get("type") in ("dpo", "reinforcement"):
        config = method.get(method["type"])
        if isinstance(config, dict):
            merged = {**(config.get("hyperparameters") or {}), **hyper}
            out["method"] = {**method, method["type"]: {**config, "hyperparameters": merged}}
    return out


def fine_tuned_model_name(base: str, org_slug: str, suffix: str | None, tag: str) -> str:
    """`ft:<base>:<org>:<suffix>:<8 chars>`; an empty suffix leaves `::` as real names do."""
    return f"ft:{base}:{org_slug}:{suffix or ''}:{tag}"


def file_object(file_id: str, created_at: int, size: int) -> dict[str, Any]:
    return {
        "object": "file",
        "id": file_id,
        "purpose": "fine-tune-results",
        "filename": "step_metrics.csv",
        "bytes": size,
        "created_at": created_at,
        "status": "processed",
    }
