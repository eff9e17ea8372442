"""One metric series: compact, append-only, step-ordered, with O(1) immutable views for snapshots.

A million-step job must fit in memory next to everything else (issue 6: 1M events, 250 MB for the whole
process), so a series is two arrays (`array('q')` steps, `array('d')` values: 16 bytes a point) rather
than a list of objects. Sparse series (validation every 100 steps) stay sparse: a series only holds the
steps where its metric was reported.

A view is (storage, length). Storage is only ever appended to, so a view made earlier keeps showing the
same points. The rare write that is not an append (an older event back-filled, the result CSV filling
gaps) builds new storage ("copy on write") and leaves old views untouched. A (series, step) value, once
set, never changes: the first report of a step wins and later duplicates are ignored.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from itertools import islice
from typing import Iterator, Sequence

from ftwatch.domain.metrics.pyramid import Pyramid, downsample
from ftwatch.domain.metrics.smoothing import Ema

_SMOOTHED_CACHE = 3   # the UI flips between a few weights with [ and ]; older ones are dropped


class _Prefix(Sequence):
    """The first `n` items of a growing array, without copying it."""

    __slots__ = ("_items", "_n")

    def __init__(self, items: array, n: int) -> None:
        self._items = items
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return self._items[slice(*index.indices(self._n))]
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError("series index out of range")
        return self._items[index]

    def __iter__(self) -> Iterator:
        return islice(iter(self._items), self._n)

    def __repr__(self) -> str:
        return f"_Prefix({list(self)!r})"


class _Storage:
    """Steps and values (append-only), their min/max pyramid and cached smoothed copies."""

    __slots__ = ("steps", "values", "pyramid", "smoothed")

    def __init__(self, steps: array, values: array) -> None:
        self.steps = steps
        self.values = values
        self.pyramid = Pyramid(values)
        self.smoothed: dict[float, tuple[_Storage, Ema]] = {}

    def smoothed_storage(self, weight: float, length: int) -> _Storage:
        """The smoothed values up to `length`, extended incrementally (O(new points))."""
        entry = self.smoothed.get(weight)
        if entry is None:
            if len(self.smoothed) >= _SMOOTHED_CACHE:
                del self.smoothed[next(iter(self.smoothed))]
            entry = self.smoothed[weight] = (_Storage(self.steps, array("d")), Ema(weight))
        storage, ema = entry
        out, steps, values, update = storage.values, self.steps, self.values, ema.update
        for i in range(len(out), length):
            out.append(update(steps[i], values[i]))
        return storage


class SeriesSnapshot:
    """An immutable view of one series (implements `snapshot.SeriesView`)."""

    __slots__ = ("name", "_storage", "_n")

    def __init__(self, name: str, storage: _Storage, length: int) -> None:
        self.name = name
        self._storage = storage
        self._n = length

    def __len__(self) -> int:
        return self._n

    @property
    def steps(self) -> Sequence[int]:
        return _Prefix(self._storage.steps, self._n)

    @property
    def values(self) -> Sequence[float]:
        return _Prefix(self._storage.values, self._n)

    @property
    def last(self) -> tuple[int, float] | None:
        if not self._n:
            return None
        return self._storage.steps[self._n - 1], self._storage.values[self._n - 1]

    def value_at(self, step: int) -> float | None:
        steps = self._storage.steps
        i = bisect_left(steps, step, 0, self._n)
        return self._storage.values[i] if i < self._n and steps[i] == step else None

    def downsample(self, width: int, x_range: tuple[float, float] | None = None) -> tuple[list[float], list[float]]:
        """Min/max per column: at most 2*width (step, value) points, cost nearly independent of length."""
        s = self._storage
        return downsample(s.steps, s.values, s.pyramid, self._n, width, x_range)

    def smoothed(self, weight: float) -> SeriesSnapshot:
        """The same steps with smoothed values (weight 0 is the raw series); incremental and cached."""
        if weight == 0:
            return self
        return SeriesSnapshot(self.name, self._storage.smoothed_storage(weight, self._n), self._n)

    def __repr__(self) -> str:
        return f"SeriesSnapshot({self.name!r}, {self._n} points)"


class MetricSeries(SeriesSnapshot):
    """The live, growing series; `view()` freezes what it holds now."""

    __slots__ = ("_pending",)

    def __init__(self, name: str) -> None:
        super().__init__(name, _Storage(array("q"), array("d")), 0)
        self._pending: dict[int, float] | None = None   # older points held back during a batch

    def begin_batch(self) -> None:
        """Hold back points older than the newest until `end_batch`, so a back-filled page costs one rebuild."""
        if self._pending is None:
            self._pending = {}

    def end_batch(self) -> None:
        pending, self._pending = self._pending, None
        if pending:
            self.merge_points(list(pending), list(pending.values()))

    def append(self, step: int, value: float) -> bool:
        """Add a point; False (and nothing changes) if that step is already there."""
        storage = self._storage
        steps = storage.steps
        if not steps or step > steps[-1]:      # storage holds exactly this series' points
            steps.append(step)
            storage.values.append(value)
            self._n += 1
            return True
        return self._insert(step, value)

    @property
    def newest_step(self) -> int | None:
        """The newest step stored (points held back by a batch are not counted)."""
        steps = self._storage.steps
        return steps[-1] if steps else None

    def extend_newer(self, steps: list[int], values: list[float]) -> None:
        """Append points the caller knows are strictly increasing and newer than `newest_step` (a poll's page).
        `fromlist`, not `extend`: half the cost per point (`extend` takes any iterable, item by item)."""
        storage = self._storage
        storage.steps.fromlist(steps)
        storage.values.fromlist(values)
        self._n += len(steps)

    def _insert(self, step: int, value: float) -> bool:
        s = self._storage
        i = bisect_left(s.steps, step)
        if i < self._n and s.steps[i] == step:
            return False
        if self._pending is not None:
            if step in self._pending:
                return False
            self._pending[step] = value
            return True
        steps, values = array("q", s.steps), array("d", s.values)
        steps.insert(i, step)
        values.insert(i, value)
        self._storage = _Storage(steps, values)
        self._n += 1
        return True

    def merge_points(self, steps: Sequence[int], values: Sequence[float]) -> int:
        """Add many (step, value) points in one pass, skipping steps already present (the first report of a
        step wins); returns how many were new. Newer points append; older ones cost one rebuild in C."""
        old = self._storage
        n = self._n
        old_steps = old.steps
        fresh: dict[int, float] = {}
        for step, value in zip(steps, values):
            if step in fresh:
                continue
            i = bisect_left(old_steps, step, 0, n)
            if not (i < n and old_steps[i] == step):
                fresh[step] = value
        if not fresh:
            return 0
        ordered = sorted(fresh.items())
        new_steps = array("q", (p[0] for p in ordered))
        new_values = array("d", (p[1] for p in ordered))
        if not n or new_steps[0] > old_steps[n - 1]:
            old_steps.extend(new_steps)
            old.values.extend(new_values)
        elif new_steps[-1] < old_steps[0]:
            self._storage = _Storage(new_steps + old_steps, new_values + old.values)
        else:
            merged = sorted([*zip(old_steps, old.values), *ordered])
            self._storage = _Storage(array("q", (p[0] for p in merged)), array("d", (p[1] for p in merged)))
        self._n += len(ordered)
        return len(ordered)

    def view(self) -> SeriesSnapshot:
        return SeriesSnapshot(self.name, self._storage, self._n)
