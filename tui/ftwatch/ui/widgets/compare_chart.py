"""The compare view's chart: several runs' smoothed losses overlaid, each in its own colour AND its own mark.

Colour alone cannot tell runs apart (NO_COLOR, monochrome terminals, colour blindness), so each run is drawn
with its own mark (`•`, `×`, `◆`, `▲`...), and the legend row above the plot shows that mark beside the
run's name; the row under the plot names the x axis ("step" or "fraction of training"), so `x` visibly
changes what the axis means. The same marks head the runs' columns in the table under the chart.

Drawn like `chart_render` draws the job chart: each run is reduced to the plot's columns first (min/max per
column, `domain.insight.compare.place`), so a render costs the same at 100 or 100,000 steps; y limits are
rounded outwards to nice numbers; plotext is imported on first use and called on the UI thread only (its
figure is module-global, shared with the job chart). The picture is cached: it is drawn again only when a
run's points, the axis, the size or the colours changed, so a running job's poll that adds nothing redraws
nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.color import Color
from rich.style import Style
from rich.text import Text

from ftwatch.domain.insight.compare import Axis, Reducible, axis_end, place
from ftwatch.ui.widgets.chart_render import message_lines, nice_limits, nice_ticks, plot_columns
from ftwatch.ui.widgets.diff_lines import DiffLines

RUN_MARKS = ("•", "×", "◆", "▲", "■", "○", "+", "*")
MAX_RUNS = len(RUN_MARKS)       # one mark per run: more would have to share, and then they don't read apart
RGB = tuple[int, int, int]
Points = tuple[list[float], list[float]]


def run_mark(index: int) -> str:
    return RUN_MARKS[index % len(RUN_MARKS)]


@dataclass(frozen=True, slots=True)
class RunCurve:
    name: str                        # the legend's words, already cleaned
    series: Reducible | None         # the smoothed series to draw (None: nothing read yet)
    length: int | None               # the run's steps (`compare.run_length`): where its fraction reaches 1


@dataclass(frozen=True, slots=True)
class CompareData:
    runs: tuple[RunCurve, ...] = ()
    axis: Axis = Axis.STEP
    key: tuple = ()                  # changes whenever anything drawn changes (series lengths, axis, names)
    message: str = ""                # shown instead of a plot


@dataclass(frozen=True, slots=True)
class CompareSpec:
    width: int
    height: int
    curves: tuple[Points, ...]       # one per run, already on the axis
    names: tuple[str, ...]
    axis: Axis
    x_end: float
    colors: tuple[RGB | None, ...] = ()


def axis_ticks(axis: Axis, x_end: float, width: int) -> tuple[list[float], list[str]]:
    """Tick positions and labels: nice whole steps, or quarters (tenths when wide) of training."""
    count = max(2, width // 14)
    if axis is Axis.FRACTION:
        parts = 10 if count >= 10 else 4
        ticks = [k / parts for k in range(parts + 1)]
        return ticks, [f"{t:g}" for t in ticks]
    steps = nice_ticks(x_end, count)
    return [float(t) for t in steps], [str(t) for t in steps]


def legend_line(names: tuple[str, ...], colors: tuple[RGB | None, ...], width: int) -> Text:
    """`• run-a  × run-b  ◆ run-c`, each name shortened alike until the row fits (the marks always stay)."""
    text = Text(no_wrap=True, end="")
    if not names or width <= 0:
        return text
    room = max(1, max(len(n) for n in names))
    while room > 1 and sum(2 + min(len(n), room) for n in names) + 2 * (len(names) - 1) > width:
        room -= 1
    for index, name in enumerate(names):
        if index:
            text.append("  ")
        rgb = colors[index] if index < len(colors) else None
        text.append(run_mark(index), Style(color=Color.from_rgb(*rgb)) if rgb else None)
        text.append(" " + (name if len(name) <= room else name[:max(0, room - 1)] + "…"))
    text.truncate(width)
    return text


def render_runs(spec: CompareSpec) -> list[Text]:
    """The chart as `spec.height` lines: the legend, plotext's plot, then the x axis's name."""
    ys = [y for _, values in spec.curves for y in values if math.isfinite(y)]
    if not ys:
        return message_lines("waiting for the first training step of the marked runs…", spec.width, spec.height)
    plot_height = spec.height - 2
    if spec.width < 20 or plot_height < 4:
        return message_lines("no room for the chart: enlarge the terminal", spec.width, spec.height)
    import plotext as plt

    fig = plt.figure
    plt.terminal.limit(False, False)   # or plotext caps the size at the tty's (80x24 without one)
    fig.clear()
    fig.theme("simple")
    fig.plot_size(spec.width, plot_height)
    for index, (xs, values) in enumerate(spec.curves):
        _draw(plt, fig, xs, values, run_mark(index), spec.colors[index] if index < len(spec.colors) else None)
    low, high, y_ticks = nice_limits(min(ys), max(ys))
    fig.ruler("x").lim(0, spec.x_end)
    ticks, labels = axis_ticks(spec.axis, spec.x_end, spec.width)
    fig.ruler("x").ticks(ticks, labels)
    y_ticks = y_ticks[:: max(1, math.ceil(len(y_ticks) / max(2, plot_height // 2)))]
    fig.ruler("y").lim(low, high)
    fig.ruler("y").ticks(y_ticks, [f"{t:.3g}" for t in y_ticks])
    rows = [Text.from_ansi(row, no_wrap=True, end="") for row in fig.build().string().split("\n")[:plot_height]]
    rows += [Text()] * (plot_height - len(rows))
    left = max(0, rows[0].plain.find("┌"))
    legend = legend_line(spec.names, spec.colors, spec.width - left)
    label = Text(f"{spec.axis.label} →", style="dim", no_wrap=True, end="")
    label.pad_left(max(0, left + (spec.width - left - len(label.plain)) // 2))
    return [Text(" " * left, no_wrap=True, end="") + legend, *rows, label]


def _draw(plt, fig, xs: list[float], ys: list[float], mark: str, rgb: RGB | None) -> None:
    # plotext's native kernel aborts the whole process on NaN/inf: only finite points may reach it.
    finite = [(x, y) for x, y in zip(xs, ys) if math.isfinite(x) and math.isfinite(y)]
    if not finite:
        return
    pixel = plt.pixel(foreground=rgb) if rgb else plt.pixel()
    signal = fig.signal([x for x, _ in finite], [min(max(y, -1e150), 1e150) for _, y in finite],
                        marker=plt.marker(mark, pixel=pixel))
    if len(finite) > 1:
        signal.lines()
    fig.draw(signal)


class CompareChart(DiffLines):
    COMPONENT_CLASSES = {f"compare-chart--run-{k}" for k in range(1, MAX_RUNS + 1)}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data = CompareData(message="loading the marked runs…")
        self._drawn: tuple | None = None
        self._last_lines: list[Text] = []
        self._colors: tuple[RGB | None, ...] | None = None
        self.renders = 0                 # how many times plotext ran (tests check an unchanged poll adds none)

    @property
    def data(self) -> CompareData:
        return self._data

    def set_data(self, data: CompareData) -> None:
        self._data = data
        self.rebuild()

    def notify_style_update(self) -> None:
        self._colors = None
        self._drawn = None
        super().notify_style_update()

    def run_colors(self) -> tuple[RGB | None, ...]:
        """Each run's colour from the theme (compare.tcss), worked out once per style change."""
        if self._colors is None:
            def rgb(k: int) -> RGB | None:
                color = self.get_component_rich_style(f"compare-chart--run-{k}").color
                return tuple(color.get_truecolor()) if color is not None else None

            self._colors = tuple(rgb(k) for k in range(1, MAX_RUNS + 1))
        return self._colors

    def build_lines(self, width: int, height: int) -> list[Text]:
        data = self._data
        colors = self.run_colors()
        key = (data.key, data.message, data.axis, width, height, colors)
        if key == self._drawn:
            return self._last_lines
        self._drawn = key
        if data.message:
            lines = message_lines(data.message, width, height)
        else:
            columns = plot_columns(width)
            end = axis_end(data.axis, [run.length for run in data.runs])
            curves = tuple(place(run.series, run.length, data.axis, columns, end) if run.series is not None
                           else ([], []) for run in data.runs)
            lines = render_runs(CompareSpec(width=width, height=height, curves=curves,
                                            names=tuple(run.name for run in data.runs), axis=data.axis,
                                            x_end=end, colors=colors))
            self.renders += 1
        self._last_lines = lines
        return lines
