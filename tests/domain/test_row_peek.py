"""One page of a finished job's newest events gives its row's last step and loss — checked on real tails."""

from __future__ import annotations

from domain.factories import api_event_files, sample_page

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
