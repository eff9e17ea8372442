"""Declarative checks of request bodies: each shape returns the value it accepts, cleaned, or raises the 400 the
real API would send, with `param` naming the offending place (`integrations[0].wandb.project`).

Why a checker of our own and not jsonschema: the simulator must not depend on test tooling, and it must answer
the way OpenAI does, one error at a time, in the envelope and wording of OpenAI's request validation (openai-ft-api.md
§7; the wording is modelled on the API's general validation messages, see docs/simulator.md). Objects come back
with their known keys only, so nothing unvalidated is ever echoed in a job object.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ftwatch.sim.errors import ApiError

_SHOWN = 64          # longest value quoted back in a message


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def missing(param: str) -> ApiError:
    return ApiError(400, f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter")


def wrong_type(param: str, expected: str, value: Any) -> ApiError:
    return ApiError(400, f"Invalid type for '{param}': expected {expected}, but got {kind_of(value)} instead.",
                    param=param, code="invalid_type")


def invalid(param: str, problem: str, detail: str, code: str) -> ApiError:
    return ApiError(400, f"Invalid '{param}': {problem}. {detail}", param=param, code=code)


def _listed(options: Sequence[str]) -> str:
    quoted = [f"'{o}'" for o in options]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


class Shape:
    expected = "a value"

    def check(self, value: Any, param: str) -> Any:
        raise NotImplementedError


@dataclass
class Str(Shape):
    min_length: int = 0
    max_length: int | None = None
    enum: tuple[str, ...] = ()
    expected = "a string"

    def check(self, value: Any, param: str) -> str:
        if not isinstance(value, str):
            raise wrong_type(param, self.expected, value)
        if self.enum and value not in self.enum:
            raise ApiError(400, f"Invalid value: '{shown(value)}'. Supported values are: {_listed(self.enum)}.",
                           param=param, code="invalid_value")
        if len(value) < self.min_length:
            raise invalid(param, "empty string", f"Expected a string with minimum length {self.min_length}, but "
                                                 "got an empty string instead.", "empty_string")
        if self.max_length is not None and len(value) > self.max_length:
            raise invalid(param, "string too long", f"Expected a string with maximum length {self.max_length}, "
                          f"but got a string with length {len(value)} instead.", "string_above_max_length")
        return value


@dataclass
class Int(Shape):
    minimum: int | None = None
    maximum: int | None = None
    expected = "an integer"

    def check(self, value: Any, param: str) -> int:
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)                  # 4.0 is an integer to JSON Schema; echoed as 4
        if not isinstance(value, int) or isinstance(value, bool):
            raise wrong_type(param, self.expected, value)
        if self.minimum is not None and value < self.minimum:
            raise invalid(param, "integer below minimum value", f"Expected a value >= {self.minimum}, but got "
                          f"{shown(value)} instead.", "integer_below_min_value")
        if self.maximum is not None and value > self.maximum:
            raise invalid(param, "integer above maximum value", f"Expected a value <= {self.maximum}, but got "
                          f"{shown(value)} instead.", "integer_above_max_value")
        return value


@dataclass
class Num(Shape):
    above: float | None = None          # exclusive minimum
    minimum: float | None = None
    maximum: float | None = None
    expected = "a number"

    def check(self, value: Any, param: str) -> float | int:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise wrong_type(param, self.expected, value)
        if isinstance(value, float) and not math.isfinite(value):     # 1e999 parses as inf
            raise invalid(param, "number out of range", "Expected a finite number.", "invalid_value")
        low = (self.above, ">") if self.above is not None else (self.minimum, ">=")
        if low[0] is not None and (value <= low[0] if low[1] == ">" else value < low[0]):
            raise invalid(param, "decimal below minimum value", f"Expected a value {low[1]} {low[0]:g}, but got "
                          f"{shown(value)} instead.", "decimal_below_min_value")
        if self.maximum is not None and value > self.maximum:
            raise invalid(param, "decimal above maximum value", f"Expected a value <= {self.maximum:g}, but got "
                          f"{shown(value)} instead.", "decimal_above_max_value")
        return value


@dataclass
class Auto(Shape):
    """"auto" or the inner shape (hyperparameters)."""

    inner: Shape

    @property
    def expected(self) -> str:       # type: ignore[override]
        return f"'auto' or {self.inner.expected}"

    def check(self, value: Any, param: str) -> Any:
        if value == "auto":
            return value
        if isinstance(value, str):
            raise ApiError(400, f"Invalid value: '{shown(value)}'. Supported values are: 'auto' or "
                                f"{self.inner.expected}.", param=param, code="invalid_value")
        try:
            return self.inner.check(value, param)
        except ApiError as err:
            if err.code == "invalid_type" and err.param == param:
                raise wrong_type(param, self.expected, value) from None
            raise


@dataclass
class Nullable(Shape):
    inner: Shape

    @property
    def expected(self) -> str:       # type: ignore[override]
        return f"{self.inner.expected} or null"

    def check(self, value: Any, param: str) -> Any:
        if value is None:
            return None
        try:
            return self.inner.check(value, param)
        except ApiError as err:
            if err.code == "invalid_type" and err.param == param:
                raise wrong_type(param, self.expected, value) from None
            raise


@dataclass
class Arr(Shape):
    items: Shape
    max_length: int | None = None
    min_length: int = 0
    expected = "an array"

    def check(self, value: Any, param: str) -> list[Any]:
        if not isinstance(value, list):
            raise wrong_type(param, self.expected, value)
        if self.max_length is not None and len(value) > self.max_length:
            raise invalid(param, "array too long", f"Expected an array with maximum length {self.max_length}, "
                          f"but got an array with length {len(value)} instead.", "array_above_max_length")
        if len(value) < self.min_length:
            raise invalid(param, "array too short", f"Expected an array with minimum length {self.min_length}, "
                          f"but got an array with length {len(value)} instead.", "array_below_min_length")
        return [self.items.check(item, f"{param}[{i}]") for i, item in enumerate(value)]


@dataclass
class Obj(Shape):
    """Known fields in this order; `required` ones must be there and not null. A field given as null that the
    shape does not accept as null counts as absent (clients send "not set" both ways)."""

    fields: dict[str, Shape]
    required: tuple[str, ...] = ()
    expected = "an object"

    def check(self, value: Any, param: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise wrong_type(param, self.expected, value)
        out: dict[str, Any] = {}
        for name, shape in self.fields.items():
            where = f"{param}.{name}" if param else name
            if value.get(name) is None and not (name in value and isinstance(shape, Nullable)):
                if name in self.required:
                    raise missing(where)
                continue
            out[name] = shape.check(value[name], where)
        return out


@dataclass
class StrMap(Shape):
    """An object of string values (metadata): at most `max_pairs`, keys up to `max_key`, values up to `max_value`."""

    max_pairs: int
    max_key: int
    max_value: int
    expected = "an object"

    def check(self, value: Any, param: str) -> dict[str, str]:
        if not isinstance(value, dict):
            raise wrong_type(param, self.expected, value)
        if len(value) > self.max_pairs:
            raise invalid(param, "too many properties", f"Expected an object with at most {self.max_pairs} "
                          f"properties, but got an object with {len(value)} properties instead.",
                          "object_above_max_properties")
        for key, item in value.items():
            if len(key) > self.max_key:
                raise invalid(param, "key too long", f"Expected keys with maximum length {self.max_key}, but got a "
                              f"key with length {len(key)} instead.", "string_above_max_length")
            Str(max_length=self.max_value).check(item, f"{param}.{key}")
        return dict(value)


@dataclass
class Tagged(Shape):
    """One of several objects told apart by their `type` (graders, content parts); a plain string if `text` says so."""

    variants: Mapping[str, Shape]
    text: Shape | None = None
    expected = "an object"

    def check(self, value: Any, param: str) -> Any:
        if isinstance(value, str) and self.text is not None:
            return self.text.check(value, param)
        if not isinstance(value, dict):
            raise wrong_type(param, "a string or an object" if self.text else self.expected, value)
        where = f"{param}.type"
        if value.get("type") is None:
            raise missing(where)
        Str(enum=tuple(self.variants)).check(value["type"], where)
        return self.variants[value["type"]].check(value, param)


@dataclass
class OneOrMany(Shape):
    """A single item or an array of them (eval message content)."""

    item: Shape
    expected = "a string, an object or an array"

    def check(self, value: Any, param: str) -> Any:
        if isinstance(value, list):
            return Arr(self.item).check(value, param)
        return self.item.check(value, param)
