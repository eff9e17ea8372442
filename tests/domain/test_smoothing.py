"""The smoothing formula of issue 3, exactly: TensorBoard on consecutive steps, gap-aware when steps are skipped."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftwatch.domain.metrics.store import Ema, auto_weight, half_life, smooth

WEIGHTS = st.floats(min_value=0.0, max_value=0.99)
VALUES = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def tensorboard(values: list[float], weight: float) -> list[float]:
    """TensorBoard's debiased EMA (vz_line_chart's smoothing), written independently of ours."""
    last, count, out = 0.0, 0, []
    for y in values:
        if not math.isfinite(y):
            out.append(y)
            continue
        last = last * weight + (1 - weight) * y
        count += 1
        out.append(last / (1 - weight**count) if weight else y)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUES, min_size=1, max_size=80), WEIGHTS, st.integers(min_value=-5, max_value=1000))
def test_equals_tensorboard_on_consecutive_steps(values, weight, first_step):
    steps = list(range(first_step, first_step + len(values)))
    assert smooth(steps, values, weight) == pytest.approx(tensorboard(values, weight), rel=1e-9, abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=7), VALUES), min_size=1, max_size=40), WEIGHTS)
def test_skipped_steps_count_as_if_seen(points, weight):
    """Polling that skips steps gives the curve TensorBoard would draw had every skipped step carried the
    value of the next point seen: the gap decays the memory, it is not one step."""
    steps, values, held = [], [], []
    step = 0
    for gap, y in points:
        step += gap if steps else 1
        steps.append(step)
        values.append(y)
        held.extend([y] * (gap if len(steps) > 1 else 1))
    full = tensorboard(held, weight)
    observed = [full[s - 1] for s in steps]
    assert smooth(steps, values, weight) == pytest.approx(observed, rel=1e-9, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=9), VALUES), min_size=1, max_size=40), WEIGHTS)
def test_constant_series_stays_constant_whatever_the_gaps(points, weight):
    steps = [sum(gap for gap, _ in points[: i + 1]) for i in range(len(points))]
    assert smooth(steps, [3.25] * len(steps), weight) == pytest.approx([3.25] * len(steps))


def test_weight_zero_is_the_raw_series():
    assert smooth([1, 5, 6], [3.0, -1.0, 7.5], 0.0) == [3.0, -1.0, 7.5]


def test_non_finite_values_pass_through_and_leave_the_state_alone():
    with_nan = smooth([1, 2, 3, 4], [1.0, math.nan, math.inf, 3.0], 0.5)
    without = smooth([1, 4], [1.0, 3.0], 0.5)
    assert math.isnan(with_nan[1]) and with_nan[2] == math.inf
    assert with_nan[0] == without[0] and with_nan[3] == pytest.approx(without[1])


def test_repeated_or_backwards_steps_count_as_one():
    assert smooth([5, 5, 3], [1.0, 2.0, 3.0], 0.5) == smooth([1, 2, 3], [1.0, 2.0, 3.0], 0.5)


def test_incremental_form_matches_the_batch():
    ema = Ema(0.8)
    steps, values = [1, 2, 4, 9, 10], [2.0, 1.0, 3.0, 0.5, 0.25]
    assert [ema.update(s, y) for s, y in zip(steps, values)] == smooth(steps, values, 0.8)


@pytest.mark.parametrize("weight", [-0.1, 1.0, 1.5, math.nan])
def test_weights_outside_zero_one_are_refused(weight):
    with pytest.raises(ValueError):
        Ema(weight)


def test_auto_weight_has_the_documented_half_life():
    assert half_life(auto_weight(None)) == pytest.approx(5.0)
    assert half_life(auto_weight(100)) == pytest.approx(5.0)
    assert half_life(auto_weight(500)) == pytest.approx(10.0)
    assert half_life(auto_weight(50_000)) == pytest.approx(1000.0)
    assert half_life(0.0) == 0.0
    assert 0.0 < auto_weight(10**9) < 1.0
