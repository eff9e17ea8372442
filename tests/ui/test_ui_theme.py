"""Colours are remembered between polls (they cost more to work out than the text they paint), so a theme
change must still recolour what is on screen: the progress bar and the chart's curves."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult

from ftwatch.domain.metrics.store import MetricStore
import ftwatch.ui.app as app_module
from ftwatch.ui.app import FtwatchApp
from ftwatch.ui.widgets.job_progress import JobProgress, ProgressView
from ftwatch.ui.widgets.loss_chart import ChartData, LossChart


class PartsApp(App):
    CSS_PATH = [Path(app_module.__file__).parent / css for css in FtwatchApp.CSS_PATH]
    CSS = "LossChart { height: 12; }"

    def compose(self) -> ComposeResult:
        yield JobProgress()
        yield LossChart()


def colours(widget, only: str = "") -> set:
    """Foreground colours of what the widget draws (of the characters in `only`, if given)."""
    width, height = widget.size
    return {segment.style.color for y in range(height) for segment in widget.render_line(y)
            if segment.style is not None and segment.style.color is not None and segment.text.strip()
            and (not only or any(c in only for c in segment.text))}


CURVE = "".join(chr(c) for c in range(0x2801, 0x2900))     # braille dots: the curves, not the axes


async def test_a_new_theme_recolours_the_progress_bar_and_the_chart():
    store = MetricStore()
    for step in range(1, 41):
        store.add_values(step, 100, {"train_loss": 2.0 / step})
    raw = store.get("train_loss").view()
    identity = ("job", "loss", 0.0, 100, False, ())
    async with PartsApp().run_test(size=(80, 16)) as pilot:
        pilot.app.theme = "textual-dark"
        progress, chart = pilot.app.query_one(JobProgress), pilot.app.query_one(LossChart)
        progress.show(ProgressView(fraction=0.4, counts="40/100", label="ETA 1m"))
        chart.set_data(ChartData(key=(*identity, 40), identity=identity, newest_step=40.0, raw=raw, x_max=100))
        await pilot.pause()
        bar_before, chart_before = colours(progress), colours(chart, CURVE)
        progress.show(ProgressView(fraction=0.41, counts="41/100", label="ETA 1m"))   # memos are warm
        await pilot.pause()
        pilot.app.theme = "textual-light"
        await pilot.pause()
        bar_after, chart_after = colours(progress), colours(chart, CURVE)
    assert bar_before and chart_before
    assert bar_after != bar_before
    assert chart_after != chart_before
