"""What a health rule says: one word for the badge, one line saying why (shown as it is, never coloured only)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Badge(StrEnum):
    OVERFITTING = "overfitting"
    DIVERGING = "diverging"
    STALLED = "stalled"
    MEMORISING = "memorising"


@dataclass(frozen=True, slots=True)
class Verdict:
    badge: Badge
    reason: str         # one line, plain text: "validation loss up 38% from its minimum at step 500 while training loss falls"

    def as_json(self) -> dict[str, str]:
        return {"badge": str(self.badge), "reason": self.reason}
