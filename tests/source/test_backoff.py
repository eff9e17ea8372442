"""Back-off: the waits a user sees in "retrying in 8 s" are capped, jittered, and follow the server's hint."""

from __future__ import annotations

import pytest

from ftwatch.source.backoff import MAX_DELAY_SECONDS, Backoff, parse_retry_after


def test_exponential_growth_is_capped_and_jittered_within_half_to_full():
    low, high = Backoff(random=lambda: 0.0), Backoff(random=lambda: 0.999999)
    assert [low.delay(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert [round(high.delay(n), 3) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert high.delay(50) <= 60.0 and low.delay(50) == 30.0


def test_jitter_spreads_many_clients_apart():
    import random

    rng = random.Random(3)
    delays = {round(Backoff(random=rng.random).delay(4), 3) for _ in range(50)}
    assert len(delays) > 40
    assert all(4.0 <= d <= 8.0 for d in delays)


def test_server_hint_is_honoured_with_small_jitter():
    policy = Backoff(random=lambda: 0.5)
    assert policy.delay(1, retry_after=8.0) == pytest.approx(8.4)
    assert policy.delay(7, retry_after=0.25) == pytest.approx(0.2625)


def test_retry_after_above_120_s_waits_120_s_and_tries_again():
    assert Backoff(random=lambda: 0.0).delay(1, retry_after=3600) == MAX_DELAY_SECONDS == 120.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after-ms": "nan"}, None),
        ({"retry-after": "-3"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after_headers(headers, expected):
    assert parse_retry_after(headers) == expected


def test_parse_retry_after_http_date_in_the_future():
    import email.utils
    import time

    stamp = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= parse_retry_after({"retry-after": stamp}) <= 31
