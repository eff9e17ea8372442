"""What the monitor screen knows and the rules that reconcile it: pure, no Textual (a test checks it).

Two streams describe the same jobs at different rates: the jobs list (every ~10 s, all jobs) and each
followed job's own poll (every ~2 s, with its events). They disagree for a while after every change, so
the rules for which one to believe live here, where they can be tested without an app:

- a job's own snapshot is fresher than the list's row, except that a finished job's status never goes back
  to the older "running" the slow list still says;
- trouble before the first good read of a job keeps showing its last good data (the connection state is
  updated, the data is not thrown away);
- a job is "done" once its final snapshot is in: its watcher ended by itself and need not run again;
- a row's health verdicts come from the job's snapshot when it is followed, else from one cheap look: a
  finished job's result file (read once), a running job's newest events (read at every jobs-list poll, for
  `stalled`); the newer source wins for the badges it judges (`domain.insight.row_health`).

The chart options (metric family, smoothing, log scale) and the job actions' preconditions (what `c` and
`p` may do to the selected job) are decided here too; the screen only routes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Collection, Sequence

from ftwatch.domain.insight.row_health import RowLook, row_health
from ftwatch.domain.insight.verdict import Verdict
from ftwatch.domain.metrics.smoothing import next_weight, weight_for
from ftwatch.domain.models import Job, Phase
from ftwatch.domain.phase import job_phase
from ftwatch.domain.row_peek import RowPeek
from ftwatch.domain.snapshot import Connection, JobSnapshot, JobsSnapshot, LinkState


@dataclass(frozen=True, slots=True)
class ChartOptions:
    family: str = "loss"                  # the label of a metric family (see ui/views.py `families`)
    smoothing: float | None = None        # None = auto from the job's length
    log_scale: bool = False


@dataclass(frozen=True, slots=True)
class JobAction:
    """What a key would do to a job: `verb` is "cancel", "pause" or "resume"; `refusal` says why not."""

    verb: str
    job: Job | None = None
    refusal: str | None = None


class MonitorState:
    def __init__(self, options: ChartOptions | None = None) -> None:
        self.jobs: dict[str, Job] = {}
        self.latest: dict[str, JobSnapshot] = {}
        self.selected: str | None = None
        self.jobs_connection = Connection()
        self.options = options or ChartOptions()
        self.peeks: dict[str, RowPeek] = {}
        self._peek_asked: set[str] = set()
        self.looks: dict[str, RowLook] = {}          # health from a cheap look at a job not followed
        self._result_asked: set[str] = set()

    # --- reconciling the two streams ------------------------------------------------------------
    def apply_jobs(self, snapshot: JobsSnapshot) -> list[Job] | None:
        """Take a jobs-list poll; returns the jobs to show (list order), or None when it brought nothing to
        show (trouble with no jobs: keep the rows already on screen)."""
        self.jobs_connection = snapshot.connection
        if not (snapshot.jobs or snapshot.connection.state is LinkState.OK):
            return None
        self.jobs = {job.id: self._fresher(job) for job in snapshot.jobs}
        return list(self.jobs.values())

    def _fresher(self, job: Job) -> Job:
        """The jobs list can be older than a job's own last poll (it polls slowly): keep the finished status."""
        snapshot = self.latest.get(job.id)
        if snapshot is not None and snapshot.job.status != job.status and snapshot.phase.is_terminal:
            return snapshot.job
        return job

    def apply_job(self, snapshot: JobSnapshot) -> JobSnapshot:
        """Take one job's poll; returns the snapshot to show for it."""
        job_id = snapshot.job.id
        if snapshot.job.created_at == 0 and job_id in self.latest:
            # Trouble before the first read of the job: keep showing its last good data.
            snapshot = replace(self.latest[job_id], connection=snapshot.connection, new_events=())
        self.latest[job_id] = snapshot
        if snapshot.job.created_at:
            self.jobs[job_id] = snapshot.job
        return snapshot

    def apply_answer(self, job: Job) -> None:
        """The server's answer to cancel/pause/resume is the freshest word on the job's status."""
        if job.id and job.created_at:
            self.jobs[job.id] = job

    def wanted_peeks(self, limit: int) -> list[str]:
        """Finished jobs never followed, newest first, whose rows would stay empty without one cheap look at
        their newest events; each is asked for once (`limit` at a time)."""
        wanted = [job_id for job_id, job in self.jobs.items()
                  if job_id not in self._peek_asked and job_id not in self.latest
                  and job_phase(job, None).is_terminal][:limit]
        self._peek_asked.update(wanted)
        return wanted

    def wanted_results(self, limit: int) -> list[Job]:
        """Finished jobs never followed whose result file was never read, newest first, `limit` at a time: each
        is read once for its row's health (the file never changes; a failed read leaves the row without)."""
        wanted = [job for job_id, job in self.jobs.items()
                  if job.result_files and job_id not in self._result_asked and job_id not in self.latest
                  and job_phase(job, None).is_terminal][:limit]
        self._result_asked.update(job.id for job in wanted)
        return wanted

    def wanted_running_peeks(self, followed: Collection[str]) -> list[Job]:
        """Running jobs nobody follows (beyond the followed rows' cap): their newest events are read at each
        jobs-list poll, for their rows' steps and whether they stalled."""
        return [job for job_id, job in self.jobs.items()
                if job_id not in followed and job_phase(job, self.latest.get(job_id)).is_active]

    def row_health(self, job_id: str) -> tuple[Verdict, ...]:
        snapshot = self.latest.get(job_id)
        if snapshot is None:
            return row_health((), None, self.looks.get(job_id))
        return row_health(snapshot.health, snapshot.taken_at, self.looks.get(job_id))

    def flagged(self) -> int:
        """How many jobs carry a health verdict: the status line says so, because at 80x24 only three rows
        show and the flagged job may be the eighth."""
        return sum(1 for job_id in self.jobs if self.row_health(job_id))

    def phase(self, job_id: str) -> Phase | None:
        job = self.jobs.get(job_id)
        return None if job is None else job_phase(job, self.latest.get(job_id))

    def active_ids(self) -> list[str]:
        """The jobs whose rows move (training or evaluating): followed for their bars and sparklines."""
        return [job_id for job_id, job in self.jobs.items() if job_phase(job, self.latest.get(job_id)).is_active]

    def is_done(self, job_id: str) -> bool:
        snapshot, job = self.latest.get(job_id), self.jobs.get(job_id)
        return (snapshot is not None and snapshot.phase.is_terminal
                and (job is None or job.status == snapshot.job.status))

    @property
    def selected_job(self) -> Job | None:
        return self.jobs.get(self.selected or "")

    @property
    def selected_snapshot(self) -> JobSnapshot | None:
        return self.latest.get(self.selected or "")

    # --- chart options --------------------------------------------------------------------------
    def smoothing_step(self, stronger: bool) -> ChartOptions:
        snapshot = self.selected_snapshot
        total = snapshot.metrics.total_steps if snapshot is not None else None
        self.options = replace(self.options, smoothing=next_weight(weight_for(self.options.smoothing, total),
                                                                   stronger))
        return self.options

    def auto_smoothing(self) -> ChartOptions:
        """Back to the weight chosen from the job's length (`=`)."""
        self.options = replace(self.options, smoothing=None)
        return self.options

    def toggle_log_scale(self) -> ChartOptions:
        self.options = replace(self.options, log_scale=not self.options.log_scale)
        return self.options

    def next_family(self, labels: Sequence[str]) -> ChartOptions:
        """The family after the current one among `labels` (the ones the selected job reports)."""
        if labels:
            current = labels.index(self.options.family) if self.options.family in labels else -1
            self.options = replace(self.options, family=labels[(current + 1) % len(labels)])
        return self.options

    # --- what the job keys may do ---------------------------------------------------------------
    def cancel_action(self) -> JobAction | None:
        job = self.selected_job
        if job is None:
            return None
        if job_phase(job, self.latest.get(job.id)).is_terminal:
            return JobAction("cancel", job, refusal="has already finished")
        return JobAction("cancel", job)

    def pause_action(self) -> JobAction | None:
        """`p` pauses a job that is still training (or queued for it) and resumes a paused one; a job that is
        evaluating can't be paused (the API refuses: its model is built), nor can a finished one."""
        job = self.selected_job
        if job is None:
            return None
        phase = job_phase(job, self.latest.get(job.id))
        if phase is Phase.PAUSED:
            return JobAction("resume", job)
        if phase in (Phase.RUNNING, Phase.QUEUED):
            return JobAction("pause", job)
        if phase.is_terminal:
            return JobAction("pause", job, refusal="has already finished")
        if phase is Phase.EVALUATING:
            return JobAction("pause", job, refusal="is past training (evaluating): it can't be paused now")
        return JobAction("pause", job, refusal=f"can't be paused while {phase.value.replace('_', ' ')}")
