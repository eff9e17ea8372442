"""How long to wait before trying the API again: capped exponential back-off with jitter.

Why our own and not the SDK's: the SDK sleeps inside the call, so the user sees a frozen screen; here every
wait is a value the poller can show ("retrying in 8 s") before it sleeps.

The policy, in one place:
- without a server hint, attempt n (1-based) waits `base * 2**(n-1)` capped at `cap`, then "equal jitter" keeps
  between half and all of it, so many ftwatch instances hitting the same 429 do not retry in lockstep;
- with a hint (`retry-after-ms` / `retry-after`), the server knows best: wait that long plus up to 10 % jitter;
- either way never longer than `max_delay` (120 s). The SDK gives up on a retry-after above 120 s; a monitor
  must not, so it waits 120 s and asks again, calmly, for as long as it takes;
- and never shorter than `min_delay` (0.25 s): a server answering every request with `retry-after: 0` must not
  turn the poller into a busy loop of requests.
"""

from __future__ import annotations

import random as _random
from dataclasses import dataclass, field
from typing import Callable

MAX_DELAY_SECONDS = 120.0
MIN_DELAY_SECONDS = 0.25


@dataclass(frozen=True)
class Backoff:
    base: float = 1.0
    cap: float = 60.0
    max_delay: float = MAX_DELAY_SECONDS
    min_delay: float = MIN_DELAY_SECONDS
    random: Callable[[], float] = field(default=_random.random, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt `attempt + 1`, after `attempt` consecutive failures (>= 1)."""
        if retry_after is not None and retry_after >= 0:
            wanted = retry_after * (1.0 + 0.1 * self.random())
        else:
            exponent = min(max(attempt, 1) - 1, 30)   # 2**30 s is already far past any cap
            full = min(self.cap, self.base * 2.0**exponent)
            wanted = full * (0.5 + 0.5 * self.random())
        return min(max(wanted, self.min_delay), self.max_delay)


def parse_retry_after(headers: object) -> float | None:
    """The server's hint in seconds from `retry-after-ms` (preferred, precise) or `retry-after` (seconds or an HTTP
    date), or None. Accepts any mapping-like object with `.get` (httpx headers, dict); nonsense values are ignored."""
    get = getattr(headers, "get", None)
    if get is None:
        return None
    millis = get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000.0
        except (TypeError, ValueError):
            value = None
        if value is not None and value >= 0 and value == value:
            return value
    seconds = get("retry-after")
    if seconds is None:
        return None
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return _seconds_until_http_date(str(seconds))
    return value if value >= 0 and value == value and value != float("inf") else None


def _seconds_until_http_date(text: str) -> float | None:
    import email.utils
    import time

    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return max(0.0, parsed.timestamp() - time.time())
