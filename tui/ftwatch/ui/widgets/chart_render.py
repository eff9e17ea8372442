"""Draw a metric chart with plotext 6 into a list of `rich.text.Text` lines, one per terminal row.

The input is already reduced to the chart's width (min/max per column), so a render costs the same at
1,000 or 100,000 steps (~5 ms at 120x30). plotext is imported on first use: it costs ~0.25 s, which must not
delay the first frame. Its figure is module-global, so call this on the UI thread only.

Stable axes keep repaints small: the x axis spans the whole job (0 .. total steps) so a new step does not
shift every column, and the y limits are rounded outwards to "nice" numbers so they move only when the loss
leaves the current range. Between two polls most lines of the chart are therefore identical.

Each series has its own mark (braille raw, `•` smoothed, `×` validation, `◆` full validation, `┊` epochs,
`▲` checkpoints in the bottom edge) and the first row is a legend of the drawn ones (`chart_legend`), so the
chart reads without colour. Checkpoint marks cost a few cells per redraw: a job has a handful of them (one
per epoch), and they are written into the edge plotext drew, never plotted point by point.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from rich.color import Color
from rich.style import Style
from rich.text import Span, Text

from ftwatch.ui.widgets import chart_legend

RGB = tuple[int, int, int]
Points = tuple[Sequence[float], Sequence[float]]


@dataclass(frozen=True, slots=True)
class ChartColors:
    raw: RGB | None = None
    smoothed: RGB | None = None
    valid: RGB | None = None
    full: RGB | None = None
    epoch: RGB | None = None
    checkpoint: RGB | None = None


@dataclass(frozen=True, slots=True)
class ChartSpec:
    width: int
    height: int
    raw: Points | None = None          # braille dots, faint, behind everything
    smoothed: Points | None = None     # a line of `•`
    valid: Points | None = None        # batch validation: `×` points
    full: Points | None = None         # full validation: `◆` points
    x_max: float | None = None         # total steps when known
    epochs: tuple[float, ...] = ()     # epoch boundaries (steps)
    checkpoints: tuple[float, ...] = ()  # the steps of the job's checkpoints: `▲` in the bottom edge
    log_scale: bool = False
    colors: ChartColors = ChartColors()


def plot_columns(width: int) -> int:
    """Columns left for data once the y labels and the frame are drawn: the width to downsample to."""
    return max(8, width - 9)


_HUGE = 1e150        # plotext's native kernel overflows (and aborts the process) on spans near 1e308
_TINY = 1e-300


def nice_limits(low: float, high: float, log_scale: bool = False) -> tuple[float, float, list[float]]:
    """Round outwards to 1, 2 or 5 x 10^k; return the limits and the tick values between them.

    Losses come from the server, so any finite float can arrive: limits are clamped to +-1e150 (so no span
    overflows to inf) and spans below 1e-300 are padded (so log10 of a subnormal step never sees 0).
    """
    low = min(max(low, -_HUGE), _HUGE)
    high = min(max(high, -_HUGE), _HUGE)
    if log_scale:
        low = max(low, _TINY)
        high = max(high, low)
        marks = [m * 10.0**k for k in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
                 for m in (1, 2, 5)]
        lower, upper = max(m for m in marks if m <= low), min(m for m in marks if m >= high)
        inside = [m for m in marks if lower <= m <= upper]
        decades = [m for m in inside if math.isclose(math.log10(m) % 1, 0, abs_tol=1e-9)]
        return lower, upper, decades if len(decades) >= 2 else inside
    if high - low < _TINY:
        pad = abs(low) * 0.1 if abs(low) * 0.1 >= _TINY else 1.0
        low, high = low - pad, high + pad
    raw_step = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step)
    lower, upper = math.floor(low / step) * step, math.ceil(high / step) * step
    count = round((upper - lower) / step)
    return lower, upper, [lower + i * step for i in range(count + 1)]


def nice_ticks(upper: float, count: int) -> list[int]:
    """Whole-step tick positions from 0 to `upper`, about `count` of them."""
    if upper <= 0 or count <= 0:
        return [0]
    raw_step = upper / count
    magnitude = 10 ** math.floor(math.log10(max(raw_step, 1)))
    step = int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step))
    return list(range(0, int(upper) + 1, max(1, step)))


def _plotted(spec: ChartSpec) -> tuple[list[Points], list[float]]:
    series = [p for p in (spec.raw, spec.smoothed, spec.valid, spec.full) if p and len(p[0])]
    ys = [y for _, values in series for y in values if math.isfinite(y) and (y > 0 or not spec.log_scale)]
    return series, ys


def pixel_signature(spec: ChartSpec) -> tuple:
    """Everything the picture depends on, with points snapped to a grid 4x finer than braille dots.

    Two specs with the same signature draw the same chart, so a poll whose new step moves no dot skips
    plotext entirely (most polls of a long job: its last column's min/max rarely moves a whole dot).
    """
    series, ys = _plotted(spec)
    if not ys:
        return ("empty", spec.width, spec.height)
    low, high, _ = nice_limits(min(ys), max(ys), spec.log_scale)
    x_upper = max(float(spec.x_max or max(max(xs) for xs, _ in series)), 1.0)
    transform = math.log10 if spec.log_scale else float
    bottom, top = transform(low), transform(high)
    x_scale = plot_columns(spec.width) * 2 * 4 / x_upper
    y_scale = spec.height * 4 * 4 / ((top - bottom) or 1.0)
    snapped: list[tuple] = []
    for points in (spec.raw, spec.smoothed, spec.valid, spec.full):
        if not points:
            snapped.append(())
            continue
        snapped.append(tuple((int(x * x_scale), int((transform(y) - bottom) * y_scale))
                             for x, y in zip(*points) if math.isfinite(y) and (y > 0 or not spec.log_scale)))
    return (spec.width, spec.height, low, high, x_upper, spec.epochs, spec.checkpoints, spec.log_scale,
            spec.colors, *snapped)


def preload() -> None:
    """Import plotext off the UI thread (a worker thread, after the first frame), so the first chart that is
    drawn does not freeze the screen for the import."""
    import plotext  # noqa: F401


LEGEND_ROW_FROM = 10     # rows: a chart this tall gives its legend a row of its own, a lower one its top edge


def render_chart(spec: ChartSpec) -> list[Text]:
    """The chart as `spec.height` lines: the legend, then plotext's plot (a low chart writes the legend into
    the plot's top edge instead, so its few rows stay for the curves)."""
    series, ys = _plotted(spec)
    if not ys:
        return message_lines("waiting for the first training step…", spec.width, spec.height)
    if spec.width < 20 or spec.height < 4:
        return message_lines("no room for the chart: enlarge the terminal", spec.width, spec.height)
    import plotext as plt

    legend_row = spec.height >= LEGEND_ROW_FROM
    plot_height = spec.height - 1 if legend_row else spec.height
    fig = plt.figure
    plt.terminal.limit(False, False)   # or plotext caps the size at the tty's (80x24 without one)
    fig.clear()
    fig.theme("simple")
    fig.plot_size(spec.width, plot_height)
    x_upper = spec.x_max or max(max(xs) for xs, _ in series)
    x_upper = max(float(x_upper), 1.0)
    epochs = [e for e in spec.epochs if 0 < e < x_upper]
    if epochs:
        fig.event(epochs, pixel=_pixel(plt, spec.colors.epoch), style=chart_legend.EPOCH_LINE_STYLE)
    scale = _log10 if spec.log_scale else None
    # Each series has its own mark, so they differ without colour too (the legend shows the same marks).
    _draw(plt, fig, spec.raw, "braille", spec.colors.raw, lines=True, scale=scale)
    _draw(plt, fig, spec.smoothed, chart_legend.SMOOTHED_MARK, spec.colors.smoothed, lines=True, scale=scale)
    _draw(plt, fig, spec.valid, chart_legend.VALID_MARK, spec.colors.valid, lines=False, scale=scale)
    _draw(plt, fig, spec.full, chart_legend.FULL_MARK, spec.colors.full, lines=False, scale=scale)
    low, high, y_ticks = nice_limits(min(ys), max(ys), spec.log_scale)
    fig.ruler("x").lim(0, x_upper)
    ticks = nice_ticks(x_upper, max(2, spec.width // 14))
    fig.ruler("x").ticks(ticks, [str(t) for t in ticks])
    y_ticks = y_ticks[:: max(1, math.ceil(len(y_ticks) / max(2, plot_height // 2)))]
    labels = [f"{t:.3g}" for t in y_ticks]
    if spec.log_scale:   # plotted as log10(y) on a linear axis, labelled with the real values
        low, high, y_ticks = math.log10(low), math.log10(high), [math.log10(t) for t in y_ticks]
    fig.ruler("y").lim(low, high)
    fig.ruler("y").ticks(y_ticks, labels)
    rendered = fig.build().string()
    # A redraw after a new step changes a few rows near the curve's end: the rows plotext printed exactly as
    # last time are the same Text objects as last time (no parsing, and the widget's diff sees `is`).
    global _previous_rows
    previous, rows = _previous_rows, {}
    lines = []
    for row in rendered.split("\n")[:plot_height]:
        line = previous.get(row)
        if line is None:
            line = _parse_line(row)
        rows[row] = line
        lines.append(line)
    _previous_rows = rows
    lines += [Text()] * (plot_height - len(lines))
    marked = _mark_checkpoints(lines, spec.checkpoints, x_upper, spec.colors.checkpoint)
    return _with_legend(spec, lines, len(epochs), legend_row, marked)


def checkpoint_columns(steps: Sequence[float], x_upper: float, left: int, right: int) -> tuple[int, ...]:
    """The columns of the plot's edge (corners at `left` and `right`) where these steps fall: the x axis
    spans 0 .. `x_upper` over the cells between the corners, as plotext maps it (its epoch lines land on
    the same columns, give or take one at an exact half)."""
    cells = right - left - 1
    if cells <= 0 or x_upper <= 0:
        return ()
    return tuple(left + 1 + math.floor(step / x_upper * (cells - 1) + 0.5)
                 for step in steps if math.isfinite(step) and 0 < step <= x_upper)


def _mark_checkpoints(lines: list[Text], steps: tuple[float, ...], x_upper: float, rgb: RGB | None) -> bool:
    """`▲` in the bottom edge at each checkpoint's step (in place); True when at least one was written."""
    if not steps:
        return False
    row = next((i for i in range(len(lines) - 1, -1, -1) if "└" in lines[i].plain), None)
    if row is None:
        return False
    edge = lines[row].plain
    columns = checkpoint_columns(steps, x_upper, edge.find("└"), edge.rfind("┘"))
    if not columns:
        return False
    style = Style(color=Color.from_rgb(*rgb)) if rgb else None
    lines[row] = chart_legend.mark_columns(lines[row], columns, style)
    return True


def _with_legend(spec: ChartSpec, lines: list[Text], epochs: int, legend_row: bool,
                 checkpoints: bool = False) -> list[Text]:
    """The legend above the plot (or in its top edge), naming the drawn series beside their marks, and the
    epochs numbered in the top edge."""
    kinds, colors = _legend_kinds(spec, epochs, checkpoints)
    frame = lines[0]
    left = max(0, frame.plain.find("┌"))
    if legend_row:
        text = chart_legend.legend(kinds, spec.width - left, colors)
        legend_line = Text(" " * left, no_wrap=True, end="") + text if left else text
        return [legend_line, chart_legend.label_epochs(frame, epochs), *lines[1:]]
    text = chart_legend.legend(kinds, max(0, frame.plain.rfind("┐") - left - 3), colors)
    return [chart_legend.label_epochs(chart_legend.in_frame(frame, text), epochs, frame), *lines[1:]]


def _legend_kinds(spec: ChartSpec, epochs: int, checkpoints: bool = False) -> tuple[tuple[str, ...], tuple]:
    def drawn(points: Points | None) -> bool:
        return bool(points) and any(math.isfinite(y) and (y > 0 or not spec.log_scale) for y in points[1])

    colors = spec.colors
    found = [(kind, rgb) for kind, points, rgb in (("raw", spec.raw, colors.raw),
                                                    ("smoothed", spec.smoothed, colors.smoothed),
                                                    ("valid", spec.valid, colors.valid),
                                                    ("full", spec.full, colors.full)) if drawn(points)]
    if epochs:
        found.append(("epoch", colors.epoch))
    if checkpoints:
        found.append(("checkpoint", colors.checkpoint))
    return tuple(k for k, _ in found), tuple(c for _, c in found)


_previous_rows: dict[str, Text] = {}       # the last render's rows, as printed by plotext -> parsed (never mutated)


_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_CONTROL = re.compile("[\x07\x08\x0b\x0c\x0d]")     # what rich's Text strips


@lru_cache(maxsize=256)
def _style(params: str) -> Style | None:
    """The foreground colour (and bold) of one SGR sequence; plotext's backgrounds are dropped so the
    widget's themed background shows through."""
    codes = params.split(";") if params else ["0"]
    color, bold, i = None, False, 0
    while i < len(codes):
        code = codes[i]
        if code == "38" and i + 1 < len(codes):
            if codes[i + 1] == "5" and i + 2 < len(codes):
                color, i = Color.from_ansi(int(codes[i + 2])), i + 3
                continue
            if codes[i + 1] == "2" and i + 4 < len(codes):
                color = Color.from_rgb(int(codes[i + 2]), int(codes[i + 3]), int(codes[i + 4]))
                i += 5
                continue
        elif code == "48" and i + 1 < len(codes):
            i += 3 if codes[i + 1] == "5" else 5
            continue
        elif code == "1":
            bold = True
        i += 1
    return Style(color=color, bold=bold or None) if color is not None or bold else None


def _parse_line(line: str) -> Text:
    """plotext's ANSI output as a Text (several times faster than `Text.from_ansi`, which dominated a redraw).

    plotext resets (`ESC[0m`) before every change, so each run of text carries exactly the SGR codes that
    precede it since the last reset. The Text is built from its plain string and spans in one go (`Text.append`
    per run cost a fifth of a redraw)."""
    parts: list[str] = []
    spans: list[Span] = []
    params = ""
    position = offset = 0
    for match in _SGR.finditer(line):
        start = match.start()
        if start > position:
            offset = _add_run(parts, spans, line[position:start], params, offset)
        code = match.group(1)
        params = "" if code in ("", "0") else f"{params};{code}" if params else code
        position = match.end()
    if position < len(line):
        _add_run(parts, spans, line[position:], params, offset)
    plain = "".join(parts)
    if _CONTROL.search(plain):       # never from plotext; Text would strip them and shift the spans after
        return _slow_parse(line)
    return Text(plain, no_wrap=True, spans=spans)


def _add_run(parts: list[str], spans: list[Span], run: str, params: str, offset: int) -> int:
    parts.append(run)
    style = _style(params)
    end = offset + len(run)
    if style is not None:
        spans.append(Span(offset, end, style))
    return end


def _slow_parse(line: str) -> Text:
    """The run-by-run version, for a line carrying control characters (Text.append drops them run by run)."""
    text = Text(no_wrap=True)
    params = ""
    position = 0
    for match in _SGR.finditer(line):
        if match.start() > position:
            text.append(line[position:match.start()], _style(params))
        code = match.group(1)
        params = "" if code in ("", "0") else f"{params};{code}" if params else code
        position = match.end()
    if position < len(line):
        text.append(line[position:], _style(params))
    return text


def message_lines(message: str, width: int, height: int) -> list[Text]:
    """The message centred in the chart's room, wrapped at spaces so none of it is lost to the width (an
    error's whole text is shown here); only a message taller than the room ends in an ellipsis."""
    lines = [Text() for _ in range(max(0, height))]
    if not lines or width <= 0:
        return lines
    rows = textwrap.wrap(message, width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(rows) > len(lines):
        rows = rows[:len(lines)]
        rows[-1] = rows[-1][:max(0, width - 1)] + "…"
    top = (len(lines) - len(rows)) // 2
    for offset, row in enumerate(rows):
        lines[top + offset] = Text(row.center(width), style="dim")
    return lines


def _pixel(plt, rgb: RGB | None):
    return plt.pixel(foreground=rgb) if rgb else plt.pixel()


def _log10(values: Sequence[float]) -> list[float]:
    return [math.log10(v) if v > 0 and math.isfinite(v) else math.nan for v in values]


def _draw(plt, fig, points: Points | None, symbol: str, rgb: RGB | None, *, lines: bool, scale=None) -> None:
    if not points or not len(points[0]):
        return
    xs, ys = points
    if scale is not None:
        ys = scale(ys)
    # plotext's native kernel aborts the whole process on NaN/inf: only finite points may reach it.
    finite = [(x, y) for x, y in zip(xs, ys) if math.isfinite(x) and math.isfinite(y)]
    if not finite:
        return
    xs, ys = [x for x, _ in finite], [min(max(y, -_HUGE), _HUGE) for _, y in finite]
    signal = fig.signal(xs, ys, marker=plt.marker(symbol, pixel=_pixel(plt, rgb)))
    if lines and len(xs) > 1:
        signal.lines()
    fig.draw(signal)
