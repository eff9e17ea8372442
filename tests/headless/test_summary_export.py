"""`ftwatch summary` and `ftwatch export` on the real recorded samples, on recorded job files and on the API."""

from __future__ import annotations

import base64
import csv
import io
import json
import math

import pytest

from ftwatch.cli import main
from ftwatch.config import Settings
from ftwatch.domain.metrics.smoothing import auto_weight, smooth
from ftwatch.headless.export import export
from ftwatch.headless.summary import summary
from source.conftest import quick_job

from .conftest import REAL_SAMPLES

CSV_SAMPLES = sorted(p.name for p in REAL_SAMPLES.glob("metrics_*"))
EVENT_SAMPLES = sorted(p.name for p in REAL_SAMPLES.glob("events_*.json"))
SUMMARY_KEYS = {"steps", "last_step", "total_steps", "smoothing", "train_loss", "valid_loss", "full_valid_loss",
                "trend", "status", "health", "checkpoints", "best_checkpoint"}
JOB_SUMMARY_KEYS = SUMMARY_KEYS | {"model", "fine_tuned_model", "error", "took_seconds"}   # a job, not a bare CSV
EXPORT_HEADER = ["step", "train_loss", "train_accuracy", "valid_loss", "valid_mean_token_accuracy",
                 "full_valid_loss", "full_valid_mean_token_accuracy", "train_loss_smoothed", "checkpoint"]


def read_csv_sample(name: str) -> list[dict[str, str]]:
    """The sample read independently of ftwatch: decode base64 if needed, then the csv module."""
    raw = (REAL_SAMPLES / name).read_bytes()
    text = raw.decode() if raw.startswith(b"step") else base64.b64decode(raw).decode()
    return list(csv.DictReader(io.StringIO(text)))


def column(rows: list[dict[str, str]], name: str) -> list[float]:
    return [float(r[name]) for r in rows if r.get(name, "").strip()]


def run_json(capsys, *argv: str, code: int | None = 0) -> dict:
    returned = main(list(argv))
    assert code is None or returned == code, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_the_samples_are_there():
    assert len(CSV_SAMPLES) == 11 and len(EVENT_SAMPLES) >= 20


@pytest.mark.parametrize("name", CSV_SAMPLES)
def test_summary_of_every_real_result_file(capsys, name):
    rows = read_csv_sample(name)
    result = run_json(capsys, "summary", str(REAL_SAMPLES / name), "--json")
    assert set(result) == SUMMARY_KEYS
    train = column(rows, "train_loss")
    assert result["steps"] == len(rows) and result["last_step"] == int(rows[-1]["step"])
    assert result["status"] is None
    assert result["train_loss"]["first"] == train[0] and result["train_loss"]["last"] == train[-1]
    assert result["train_loss"]["min"] == min(train)
    weight = auto_weight(len(rows))
    assert result["smoothing"] == pytest.approx(weight)
    steps = [int(r["step"]) for r in rows]
    assert result["train_loss"]["smoothed_last"] == pytest.approx(smooth(steps, train, weight)[-1])
    valid = column(rows, "valid_loss")
    if valid:
        assert result["valid_loss"] == {"first": valid[0], "last": valid[-1], "min": min(valid),
                                        "smoothed_last": pytest.approx(result["valid_loss"]["smoothed_last"])}
    else:
        assert result["valid_loss"] is None
    assert result["full_valid_loss"] is None
    assert result["trend"] in {"improving", "flat", "worsening", "unknown"}


def test_summary_with_a_fixed_smoothing_weight(capsys):
    name = "metrics_project3_24steps_valid_every_step.csv"
    rows = read_csv_sample(name)
    result = run_json(capsys, "summary", str(REAL_SAMPLES / name), "--json", "--smoothing", "0.6")
    train = column(rows, "train_loss")
    assert result["smoothing"] == 0.6
    assert result["train_loss"]["smoothed_last"] == pytest.approx(smooth(range(1, 25), train, 0.6)[-1])


