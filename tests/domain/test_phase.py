"""Phase: the evaluation trap (running + finished_at), read from real recorded jobs and events."""

from __future__ import annotations

import pytest

from domain.factories import make_event, running_job, sample_json, sample_page
from ftwatch.domain.models import Phase
from ftwatch.domain.parse import parse_event, parse_job
from ftwatch.domain.phase import detect_phase


def tail(name: str):
    """A recorded page (newest first) as a timeline tail (oldest first)."""
    return [parse_event(d) for d in reversed(sample_page(name))]


def test_real_running_job_with_finished_at_is_evaluating(samples):
    job = parse_job(sample_json("jobs_llme_mrpeski_gpt41nano_create_list_retrieve.json")["list_limit1_page"]["data"][0])
    assert job.status == "running"
    assert detect_phase(job, []) is Phase.EVALUATING


def test_real_midway_evaluating_events_read_as_evaluating(samples):
    events = tail("events_llme_ebunilo_100steps_tail10_midway_evaluating.json")
    assert detect_phase(running_job(), events) is Phase.EVALUATING
    before_the_end = [e for e in events if "Step" in e.message and "100/100" not in e.message]
    assert detect_phase(running_job(), before_the_end) is Phase.RUNNING
    last_step_only = [e for e in events if "Step" in e.message]
    assert detect_phase(running_job(), last_step_only) is Phase.EVALUATING, "after the last step"


@pytest.mark.parametrize("name", [
    "events_llme_hopeogbons_gpt4omini_200steps_tail10_moderation.json",
    "events_llme_jameskimani_100steps_tail10_moderation.json",
    "events_llme_mrpeski_gpt41nano_55steps_tail10_moderation.json",
    "events_llme_tejajampala_100steps_tail10_moderation.json",
])
def test_real_moderation_stages_read_as_evaluating_while_running(samples, name):
    events = tail(name)
    moderation = next(i for i, e in enumerate(events) if e.type == "moderation_checks")
    assert detect_phase(running_job(), events[: moderation + 1]) is Phase.EVALUATING
    done = parse_job({"id": "j", "status": "succeeded", "created_at": 1, "model": "m", "finished_at": 2})
    assert detect_phase(done, events) is Phase.SUCCEEDED, "success comes only from status"


def test_checkpoint_message_means_training_is_over(samples):
    events = tail("events_qtran_mysql_gpt4omini_300steps_end_page.json")
    checkpoint = next(i for i, e in enumerate(events) if e.message.startswith("Checkpoint created"))
    assert detect_phase(running_job(), events[: checkpoint + 1]) is Phase.EVALUATING
    assert detect_phase(running_job(), events[:checkpoint]) is Phase.EVALUATING, "the step before was the last"


@pytest.mark.parametrize(("status", "phase"), [
    ("validating_files", Phase.VALIDATING_FILES), ("queued", Phase.QUEUED), ("running", Phase.RUNNING),
    ("paused", Phase.PAUSED), ("succeeded", Phase.SUCCEEDED), ("failed", Phase.FAILED),
    ("cancelled", Phase.CANCELLED), ("brand_new_status", Phase.UNKNOWN), ("", Phase.UNKNOWN),
])
def test_statuses_map_to_phases(status, phase):
    assert detect_phase(running_job(status=status), [make_event(1)]) is phase


def test_job_started_and_messages_alone_are_running():
    assert detect_phase(running_job(), [make_event(1, message="Fine-tuning job started")]) is Phase.RUNNING
    assert detect_phase(running_job(), [make_event(1, message="something new")]) is Phase.RUNNING
