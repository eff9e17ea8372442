"""The chart's legend: each drawn series named beside the mark it is drawn with, so raw, smoothed, validation,
full validation and the epoch lines can be told apart without colour (NO_COLOR), at 120x35 and at 80x24.

Every assertion reads the chart's rendered lines back, as a user would read the screen."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from textual.app import App, ComposeResult

from ftwatch.ui.widgets.chart_legend import EPOCH_MARK, FULL_MARK, RAW_MARK, SMOOTHED_MARK, VALID_MARK
from ftwatch.ui.widgets.loss_chart import ChartData, LossChart

from .conftest import wait_for
from .test_ui_monitor import BRISK, loaded

BRAILLE = {chr(c) for c in range(0x2801, 0x2900)}
TOTAL = 300
EPOCHS = (100.0, 200.0)


class Points:
    """A series as the widget wants it (already one point per step, reduced by returning it whole)."""

    def __init__(self, xs, ys) -> None:
        self.xs, self.ys = list(xs), list(ys)

    def __len__(self) -> int:
        return len(self.xs)

    def downsample(self, width, x_range=None):
        return self.xs, self.ys


def series(upto: int = 250):
    steps = range(1, upto + 1)
    raw = Points(steps, [2.5 * math.exp(-s / 40) + 0.5 + 0.3 * math.sin(s * 1.7) for s in steps])
    smoothed = Points(steps, [2.5 * math.exp(-s / 40) + 0.5 for s in steps])
    valid = Points(range(10, upto + 1, 10), [2.5 * math.exp(-s / 40) + 0.8 for s in range(10, upto + 1, 10)])
    full = Points([100, 200], [0.9, 0.7])
    return raw, smoothed, valid, full


def data(*, smoothed=True, valid=True, full=True, epochs=EPOCHS, upto: int = 250) -> ChartData:
    raw, smooth, batch, whole = series(upto)
    identity = ("job", "loss", 0.9, TOTAL, False, epochs, smoothed, valid, full)
    return ChartData(key=(*identity, upto), identity=identity, newest_step=float(upto), raw=raw,
                     smoothed=smooth if smoothed else None, valid=batch if valid else None,
                     full=whole if full else None, x_max=TOTAL, epochs=epochs)


class ChartApp(App):
    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self._size = (width, height)

    def compose(self) -> ComposeResult:
        chart = LossChart()
        chart.styles.width, chart.styles.height = self._size
        yield chart


def plot_area(lines: list[str]) -> str:
    """What is drawn inside the frame: the rows between the top and bottom edges, without the y labels and
    the frame's own columns."""
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    left = lines[top].index("┌")
    return "\n".join(line[left + 1:lines[top].rindex("┐")] for line in lines[top + 1:bottom])


def entries(legend: str) -> dict[str, str]:
    """`⠿ raw train  • smoothed train` -> {"⠿": "raw train", "•": "smoothed train"} (marks are one cell)."""
    marks = {RAW_MARK, SMOOTHED_MARK, VALID_MARK, FULL_MARK, EPOCH_MARK}
    found, mark, words = {}, None, []
    for char in legend.strip(" ┌┐─"):
        if char in marks:
            if mark:
                found[mark] = "".join(words).strip()
            mark, words = char, []
        else:
            words.append(char)
    if mark:
        found[mark] = "".join(words).strip(" ─")
    return found


