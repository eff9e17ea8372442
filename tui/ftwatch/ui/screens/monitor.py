"""The one screen of ftwatch: the jobs list on top, the selected job below. It owns every poll worker.

Workers (all `exit_on_error=False`, so an API error never quits the app):
- `connect`: awaits the source factory once, after the first frame (the SDK import costs ~0.5 s);
- `poll-jobs`: the account's jobs list;
- `job:<id>`: one per job being followed, for every running/evaluating job (their rows' bars and
  sparklines) and for the selected job whatever its phase. The selected job's detail reuses its row's
  watcher, so no job is ever polled twice, and j/k between jobs is instant (the latest snapshot is cached).
Workers post messages carrying frozen snapshots; the handlers here set attributes on the widgets.
"""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from typing import Awaitable, Callable

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.containers import Container
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from ftwatch.domain.models import Job
from ftwatch.domain.snapshot import Connection, JobSnapshot, LinkState
from ftwatch.domain.text import clean
from ftwatch.domain.transitions import FinishNotices
from ftwatch.errors import FtwatchError
from ftwatch.source.base import JobSource
from ftwatch.ui import messages as m
from ftwatch.ui import presentation as p
from ftwatch.ui import views
from ftwatch.ui.notices import announce_finish, run_notify_command
from ftwatch.ui.screens.commands import JumpToJob
from ftwatch.ui.screens.confirm import ConfirmCancel
from ftwatch.ui.min_size import too_small
from ftwatch.ui.watchers import JobWatchers
from ftwatch.ui.widgets import chart_render
from ftwatch.ui.widgets.event_log import EventLog
from ftwatch.ui.widgets.job_list import JobList
from ftwatch.ui.widgets.job_pane import ChartOptions, JobPane
from ftwatch.ui.widgets.status_line import StatusLine, StatusView

SourceFactory = Callable[[], Awaitable[JobSource]]
JOBS = Binding.Group("Jobs", compact=True)               # the footer shows "jk Jobs"
SMOOTHING = Binding.Group("Smoothing", compact=True)     # and "[] Smoothing"


