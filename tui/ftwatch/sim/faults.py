"""Faults on demand: what a flaky API does to a client, at given rates or in a given order.

Spec string (`--faults`, `FaultPlan.configure`): comma-separated `kind:rate` pairs and `key=value`
options, e.g. `429:0.1,500:0.05,503:0.05,slow:0.02,drop:0.02,badjson:0.02,retry-after=2`.

Kinds: `429` (real envelope, code `rate_limit_exceeded`, headers `retry-after`/`retry-after-ms`),
`500`, `502` (an HTML page, as a gateway sends), `503`, `slow` (answers after `slow-seconds`; make it
longer than the client's timeout for a hang), `drop` (headers and half the body, then the connection
closes), `badjson` (200 with a truncated JSON body), `empty` (a list comes back with no items),
`lying-has-more` (a list's `has_more` is inverted).
Options: `retry-after=S` (seconds, header `retry-after`), `retry-after-ms=MS` (header `retry-after-ms`);
with neither, a 429 carries both (1 s). 5xx faults carry `retry-after-ms` only when it is given
(real ones never do; it lets a test skip the SDK's 0.5-8 s back-off). `slow-seconds=S` (default 5).
`only=TEXT`: faults hit only requests whose path contains TEXT (e.g. `only=/events`).

`script(["429", "500", "drop", "ok"])` forces the next responses in order (before any random fault);
an item may carry options after `;`: `"429;retry-after=200"`. Random draws come from `seed`, one per
matching request, so a run is repeatable.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

KINDS = ("429", "500", "502", "503", "slow", "drop", "badjson", "empty", "lying-has-more")
OPTIONS = ("retry-after", "retry-after-ms", "slow-seconds", "only")


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    options: dict[str, str] = field(default_factory=dict)

    def number(self, key: str, default: float) -> float:
        return float(self.options[key]) if key in self.options else default


def _check_option(key: str, value: str) -> None:
    if key not in OPTIONS:
        raise ValueError(f"unknown fault option {key!r}; known: {', '.join(OPTIONS)}")
    if key != "only":
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"fault option {key} needs a number, got {value!r}") from None
        if number < 0:
            raise ValueError(f"fault option {key} must not be negative")


def parse_spec(spec: str) -> tuple[dict[str, float], dict[str, str]]:
    """`"429:0.1,slow:0.02,retry-after=2"` -> ({"429": 0.1, "slow": 0.02}, {"retry-after": "2"})."""
    rates: dict[str, float] = {}
    options: dict[str, str] = {}
    for token in (t.strip() for t in spec.split(",")):
        if not token:
            continue
        if "=" in token:
            key, value = (part.strip() for part in token.split("=", 1))
            _check_option(key, value)
            options[key] = value
            continue
        kind, sep, rate_text = token.partition(":")
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(KINDS)}")
        try:
            rate = float(rate_text) if sep else 1.0
        except ValueError:
            raise ValueError(f"fault {kind} needs a rate between 0 and 1, got {rate_text!r}") from None
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault {kind} rate must be between 0 and 1, got {rate}")
        rates[kind] = rate
    if sum(rates.values()) > 1.0 + 1e-9:
        raise ValueError(f"fault rates add up to {sum(rates.values()):.2f}, more than 1")
    return rates, options


def parse_item(item: str) -> Fault | None:
    """One script item: "ok" (no fault) or a kind with optional `;key=value` options."""
    kind, *opts = (part.strip() for part in item.split(";"))
    if kind == "ok":
        return None
    if kind not in KINDS:
        raise ValueError(f"unknown fault {kind!r} in script; known: ok, {', '.join(KINDS)}")
    options: dict[str, str] = {}
    for opt in opts:
        key, _, value = opt.partition("=")
        _check_option(key, value)
        options[key] = value
    return Fault(kind, options)


class FaultPlan:
    def __init__(self, seed: int = 0, spec: str | None = None) -> None:
        self._rng = random.Random(f"faults:{seed}")
        self.rates: dict[str, float] = {}
        self.options: dict[str, str] = {}
        self._script: deque[Fault | None] = deque()
        self.injected: list[tuple[str, str]] = []       # (path, kind) of every fault served
        if spec:
            self.configure(spec)

    def configure(self, spec: str) -> None:
        """Replace the random rates and options (raises ValueError on a bad spec)."""
        self.rates, self.options = parse_spec(spec)

    def script(self, items: list[str], *, only: str | None = None) -> None:
        """Force the next len(items) matching responses, in order."""
        parsed = [parse_item(item) for item in items]
        self._script = deque(parsed)
        if only is not None:
            self.options = {**self.options, "only": only}

    def clear(self) -> None:
        self.rates, self.options = {}, {}
        self._script.clear()

    @property
    def active(self) -> bool:
        return bool(self._script) or any(self.rates.values())

    def next_fault(self, path: str) -> Fault | None:
        only = self.options.get("only")
        if only and only not in path:
            return None
        if self._script:
            fault = self._script.popleft()
            if fault is not None:
                fault = Fault(fault.kind, {**self.options, **fault.options})
        else:
            fault = self._draw()
        if fault is not None:
            self.injected.append((path, fault.kind))
            if len(self.injected) > 100_000:          # bounded for long soak runs
                del self.injected[:10_000]
        return fault

    def _draw(self) -> Fault | None:
        if not any(self.rates.values()):
            return None
        roll = self._rng.random()
        for kind, rate in self.rates.items():
            if roll < rate:
                return Fault(kind, dict(self.options))
            roll -= rate
        return None