def test_summary_text_mode_is_readable(capsys):
    assert main(["summary", str(REAL_SAMPLES / "metrics_genset_250steps_decoded_valid_every_10.csv")]) == 0
    out = capsys.readouterr().out
    assert "250 metric points" in out and "train_loss" in out and "valid_loss" in out and "trend" in out


@pytest.mark.parametrize("name", EVENT_SAMPLES)
def test_summary_of_every_recorded_events_file(capsys, name):
    result = run_json(capsys, "summary", str(REAL_SAMPLES / name), "--json", code=None)
    assert set(result) == JOB_SUMMARY_KEYS and isinstance(result["status"], str)
    data = json.loads((REAL_SAMPLES / name).read_text())
    events = data["data"] if isinstance(data, dict) else data
    messages = [e if isinstance(e, str) else e["message"] for e in events]
    assert result["steps"] == sum(1 for m in messages if m.startswith("Step "))
    if any("successfully completed" in m for m in messages):
        assert result["status"] == "succeeded"


def test_summary_of_the_full_life_recording_counts_its_gaps(capsys):
    recording = REAL_SAMPLES / "events_monitorlog_jamesdominique_gpt41nano_750steps_full_life_chronological.json"
    result = run_json(capsys, "summary", str(recording), "--json")
    assert result["total_steps"] == 750 and result["last_step"] == 750
    assert result["steps"] == 750 - 52, "the notebook monitor this came from lost 52 steps"
    assert result["train_loss"]["first"] == 2.98


def test_summary_of_a_scenario_file_with_job_and_result_csv(capsys, tmp_path):
    csv_text = (REAL_SAMPLES / "metrics_project3_24steps_valid_every_step.csv").read_text()
    events = json.loads((REAL_SAMPLES / "events_llme_mrpeski_gpt41nano_55steps_tail10_moderation.json").read_text())
    scenario = tmp_path / "job.json"
    scenario.write_text(json.dumps({"jobs": [{"job": {"id": "ftjob-recorded", "status": "cancelled"},
                                              "events": events, "result_csv": csv_text}]}))
    result = run_json(capsys, "summary", str(scenario), "--json", code=3)     # exits like `wait`
    assert result["status"] == "cancelled"
    assert result["steps"] >= 24


async def test_summary_of_a_job_id_through_the_api(world, server, runtime, clock):
    job_id = quick_job(world, total_steps=70)
    clock.advance(2_000)
    assert await summary(Settings(), job_id, as_json=True, runtime=runtime) == 0
    result = json.loads(runtime.out.getvalue())
    train = [e["data"]["train_loss"] for e in reversed(world.events_json(job_id)) if e["type"] == "metrics"]
    assert result["status"] == "succeeded" and result["steps"] == 70 and result["total_steps"] == 70
    assert result["train_loss"]["first"] == train[0] and result["train_loss"]["min"] == min(train)
    assert result["full_valid_loss"] is not None


async def test_summary_of_a_running_job_is_its_state_now(world, server, runtime, clock):
    job_id = quick_job(world, total_steps=400)
    clock.advance(100)
    assert await summary(Settings(), job_id, as_json=True, runtime=runtime) == 0
    result = json.loads(runtime.out.getvalue())
    assert result["status"] == "running" and 0 < result["last_step"] < 400 and result["total_steps"] == 400
    assert result["took_seconds"] is None


async def test_summary_of_a_failed_job_says_why_and_exits_like_wait(world, server, runtime, clock):
    job_id = world.create_job(total_steps=100, fate="fail", suffix="recipes")
    clock.advance(3_000)
    assert world.job_json(job_id)["status"] == "failed"
    assert await summary(Settings(), job_id, runtime=runtime) == 1
    text = runtime.out.getvalue()
    reason = world.job_json(job_id)["error"]["message"]
    assert text.endswith("\n") and "None" not in text
    assert "status          failed · took " in text and reason in text
    numbers = [n for n in text.split() if n.count(".") == 1 and n.replace(".", "").isdigit()]
    assert all(len(n.split(".")[1]) == 4 for n in numbers if not n.endswith("s"))     # one precision


