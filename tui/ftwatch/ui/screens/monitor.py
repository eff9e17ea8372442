"""The one screen of ftwatch: the jobs list on top, the selected job below; it routes, it does not decide.

Its workers (`PollWorkers`) post messages carrying frozen snapshots. What to believe when two polls disagree
is `MonitorState`'s decision, what to say is `views`', the job keys' conversation is `JobActions`', finish
notices are `FinishAnnouncer`'s; the handlers here hand each piece to the widget that shows it.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from ftwatch.domain.metrics.smoothing import weight_for
from ftwatch.domain.snapshot import JobSnapshot, LinkState
from ftwatch.domain.text import clean
from ftwatch.ui import messages as m
from ftwatch.ui import presentation as p
from ftwatch.ui import views
from ftwatch.ui.job_actions import JobActions
from ftwatch.ui.min_size import too_small
from ftwatch.ui.monitor_state import ChartOptions, MonitorState
from ftwatch.ui.notices import FinishAnnouncer
from ftwatch.ui.poll_workers import PollWorkers, SourceFactory
from ftwatch.ui.screens.checkpoints import CheckpointsView
from ftwatch.ui.screens.commands import JumpToJob, RunAction
from ftwatch.ui.screens.job_details import JobDetails, detail_rows
from ftwatch.ui.widgets import chart_render
from ftwatch.ui.widgets.event_log import EventLog
from ftwatch.ui.widgets.job_list import JobList
from ftwatch.ui.widgets.job_pane import JobPane
from ftwatch.ui.widgets.jobs_panel import JobsPanel
from ftwatch.ui.widgets.status_line import StatusLine, StatusView

JOBS = Binding.Group("Jobs", compact=True)               # the footer shows "jk Jobs"
SMOOTHING = Binding.Group("Smoothing", compact=True)     # and "[] Smoothing"
PEEKS_AT_ONCE = 40      # finished jobs read for their rows per jobs-list poll (one small request each)
RESULTS_AT_ONCE = 3     # finished jobs' result files read (once each) for their rows' health per jobs-list poll


class MonitorScreen(Screen):
    COMMANDS = {JumpToJob, RunAction}
    BINDINGS = [
        Binding("j", "move(1)", "Next job", group=JOBS, id="jobs.next"),
        Binding("k", "move(-1)", "Previous job", group=JOBS, id="jobs.previous"),
        Binding("slash", "filter", "Filter", key_display="/", id="jobs.filter"),
        Binding("s", "sort", "Sort", show=False, id="jobs.sort"),
        Binding("left_square_bracket", "smoothing(False)", "Smooth less", key_display="[", group=SMOOTHING,
                id="chart.smooth_less"),
        Binding("right_square_bracket", "smoothing(True)", "Smooth more", key_display="]", group=SMOOTHING,
                id="chart.smooth_more"),
        Binding("equals_sign", "smoothing_auto", "Auto smoothing", key_display="=", show=False,
                id="chart.smooth_auto"),
        Binding("l", "log_scale", "Log scale", show=False, id="chart.log_scale"),
        Binding("m", "metric", "Metric", show=False, id="chart.metric"),
        Binding("f", "follow", "Follow log", show=False, id="log.follow"),
        Binding("z", "zoom", "Zoom chart", show=False, id="chart.zoom"),
        Binding("p", "pause_job", "Pause/resume", id="job.pause"),
        Binding("c", "cancel_job", "Cancel job", id="job.cancel"),
        Binding("y", "copy", "Copy id", show=False, id="job.copy"),
        Binding("i", "details", "Job details", show=False, id="job.details"),
        Binding("b", "checkpoints", "Checkpoints", show=False, id="job.checkpoints"),
        Binding("space", "mark", "Mark to compare", show=False, id="jobs.mark"),
        Binding("v", "compare", "Compare marked", show=False, id="jobs.compare"),
        Binding("r", "refresh", "Refresh", show=False, id="app.refresh"),
        Binding("escape", "escape", "Back to jobs / clear filter", show=False, id="jobs.focus"),
    ]

    def __init__(self, source_factory: SourceFactory, settings, *, demo: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self._factory = source_factory
        self._settings = settings
        self._demo = demo
        self._clock = clock
        active = float(getattr(settings, "poll_interval", 2.0))
        self._poll_every = (active, float(getattr(settings, "idle_interval", 5 * active)))   # active, idle/jobs
        self._state = MonitorState(ChartOptions(smoothing=getattr(settings, "smoothing", None)))
        self._workers = PollWorkers(self, settings, clock)
        self._announcer = FinishAnnouncer(self, getattr(settings, "notify_cmd", None))
        self._actions = JobActions(self)
        self._no_jobs_shown: tuple[str, str] | None = None

    # --- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # The key hints are mounted after the first frame (a dozen widgets' worth of CSS the first paint
        # need not wait for); they get their row now, so nothing moves when they arrive.
        yield JobsPanel(id="jobs-panel")
        yield JobPane(poll_every=self._poll_every, id="job-pane")
        yield StatusLine(id="status")
        yield Container(id="keys")
        yield Static(id="too-small")

    def on_resize(self, event: events.Resize) -> None:
        """Cover the screen with a one-line explanation while the terminal is too small to draw it (see
        ui/min_size.py); the workers keep polling underneath, so nothing is missed meanwhile."""
        message = too_small(event.size.width, event.size.height)
        self.set_class(message is not None, "-too-small")
        if message is not None:
            self.query_one("#too-small", Static).update(Text(f"ftwatch: {message}. q quits."))

    def on_mount(self) -> None:
        self.query_one(JobList).focus()
        self._show_status()
        self.set_interval(1.0, self._tick)
        self.call_after_refresh(self._after_first_frame)

    async def _after_first_frame(self) -> None:
        first_frame_shown = getattr(self.app, "first_frame_shown", None)
        if first_frame_shown is not None:
            first_frame_shown()
        self._workers.connect(self._factory)       # the SDK import (or the simulator) is slow
        self.run_worker(chart_render.preload, thread=True, group="preload", exit_on_error=False,
                        description="load the chart library")
        await self.query_one("#keys").mount(Footer(compact=True))
        self.refresh_bindings()                    # a footer lists the keys when the bindings are announced

    # --- workers ---------------------------------------------------------------------------------
    def _sync_watchers(self) -> None:
        self._workers.sync(self._state.active_ids(), self._state.selected, self._state.is_done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place an unexpected worker exception surfaces: shown, never swallowed, never fatal."""
        if event.state is WorkerState.SUCCESS and event.worker.group == "preload":
            self._libraries_loaded()
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{event.worker.description or event.worker.name}: {type(error).__name__}: {error}",
                        title="Internal error", severity="error", markup=False, timeout=10)

    # --- messages from the workers ---------------------------------------------------------------
    def _libraries_loaded(self) -> None:
        libraries_loaded = getattr(self.app, "libraries_loaded", None)
        if libraries_loaded is not None:
            libraries_loaded()

    def on_source_ready(self, message: m.SourceReady) -> None:
        self._libraries_loaded()
        self._workers.start(message.source)
        self._show_status()

    def on_source_unavailable(self, message: m.SourceUnavailable) -> None:
        self._state.jobs_connection = replace(self._state.jobs_connection, state=LinkState.FAILED,
                                              message=message.error.message)
        self._show_status()
        self._show_no_jobs()

    def on_jobs_refreshed(self, message: m.JobsRefreshed) -> None:
        jobs = self._state.apply_jobs(message.snapshot)
        if jobs is not None:
            for job in jobs:
                self._announcer.seen(job, p.job_name(job))
            self.query_one(JobList).set_rows(self._row(job) for job in jobs)
            self._sync_watchers()
            self._workers.peek(self._state.wanted_peeks(PEEKS_AT_ONCE))
            self._workers.peek_running(self._state.wanted_running_peeks(self._workers.watchers.followed))
            if not self._workers.judging_results:
                self._workers.judge_results(self._state.wanted_results(RESULTS_AT_ONCE))
        self._show_status()
        self._show_no_jobs()

    def _show_no_jobs(self) -> None:
        """With no job to show, the job pane says why (key refused, host unreachable, retrying in N s, an
        empty account) instead of "connecting…"; it repaints only when those words change."""
        if self._state.jobs:
            return
        words = p.no_jobs_text(self._state.jobs_connection, self._clock())
        if words is not None and words != self._no_jobs_shown:
            self._no_jobs_shown = words
            self.query_one(JobPane).show_placeholder(*words)

    def on_job_updated(self, message: m.JobUpdated) -> None:
        snapshot = self._state.apply_job(message.snapshot)
        if snapshot.connection.state is LinkState.FAILED:
            self._workers.watchers.failed(snapshot.job.id)
        if snapshot.job.created_at:
            self._announcer.seen(snapshot.job, p.job_name(snapshot.job))
            self.query_one(JobList).update_row(self._row(snapshot.job))
        if snapshot.job.id == self._state.selected:
            self._show_job(snapshot)
        view = self.app.screen
        if isinstance(view, CheckpointsView) and view.job_id == snapshot.job.id:
            view.show_snapshot(snapshot)        # open over this screen: new checkpoints appear as they come

    def on_job_action_answered(self, message: m.JobActionAnswered) -> None:
        self._actions.answered(message)
        if message.job is not None:
            self._state.apply_answer(message.job)
            self.query_one(JobList).update_row(self._row(message.job))
        self._poll_now()

    def on_row_peeked(self, message: m.RowPeeked) -> None:
        self._state.peeks[message.job_id] = message.peek
        if message.look is not None:
            self._state.looks[message.job_id] = message.look
        job = self._state.jobs.get(message.job_id)
        if job is not None:
            self.query_one(JobList).update_row(self._row(job))

    def on_row_judged(self, message: m.RowJudged) -> None:
        self._state.looks[message.job_id] = message.look
        job = self._state.jobs.get(message.job_id)
        if job is not None:
            self.query_one(JobList).update_row(self._row(job))

    def _row(self, job) -> views.JobRow:
        state = self._state
        return views.job_row(job, state.latest.get(job.id), state.options.smoothing, state.peeks.get(job.id),
                             state.row_health(job.id))

    # --- routing data down ------------------------------------------------------------------------
    @on(JobList.Selected)
    def _on_job_selected(self, message: JobList.Selected) -> None:
        self._state.selected = message.job_id
        snapshot = self._state.latest.get(message.job_id)
        if snapshot is not None:
            self._show_job(snapshot)
        else:
            job = self._state.jobs.get(message.job_id)
            name = f"{p.job_name(job)} · " if job is not None else ""
            self.query_one(JobPane).show_placeholder(f"{name}{message.job_id} · loading…")
        self._sync_watchers()

    @on(JobList.RowSelected)
    def _on_job_opened(self) -> None:
        """Enter on a job: go to its event log (scrollable with the keyboard)."""
        self.query_one(EventLog).focus()

    @on(JobsPanel.FilterChanged)
    def _on_filter_changed(self) -> None:
        self._show_status()

    def _show_job(self, snapshot: JobSnapshot) -> None:
        self.query_one(JobPane).show(snapshot, self._state.options, self._clock())

    def _show_options(self, options: ChartOptions) -> None:
        snapshot = self._state.selected_snapshot
        if snapshot is not None:
            self._show_job(snapshot)

    def _tick(self) -> None:
        """Once a second: countdowns and late-poll ages. While every poll is on time nothing changes, so
        nothing repaints (each label repaints only if its words changed)."""
        self._show_status()
        self._show_no_jobs()
        snapshot = self._state.selected_snapshot
        if snapshot is not None:
            self.query_one(JobPane).tick(snapshot, self._clock())

    def _show_status(self) -> None:
        connection, now, every = self._state.jobs_connection, self._clock(), self._poll_every[1]
        job_list = self.query_one(JobList)
        source = getattr(self._workers.source, "description", "")
        profile = getattr(self._settings, "profile", None)
        if profile:                     # which account, when there are several ("profile work · api.openai.com")
            source = f"profile {profile} · {source}" if source else f"profile {profile}"
        jobs = len(self._state.jobs)
        self.query_one(StatusLine).show(StatusView(
            source=clean(source, max_len=60), link=p.link_text(connection, now, every),
            tone=p.link_tone(connection, now, every), demo=self._demo, jobs=jobs or None,
            shown=len(job_list.visible_ids), flagged=self._state.flagged(),
            sort=job_list.sort_mode, filter=clean(job_list.filter_text, max_len=30)))

    # --- actions ----------------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        self.query_one(JobList).move_by(delta)

    def action_zoom(self) -> None:
        self.toggle_class("-zoom")

    def action_escape(self) -> None:
        """Out of the zoomed chart; from another pane: back to the jobs; in the jobs list or its filter: clear
        the filter."""
        if self.has_class("-zoom"):
            self.remove_class("-zoom")
            return
        panel = self.query_one(JobsPanel)
        focused = self.focused
        panel.close_filter(keep=not (focused is not None and panel in focused.ancestors_with_self))

    async def action_filter(self) -> None:
        await self.query_one(JobsPanel).open_filter()

    def action_sort(self) -> None:
        self.query_one(JobList).cycle_sort()
        self._show_status()

    def action_smoothing(self, stronger: bool) -> None:
        self._show_options(self._state.smoothing_step(stronger))

    def action_smoothing_auto(self) -> None:
        self._show_options(self._state.auto_smoothing())

    def action_log_scale(self) -> None:
        self._show_options(self._state.toggle_log_scale())

    def action_metric(self) -> None:
        snapshot = self._state.selected_snapshot
        labels = [f.label for f in views.families(snapshot.metrics if snapshot else None)]
        self._show_options(self._state.next_family(labels))

    def action_follow(self) -> None:
        self.query_one(JobPane).follow_log()

    def _poll_now(self) -> None:
        if self._workers.refresh_all():
            self._sync_watchers()

    def action_refresh(self) -> None:
        """`r`: poll now, and say so (a job action's own re-poll is silent: its answer was the notice)."""
        self._poll_now()
        followed = len(self._workers.watchers.followed)
        self.notify(f"Polling now: the jobs list and {followed} followed job{'s' * (followed != 1)}",
                    markup=False, timeout=2)

    def action_copy(self) -> None:
        job = self._state.selected_job
        if job is None:
            return
        text = job.fine_tuned_model or job.id
        self.app.copy_to_clipboard(clean(text, max_len=200))
        self.notify(f"Copied {clean(text, max_len=80)}", markup=False, timeout=3)

    def action_details(self) -> None:
        job = self._state.selected_job
        if job is not None:
            phase = self._state.phase(job.id)
            snapshot = self._state.latest.get(job.id)
            health = snapshot.health if snapshot is not None else ()
            self.app.push_screen(JobDetails(detail_rows(job, p.badge(phase, job.status) if phase else "", health)))

    def action_checkpoints(self) -> None:
        """`b`: the selected job's checkpoints, the best marked (its "smoothed" means the chart's smoothing)."""
        job_id = self._state.selected
        if job_id is None:
            return
        snapshot = self._state.latest.get(job_id)
        weight = weight_for(self._state.options.smoothing, snapshot.metrics.total_steps if snapshot else None)
        self.app.push_screen(CheckpointsView(job_id, snapshot, weight))

    def action_mark(self) -> None:
        """`space`: mark or unmark the selected job for comparing (`●` before its name)."""
        job_id = self._state.selected
        if job_id is None:
            return
        job_list = self.query_one(JobList)
        marked = job_list.toggle_mark(job_id)
        count = len(job_list.marked_ids)
        job = self._state.jobs.get(job_id)
        hint = "v compares them" if count >= 2 else "mark another, or select one and press v"
        self.notify(f"{'Marked' if marked else 'Unmarked'} {p.job_name(job) if job else job_id} · {count} marked"
                    f"{f': {hint}' if count else ''}", markup=False, timeout=3)

    def action_compare(self) -> None:
        """`v`: the marked jobs compared (screens/compare.py; loaded on first use, with its chart)."""
        from ftwatch.ui.screens.compare import ASK_TO_MARK, CompareView, runs_to_compare

        ids = [i for i in runs_to_compare(self.query_one(JobList).marked_ids, self._state.selected)
               if i in self._state.jobs]
        if len(ids) < 2:
            self.notify(ASK_TO_MARK, markup=False, timeout=4)
            return
        if self._workers.source is None:
            self.notify("Not connected yet: the comparison opens once the jobs are read.", markup=False, timeout=4)
            return
        state = self._state
        finished = {job_id for job_id in ids if state.is_done(job_id)}       # their final snapshot is here
        self.app.push_screen(CompareView([state.jobs[i] for i in ids], state.latest, finished, self._workers.source,
                                         self._settings, smoothing=state.options.smoothing, clock=self._clock))

    def action_cancel_job(self) -> None:
        self._actions.request(self._state.cancel_action(), self._workers.source)

    def action_pause_job(self) -> None:
        self._actions.request(self._state.pause_action(), self._workers.source)

    # --- for the command palette (`commands.JobDirectory`) and tests ---------------------------------
    def job_choices(self) -> list[tuple[str, str, str]]:
        job_list = self.query_one(JobList)
        rows = job_list.rows_for(job_list.visible_ids or list(self._state.jobs))
        return [(row.job_id, f"{row.job_id} {row.name}", row.badge) for row in rows]

    def jump_to_job(self, job_id: str) -> None:
        self.query_one(JobList).select(job_id)

    @property
    def selected_job_id(self) -> str | None:
        return self._state.selected

    @property
    def finish_notices(self) -> list[tuple[str, str]]:
        return self._announcer.announced

    def latest(self, job_id: str) -> JobSnapshot | None:
        return self._state.latest.get(job_id)

    async def stop_watching(self) -> None:
        """Stop polling and close the source for good: a profile switch covers this screen with another
        account's (Textual replaces any screen but the bottom one of the stack), and it must ask nothing more."""
        await self._workers.aclose()
        self._workers.source = None

    async def on_unmount(self) -> None:
        await self._workers.aclose()
