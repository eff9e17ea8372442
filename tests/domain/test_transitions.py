"""Finish notices fire once per job, only for endings that happen while we watch."""

from __future__ import annotations

from domain.factories import running_job
from ftwatch.domain.models import Phase
from ftwatch.domain.transitions import FinishNotices


def test_fires_once_when_a_watched_job_finishes():
    notices = FinishNotices()
    assert notices.seen(running_job(status="queued")) is None
    assert notices.seen(running_job(status="running")) is None
    fired = notices.seen(running_job(status="succeeded"))
    assert fired is not None and fired.phase is Phase.SUCCEEDED and fired.previous is Phase.RUNNING
    assert fired.job.id == "ftjob-test"
    assert notices.seen(running_job(status="succeeded")) is None
    assert notices.seen(running_job(status="running")) is None
    assert notices.seen(running_job(status="failed")) is None, "at most once per job"


def test_jobs_already_finished_at_startup_never_fire():
    notices = FinishNotices()
    for status in ("succeeded", "failed", "cancelled"):
        assert notices.seen(running_job(id=f"ftjob-{status}", status=status)) is None
        assert notices.seen(running_job(id=f"ftjob-{status}", status=status)) is None


def test_each_job_is_tracked_separately_and_failures_and_cancels_fire():
    notices = FinishNotices()
    for job_id in ("a", "b"):
        notices.seen(running_job(id=job_id, status="running"))
    assert notices.seen(running_job(id="a", status="failed")).phase is Phase.FAILED
    assert notices.seen(running_job(id="b", status="cancelled")).phase is Phase.CANCELLED
    assert notices.seen(running_job(id="c", status="paused")) is None
