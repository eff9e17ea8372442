"""`POST /fine_tuning/jobs`: the body checked the way the real API checks it, before any job exists.

The shapes are the OpenAPI contract's `CreateFineTuningJobRequest` (ranges, enums, required keys), plus the
limits the spec states in prose or on the job object it returns: metadata of at most 16 pairs (keys up to 64
characters, string values up to 512), at most 5 integrations. A body that passes is returned as a
`CreateRequest` of cleaned values, so the job object built from it cannot break the contract whatever was posted.
Unknown keys are ignored (not echoed). Where the spec and the real API are silent, see docs/simulator.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ftwatch.sim.errors import ApiError
from ftwatch.sim.shapes import Arr, Auto, Int, Nullable, Num, Obj, OneOrMany, Str, StrMap, Tagged, missing

METHODS = ("supervised", "dpo", "reinforcement")
_COMMON = {"batch_size": Auto(Int(1, 256)), "learning_rate_multiplier": Auto(Num(above=0)),
           "n_epochs": Auto(Int(1, 50))}
_HYPERPARAMETERS = {
    "supervised": Obj(dict(_COMMON)),
    "dpo": Obj({"beta": Auto(Num(above=0, maximum=2)), **_COMMON}),
    "reinforcement": Obj({**_COMMON, "reasoning_effort": Str(enum=("default", "low", "medium", "high")),
                          "compute_multiplier": Auto(Num(above=1e-5, maximum=10)),
                          "eval_interval": Auto(Int(1)), "eval_samples": Auto(Int(1))}),
}

# Graders (reinforcement): the yaml's Grader* schemas, told apart by `type`.
_TEXT = Obj({"type": Str(enum=("input_text",)), "text": Str(),
             "prompt_cache_breakpoint": Obj({"mode": Str(enum=("explicit",))}, required=("mode",))},
            required=("type", "text"))
_CONTENT_PART = Tagged({
    "input_text": _TEXT,
    "output_text": Obj({"type": Str(enum=("output_text",)), "text": Str()}, required=("type", "text")),
    "input_image": Obj({"type": Str(enum=("input_image",)), "image_url": Str(), "detail": Str()},
                       required=("type", "image_url")),
    "input_audio": Obj({"type": Str(enum=("input_audio",)),
                        "input_audio": Obj({"data": Str(), "format": Str(enum=("mp3", "wav"))},
                                           required=("data", "format"))}, required=("type", "input_audio")),
}, text=Str())
_EVAL_ITEM = Obj({"role": Str(enum=("user", "assistant", "system", "developer")), "content": OneOrMany(_CONTENT_PART),
                  "type": Str(enum=("message",))}, required=("role", "content"))
_SAMPLING = Obj({"seed": Nullable(Int()), "top_p": Nullable(Num()), "temperature": Nullable(Num()),
                 "max_completions_tokens": Nullable(Int(1)),
                 "reasoning_effort": Nullable(Str(enum=("none", "minimal", "low", "medium", "high", "xhigh", "max")))})


def _grader(kind: str, fields: dict[str, Any], required: tuple[str, ...]) -> Obj:
    return Obj({"type": Str(enum=(kind,)), "name": Str(), **fields}, required=("type", "name", *required))


_SINGLE_GRADERS = {
    "string_check": _grader("string_check", {"input": Str(), "reference": Str(),
                                             "operation": Str(enum=("eq", "ne", "like", "ilike"))},
                            ("input", "reference", "operation")),
    "text_similarity": _grader("text_similarity", {"input": Str(), "reference": Str(), "evaluation_metric": Str(enum=(
        "cosine", "fuzzy_match", "bleu", "gleu", "meteor", "rouge_1", "rouge_2", "rouge_3", "rouge_4", "rouge_5",
        "rouge_l"))}, ("input", "reference", "evaluation_metric")),
    "python": _grader("python", {"source": Str(), "image_tag": Str()}, ("source",)),
    "score_model": _grader("score_model", {"model": Str(), "sampling_params": _SAMPLING, "input": Arr(_EVAL_ITEM),
                                           "range": Arr(Num(), min_length=2, max_length=2)}, ("input", "model")),
}
_LABEL_MODEL = _grader("label_model", {"model": Str(), "input": Arr(_EVAL_ITEM), "labels": Arr(Str()),
                                       "passing_labels": Arr(Str())}, ("model", "input", "passing_labels", "labels"))
# The yaml gives a multi grader's `graders` as one grader object (its example shows more); followed as written.
_MULTI = _grader("multi", {"graders": Tagged({**_SINGLE_GRADERS, "label_model": _LABEL_MODEL}),
                           "calculate_output": Str()}, ("graders", "calculate_output"))
_GRADER = Tagged({**_SINGLE_GRADERS, "multi": _MULTI})

_METHOD = Obj({
    "type": Str(enum=METHODS),
    "supervised": Nullable(Obj({"hyperparameters": _HYPERPARAMETERS["supervised"]})),
    "dpo": Nullable(Obj({"hyperparameters": _HYPERPARAMETERS["dpo"]})),
    "reinforcement": Nullable(Obj({"grader": _GRADER, "hyperparameters": _HYPERPARAMETERS["reinforcement"]},
                                  required=("grader",))),
}, required=("type",))
_WANDB = Obj({"project": Str(), "name": Nullable(Str()), "entity": Nullable(Str()), "tags": Arr(Str())},
             required=("project",))
_INTEGRATION = Obj({"type": Str(enum=("wandb",)), "wandb": _WANDB}, required=("type", "wandb"))
BODY = Obj({
    "model": Str(min_length=1),
    "training_file": Str(min_length=1),
    "hyperparameters": Nullable(_HYPERPARAMETERS["supervised"]),
    "suffix": Nullable(Str(min_length=1, max_length=64)),
    "validation_file": Nullable(Str()),
    "integrations": Nullable(Arr(_INTEGRATION, max_length=5)),
    "seed": Nullable(Int(0, 2_147_483_647)),
    "method": Nullable(_METHOD),
    "metadata": Nullable(StrMap(max_pairs=16, max_key=64, max_value=512)),
}, required=("model", "training_file"))


@dataclass(frozen=True)
class CreateRequest:
    model: str
    training_file: str
    validation_file: str | None
    suffix: str | None
    seed: int | None
    metadata: dict[str, str] | None
    integrations: list[dict[str, Any]]
    method: dict[str, Any]        # {"type": ..., <type>: {"hyperparameters": {...}, ...}}
    hyperparameters: dict[str, Any]          # the method's, as given (missing ones absent)


def parse_create(body: Any) -> CreateRequest:
    """The cleaned request, or the ApiError (400) the real API would answer."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    for name in BODY.required:
        if body.get(name) == "":
            raise missing(name)         # an empty id or model name is no id or model name at all
    clean = BODY.check(body, "")
    method = _method(clean)
    return CreateRequest(
        model=clean["model"], training_file=clean["training_file"], validation_file=clean.get("validation_file"),
        suffix=clean.get("suffix"), seed=clean.get("seed"), metadata=clean.get("metadata"),
        integrations=[_echoed_integration(item) for item in clean.get("integrations") or []],
        method=method, hyperparameters=dict(method[method["type"]].get("hyperparameters") or {}),
    )


