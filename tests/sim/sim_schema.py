"""Validate simulator responses against OpenAI's OpenAPI contract (jsonschema, Draft 2020-12).

`$ref`s resolve inside the yaml. The yaml still carries two OpenAPI 3.0 idioms that mean something else
in JSON Schema 2020-12 (`exclusiveMinimum: true` next to `minimum`, and `nullable: true`); they are
rewritten the way the OpenAPI 3.0 -> 3.1 migration guide says before validating. Real responses break
the spec in a few known places; those, and only those, are tolerated, each because recorded real data
does it (real-samples/ and openai-ft-api.md):

- a healthy job's `error` is `{"code": null, "message": null, "param": null}` (spec: strings or null);
- `method.dpo` / `method.reinforcement` are `null` on supervised jobs (spec: objects);
- "Fine-tuning job started" has `data: null` (spec: object);
- events of type `moderation_checks` (spec enum: message, metrics);
- job status `paused` (spec enum lacks it; the pause endpoint's own example returns it).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sim_paths import OPENAPI_YAML

_URI = "urn:openai-openapi"
NULL_ERROR = {"code": None, "message": None, "param": None}
# openai-ft-api.md §7: the yaml has no ErrorResponse schema, so the documented envelope is written here.
ERROR_ENVELOPE = {
    "type": "object", "required": ["error"], "additionalProperties": False,
    "properties": {"error": {
        "type": "object", "required": ["message", "type", "param", "code"], "additionalProperties": False,
        "properties": {"message": {"type": "string"}, "type": {"type": "string"},
                       "param": {"type": ["string", "null"]}, "code": {"type": ["string", "null"]}},
    }},
}


def _to_2020_12(node: Any) -> Any:
    if isinstance(node, list):
        return [_to_2020_12(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _to_2020_12(value) for key, value in node.items()}
    if out.get("exclusiveMinimum") is True and "minimum" in out:
        out["exclusiveMinimum"] = out.pop("minimum")
    if out.get("exclusiveMaximum") is True and "maximum" in out:
        out["exclusiveMaximum"] = out.pop("maximum")
    if out.pop("nullable", False) is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


@cache
def _registry() -> Registry:
    document = _to_2020_12(yaml.safe_load(OPENAPI_YAML.read_text(encoding="utf-8")))
    return Registry().with_resource(_URI, Resource.from_contents(document, default_specification=DRAFT202012))


@cache
def validator(schema_name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{_URI}#/components/schemas/{schema_name}"}, registry=_registry())


def path_schema_validator(path: str, method: str = "get") -> Draft202012Validator:
    document = _registry().contents(_URI)
    schema = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    return Draft202012Validator(schema, registry=_registry())


def is_known_real_deviation(error: ValidationError) -> bool:
    where = tuple(error.absolute_path)
    last = where[-1] if where else None
    if last == "error" and error.instance == NULL_ERROR:
        return True
    if last in ("dpo", "reinforcement") and "method" in where and error.instance is None:
        return True
    if last == "data" and error.instance is None:
        return True
    if last == "type" and error.instance == "moderation_checks":
        return True
    return last == "status" and error.instance == "paused"


def schema_problems(schema_name: str, instance: Any) -> list[str]:
    """Every violation except the documented real-data deviations, as readable strings."""
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(schema_name).iter_errors(instance)
            if not is_known_real_deviation(e)]


def raw_violations(schema_name: str, instance: Any) -> list[ValidationError]:
    return list(validator(schema_name).iter_errors(instance))


def error_problems(instance: Any) -> list[str]:
    """Violations of the documented error envelope, as readable strings."""
    return [f"{list(e.absolute_path)}: {e.message}" for e in Draft202012Validator(ERROR_ENVELOPE).iter_errors(instance)]
