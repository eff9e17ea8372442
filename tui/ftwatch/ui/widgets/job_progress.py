"""Step/total bar with the ETA, and the latest metrics in one compact line.

Never indeterminate: Textual's ProgressBar animates at 15 fps while the total is unknown and re-renders its
ETA every second. Here the bar is drawn only when the step, the total, the label or the width changes; while
the total is unknown (queued, validating) it is an empty track that says what the job is waiting for.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from ftwatch.ui.widgets.diff_lines import ViewLines

BAR_DONE, BAR_HEAD, BAR_TODO = "━", "╸", "━"
TAIL_WIDTH = 34


@dataclass(frozen=True, slots=True)
class ProgressView:
    fraction: float | None = None      # 0..1, None when the total is unknown
    counts: str = ""                   # "118/500"
    label: str = ""                    # "ETA 3m 12s", "evaluating for 2m", "took 14m 03s"
    metrics: str = ""                  # "loss 0.412 · smoothed 0.398 · val 0.431"
    finished: bool = False


class JobProgress(ViewLines[ProgressView]):
    COMPONENT_CLASSES = {"job-progress--done", "job-progress--todo", "job-progress--finished",
                         "job-progress--label", "job-progress--metrics"}
    DEFAULT_CSS = """
    JobProgress { height: 2; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(ProgressView(label="connecting…"), id=id)

    def build_lines(self, width: int, height: int) -> list[Text]:
        view = self._view
        tail = "  ".join(part for part in (view.counts, _percent(view.fraction), view.label) if part)
        tail = tail.rjust(TAIL_WIDTH)   # a fixed width keeps the bar still while the ETA's length varies
        bar_width = max(0, width - len(tail) - 2)
        text = Text(no_wrap=True)
        done_style = "job-progress--finished" if view.finished else "job-progress--done"
        filled = 0 if view.fraction is None else min(bar_width, int(view.fraction * bar_width))
        text.append(BAR_DONE * filled, self.component_style(done_style))
        if 0 < filled < bar_width:
            text.append(BAR_HEAD, self.component_style(done_style))
            filled += 1
        text.append(BAR_TODO * (bar_width - filled), self.component_style("job-progress--todo"))
        if tail:
            text.append("  " + tail, self.component_style("job-progress--label"))
        metrics = Text(view.metrics, self.component_style("job-progress--metrics"))
        return [text, metrics]


def _percent(fraction: float | None) -> str:
    return "" if fraction is None else f"{fraction * 100:.0f}%"
