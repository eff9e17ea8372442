"""The health rules on every real recorded run in tests/fixtures/real-samples (a copy of ../shared/real-samples).

The yardstick of issue 14: the runs whose validation loss climbs while training falls are flagged overfitting,
the healthy ones get no verdict at all, and a page of ten newest events (too little to judge a curve) gets none.
The expected set is written per file; docs/health.md has the same table with the reasons.
"""

from __future__ import annotations

import pytest

from ftwatch.domain.insight.best_checkpoint import best_checkpoint
from ftwatch.domain.insight.health import assess
from ftwatch.domain.insight.verdict import Badge
from ftwatch.domain.metrics.result_file import parse_result_csv
from ftwatch.domain.models import Job, Phase
from ftwatch.domain.parse import parse_checkpoint
from ftwatch.domain.snapshot import Connection, LinkState
from ftwatch.domain.tracker import JobTracker
from ftwatch.headless.recorded import load_file

from domain.factories import SAMPLES, sample_json

DAY = 86_400
OVERFITTING = {Badge.OVERFITTING}

RESULT_FILES = {
    "metrics_bptlab_robot_99steps_no_validation.csv": set(),
    "metrics_cookbook_function_calling_gpt35_309steps.csv": set(),
    "metrics_genset_250steps_RAW_BASE64_as_downloaded.txt": set(),
    "metrics_genset_250steps_decoded_valid_every_10.csv": set(),
    "metrics_historygpt_59steps_valid_every_step.csv": set(),
    "metrics_jobgpt_90steps_no_validation.csv": set(),
    "metrics_jobgpt_openai_env_90steps_valid_every_step_no_trailing_newline.csv": OVERFITTING,
    "metrics_nlbse_issue_classification_1500steps_no_validation.csv": set(),
    "metrics_nmapai_138steps_no_validation.csv": set(),
    "metrics_patent_insights_1665steps_valid_every_100.csv": OVERFITTING,
    "metrics_project3_24steps_valid_every_step.csv": set(),
}

# Every events file that carries metrics, with the phase it was recorded in (finished ones as SUCCEEDED).
EVENT_FILES = {
    "events_cookbook_recipe_ner_gpt35_2023_messages_only_chronological.json": Phase.SUCCEEDED,
    "events_llme_day5_gpt4omini_200steps_tail10.json": Phase.SUCCEEDED,
    "events_llme_day5results_gpt4omini_500steps_tail10.json": Phase.SUCCEEDED,
    "events_llme_dkisselev_500steps_tail10_a.json": Phase.SUCCEEDED,
    "events_llme_dkisselev_500steps_tail10_b.json": Phase.SUCCEEDED,
    "events_llme_ebunilo_100steps_tail10_midway_evaluating.json": Phase.EVALUATING,
    "events_llme_hayatu_gpt41nano_750steps_tail10_checkpoints.json": Phase.SUCCEEDED,
    "events_llme_hopeogbons_gpt4omini_200steps_tail10_moderation.json": Phase.SUCCEEDED,
    "events_llme_jameskimani_100steps_tail10_moderation.json": Phase.SUCCEEDED,
    "events_llme_mrpeski_gpt41nano_55steps_tail10_moderation.json": Phase.SUCCEEDED,
    "events_llme_myday5_200steps_tail10.json": Phase.SUCCEEDED,
    "events_llme_tejajampala_100steps_tail10_moderation.json": Phase.SUCCEEDED,
    "events_monitorlog_jamesdominique_gpt41nano_750steps_full_life_chronological.json": Phase.SUCCEEDED,
    "events_qtran_mysql_gpt4omini_300steps_end_page.json": Phase.SUCCEEDED,
    "events_qtran_postgres_gpt4omini_end_page.json": Phase.SUCCEEDED,
    "events_rft_openai_guide_example_metrics_event_step10of20.json": Phase.RUNNING,
}


def _result_tracker(name: str) -> JobTracker:
    tracker = JobTracker(Job(id=name, created_at=0, status="succeeded", model=""))
    tracker.add_result_points(parse_result_csv((SAMPLES / name).read_bytes()))
    return tracker


def _assess(tracker: JobTracker, phase: Phase, now: float):
    return assess(job=tracker.job, phase=phase, metrics=tracker.metrics.view(), events=tracker.timeline.view(),
                  connection=Connection(LinkState.OK, last_success=now), now=now, smoothing=tracker.smoothing)


def test_every_result_file_and_metrics_carrying_events_file_is_listed(samples):
    assert set(RESULT_FILES) == {p.name for p in samples.glob("metrics_*")}
    with_metrics = {p.name for p in samples.glob("events_*.json")
                    if load_file(str(p), smoothing=None).tracker.metrics.last_step is not None}
    assert set(EVENT_FILES) == with_metrics


