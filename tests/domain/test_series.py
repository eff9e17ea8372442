"""Metric series: compact, step-ordered, sparse stays sparse, views frozen, downsampling faithful."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ftwatch.domain.models import MetricPoint
from ftwatch.domain.metrics.store import MAX_SERIES, MetricSeries, MetricStore, smooth


def filled(points: list[tuple[int, float]]) -> MetricSeries:
    series = MetricSeries("train_loss")
    for step, value in points:
        series.append(step, value)
    return series


def test_points_arrive_in_any_order_and_come_out_in_step_order():
    series = filled([(3, 0.3), (1, 0.1), (2, 0.2), (5, 0.5)])
    assert list(series.steps) == [1, 2, 3, 5] and list(series.values) == [0.1, 0.2, 0.3, 0.5]


def test_the_first_report_of_a_step_wins():
    series = MetricSeries("train_loss")
    assert series.append(4, 1.0) and not series.append(4, 9.0)
    assert list(series.values) == [1.0] and series.value_at(4) == 1.0 and series.value_at(5) is None


def test_views_are_frozen_through_appends_and_out_of_order_inserts():
    series = filled([(2, 2.0), (4, 4.0)])
    view = series.view()
    series.append(6, 6.0)
    series.append(1, 1.0)          # rebuilds storage; the old view keeps its own
    assert list(view.steps) == [2, 4] and list(view.values) == [2.0, 4.0] and len(view) == 2
    assert list(series.steps) == [1, 2, 4, 6]
    assert view.steps[-1] == 4 and view.steps[0:1] == type(view.steps[0:1])("q", [2])


def test_store_keeps_sparse_series_sparse_and_unknown_keys():
    store = MetricStore()
    for step in range(1, 31):
        values = {"train_loss": 1.0 / step, "train_mean_reward": 0.1 * step}
        if step % 10 == 0:
            values["valid_loss"] = 2.0 / step
        store.add(MetricPoint(step=step, total_steps=30, values=values))
    view = store.view()
    assert view.names() == ("train_loss", "valid_loss", "train_mean_reward")
    assert list(view.get("valid_loss").steps) == [10, 20, 30]
    assert view.last_step == 30 and view.total_steps == 30 and view.get("nope") is None


def test_result_points_fill_only_missing_steps():
    store = MetricStore()
    for step in (10, 20, 30):
        store.add(MetricPoint(step=step, total_steps=30, values={"train_loss": 5.0}))
    added = store.add_points([MetricPoint(step=s, total_steps=30, values={"train_loss": 1.0}) for s in range(1, 31)])
    series = store.get("train_loss")
    assert added == 27 and list(series.steps) == list(range(1, 31))
    assert series.value_at(20) == 5.0 and series.value_at(21) == 1.0


def test_bulk_points_keep_the_first_report_of_a_step():
    series = filled([(5, 5.0)])
    assert series.merge_points([3, 3, 5, 9, 1], [3.0, 33.0, 55.0, 9.0, 1.0]) == 3
    assert list(zip(series.steps, series.values)) == [(1, 1.0), (3, 3.0), (5, 5.0), (9, 9.0)]


def test_a_stream_inventing_keys_costs_bounded_memory():
    store = MetricStore()
    for step in range(1, 400):
        store.add(MetricPoint(step=step, total_steps=None, values={f"key{step}": 1.0}))
    assert len(store.names()) == MAX_SERIES


def test_smoothed_view_is_the_smoothing_of_the_series_and_grows_incrementally():
    series = filled([(s, 10.0 / s) for s in range(1, 50, 3)])
    early = series.view().smoothed(0.9)
    series.append(60, 0.5)
    later = series.view().smoothed(0.9)
    assert list(later.values) == smooth(list(series.steps), list(series.values), 0.9)
    assert len(early) == len(later) - 1 and list(early.values) == list(later.values)[:-1]
    assert series.view().smoothed(0) is not None and list(series.view().smoothed(0).values) == list(series.values)


POINTS = st.lists(st.tuples(st.integers(min_value=0, max_value=100_000),
                            st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)), min_size=1, max_size=3000)


def column_of(step: float, x0: float, x1: float, width: int) -> int:
    """Columns split [x0, x1] evenly: column c starts at x0 + span * c / width (the last one ends at x1)."""
    span = (x1 - x0) or 1
    return max(c for c in range(width) if x0 + span * c / width <= step)


@settings(max_examples=150, deadline=None)
@given(POINTS, st.integers(min_value=1, max_value=300))
def test_downsample_keeps_each_columns_min_and_max(points, width):
    series = filled(points)
    steps, values = list(series.steps), list(series.values)
    xs, ys = series.view().downsample(width)
    assert len(xs) == len(ys) <= max(2 * width, 0) or len(xs) == len(steps) <= 2 * width
    assert set(xs) <= set(map(float, steps)), "points sit on real steps"
    x0, x1 = steps[0], steps[-1]
    if len(steps) <= 2 * width:
        assert xs == [float(s) for s in steps] and ys == values
        return
    buckets: dict[int, list[float]] = {}
    for s, v in zip(steps, values):
        buckets.setdefault(column_of(s, x0, x1, width), []).append(v)
    shown: dict[int, list[float]] = {}
    for x, y in zip(xs, ys):
        shown.setdefault(column_of(x, x0, x1, width), []).append(y)
    assert min(ys) == min(values) and max(ys) == max(values)
    for column, column_values in buckets.items():
        assert min(shown[column]) == min(column_values) and max(shown[column]) == max(column_values)


def test_downsample_of_a_long_series_is_bounded_and_exact_at_the_extremes():
    series = filled([(s, float((s * 7919) % 1000)) for s in range(1, 200_001)])
    series.append(123_457, -5.0)             # already there: ignored
    xs, ys = series.view().downsample(120)
    assert len(xs) <= 240 and min(ys) == 0.0 and max(ys) == 999.0
    again = series.view().downsample(120)
    assert again == (xs, ys)


def test_downsample_on_a_shared_x_range_leaves_empty_columns_empty():
    series = filled([(s, float(s)) for s in range(50, 101)])
    xs, ys = series.view().downsample(10, x_range=(1, 100))
    assert min(xs) >= 50 and len(xs) <= 2 * 6
    assert series.view().downsample(0) == ([], []) and MetricSeries("x").view().downsample(5) == ([], [])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=8),
       st.integers(min_value=1, max_value=60), st.booleans())
def test_incremental_downsample_equals_a_fresh_one(chunks, width, fixed_range):
    """A live chart redraws after each poll; reusing unchanged columns must not change the picture."""
    series = MetricSeries("train_loss")
    step = 0
    total = sum(chunks) + 5
    for size in chunks:
        for _ in range(size):
            step += 1 + step % 3
            series.append(step, float((step * 7919) % 997) / 7)
        x_range = (1, 3 * total) if fixed_range else None
        live = series.view().downsample(width, x_range)
        fresh = filled(list(zip(series.steps, series.values))).view().downsample(width, x_range)
        assert live == fresh