class MonitorScreen(Screen):
    COMMANDS = {JumpToJob}
    BINDINGS = [
        Binding("j", "move(1)", "Next job", group=JOBS, id="jobs.next"),
        Binding("k", "move(-1)", "Previous job", group=JOBS, id="jobs.previous"),
        Binding("slash", "filter", "Filter", key_display="/", id="jobs.filter"),
        Binding("s", "sort", "Sort", show=False, id="jobs.sort"),
        Binding("left_square_bracket", "smoothing(False)", "Smooth less", key_display="[", group=SMOOTHING,
                id="chart.smooth_less"),
        Binding("right_square_bracket", "smoothing(True)", "Smooth more", key_display="]", group=SMOOTHING,
                id="chart.smooth_more"),
        Binding("l", "log_scale", "Log scale", id="chart.log_scale"),
        Binding("m", "metric", "Metric", id="chart.metric"),
        Binding("f", "follow", "Follow log", id="log.follow"),
        Binding("c", "cancel_job", "Cancel job", id="job.cancel"),
        Binding("y", "copy", "Copy id", show=False, id="job.copy"),
        Binding("r", "refresh", "Refresh", show=False, id="app.refresh"),
        Binding("escape", "focus_jobs", "Back to jobs", show=False, id="jobs.focus"),
    ]

    def __init__(self, source_factory: SourceFactory, settings, *, demo: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self._factory = source_factory
        self._settings = settings
        self._demo = demo
        self._clock = clock
        self._intervals = None                         # PollIntervals, once the poll engine is loaded
        active = float(getattr(settings, "poll_interval", 2.0))
        self._poll_every = (active, float(getattr(settings, "idle_interval", 5 * active)))   # active, idle/jobs
        self._source: JobSource | None = None
        self._jobs: dict[str, Job] = {}
        self._latest: dict[str, JobSnapshot] = {}
        self._watchers = JobWatchers(self._follow, self._unfollow)
        self._jobs_connection = Connection()
        self._selected: str | None = None
        self._options = ChartOptions(smoothing=getattr(settings, "smoothing", None))
        self._notices = FinishNotices()
        self.finish_notices: list[tuple[str, str]] = []     # (job id, status) in the order announced

    # --- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # The filter field (hidden until `/`) and the key hints are mounted after the first frame: each is a
        # dozen widgets' worth of CSS and styling that the first paint need not wait for. The key hints get
        # their row now, so nothing moves when they arrive.
        yield JobList(id="jobs")
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
        self._connect()                            # the SDK import (or the simulator) is slow
        self.run_worker(chart_render.preload, thread=True, group="preload", exit_on_error=False,
                        description="load the chart library")
        await self.query_one("#keys").mount(Footer(compact=True))
        self.refresh_bindings()                    # a footer lists the keys when the bindings are announced

    # --- workers ---------------------------------------------------------------------------------
    @work(exclusive=True, group="connect", exit_on_error=False, description="create the API source")
    async def _connect(self) -> None:
        try:
            source = await self._factory()
        except FtwatchError as error:
            self.post_message(m.SourceUnavailable(error))
            return
        self.post_message(m.SourceReady(getattr(source, "description", ""), source))

    @work(exclusive=True, group="poll-jobs", exit_on_error=False, description="poll the jobs list")
    async def _poll_jobs(self, source: JobSource) -> None:
        # The poll engine (and the domain's tracker under it) is imported here, after the first frame:
        # ~40 ms that the first paint does not need.
        from ftwatch.source.poll import PollIntervals, watch_jobs

        self._intervals = PollIntervals.from_settings(self._settings)
        self._watchers.jobs_watch = watch = watch_jobs(source, clock=self._clock, intervals=self._intervals)
        async for snapshot in watch:
            self.post_message(m.JobsRefreshed(snapshot))

    async def _poll_job(self, source: JobSource, job_id: str) -> None:
        from ftwatch.source.poll import PollIntervals, watch_job

        intervals = self._intervals or PollIntervals.from_settings(self._settings)
        watch = watch_job(source, job_id, clock=self._clock, intervals=intervals)
        self._watchers.started(job_id, watch)
        try:
            async for snapshot in watch:
                # The screen never reads `new_events` (the log reads the timeline view): dropped here, so the
                # latest snapshot of a job does not hold on to a whole back-fill's API dicts.
                self.post_message(m.JobUpdated(replace(snapshot, new_events=())))
        finally:
            self._watchers.ended(job_id, watch)

    def _follow(self, job_id: str) -> None:
        if self._source is not None:
            self.run_worker(partial(self._poll_job, self._source, job_id), group=f"job:{job_id}",
                            exclusive=True, exit_on_error=False, description=f"follow {job_id}")

    def _unfollow(self, job_id: str) -> None:
        self.workers.cancel_group(self, f"job:{job_id}")

    def _sync_watchers(self) -> None:
        active = [job_id for job_id, job in self._jobs.items()
                  if views.job_phase(job, self._latest.get(job_id)).is_active]
        self._watchers.sync(active, self._selected, self._is_done)

    def _is_done(self, job_id: str) -> bool:
        """A job whose final snapshot is in: its watcher ended by itself and need not run again."""
        snapshot, job = self._latest.get(job_id), self._jobs.get(job_id)
        return (snapshot is not None and snapshot.phase.is_terminal
                and (job is None or job.status == snapshot.job.status))

    @work(group="cancel", exit_on_error=False, description="cancel a job")
    async def _cancel(self, source: JobSource, job_id: str) -> None:
        try:
            job = await source.cancel_job(job_id)
        except FtwatchError as error:
            self.post_message(m.CancelAnswered(job_id, error=error))
            return
        self.post_message(m.CancelAnswered(job_id, job=job))

    @work(group="notify-cmd", exit_on_error=False, description="run --notify-cmd")
    async def _notify_command(self, command: str, job_id: str, status: str) -> None:
        returncode, detail = await run_notify_command(command, job_id, status)
        self.post_message(m.NotifyCommandDone(job_id, returncode, detail))

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
        self._source = message.source
        self._libraries_loaded()
        self._poll_jobs(message.source)
        self._show_status()

    def on_source_unavailable(self, message: m.SourceUnavailable) -> None:
        self._jobs_connection = Connection(state=LinkState.FAILED, message=message.error.message)
        self._show_status()
        self.query_one(JobPane).show_placeholder(f"cannot connect: {message.error.message}", "no data source")

    def on_jobs_refreshed(self, message: m.JobsRefreshed) -> None:
        snapshot = message.snapshot
        self._jobs_connection = snapshot.connection
        if snapshot.jobs or snapshot.connection.state is LinkState.OK:
            self._jobs = {job.id: self._newer(job) for job in snapshot.jobs}
            for job in snapshot.jobs:
                self._announce_if_finished(self._jobs[job.id])
            self.query_one(JobList).set_rows(
                views.job_row(job, self._latest.get(job.id), self._options.smoothing) for job in self._jobs.values())
            self._sync_watchers()
        self._show_status()

    def _newer(self, job: Job) -> Job:
        """The jobs list can be older than a job's own last poll (it polls slowly): keep the fresher status."""
        snapshot = self._latest.get(job.id)
        if snapshot is not None and snapshot.job.status != job.status and snapshot.phase.is_terminal:
            return snapshot.job
        return job

    def on_job_updated(self, message: m.JobUpdated) -> None:
        snapshot = message.snapshot
        job_id = snapshot.job.id
        if snapshot.job.created_at == 0 and job_id in self._latest:
            # Trouble before the first read of the job: keep showing its last good data.
            snapshot = replace(self._latest[job_id], connection=snapshot.connection, new_events=())
        self._latest[job_id] = snapshot
        if snapshot.connection.state is LinkState.FAILED:
            self._watchers.failed(job_id)
        if snapshot.job.created_at:
            self._jobs[job_id] = snapshot.job
            self._announce_if_finished(snapshot.job)
            self.query_one(JobList).update_row(views.job_row(snapshot.job, snapshot, self._options.smoothing))
        if job_id == self._selected:
            self._show_job(snapshot)

    def on_cancel_answered(self, message: m.CancelAnswered) -> None:
        if message.error is not None:
            self.notify(f"Cancel failed: {message.error.message}", title=message.error.title,
                        severity="error", markup=False, timeout=10)
            return
        status = message.job.status if message.job is not None else "unknown"
        self.notify(f"{clean(message.job_id, max_len=64)}: the server says {clean(status, max_len=30)}",
                    title="Cancel requested", markup=False)
        self.action_refresh()

    def on_notify_command_done(self, message: m.NotifyCommandDone) -> None:
        if message.returncode != 0:
            code = "timed out" if message.returncode is None else f"exit {message.returncode}"
            self.notify(f"--notify-cmd for {clean(message.job_id, max_len=64)}: {code} {message.detail}".strip(),
                        severity="warning", markup=False)

    # --- routing data down ------------------------------------------------------------------------
    @on(JobList.Selected)
    def _on_job_selected(self, message: JobList.Selected) -> None:
        self._selected = message.job_id
        snapshot = self._latest.get(message.job_id)
        if snapshot is not None:
            self._show_job(snapshot)
        else:
            job = self._jobs.get(message.job_id)
            name = f"{p.job_name(job)} · " if job is not None else ""
            self.query_one(JobPane).show_placeholder(f"{name}{message.job_id} · loading…")
        self._sync_watchers()

    @on(JobList.RowSelected)
    def _on_job_opened(self) -> None:
        """Enter on a job: go to its event log (scrollable with the keyboard)."""
        self.query_one(EventLog).focus()

    def _show_job(self, snapshot: JobSnapshot) -> None:
        self.query_one(JobPane).show(snapshot, self._options, self._clock())

    def _set_options(self, **changes) -> None:
        self._options = replace(self._options, **changes)
        snapshot = self._latest.get(self._selected or "")
        if snapshot is not None:
            self._show_job(snapshot)

    def _tick(self) -> None:
        """Once a second: countdowns and late-poll ages. While every poll is on time nothing changes, so
        nothing repaints (each label repaints only if its words changed)."""
        self._show_status()
        snapshot = self._latest.get(self._selected or "")
        if snapshot is not None:
            self.query_one(JobPane).tick(snapshot, self._clock())

    def _show_status(self) -> None:
        connection, now = self._jobs_connection, self._clock()
        job_list = self.query_one(JobList)
        source = getattr(self._source, "description", "") if self._source is not None else ""
        self.query_one(StatusLine).show(StatusView(
            source=clean(source, max_len=60), link=p.link_text(connection, now, self._poll_every[1]),
            tone=p.link_tone(connection, now, self._poll_every[1]), demo=self._demo, jobs=len(self._jobs) if self._jobs else None,
            sort=job_list.sort_mode, filter=clean(job_list.filter_text, max_len=30)))

    # --- finish notices ---------------------------------------------------------------------------
    def _announce_if_finished(self, job: Job) -> None:
        transition = self._notices.seen(job)
        if transition is None:
            return
        status = transition.phase.value
        self.finish_notices.append((job.id, status))
        announce_finish(self.app, job.id, p.job_name(job), status)
        command = getattr(self._settings, "notify_cmd", None)
        if command:
            self._notify_command(command, job.id, status)

    # --- actions ----------------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        self.query_one(JobList).move_by(delta)

    def action_focus_jobs(self) -> None:
        self._close_filter(keep=True)
        self.query_one(JobList).focus()

    async def action_filter(self) -> None:
        fields = self.query("#filter").results(Input)
        field = next(fields, None)
        if field is None:
            field = Input(placeholder="filter jobs by id, model, suffix or status", id="filter")
            await self.mount(field, before=self.query_one(JobList))
        field.add_class("-open")
        field.focus()

    @on(Input.Changed, "#filter")
    def _on_filter_changed(self, event: Input.Changed) -> None:
        self.query_one(JobList).set_filter(event.value)
        self._show_status()

    @on(Input.Submitted, "#filter")
    def _on_filter_submitted(self) -> None:
        self.action_focus_jobs()

    def _close_filter(self, *, keep: bool) -> None:
        field = next(self.query("#filter").results(Input), None)
        if field is None:
            return
        if not keep:
            field.value = ""
        field.remove_class("-open")

    def action_sort(self) -> None:
        self.query_one(JobList).cycle_sort()
        self._show_status()

    def action_smoothing(self, stronger: bool) -> None:
        snapshot = self._latest.get(self._selected or "")
        total = snapshot.metrics.total_steps if snapshot is not None else None
        weight = views.weight_for(self._options.smoothing, total)
        self._set_options(smoothing=views.next_weight(weight, stronger))

    def action_log_scale(self) -> None:
        self._set_options(log_scale=not self._options.log_scale)

    def action_metric(self) -> None:
        snapshot = self._latest.get(self._selected or "")
        options = [f.label for f in views.families(snapshot.metrics if snapshot else None)]
        current = options.index(self._options.family) if self._options.family in options else -1
        self._set_options(family=options[(current + 1) % len(options)])

    def action_follow(self) -> None:
        self.query_one(JobPane).follow_log()

    def action_refresh(self) -> None:
        if self._watchers.refresh_all():
            self._sync_watchers()

    def action_copy(self) -> None:
        job = self._jobs.get(self._selected or "")
        if job is None:
            return
        text = job.fine_tuned_model or job.id
        self.app.copy_to_clipboard(clean(text, max_len=200))
        self.notify(f"Copied {clean(text, max_len=80)}", markup=False, timeout=3)

    def action_cancel_job(self) -> None:
        job = self._jobs.get(self._selected or "")
        if job is None or self._source is None:
            return
        if views.job_phase(job, self._latest.get(job.id)).is_terminal:
            self.notify(f"{clean(job.id, max_len=64)} has already finished", markup=False, timeout=4)
            return
        source = self._source

        def answered(yes: bool | None) -> None:
            if yes:
                self._cancel(source, job.id)

        self.app.push_screen(ConfirmCancel(job.id, p.job_name(job)), answered)

    # --- for the command palette and tests --------------------------------------------------------
    def job_choices(self) -> list[tuple[str, str, str]]:
        rows = self.query_one(JobList).rows_for(self.query_one(JobList).visible_ids or list(self._jobs))
        return [(row.job_id, f"{row.job_id} {row.name}", row.badge) for row in rows]

    def jump_to_job(self, job_id: str) -> None:
        self.query_one(JobList).select(job_id)

    @property
    def selected_job_id(self) -> str | None:
        return self._selected

    def latest(self, job_id: str) -> JobSnapshot | None:
        return self._latest.get(job_id)

    async def on_unmount(self) -> None:
        self.workers.cancel_node(self)
        if self._source is not None:
            try:
                await self._source.aclose()
            except FtwatchError as error:
                self.log.warning(f"closing the source: {error}")