def _method(clean: dict[str, Any]) -> dict[str, Any]:
    """`method`, or the deprecated top-level `hyperparameters` read as a supervised method."""
    method = clean.get("method")
    if method is None:
        return {"type": "supervised", "supervised": {"hyperparameters": clean.get("hyperparameters") or {}}}
    kind = method["type"]
    for other in METHODS:
        if other != kind and method.get(other) is not None:
            raise ApiError(400, f"Invalid 'method.{other}': only the configuration of the method type "
                                f"'{kind}' may be given.", param=f"method.{other}", code="invalid_value")
    if kind == "reinforcement" and method.get("reinforcement") is None:
        raise ApiError(400, "Missing required parameter: 'method.reinforcement'.", param="method.reinforcement",
                       code="missing_required_parameter")
    if kind == "supervised" and method.get("supervised") is None and clean.get("hyperparameters"):
        return {"type": kind, "supervised": {"hyperparameters": clean["hyperparameters"]}}
    return {"type": kind, kind: method.get(kind) or {}}


def _echoed_integration(item: dict[str, Any]) -> dict[str, Any]:
    wandb = item["wandb"]
    echoed = {"project": wandb["project"], "name": wandb.get("name"), "entity": wandb.get("entity")}
    if "tags" in wandb:
        echoed["tags"] = wandb["tags"]
    return {"type": "wandb", "wandb": echoed}
