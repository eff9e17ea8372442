"""Plain-text lines shared by the TUI log and `ftwatch follow`."""

from __future__ import annotations

import pytest

from domain.factories import make_event, metrics_dict
from ftwatch.domain.format import clock_time, event_line, human_duration, metric_value
from ftwatch.domain.parse import parse_event


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (45, "45s"), (45.9, "45s"), (192, "3m 12s"), (843, "14m 03s"), (3840, "1h 04m"),
    (2 * 86400 + 3 * 3600, "2d 03h"), (-5, "0s"), (None, ""), (float("inf"), ""), (float("nan"), ""),
])
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


def test_metrics_line_shows_step_raw_and_smoothed_loss_and_validation():
    event = parse_event(metrics_dict(118, 500, 0.41234, valid_loss=0.4311))
    assert event_line(event, 0.3981) == "step 118/500  loss 0.412 (smoothed 0.398)  val 0.431"
    assert event_line(event) == "step 118/500  loss 0.412  val 0.431"
    full = parse_event(metrics_dict(500, 500, 0.3, valid_loss=0.4, full_valid_loss=0.35))
    assert event_line(full).endswith("val 0.400  full val 0.350")


def test_metrics_line_from_a_message_only_event():
    event = parse_event({"id": "x", "message": "Step 3/10: training loss=1.50"})
    assert event_line(event, float("nan")) == "step 3/10  loss 1.500"


def test_tiny_losses_stay_readable():
    assert metric_value(3.4570693969726562e-06) == "3.46e-06"
    assert metric_value(0.0) == "0.000"


def test_other_events_show_their_cleaned_message():
    assert event_line(make_event(1, message="Fine-tuning job started")) == "Fine-tuning job started"
    hostile = make_event(2, message="ok\x1b]52;c;cHduZWQ=\x07\x1b[2J [bold]x[/]\nnext")
    assert event_line(hostile) == "ok [bold]x[/]⏎next"
    assert len(event_line(make_event(3, message="y" * 5000))) == 500


def test_rft_metrics_without_train_loss_show_the_message():
    event = parse_event({"id": "r", "type": "metrics", "message": "Step 10/20 , train mean reward=0.42",
                         "data": {"step": 10, "total_steps": 20, "train_mean_reward": 0.42}})
    assert event_line(event) == "Step 10/20 , train mean reward=0.42"


def test_clock_time_is_hh_mm_ss():
    assert len(clock_time(1_700_000_000)) == 8 and clock_time(1_700_000_000).count(":") == 2
