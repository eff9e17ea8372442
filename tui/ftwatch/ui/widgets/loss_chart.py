"""The metric chart: plotext output kept as lines, repainted only where it changed.

A chart that calls `Static.update` with a fresh plot on every poll rewrites every row of it on the
terminal (several KB per step). `LossChart` keeps the lines it drew last, diffs the new ones cell by cell and
refreshes only the changed span of each changed row: with a fixed x axis and stable y limits a new step
touches a few cells near the right end of the curve. A poll that brings no new point renders nothing, and
while a job is followed the chart is redrawn only once its curve has grown by a braille dot column (drawing
is most of what following a job costs in CPU).
"""

from __future__ import annotations

from dataclasses import dataclass
from time import monotonic
from typing import Protocol

from rich.text import Text

from ftwatch.ui.widgets.chart_render import (
    ChartColors,
    ChartSpec,
    message_lines,
    pixel_signature,
    plot_columns,
    render_chart,
)
from ftwatch.ui.widgets.diff_lines import DiffLines

REDRAW_AT_LEAST_EVERY = 10.0     # seconds: growth within one dot column is drawn at most this late


class Downsampled(Protocol):
    def __len__(self) -> int: ...
    def downsample(self, width: int, x_range: tuple[float, float] | None = None) -> tuple[list[float], list[float]]: ...


@dataclass(frozen=True, slots=True)
class ChartData:
    """What to draw, not yet reduced: the widget downsamples to its own width."""

    key: tuple = ()                          # changes whenever anything drawn changes (lengths, options)
    identity: tuple = ()                     # the same while only new points arrive (job, metric, options)
    newest_step: float | None = None         # of the raw series
    raw: Downsampled | None = None
    smoothed: Downsampled | None = None
    valid: Downsampled | None = None
    full: Downsampled | None = None
    x_max: float | None = None
    epochs: tuple[float, ...] = ()
    checkpoints: tuple[float, ...] = ()      # the checkpoints' steps (a few: one per epoch)
    log_scale: bool = False
    message: str = ""                        # shown instead of a plot (e.g. "connecting…")


class LossChart(DiffLines):
    COMPONENT_CLASSES = {"loss-chart--raw", "loss-chart--smoothed", "loss-chart--valid", "loss-chart--full",
                         "loss-chart--epoch", "loss-chart--checkpoint"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data = ChartData(message="connecting…")
        self._drawn_key: tuple | None = None
        self._drawn: tuple | None = None     # (identity, width, height, newest step, when) of the picture on screen
        self._signature: tuple | None = None
        self._last_lines: list[Text] = []
        self._chart_colors: ChartColors | None = None
        self.renders = 0                     # how many times plotext ran (tests check a quiet poll adds none)

    def set_data(self, data: ChartData) -> None:
        self._data = data
        self.rebuild()

    def notify_style_update(self) -> None:
        self._drawn_key = self._signature = self._drawn = self._chart_colors = None
        super().notify_style_update()

    def _moves_no_column(self, data: ChartData, width: int, height: int) -> bool:
        """True when `data` only adds points to the picture on screen and the newest of them still falls in
        the same braille dot column: while following a job, the chart is redrawn when the curve has grown by a
        dot (every ~4 steps of a 1,000-step job at 120 columns), not on every poll, and at least every
        `REDRAW_AT_LEAST_EVERY` seconds (a long job's newest column can still move: a spike shows). Anything
        else (another job, metric, option or size; an axis not pinned to the job's length) redraws at once."""
        drawn = self._drawn
        if (drawn is None or not data.identity or not data.x_max or data.newest_step is None
                or drawn[:3] != (data.identity, width, height) or drawn[3] is None
                or monotonic() - drawn[4] >= REDRAW_AT_LEAST_EVERY):
            return False
        steps_per_dot = float(data.x_max) / (2 * plot_columns(width))
        return int(data.newest_step / steps_per_dot) == int(drawn[3] / steps_per_dot)

    def _colors(self) -> ChartColors:
        """The curves' colours, blended over the background (`$foreground 30%`): worked out once per style
        change rather than at every redraw (each walks the widget's ancestors)."""
        if self._chart_colors is None:
            def rgb(name: str):
                color = self.get_component_rich_style(f"loss-chart--{name}").color
                return tuple(color.get_truecolor()) if color is not None else None

            self._chart_colors = ChartColors(raw=rgb("raw"), smoothed=rgb("smoothed"), valid=rgb("valid"),
                                             full=rgb("full"), epoch=rgb("epoch"), checkpoint=rgb("checkpoint"))
        return self._chart_colors

    def build_lines(self, width: int, height: int) -> list[Text]:
        data = self._data
        key = (data.key, data.message, width, height)
        if key == self._drawn_key:
            return self._last_lines
        self._drawn_key = key
        if data.message:
            self._signature = self._drawn = None
            lines = message_lines(data.message, width, height)
        elif self._moves_no_column(data, width, height):
            return self._last_lines
        else:
            self._drawn = (data.identity, width, height, data.newest_step, monotonic())
            columns = plot_columns(width)
            # Columns pinned to the whole job (0 .. total steps): a new step lands in the same column as its
            # neighbours instead of re-bucketing the whole curve.
            x_range = (0.0, float(data.x_max)) if data.x_max else None

            def reduce(series: Downsampled | None):
                return series.downsample(columns, x_range) if series is not None and len(series) else None

            spec = ChartSpec(width=width, height=height, raw=reduce(data.raw), smoothed=reduce(data.smoothed),
                             valid=reduce(data.valid), full=reduce(data.full), x_max=data.x_max,
                             epochs=data.epochs, checkpoints=data.checkpoints, log_scale=data.log_scale,
                             colors=self._colors())
            signature = pixel_signature(spec)
            if signature == self._signature:
                return self._last_lines            # the new points move no dot: skip plotext
            self._signature = signature
            lines = render_chart(spec)
            self.renders += 1
        self._last_lines = lines
        return lines
