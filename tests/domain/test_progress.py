"""ETA and progress labels: hidden until enough is known, honest about evaluation, a duration at the end."""

from __future__ import annotations

import pytest

from ftwatch.domain.models import Phase
from ftwatch.domain.progress import estimate_progress


def rate_window(last_step: int, seconds_per_step: float, start_time: float = 1000.0, count: int = 50):
    first = max(1, last_step - count + 1)
    return [(s, start_time + (s - 1) * seconds_per_step) for s in range(first, last_step + 1)]


def test_no_eta_until_ten_steps_or_five_percent():
    early = estimate_progress(phase=Phase.RUNNING, step=9, total_steps=1000, recent=rate_window(9, 2), now=1020)
    assert early.eta_seconds is None and early.label == "" and early.fraction == pytest.approx(0.009)
    ten = estimate_progress(phase=Phase.RUNNING, step=10, total_steps=1000, recent=rate_window(10, 2), now=1018)
    assert ten.eta_seconds == pytest.approx(990 * 2) and ten.label == "ETA 33m 00s"
    small_job = estimate_progress(phase=Phase.RUNNING, step=5, total_steps=100, recent=rate_window(5, 1), now=1004)
    assert small_job.eta_seconds == pytest.approx(95)


def test_eta_uses_the_recent_rate_and_counts_down_between_events():
    recent = rate_window(200, 1.0)                 # 1 step/s lately
    at_event = estimate_progress(phase=Phase.RUNNING, step=200, total_steps=500, recent=recent, now=1199)
    later = estimate_progress(phase=Phase.RUNNING, step=200, total_steps=500, recent=recent, now=1229)
    assert at_event.eta_seconds == pytest.approx(300) and later.eta_seconds == pytest.approx(270)
    assert later.elapsed_seconds is None or later.elapsed_seconds >= 0


def test_after_the_last_step_it_says_evaluating_with_elapsed_time():
    progress = estimate_progress(phase=Phase.EVALUATING, step=500, total_steps=500,
                                 recent=rate_window(500, 1.0), training_started_at=500.0,
                                 training_ended_at=1499.0, now=1499.0 + 125)
    assert progress.label == "evaluating for 2m 05s" and progress.eta_seconds is None
    assert progress.fraction == 1.0 and progress.elapsed_seconds == pytest.approx(1124)
    running_at_end = estimate_progress(phase=Phase.RUNNING, step=500, total_steps=500,
                                       recent=rate_window(500, 1.0), now=1499.0 + 10)
    assert running_at_end.label == "evaluating for 10s"


def test_after_the_end_the_label_is_the_total_duration():
    progress = estimate_progress(phase=Phase.SUCCEEDED, step=500, total_steps=500, created_at=1000.0,
                                 ended_at=1000.0 + 843, now=99999)
    assert progress.label == "took 14m 03s" and progress.elapsed_seconds == 843 and progress.eta_seconds is None


def test_unknown_and_waiting_states_have_no_eta():
    for phase in (Phase.QUEUED, Phase.VALIDATING_FILES, Phase.UNKNOWN):
        progress = estimate_progress(phase=phase, step=None, total_steps=None, now=5)
        assert progress.eta_seconds is None and progress.fraction is None and progress.label == ""
    assert estimate_progress(phase=Phase.PAUSED, step=3, total_steps=9, now=5).label == "paused"
    stalled = estimate_progress(phase=Phase.RUNNING, step=50, total_steps=100, recent=[(50, 9.0), (50, 9.0)], now=10)
    assert stalled.eta_seconds is None


def test_a_job_that_stopped_stepping_has_no_eta_but_says_for_how_long():
    """The demo's stalled job read "ETA 0s" eight minutes after its last step: the ETA must be withdrawn."""
    from ftwatch.domain.models import Phase
    from ftwatch.domain.progress import estimate_progress
    recent = [(200 + i, 1000.0 + i) for i in range(37)]          # one step a second up to step 236
    fresh = estimate_progress(phase=Phase.RUNNING, step=236, total_steps=300, recent=recent, now=1040.0)
    assert fresh.eta_seconds is not None and fresh.label.startswith("ETA ")
    stale = estimate_progress(phase=Phase.RUNNING, step=236, total_steps=300, recent=recent, now=1036.0 + 503)
    assert stale.eta_seconds is None
    assert stale.label == "no step for 8m 23s"


def test_a_job_overdue_by_its_own_rate_says_how_long_it_has_been_quiet_not_eta_0s():
    """Offline, a cached running job 5 steps a second from the end read "ETA 0s" a minute later: the finish
    its rate promised has passed with no step, so the ETA is withdrawn (after 30 s of quiet)."""
    from ftwatch.domain.models import Phase
    from ftwatch.domain.progress import estimate_progress
    recent = [(100 + 5 * i, 1000.0 + i) for i in range(21)]        # 5 steps a second up to step 200 of 300
    soon = estimate_progress(phase=Phase.RUNNING, step=200, total_steps=300, recent=recent, now=1020.0 + 10)
    assert soon.label == "ETA 10s"
    quiet = estimate_progress(phase=Phase.RUNNING, step=200, total_steps=300, recent=recent, now=1020.0 + 60)
    assert quiet.eta_seconds is None and quiet.label == "no step for 1m 00s"