async def test_the_legend_names_every_drawn_series_beside_the_mark_it_is_drawn_with(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    async with ChartApp(70, 20).run_test(size=(80, 24)) as pilot:
        chart = pilot.app.query_one(LossChart)
        chart.set_data(data())
        await pilot.pause()
        assert pilot.app.no_color                     # the monochrome filter is on: marks are all there is
        lines = chart.rendered_text.splitlines()
        legend, area = lines[0], plot_area(lines)

    assert entries(legend) == {RAW_MARK: "raw", SMOOTHED_MARK: "smoothed", VALID_MARK: "validation",
                               FULL_MARK: "full validation", EPOCH_MARK: "epoch"}   # 70 columns: no "train"
    assert BRAILLE & set(area)                                  # raw: braille dots
    for mark in (SMOOTHED_MARK, VALID_MARK, FULL_MARK, EPOCH_MARK):
        assert mark in area, mark                               # each legend mark is the one in the plot
    assert len({RAW_MARK, SMOOTHED_MARK, VALID_MARK, FULL_MARK, EPOCH_MARK}) == 5
    assert "│" not in area                                      # epoch lines are not the frame's line
    frame = next(line for line in lines if "┌" in line)
    assert "┌e1" in frame and "┬e2" in frame and "┬e3" in frame  # the epochs numbered at their boundaries


@pytest.mark.parametrize("kind", ["smoothed", "valid", "full"])
async def test_each_series_adds_its_own_mark_to_the_plot_and_its_entry_to_the_legend(kind):
    mark = {"smoothed": SMOOTHED_MARK, "valid": VALID_MARK, "full": FULL_MARK}[kind]
    async with ChartApp(70, 20).run_test(size=(80, 24)) as pilot:
        chart = pilot.app.query_one(LossChart)
        chart.set_data(data(smoothed=False, valid=False, full=False, epochs=()))
        await pilot.pause()
        alone = chart.rendered_text.splitlines()
        chart.set_data(data(epochs=(), **{k: k == kind for k in ("smoothed", "valid", "full")}))
        await pilot.pause()
        both = chart.rendered_text.splitlines()

    assert entries(alone[0]) == {RAW_MARK: "raw train"}
    assert mark not in plot_area(alone) and "┊" not in plot_area(alone) and "e2" not in "".join(alone)
    assert mark in plot_area(both) and mark in entries(both[0])
    assert set(entries(both[0])) == {RAW_MARK, mark}


@pytest.mark.parametrize("width", [76, 56, 40, 30])
async def test_a_narrow_chart_shortens_the_names_but_keeps_every_series(width):
    async with ChartApp(width, 12).run_test(size=(80, 24)) as pilot:
        chart = pilot.app.query_one(LossChart)
        chart.set_data(data())
        await pilot.pause()
        lines = chart.rendered_text.splitlines()

    assert all(len(line) <= width for line in lines)
    found = entries(lines[0])
    assert set(found) == {RAW_MARK, SMOOTHED_MARK, VALID_MARK, FULL_MARK, EPOCH_MARK}
    assert all(found.values())                                   # every mark still has its (short) name
    assert found[VALID_MARK] in ("validation", "val", "v") and found[SMOOTHED_MARK] in ("smoothed", "smooth", "s")
    assert "┌" in lines[1]                                       # the plot is below the legend, not under it


async def test_a_low_chart_writes_the_legend_into_its_top_edge_and_keeps_its_rows_for_the_curves():
    async with ChartApp(76, 6).run_test(size=(80, 24)) as pilot:
        chart = pilot.app.query_one(LossChart)
        chart.set_data(data())
        await pilot.pause()
        lines = chart.rendered_text.splitlines()

    assert lines[0].lstrip().startswith("┌ ⠿") and lines[0].rstrip().endswith("┐")
    assert set(entries(lines[0])) == {RAW_MARK, SMOOTHED_MARK, VALID_MARK, FULL_MARK, EPOCH_MARK}
    assert len(plot_area(lines).splitlines()) == 3               # 6 rows: edge, 3 of curves, edge, step labels


async def test_a_redraw_of_the_same_picture_repaints_nothing_legend_included(monkeypatch):
    async with ChartApp(70, 20).run_test(size=(80, 24)) as pilot:
        chart = pilot.app.query_one(LossChart)
        chart.set_data(data())
        await pilot.pause()
        before, renders = chart.rendered_text, chart.renders
        refreshed = []
        monkeypatch.setattr(chart, "refresh", lambda *regions, **kw: refreshed.append(regions) or chart)
        chart._signature = chart._drawn = None          # make plotext run again on the same data
        chart.set_data(replace(data(), key=("another", "poll")))
        assert chart.renders == renders + 1               # drawn again...
        assert refreshed == [] and chart.rendered_text == before     # ...and not a cell sent


async def test_a_job_without_a_validation_file_has_no_validation_entry(world, clock, make_app):
    job_id = world.create_job(total_steps=300, n_epochs=3, validation=False, timing=BRISK, step_seconds=1.0,
                              start_delay=-(2 + 1 + 2 + 150))
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await loaded(pilot, job_id)
        chart = app.screen.query_one(LossChart)
        await wait_for(pilot, lambda: "raw" in chart.rendered_text, what="the chart's legend")
        lines = chart.rendered_text.splitlines()

    found = entries(lines[0])
    assert set(found) == {RAW_MARK, SMOOTHED_MARK, EPOCH_MARK}
    assert "val" not in lines[0] and VALID_MARK not in plot_area(lines) and FULL_MARK not in plot_area(lines)
    assert "┬e2" in lines[1]


@pytest.mark.parametrize("size", [(120, 35), (80, 24)])
async def test_the_monitor_shows_the_legend_for_a_validated_job(world, clock, make_app, monkeypatch, size):
    monkeypatch.setenv("NO_COLOR", "1")
    job_id = world.create_job(total_steps=300, n_epochs=3, timing=BRISK, step_seconds=1.0,
                              start_delay=-(2 + 1 + 2 + 150))
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await loaded(pilot, job_id)
        chart = app.screen.query_one(LossChart)
        await wait_for(pilot, lambda: FULL_MARK in chart.rendered_text.splitlines()[0], what="full validation")
        lines = chart.rendered_text.splitlines()
        width = chart.size.width

    found = entries(lines[0])
    assert set(found) == {RAW_MARK, SMOOTHED_MARK, VALID_MARK, FULL_MARK, EPOCH_MARK}
    assert all(found.values()) and all(len(line) <= width for line in lines)
    area = plot_area(lines)
    assert VALID_MARK in area and FULL_MARK in area and EPOCH_MARK in area and BRAILLE & set(area)