@pytest.mark.parametrize("name", sorted(RESULT_FILES))
def test_each_real_result_file_gets_exactly_its_expected_verdicts(samples, name):
    tracker = _result_tracker(name)
    found = _assess(tracker, Phase.SUCCEEDED, now=2_000_000_000)
    assert {v.badge for v in found} == RESULT_FILES[name]
    snapshot = tracker.snapshot(connection=Connection(LinkState.OK, last_success=2e9), now=2e9)
    assert snapshot.health == found          # the tracker's snapshot carries the same verdicts


def test_the_patent_run_names_its_validation_climb_and_training_fall(samples):
    (verdict,) = _assess(_result_tracker("metrics_patent_insights_1665steps_valid_every_100.csv"), Phase.SUCCEEDED, 2e9)
    assert verdict.reason == ("validation loss 0.90, up 35% from its low 0.67 around step 200, while training "
                              "loss fell 61%")


def test_the_run_whose_validation_never_improved_names_the_widening_gap(samples):
    name = "metrics_jobgpt_openai_env_90steps_valid_every_step_no_trailing_newline.csv"
    (verdict,) = _assess(_result_tracker(name), Phase.SUCCEEDED, 2e9)
    assert verdict.reason.startswith("train/validation gap up from 0.36 to 1.12 since step 27")


@pytest.mark.parametrize("name", sorted(EVENT_FILES))
def test_each_real_events_file_gets_no_verdict_as_recorded(samples, name):
    """Tail pages are too short to judge a curve; the whole-life log is healthy (its validation still falls);
    finished jobs never stall, however long after; a running one just after its newest event has not."""
    tracker = load_file(str(samples / name), smoothing=None).tracker
    phase = EVENT_FILES[name]
    newest = tracker.timeline.newest_created_at or 0
    now = newest + (DAY if phase.is_terminal else 5)
    assert _assess(tracker, phase, now) == ()


def test_a_real_running_job_silent_for_twenty_minutes_is_stalled_and_an_evaluating_one_is_not(samples):
    running = load_file(str(samples / "events_rft_openai_guide_example_metrics_event_step10of20.json"),
                        smoothing=None).tracker
    (verdict,) = _assess(running, Phase.RUNNING, (running.timeline.newest_created_at or 0) + 1200)
    assert verdict.badge is Badge.STALLED
    assert verdict.reason == "no new event for 20m 00s although the API answers"
    evaluating = load_file(str(samples / "events_llme_ebunilo_100steps_tail10_midway_evaluating.json"),
                           smoothing=None).tracker
    assert evaluating.phase is Phase.EVALUATING
    assert _assess(evaluating, evaluating.phase, (evaluating.timeline.newest_created_at or 0) + 1200) == ()


@pytest.mark.parametrize(("name", "end_page", "step", "explained"), [
    ("checkpoints_qtran_mysql_gpt4omini_300steps.json", "events_qtran_mysql_gpt4omini_300steps_end_page.json", 100,
     "lowest valid_loss (4.88e-06 at step 100)"),
    ("checkpoints_qtran_postgres_gpt4omini.json", "events_qtran_postgres_gpt4omini_end_page.json", 240,
     "lowest valid_loss (2.25e-05 at step 240)"),
])
def test_the_real_checkpoint_pages_best_is_the_lowest_validation_loss(samples, name, end_page, step, explained):
    """The 2024 checkpoints carry valid_loss but no full_valid_loss; the job's own end page of events has one
    validation point, after the older checkpoints, so the checkpoints' own values decide."""
    checkpoints = [parse_checkpoint(d) for d in sample_json(name)["data"]]
    found = best_checkpoint(checkpoints, None, 0.9)
    assert (found.checkpoint.step_number, found.rule, found.explain()) == (step, "valid_loss", explained)
    tracker = load_file(str(samples / end_page), smoothing=None).tracker
    with_tail = best_checkpoint(checkpoints, tracker.metrics.view(), tracker.smoothing)
    assert (with_tail.checkpoint.step_number, with_tail.rule) == (step, "valid_loss")


@pytest.mark.parametrize("name", sorted(RESULT_FILES))
def test_cut_at_every_twentieth_as_if_still_running_a_real_run_gets_only_its_own_verdicts(samples, name):
    """While a run is followed its curves are judged on what has arrived so far: a healthy run must stay
    silent all the way, and an overfitting one may be flagged only for overfitting (from when it shows)."""
    points = parse_result_csv((SAMPLES / name).read_bytes())
    seen = set()
    for cut in range(1, 21):
        tracker = JobTracker(Job(id=name, created_at=0, status="running", model=""))
        tracker.add_result_points(points[: len(points) * cut // 20])
        seen |= {v.badge for v in _assess(tracker, Phase.RUNNING, now=2e9) if v.badge is not Badge.STALLED}
    assert seen == RESULT_FILES[name]
