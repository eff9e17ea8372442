"""Jobs, events and checkpoints as ftwatch understands them: frozen, typed, parsed once from API dicts.

The API is treated as untrusted and evolving: unknown statuses and event types pass through as strings,
extra fields are kept in `raw`, and `data` may be `{}`, `null` or a large nested object. Parsing never
raises on odd values: a number that is not a number becomes missing, not an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping


class Phase(StrEnum):
    """What a job is doing, as a user would say it (not the raw `status`).

    EVALUATING is the trap of the real API: `status == "running"` with `finished_at` already set while
    the safety evaluation runs for ~12 minutes.
    """

    VALIDATING_FILES = "validating_files"
    QUEUED = "queued"
    RUNNING = "running"
    EVALUATING = "evaluating"
    PAUSED = "paused"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        return self in (Phase.SUCCEEDED, Phase.FAILED, Phase.CANCELLED)

    @property
    def is_active(self) -> bool:
        """A job whose events may still arrive quickly (poll fast)."""
        return self in (Phase.RUNNING, Phase.EVALUATING)


@dataclass(frozen=True, slots=True)
class JobError:
    code: str | None = None
    message: str | None = None
    param: str | None = None


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    created_at: int
    status: str                     # raw status string, unknown values kept verbatim
    model: str
    fine_tuned_model: str | None = None
    finished_at: int | None = None
    trained_tokens: int | None = None
    training_file: str | None = None
    validation_file: str | None = None
    result_files: tuple[str, ...] = ()
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    method: str | None = None       # supervised | dpo | reinforcement
    error: JobError | None = None   # None unless error.code or error.message is set
    suffix: str | None = None       # user_provided_suffix
    metadata: Mapping[str, str] | None = None
    seed: int | None = None
    estimated_finish: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class JobEvent:
    id: str
    created_at: int
    level: str                      # info | warn | error | anything else verbatim
    message: str
    type: str | None = None         # message | metrics | moderation_checks | anything else
    data: Any = None                # {} | None | dict payload: never trusted to have a shape
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    id: str
    created_at: int
    step_number: int
    fine_tuned_model_checkpoint: str
    metrics: Mapping[str, float] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)   # as served (`ftwatch record`)


@dataclass(frozen=True, slots=True)
class MetricPoint:
    """One step's metrics. `values` holds every finite numeric key, known or not (RFT rewards...)."""

    step: int
    total_steps: int | None
    values: Mapping[str, float]
    created_at: int | None = None
