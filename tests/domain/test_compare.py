"""domain.insight.compare: runs of different lengths on one axis (by step or by fraction), and their totals."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from ftwatch.domain.insight.compare import (
    NO_TOTALS,
    Axis,
    axis_end,
    place,
    run_length,
    run_totals,
    sample_range,
    to_axis,
)
from ftwatch.domain.metrics.series import MetricSeries

step_lists = st.lists(st.integers(min_value=-5, max_value=5_000), max_size=200).map(sorted)
lengths = st.one_of(st.none(), st.integers(min_value=-3, max_value=5_000))


def series_of(steps, values) -> MetricSeries:
    one = MetricSeries("train_loss")
    for step, value in zip(steps, values):
        one.append(step, value)
    return one


@given(step_lists, lengths)
def test_the_fraction_axis_stays_within_0_and_1_and_keeps_the_steps_order(steps, length):
    xs = to_axis(steps, length, Axis.FRACTION)
    assert len(xs) == len(steps)
    assert all(0.0 <= x <= 1.0 for x in xs)
    assert xs == sorted(xs)                                     # monotone: steps in order stay in order


@given(st.lists(st.integers(min_value=1, max_value=5_000), min_size=1, max_size=200, unique=True).map(sorted),
       st.integers(min_value=0, max_value=3_000))
def test_by_fraction_a_run_ends_at_1_and_each_x_is_its_step_over_the_length(steps, extra):
    length = steps[-1] + extra                                  # the total is at least the last step seen
    xs = to_axis(steps, length, Axis.FRACTION)
    assert all(math.isclose(x * length, step) for x, step in zip(xs, steps))
    assert to_axis(steps, steps[-1], Axis.FRACTION)[-1] == 1.0
    assert to_axis(steps, None, Axis.FRACTION)[-1] == 1.0       # without a total, the last step is the end
    assert to_axis(steps, length, Axis.STEP) == [float(s) for s in steps]


@given(st.lists(st.tuples(st.integers(min_value=1, max_value=400),
                          st.floats(min_value=0.0, max_value=10.0)), min_size=1, max_size=300,
                unique_by=lambda p: p[0]).map(sorted),
       st.integers(min_value=0, max_value=200), st.integers(min_value=8, max_value=120))
def test_one_run_by_step_and_by_fraction_draws_the_same_values(points, extra, columns):
    steps, values = [p[0] for p in points], [p[1] for p in points]
    length = steps[-1] + extra
    series = series_of(steps, values).view().smoothed(0.9)
    by_step = place(series, length, Axis.STEP, columns, axis_end(Axis.STEP, [length]))
    by_fraction = place(series, length, Axis.FRACTION, columns, axis_end(Axis.FRACTION, [length]))
    assert by_step[1] == by_fraction[1]                          # the same curve...
    assert all(math.isclose(f * length, s) for f, s in zip(by_fraction[0], by_step[0]))   # ...rescaled
    assert len(by_step[1]) <= 2 * columns


def test_runs_of_different_lengths_end_together_by_fraction_and_apart_by_step():
    short = series_of(range(1, 201), [1.0 / s for s in range(1, 201)]).view()
    long = series_of(range(1, 751), [2.0 / s for s in range(1, 751)]).view()
    end = axis_end(Axis.STEP, [200, 750])
    assert end == 750.0
    assert place(short, 200, Axis.STEP, 40, end)[0][-1] == 200.0
    assert place(long, 750, Axis.STEP, 40, end)[0][-1] == 750.0
    assert place(short, 200, Axis.FRACTION, 40, 1.0)[0][-1] == 1.0
    assert place(long, 750, Axis.FRACTION, 40, 1.0)[0][-1] == 1.0
    assert place(series_of([], []).view(), 100, Axis.FRACTION, 40, 1.0) == ([], [])


def test_a_run_is_measured_against_its_total_else_its_last_step():
    assert run_length(500, 120) == 500
    assert run_length(None, 120) == 120
    assert run_length(0, 0) is None and run_length(None, None) is None
    assert run_length(True, 7) == 7                             # a hostile boolean is not a total
    assert axis_end(Axis.STEP, [None, None]) == 1.0
    assert sample_range(Axis.FRACTION, None, 750.0) is None     # no length: the run's own extent
    assert sample_range(Axis.FRACTION, 200, 750.0) == (0.0, 200.0)
    assert sample_range(Axis.STEP, 200, 750.0) == (0.0, 750.0)
    assert Axis.STEP.other() is Axis.FRACTION and Axis.FRACTION.label == "fraction of training"


def test_totals_are_the_last_smoothed_value_and_the_lowest_with_its_first_step():
    steps = [10, 20, 30, 40, 50, 60]
    smoothed = [2.0, 1.2, 0.8, 0.8, 0.9, 1.1]                   # the best comes mid-run, then it climbs
    totals = run_totals(steps, smoothed)
    assert (totals.final, totals.final_step) == (1.1, 60)
    assert (totals.best, totals.best_step) == (0.8, 30)         # the first step the minimum was reached
    assert totals.points == 6


def test_totals_skip_non_finite_values_for_the_best_but_show_a_nan_end_as_it_is():
    totals = run_totals([1, 2, 3], [math.nan, 0.5, math.inf])
    assert totals.best == 0.5 and totals.best_step == 2
    assert math.isinf(totals.final) and totals.final_step == 3
    all_nan = run_totals([1, 2], [math.nan, math.nan])
    assert all_nan.best is None and all_nan.best_step is None and math.isnan(all_nan.final)
    assert run_totals([], []) == NO_TOTALS


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=1, max_size=100))
def test_the_best_is_never_above_any_finite_value_and_sits_at_its_own_step(values):
    steps = list(range(1, len(values) + 1))
    totals = run_totals(steps, values)
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        assert totals.best is None
        return
    assert totals.best == min(finite)
    assert values[totals.best_step - 1] == totals.best
    assert totals.final_step == steps[-1]
