"""The baseline for terminal bytes and CPU: a naive 1 Hz dashboard, the way most monitors are first written.

Every second it appends a metrics line to a scrolling `Log`, replaces a `Sparkline`'s data and moves a
`ProgressBar`: each of those repaints its whole widget. (Shared README: ~31 KB/s at 120x40.)
"""

from __future__ import annotations

import math
import random

from textual.app import App, ComposeResult
from textual.widgets import Log, ProgressBar, Sparkline

TOTAL = 1000


class NaiveDashboard(App):
    CSS = """
    Log { height: 1fr; }
    Sparkline { height: 4; }
    ProgressBar { height: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Log(id="log")
        yield Sparkline([], id="spark")
        yield ProgressBar(total=TOTAL, id="bar")

    def on_mount(self) -> None:
        self._rng = random.Random(7)
        self._losses: list[float] = []
        self.set_interval(1.0, self._step)

    def _step(self) -> None:
        step = len(self._losses) + 1
        loss = 2.5 / (1 + step / 100) + self._rng.random() * 0.3 + 0.05 * math.sin(step)
        self._losses.append(loss)
        self.query_one(Log).write_line(f"Step {step}/{TOTAL}: training loss={loss:.2f}")
        self.query_one(Sparkline).data = self._losses[-120:]
        self.query_one(ProgressBar).update(progress=step)


if __name__ == "__main__":
    NaiveDashboard().run()
