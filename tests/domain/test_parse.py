"""Parsing API dicts: real samples come out right, hostile ones never raise (issue 3 §1, issue 5 §3)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.factories import api_event_files, sample_json, sample_page
from ftwatch.domain.models import JobEvent, MetricPoint
from ftwatch.domain.parse import metric_point, parse_checkpoint, parse_event, parse_job


def test_parse_job_real_objects(samples):
    recorded = sample_json("jobs_llme_mrpeski_gpt41nano_create_list_retrieve.json")
    created = parse_job(recorded["create_response"])
    assert created.status == "validating_files"
    assert created.error is None, "a null-filled error object is not an error"
    assert created.suffix == "gdpr"
    assert created.method == "supervised"
    assert created.hyperparameters["learning_rate_multiplier"] == "auto"
    running = parse_job(recorded["list_limit1_page"]["data"][0])
    assert running.status == "running" and running.finished_at == 1773243116
    done = parse_job(recorded["retrieve_succeeded"])
    assert done.fine_tuned_model == "ft:gpt-4.1-nano-2025-04-14:personal:gdpr:DIE8Fn4p"
    assert done.result_files == ("file-TcN2CzFYYCSeGbNGuzrBeV",)
    assert done.trained_tokens == 46018
    assert done.raw["internal_worker_backend"] is None, "unknown keys stay in raw"


def test_parse_job_failure_keeps_the_error():
    job = parse_job({"id": "ftjob-1", "status": "failed", "created_at": 1, "model": "m",
                     "error": {"code": "invalid_training_file", "message": "bad file", "param": "training_file"}})
    assert job.error is not None and job.error.code == "invalid_training_file"
    assert job.error.param == "training_file"


@pytest.mark.parametrize("name", api_event_files())
def test_every_recorded_event_parses_with_its_fields(samples, name):
    for raw in sample_page(name):
        event = parse_event(raw)
        assert event.id == raw["id"] and event.created_at == raw["created_at"]
        assert event.message == raw["message"] and event.level == raw["level"]
        assert event.type == raw.get("type") and event.data == raw.get("data")
        assert event.raw is raw
        point = metric_point(event)
        if raw.get("type") == "metrics":
            assert point is not None and point.step == raw["data"]["step"]
            assert point.total_steps == raw["data"]["total_steps"]
            for key in ("train_loss", "valid_loss", "full_valid_loss"):
                if key in raw["data"]:
                    assert point.values[key] == raw["data"][key]
        else:
            assert point is None


def test_metric_point_from_the_message_when_data_is_missing():
    event = parse_event({"id": "e", "created_at": 1, "message":
                         "Step 12/500: training loss=1.23, validation loss=1.50, full validation loss=1.40",
                         "type": "metrics", "data": None})
    assert metric_point(event) == MetricPoint(step=12, total_steps=500, created_at=1, values={
        "train_loss": 1.23, "valid_loss": 1.5, "full_valid_loss": 1.4})


def test_metric_point_from_printed_logs_without_type(samples):
    """The printed monitor log and the 2023 cookbook log carry only messages; they still chart."""
    log = sample_json("events_monitorlog_jamesdominique_gpt41nano_750steps_full_life_chronological.json")
    points = [metric_point(parse_event({"id": str(i), "message": row["message"]})) for i, row in enumerate(log)]
    steps = [p.step for p in points if p is not None]
    assert len(steps) == 750 - 52 and steps == sorted(steps)
    assert points[4] is not None and points[4].values == {"train_loss": 2.98}
    cookbook = sample_json("events_cookbook_recipe_ner_gpt35_2023_messages_only_chronological.json")
    first = metric_point(parse_event({"id": "c", "message": cookbook[0]}))
    assert first is not None and (first.step, first.total_steps) == (131, 303)
    assert first.values == {"train_loss": 0.25, "valid_loss": 0.37}


def test_rft_metrics_keep_unknown_keys_chartable(samples):
    raw = sample_page("events_rft_openai_guide_example_metrics_event_step10of20.json")[0]
    point = metric_point(parse_event(raw))
    assert point is not None and (point.step, point.total_steps) == (10, 20)
    assert point.values["train_mean_reward"] == raw["data"]["train_mean_reward"]
    assert point.values["scores.train_reward_mean"] == raw["data"]["scores"]["train_reward_mean"]
    from_message = metric_point(parse_event({"id": "r", "message": raw["message"], "type": "metrics"}))
    assert from_message is not None and from_message.values == {
        "train_mean_reward": 0.42, "full_valid_mean_reward": 0.68, "full_valid_mean_parse_error": 0.0}


def test_parse_checkpoint_real_page(samples):
    page = sample_json("checkpoints_qtran_postgres_gpt4omini.json")["data"]
    checkpoints = [parse_checkpoint(d) for d in page]
    assert [c.step_number for c in checkpoints] == [240, 160, 80]
    assert checkpoints[0].metrics["valid_loss"] == pytest.approx(2.2545838967347758e-05)
    assert "step" not in checkpoints[0].metrics
    assert checkpoints[2].fine_tuned_model_checkpoint.endswith(":ckpt-step-80")


HOSTILE_DATA = [
    None, {}, [], "metrics", 12, {"step": "12", "train_loss": "1.2"},
    {"step": 3, "train_loss": math.nan, "valid_loss": math.inf, "total_steps": True},
    {"step": 10**40, "train_loss": 1.0}, {"step": -5, "train_loss": 1.0}, {"step": 2.0, "train_loss": 10**400},
    {"step": 4, "nested": {"a": {"b": {"c": {"d": 1.0}}}}},
    {"step": 5, **{f"k{i}": float(i) for i in range(5000)}},
]


@pytest.mark.parametrize("data", HOSTILE_DATA, ids=range(len(HOSTILE_DATA)))
def test_hostile_data_never_raises_and_yields_only_finite_values(data):
    event = parse_event({"id": "x", "created_at": 1, "message": "Step 7/9: training loss=nan", "type": "metrics",
                         "data": data})
    point = metric_point(event)
    if point is not None:
        assert all(math.isfinite(v) for v in point.values.values())
        assert len(point.values) <= 256
        assert 0 <= point.step < 2**62


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                         st.text(max_size=30))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=25)
EVENT_KEYS = st.sampled_from(["id", "created_at", "level", "message", "type", "data", "object", "extra"])


@settings(max_examples=250, deadline=None)
@given(st.dictionaries(EVENT_KEYS, JSON_VALUES, max_size=8))
def test_fuzzed_events_and_jobs_parse_without_raising(d):
    event = parse_event(d)
    assert isinstance(event, JobEvent)
    assert isinstance(event.id, str) and isinstance(event.message, str) and isinstance(event.created_at, int)
    point = metric_point(event)
    if point is not None:
        assert all(math.isfinite(v) for v in point.values.values())
    job = parse_job({**d, "status": d.get("type"), "error": d.get("data"), "metadata": d.get("data"),
                     "result_files": d.get("data"), "hyperparameters": d.get("data")})
    assert isinstance(job.status, str)
    parse_checkpoint({**d, "metrics": d.get("data")})


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_fuzzed_messages_never_raise(message):
    point = metric_point(parse_event({"id": "m", "message": message, "data": None}))
    if point is not None:
        assert message.lstrip().startswith("Step")


def test_non_mapping_inputs_give_empty_objects():
    assert parse_event(None).id == ""          # type: ignore[arg-type]
    assert parse_job([1, 2]).status == "unknown"  # type: ignore[arg-type]
