"""Trend: "is it still learning, or is this a plateau?" answered from the raw losses."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from ftwatch.domain.snapshot import Trend
from ftwatch.domain.metrics.trend import trend


def noisy(steps, f, noise, seed=1):
    rng = random.Random(seed)
    return [f(s) + rng.gauss(0, noise) for s in steps]


def test_a_falling_loss_is_improving_a_rising_one_worsening():
    steps = list(range(1, 501))
    assert trend(steps, noisy(steps, lambda s: 3 - 0.004 * s, 0.05)) is Trend.IMPROVING
    assert trend(steps, noisy(steps, lambda s: 1 + 0.004 * s, 0.05)) is Trend.WORSENING


def test_a_noisy_plateau_is_flat():
    steps = list(range(1, 501))
    assert trend(steps, noisy(steps, lambda s: 0.8, 0.3)) is Trend.FLAT


def test_only_the_last_fifth_counts():
    """A big early drop followed by a plateau is a plateau now."""
    steps = list(range(1, 1001))
    values = [3.0 - 0.01 * s if s < 300 else 0.5 for s in steps]
    assert trend(steps, noisy(steps, lambda s: values[s - 1], 0.05)) is Trend.FLAT


def test_too_few_points_is_unknown():
    assert trend(list(range(19)), [float(-s) for s in range(19)]) is Trend.UNKNOWN
    assert trend([], []) is Trend.UNKNOWN
    assert trend([5] * 30, [1.0] * 30) is Trend.UNKNOWN


def test_nan_points_are_ignored():
    steps = list(range(1, 101))
    values = [3 - 0.02 * s for s in steps]
    values[90] = float("nan")
    assert trend(steps, values) is Trend.IMPROVING


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=20, max_value=3000), st.floats(min_value=0.001, max_value=10),
       st.floats(min_value=0.1, max_value=100), st.booleans())
def test_a_clean_line_is_never_read_backwards(n, slope, level, falling):
    """A noiseless line: never the wrong direction, and a clear move over the window is never "flat"."""
    steps = list(range(1, n + 1))
    sign = -1 if falling else 1
    values = [level + sign * slope * s / n for s in steps]
    verdict = trend(steps, values)
    right = Trend.IMPROVING if falling else Trend.WORSENING
    assert verdict in (right, Trend.FLAT)
    window_change = slope * 0.19                 # the last fifth of the steps, give or take one step
    if window_change >= 0.02 * max(abs(v) for v in values[-n // 5:]):
        assert verdict is right


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=0, max_size=200))
def test_any_values_give_a_verdict_not_an_error(values):
    assert trend(list(range(len(values))), values) in set(Trend)
