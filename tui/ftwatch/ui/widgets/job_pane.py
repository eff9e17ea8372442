"""The selected job: header, progress, chart and event log, fed one snapshot at a time (attributes down).

The pane holds no data of its own beyond what it shows; the screen hands it the latest snapshot of the
selected job and the chart options, and calls `tick` once a second for the ages.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from ftwatch.domain.snapshot import JobSnapshot, LinkState
from ftwatch.ui import presentation as p
from ftwatch.ui import views
from ftwatch.ui.monitor_state import ChartOptions
from ftwatch.ui.widgets.event_log import EventLog
from ftwatch.ui.widgets.job_header import HeaderView, JobHeader
from ftwatch.ui.widgets.job_progress import JobProgress, ProgressView
from ftwatch.ui.widgets.loss_chart import ChartData, LossChart
from ftwatch.ui.widgets.text_line import TextLine


class JobPane(Vertical):
    def __init__(self, *, poll_every: tuple[float, float] = (2.0, 10.0), id: str | None = None) -> None:
        """`poll_every`: the seconds between polls of an active job and of a waiting one, so the header can
        say "job updated every 2 s" while polls are on time and show an age only once one is late."""
        super().__init__(id=id)
        self._poll_every = poll_every

    def compose(self) -> ComposeResult:
        yield JobHeader(id="job-header")
        yield JobProgress(id="job-progress")
        with Horizontal(id="job-body"):
            with Vertical(id="chart-pane"):
                yield TextLine("", id="chart-caption", classes="caption")
                yield LossChart(id="chart")
            with Vertical(id="log-pane"):
                yield TextLine("events", id="log-caption", classes="caption")
                yield EventLog(id="log")

    def show(self, snapshot: JobSnapshot, options: ChartOptions, now: float) -> None:
        self.tick(snapshot, now)
        self.query_one(JobProgress).show(views.progress_view(snapshot, options.smoothing, options.family))
        data, caption = views.chart_view(snapshot, options.family, options.smoothing, options.log_scale)
        self.query_one(LossChart).set_data(data)
        self.query_one("#chart-caption", TextLine).show(caption)
        self.query_one(EventLog).show_events(snapshot.job.id, snapshot.events, snapshot.metrics.total_steps)

    def tick(self, snapshot: JobSnapshot, now: float) -> None:
        """Elapsed time and the poll's age; each repaints only if its words changed."""
        header = self.query_one(JobHeader)
        header.show(views.header_view(snapshot, now))
        phase, connection = snapshot.phase, snapshot.connection
        every = self._poll_every[0] if phase.is_active else self._poll_every[1]
        final = phase.is_terminal and connection.state is LinkState.OK     # its watcher has stopped
        header.show_age(p.link_text(connection, now, every, final=final, what="job"),
                        p.link_tone(connection, now, None if final else every))

    def show_placeholder(self, text: str, chart_message: str = "loading…") -> None:
        self.query_one(JobHeader).show(HeaderView(placeholder=text))
        self.query_one(JobProgress).show(ProgressView(label=chart_message))
        self.query_one(LossChart).set_data(ChartData(message=chart_message))
        self.query_one("#chart-caption", TextLine).show("")

    def follow_log(self) -> None:
        self.query_one(EventLog).action_follow()

    @on(EventLog.Following)
    def _on_following(self, message: EventLog.Following) -> None:
        if message.following:
            text = "events"
        elif message.unseen:
            text = f"events · paused · +{message.unseen} new (End or f follows)"
        else:
            text = "events · paused (End or f follows)"
        self.query_one("#log-caption", TextLine).show(text)
