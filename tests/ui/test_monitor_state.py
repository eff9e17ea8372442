"""The monitor's reconciliation rules, without an app: which of two disagreeing streams to believe, and what
the job keys may do. Each rule is something a user saw go wrong when it was wrong."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field

from ftwatch.domain.models import Job, Phase
from ftwatch.domain.snapshot import Connection, JobsSnapshot, LinkState
from ftwatch.ui.monitor_state import ChartOptions, MonitorState


def job(job_id: str = "ftjob-a", status: str = "running", created_at: int = 1_700_000_000, **more) -> Job:
    return Job(id=job_id, status=status, created_at=created_at, model="gpt-4o-mini", **more)


@dataclass
class Metrics:
    total_steps: int | None = 100


@dataclass
class FakeSnapshot:
    """Just the fields the state reads: the job, its phase, its connection, its total steps."""

    job: Job
    phase: Phase
    connection: Connection = field(default_factory=lambda: Connection(state=LinkState.OK))
    metrics: Metrics = field(default_factory=Metrics)
    new_events: tuple = ()


def test_the_state_needs_no_textual():
    code = "import sys, ftwatch.ui.monitor_state; print(sorted(m for m in ('textual', 'rich', 'openai') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_finished_job_never_goes_back_to_the_slow_lists_running():
    state = MonitorState()
    state.latest["ftjob-a"] = FakeSnapshot(job(status="succeeded"), Phase.SUCCEEDED)
    shown = state.apply_jobs(JobsSnapshot(jobs=(job(status="running"),), connection=Connection(state=LinkState.OK), taken_at=0.0))
    assert [j.status for j in shown] == ["succeeded"]


def test_trouble_before_a_jobs_first_read_keeps_its_last_good_data():
    state = MonitorState()
    good = FakeSnapshot(job(), Phase.RUNNING)
    state.latest["ftjob-a"] = good
    trouble = FakeSnapshot(job(created_at=0), Phase.UNKNOWN, Connection(state=LinkState.RETRYING, message="503"))
    kept = state.apply_job(trouble)
    assert kept.job is good.job and kept.connection.state is LinkState.RETRYING


def test_a_jobs_list_in_trouble_with_no_jobs_keeps_the_rows():
    state = MonitorState()
    state.apply_jobs(JobsSnapshot(jobs=(job(),), connection=Connection(state=LinkState.OK), taken_at=0.0))
    assert state.apply_jobs(JobsSnapshot(jobs=(), connection=Connection(state=LinkState.RETRYING), taken_at=0.0)) is None
    assert list(state.jobs) == ["ftjob-a"] and state.jobs_connection.state is LinkState.RETRYING


def test_p_pauses_training_resumes_paused_and_refuses_the_rest():
    state = MonitorState()
    cases = {"running": ("pause", None), "queued": ("pause", None), "paused": ("resume", None),
             "succeeded": ("pause", "has already finished"), "validating_files": ("pause", "validating files")}
    for status, (verb, refusal) in cases.items():
        state.jobs = {"ftjob-a": job(status=status)}
        state.latest = {}
        state.selected = "ftjob-a"
        action = state.pause_action()
        assert action.verb == verb, status
        assert (action.refusal is None) if refusal is None else (refusal in action.refusal), status
    # running, but past training: the API refuses to pause a job whose model is being evaluated
    state.jobs = {"ftjob-a": job(finished_at=1_700_000_500)}
    state.latest = {"ftjob-a": FakeSnapshot(state.jobs["ftjob-a"], Phase.EVALUATING)}
    assert "evaluating" in state.pause_action().refusal
    state.selected = None
    assert state.pause_action() is None and state.cancel_action() is None


def test_the_servers_answer_is_the_freshest_status():
    state = MonitorState()
    state.apply_jobs(JobsSnapshot(jobs=(job(),), connection=Connection(state=LinkState.OK), taken_at=0.0))
    state.apply_answer(job(status="paused"))
    assert state.jobs["ftjob-a"].status == "paused" and state.phase("ftjob-a") is Phase.PAUSED


def test_chart_options_cycle_within_what_the_job_reports():
    state = MonitorState(ChartOptions(smoothing=None))
    assert state.next_family(["loss", "token accuracy"]).family == "token accuracy"
    assert state.next_family(["loss", "token accuracy"]).family == "loss"
    assert state.toggle_log_scale().log_scale and not state.toggle_log_scale().log_scale
    state.selected = "ftjob-a"
    state.latest["ftjob-a"] = FakeSnapshot(job(), Phase.RUNNING, metrics=Metrics(1000))
    weights = [state.smoothing_step(stronger=True).smoothing for _ in range(30)]
    assert all(0 < w < 1 for w in weights) and weights == sorted(weights)