async def test_summary_of_a_succeeded_job_names_its_model(world, server, runtime, clock):
    job_id = quick_job(world, total_steps=30)
    clock.advance(2_000)
    assert await summary(Settings(), job_id, runtime=runtime) == 0
    assert f"model           {world.job_json(job_id)['fine_tuned_model']}" in runtime.out.getvalue()


@pytest.mark.parametrize(("content", "fragment"), [
    (b"not,a,result\n1,2,3\n", "not a result file"),
    (b"%%% garbage %%%", "not a result file"),
    (b"{\"jobs\": 3}", "\"jobs\" must be a non-empty list"),
    (b"[{\"id\": 1", "not valid JSON"),
])
def test_malformed_files_are_one_line_usage_errors(capsys, tmp_path, content, fragment):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    assert main(["summary", str(bad)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"ftwatch: {bad}") and fragment in line


@pytest.mark.parametrize("name", ["metrics_genset_250steps_RAW_BASE64_as_downloaded.txt",
                                  "metrics_jobgpt_openai_env_90steps_valid_every_step_no_trailing_newline.csv",
                                  "metrics_patent_insights_1665steps_valid_every_100.csv"])
def test_export_csv_has_the_result_columns_plus_full_validation_and_smoothed(capsys, name):
    rows = read_csv_sample(name)
    assert main(["export", str(REAL_SAMPLES / name)]) == 0
    exported = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert exported[0] == EXPORT_HEADER
    body = exported[1:]
    assert len(body) == len(rows)
    for mine, theirs in zip(body, rows):
        assert int(mine[0]) == int(theirs["step"])
        for index, name_in_file in ((1, "train_loss"), (2, "train_accuracy"), (3, "valid_loss"),
                                    (4, "valid_mean_token_accuracy")):
            expected = theirs[name_in_file].strip()
            assert (mine[index] == "") == (expected == "")
            if expected:
                assert float(mine[index]) == float(expected)
        assert mine[5] == "" and mine[6] == ""
    steps = [int(r["step"]) for r in rows]
    smoothed = smooth(steps, column(rows, "train_loss"), auto_weight(len(rows)))
    assert [float(r[7]) for r in body] == pytest.approx(smoothed)


def test_export_jsonl_to_a_file(capsys, tmp_path):
    out = tmp_path / "metrics.jsonl"
    name = "metrics_historygpt_59steps_valid_every_step.csv"
    assert main(["export", str(REAL_SAMPLES / name), "--format", "jsonl", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 59 and list(records[0]) == EXPORT_HEADER
    assert records[0]["full_valid_loss"] is None and records[0]["valid_loss"] is not None
    assert all(math.isfinite(r["train_loss_smoothed"]) for r in records)


def test_export_to_an_unwritable_place_is_a_usage_error(capsys, tmp_path):
    name = "metrics_project3_24steps_valid_every_step.csv"
    assert main(["export", str(REAL_SAMPLES / name), "-o", str(tmp_path / "no" / "such" / "dir.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err


async def test_export_of_a_job_through_the_api_has_full_validation(world, server, runtime, clock):
    job_id = quick_job(world, total_steps=45, n_epochs=3)
    clock.advance(2_000)
    assert await export(Settings(), job_id, runtime=runtime) == 0
    exported = list(csv.DictReader(io.StringIO(runtime.out.getvalue())))
    assert len(exported) == 45
    assert [int(r["step"]) for r in exported if r["full_valid_loss"]] == [15, 30, 45]
    assert all(r["train_accuracy"] for r in exported)
