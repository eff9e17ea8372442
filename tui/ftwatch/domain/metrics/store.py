"""A job's metrics: one compact series per metric name, and frozen views of them for snapshots.

Every finite numeric key of a metrics event becomes a series, known or not (RFT rewards, future keys), so
the chart can show what the job reports. The number of series is capped so that a hostile stream that
invents a new key per event costs a bounded amount of memory.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator, Mapping, Sequence

from ftwatch.domain.models import MetricPoint
from ftwatch.domain.metrics.series import MetricSeries, SeriesSnapshot
from ftwatch.domain.metrics.smoothing import Ema, auto_weight, half_life, smooth

__all__ = [
    "KNOWN_METRICS", "MetricSeries", "MetricStore", "MetricsSnapshot", "SeriesSnapshot",
    "Ema", "auto_weight", "half_life", "smooth",
]

KNOWN_METRICS = (
    "train_loss",
    "valid_loss",
    "full_valid_loss",
    "train_mean_token_accuracy",
    "valid_mean_token_accuracy",
    "full_valid_mean_token_accuracy",
)
MAX_SERIES = 256


def _ordered(names) -> tuple[str, ...]:
    known = [n for n in KNOWN_METRICS if n in names]
    return (*known, *(n for n in names if n not in KNOWN_METRICS))


class MetricsSnapshot:
    """Frozen metrics of one snapshot (implements `snapshot.MetricsView`)."""

    __slots__ = ("_series", "_names", "_last_step", "_total_steps")

    def __init__(self, series: dict[str, SeriesSnapshot], names: tuple[str, ...],
                 last_step: int | None, total_steps: int | None) -> None:
        self._series = series
        self._names = names
        self._last_step = last_step
        self._total_steps = total_steps

    def names(self) -> tuple[str, ...]:
        """Known metrics first (train loss, validation, full validation, accuracies), then the rest as they came."""
        return self._names

    def get(self, name: str) -> SeriesSnapshot | None:
        return self._series.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._series

    @property
    def last_step(self) -> int | None:
        return self._last_step

    @property
    def total_steps(self) -> int | None:
        return self._total_steps


def _flush(columns: dict[str, tuple[MetricSeries, list[int], list[float]]]) -> None:
    for one, steps, values in columns.values():
        one.extend_newer(steps, values)
    columns.clear()


class MetricStore:
    """The live metrics of one job. Single-threaded: the poller writes, snapshots read frozen views."""

    def __init__(self) -> None:
        self._series: dict[str, MetricSeries] = {}
        self._names: tuple[str, ...] | None = None
        self._batching = False
        self.last_step: int | None = None
        self.total_steps: int | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Points older than a series' newest are merged once at the end instead of one rebuild each."""
        self._batching = True
        for one in self._series.values():
            one.begin_batch()
        try:
            yield
        finally:
            self._batching = False
            for one in self._series.values():
                one.end_batch()

    def _new_series(self, name: str) -> MetricSeries:
        one = self._series[name] = MetricSeries(name)
        self._names = None
        if self._batching:
            one.begin_batch()
        return one

    def add(self, point: MetricPoint) -> bool:
        return self.add_values(point.step, point.total_steps, point.values)

    def add_values(self, step: int, total_steps: int | None, values: Mapping[str, float]) -> bool:
        """Record one step's values; True if every value was new (none was a repeat of a known step)."""
        if total_steps is not None:
            self.total_steps = total_steps
        if self.last_step is None or step > self.last_step:
            self.last_step = step
        series = self._series
        all_new = True
        for name, value in values.items():
            one = series.get(name)
            if one is None:
                one = self._series_for(name)
            if one is None or not one.append(step, value):
                all_new = False
        return all_new

    def _series_for(self, name: str) -> MetricSeries | None:
        """A new series for `name`, or None once MAX_SERIES exist (hostile data cannot grow them without bound)."""
        if len(self._series) >= MAX_SERIES:
            return None
        return self._new_series(name)

    def add_rows(self, rows: Sequence[Sequence | None]) -> list[bool]:
        """`add_values` for each (step, total_steps, values, ...) row in order (further items are ignored, so
        `metric_fields` results pass as they are), as one batch; None rows answer False.

        The ingest hot path: a poll's page is a run of steps newer than anything stored, so its values are
        gathered per series and appended with one `extend` each. A row that is not newer than every step
        seen so far (a repeat, a back-fill) goes through `add_values` after what was gathered is stored.
        """
        series = self._series
        columns: dict[str, tuple[MetricSeries, list[int], list[float]]] = {}
        out: list[bool] = []
        for row in rows:
            if row is None:
                out.append(False)
                continue
            step, total, values = row[0], row[1], row[2]
            last = self.last_step
            if last is not None and step <= last:
                _flush(columns)
                out.append(self.add_values(step, total, values))
                continue
            if total is not None:
                self.total_steps = total
            self.last_step = step
            all_new = True
            for name, value in values.items():
                column = columns.get(name)
                if column is None:
                    one = series.get(name)
                    if one is None:
                        one = self._series_for(name)
                    if one is None:
                        all_new = False
                        continue
                    column = columns[name] = (one, [], [])
                column[1].append(step)
                column[2].append(value)
            out.append(all_new)
        _flush(columns)
        return out

    def has_room_for(self, names: Iterable[str]) -> bool:
        """Whether series for all of `names` exist or can be made under MAX_SERIES (nothing is made)."""
        series = self._series
        return len(series) + sum(name not in series for name in names) <= MAX_SERIES

    def add_columns(self, columns: Mapping[str, tuple[list[int], list[float]]], last_step: int,
                    total_steps: int | None) -> None:
        """`add_rows` for a plain page (see `metrics.page_columns`): one `extend` per series. The caller has checked
        that every step is newer than `last_step` so far, increasing, and that `has_room_for` the names."""
        series = self._series
        for name, (steps, values) in columns.items():
            one = series.get(name)
            if one is None:
                one = self._series_for(name)
                if one is None:
                    raise RuntimeError(f"no room for the series {name!r}: has_room_for was not asked")
            one.extend_newer(steps, values)
        self.last_step = last_step
        if total_steps is not None:
            self.total_steps = total_steps

    def add_points(self, points: list[MetricPoint]) -> int:
        """Bulk back-fill (the result CSV): steps a series already has are skipped; returns points added."""
        columns: dict[str, tuple[list[int], list[float]]] = {}
        for point in points:
            if point.total_steps is not None:
                self.total_steps = point.total_steps
            if self.last_step is None or point.step > self.last_step:
                self.last_step = point.step
            for name, value in point.values.items():
                steps, values = columns.setdefault(name, ([], []))
                steps.append(point.step)
                values.append(value)
        added = 0
        for name, (steps, values) in columns.items():
            one = self._series.get(name)
            if one is None:
                if len(self._series) >= MAX_SERIES:
                    continue
                one = self._new_series(name)
            added += one.merge_points(steps, values)
        return added

    def names(self) -> tuple[str, ...]:
        if self._names is None:
            self._names = _ordered(self._series)
        return self._names

    def get(self, name: str) -> MetricSeries | None:
        return self._series.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._series

    def view(self) -> MetricsSnapshot:
        """O(number of series): the arrays are shared, only their current lengths are captured."""
        return MetricsSnapshot(
            {name: one.view() for name, one in self._series.items()},
            self.names(), self.last_step, self.total_steps,
        )
