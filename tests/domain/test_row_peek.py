"""One page of a finished job's newest events gives its row's last step and loss — checked on real tails; a row's
health verdicts come from the job's snapshot or a newer cheap look (a result file, a running job's newest page)."""

from __future__ import annotations

import base64

import pytest
from domain.factories import api_event_files, metrics_dict, result_files, running_job, sample_page

from ftwatch.domain.insight.row_health import CURVE_BADGES, STALL_BADGES, RowLook, row_health
from ftwatch.domain.insight.row_looks import judge_newest_page, judge_result_file
from ftwatch.domain.insight.verdict import Badge, Verdict
from ftwatch.domain.metrics.result_file import ResultFileError
from ftwatch.domain.models import Job
from ftwatch.domain.parse import parse_event
from ftwatch.domain.row_peek import peek_events


def test_real_finished_tails_give_their_last_step_and_loss():
    checked = 0
    for name in api_event_files():
        page = [parse_event(raw) for raw in sample_page(name)]
        steps = [e for e in page if e.type == "metrics" and isinstance(e.data, dict) and "step" in e.data]
        if not steps or "job_start" in name:
            continue
        peek = peek_events(page)
        newest_step = steps[0]
        assert peek.step == newest_step.data["step"], name
        assert peek.total_steps == newest_step.data.get("total_steps"), name
        assert peek.last_loss == newest_step.data.get("train_loss"), name
        assert peek.last_event_at == page[0].created_at, name
        checked += 1
    assert checked >= 10


def test_a_page_without_steps_says_nothing_about_steps():
    page = [parse_event(raw) for raw in sample_page("events_llme_bo_job_start_4events.json")]
    peek = peek_events(page)
    assert peek.step is None and peek.last_loss is None and peek.last_event_at == page[0].created_at


# --- a row's health: a job's snapshot, or a newer cheap look at it (domain.insight.row_health) ------------------

OVERFIT = Verdict(Badge.OVERFITTING, "validation loss up from its minimum")
STALLED = Verdict(Badge.STALLED, "no new event for 5 min")
DIVERGING = Verdict(Badge.DIVERGING, "training loss NaN")


def test_a_row_shows_its_snapshots_verdicts_until_a_newer_look_judges_otherwise():
    assert row_health((OVERFIT,), 100.0, None) == (OVERFIT,)
    older_look = RowLook((STALLED,), 50.0, STALL_BADGES)
    assert row_health((OVERFIT,), 100.0, older_look) == (OVERFIT,)            # the snapshot is newer: whole
    assert row_health((), None, RowLook((OVERFIT,), 5.0, CURVE_BADGES)) == (OVERFIT,)   # never followed


def test_a_newer_look_replaces_only_the_badges_it_judges():
    """A job once selected and then left behind: its snapshot said overfitting and stalled; the newest page
    (which judges only `stalled`) says it moves again. Overfitting stays, stalled goes; and back again."""
    moving = RowLook((), 200.0, STALL_BADGES)
    assert row_health((OVERFIT, STALLED), 100.0, moving) == (OVERFIT,)
    silent = RowLook((STALLED,), 300.0, STALL_BADGES)
    assert row_health((DIVERGING, OVERFIT), 100.0, silent) == (DIVERGING, OVERFIT, STALLED)   # assess's order
    assert row_health((), 100.0, RowLook((STALLED,), 300.0, CURVE_BADGES)) == ()   # not its to judge


# --- the cheap looks themselves (domain.insight.row_looks), judged by the health rules ---------------------------

def finished_job(**fields) -> Job:
    return Job(id="ftjob-look", created_at=1_700_000_000, status="succeeded", model="gpt-4o-mini-2024-07-18",
               finished_at=1_700_009_000, validation_file="file-valid", **fields)


def test_a_finished_job_whose_validation_loss_climbs_is_flagged_from_its_result_file(samples):
    """The real 1,665-step run whose validation loss climbs from 0.52 to 0.94: its row says overfitting from
    the one file read, and a look at a finished job never says stalled."""
    content = (samples / "metrics_patent_insights_1665steps_valid_every_100.csv").read_text()
    look = judge_result_file(finished_job(), content, now=1_700_010_000.0)
    assert Badge.OVERFITTING in [v.badge for v in look.health]
    assert look.judges == CURVE_BADGES and look.taken_at == 1_700_010_000.0
    base64_look = judge_result_file(finished_job(), base64.b64encode(content.encode()).decode(), now=1.0)
    assert [v.badge for v in base64_look.health] == [v.badge for v in look.health]     # as the Files API serves it


def test_every_look_at_a_real_result_file_judges_only_the_curves(samples):
    for name in result_files():
        look = judge_result_file(finished_job(), (samples / name).read_bytes(), now=1_800_000_000.0)
        assert all(v.badge in CURVE_BADGES and v.reason for v in look.health), name


def test_a_result_file_that_is_not_one_raises_for_the_caller_to_leave_the_row_alone():
    with pytest.raises(ResultFileError):
        judge_result_file(finished_job(), "<html>not found</html>", now=1.0)


def stalled_page(last_at: int, steps: int = 20, every: int = 2) -> list:
    """A running job's newest page: `steps` metrics events `every` seconds apart, the newest at `last_at`."""
    return [parse_event(metrics_dict(s, 500, 1.0, created_at=last_at - every * (steps - s)))
            for s in range(steps, 0, -1)]


def test_a_running_job_silent_for_many_times_its_cadence_is_stalled_from_its_newest_page():
    page = stalled_page(last_at=1_700_000_100)
    quiet = judge_newest_page(running_job(), page, now=1_700_000_100 + 3600.0)
    assert [v.badge for v in quiet.health] == [Badge.STALLED] and quiet.judges == STALL_BADGES
    busy = judge_newest_page(running_job(), page, now=1_700_000_101.0)
    assert busy.health == ()                                       # one cadence later: just the next step due
    assert judge_newest_page(running_job(), [], now=1_700_000_100 + 3600.0).health == ()   # nothing to judge by
