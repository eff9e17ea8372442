"""The back-off policy's promises, as properties over every attempt count, hint and random draw: never longer
than 120 s, never a busy loop, exponential growth capped, jitter that spreads clients apart, and a server's
retry-after honoured (above 120 s: waited out 120 s at a time)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from ftwatch.source.backoff import MAX_DELAY_SECONDS, MIN_DELAY_SECONDS, Backoff

attempts = st.integers(min_value=1, max_value=10_000)
draws = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)
hints = st.floats(min_value=0.0, max_value=1e9, allow_nan=False)


@given(attempt=attempts, draw=draws)
def test_without_a_hint_the_wait_is_half_to_all_of_the_capped_exponential(attempt, draw):
    policy = Backoff(random=lambda: draw)
    full = min(policy.cap, policy.base * 2.0 ** min(attempt - 1, 30))
    delay = policy.delay(attempt)
    assert max(MIN_DELAY_SECONDS, full / 2) <= delay <= full <= MAX_DELAY_SECONDS


@given(attempt=attempts, draw=draws, hint=hints)
def test_a_hint_is_honoured_with_at_most_10_percent_jitter_and_never_past_120_s(attempt, draw, hint):
    delay = Backoff(random=lambda: draw).delay(attempt, retry_after=hint)
    assert MIN_DELAY_SECONDS <= delay <= MAX_DELAY_SECONDS
    assert delay >= min(hint, MAX_DELAY_SECONDS) or delay == MIN_DELAY_SECONDS
    assert delay <= max(hint * 1.1, MIN_DELAY_SECONDS) + 1e-9


@given(attempt=st.integers(min_value=1, max_value=6), a=draws, b=draws)
def test_jitter_separates_clients_that_failed_together(attempt, a, b):
    """Below the cap, two clients with different draws never wait the same: no retry in lockstep."""
    da, db = Backoff(random=lambda: a).delay(attempt), Backoff(random=lambda: b).delay(attempt)
    if abs(a - b) > 1e-9 and max(da, db) > MIN_DELAY_SECONDS:
        assert (da < db) == (a < b)


def test_consecutive_failures_grow_then_stay_capped():
    middle = Backoff(random=lambda: 0.5)
    waits = [middle.delay(n) for n in range(1, 12)]
    assert waits == sorted(waits) and waits[0] == 0.75
    assert waits[-1] == waits[-2] == 45.0                    # the 60 s cap, with the middle draw


def test_retry_after_zero_is_not_a_busy_loop():
    assert Backoff(random=lambda: 0.0).delay(1, retry_after=0.0) == MIN_DELAY_SECONDS
    assert Backoff(base=0.0, random=lambda: 0.0).delay(3) == MIN_DELAY_SECONDS


def test_retry_after_far_beyond_120_s_is_waited_out_120_s_at_a_time():
    for hint in (121.0, 600.0, 86_400.0, math.inf):
        assert Backoff(random=lambda: 0.99).delay(1, retry_after=hint) == MAX_DELAY_SECONDS


def test_a_nonsense_hint_falls_back_to_the_exponential():
    policy = Backoff(random=lambda: 0.0)
    assert policy.delay(3, retry_after=math.nan) == policy.delay(3) == 2.0
    assert policy.delay(3, retry_after=-5.0) == 2.0
