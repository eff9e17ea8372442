"""`ftwatch summary` answers, not just curves (issue 14): health verdicts, the job's checkpoints and the best one,
for a job read through the API, a result file, a recorded job and a checkpoints page; `ftwatch export` carries
the checkpoints in a `checkpoint` column."""

from __future__ import annotations

import csv
import io
import json

from ftwatch.cli import main
from ftwatch.config import Settings
from ftwatch.domain.insight.best_checkpoint import RULES as BEST_RULES
from ftwatch.domain.insight.verdict import Badge
from ftwatch.headless.export import export
from ftwatch.headless.summary import summary
from source.conftest import quick_job

from .conftest import REAL_SAMPLES

OVERFITTING_CSV = REAL_SAMPLES / "metrics_patent_insights_1665steps_valid_every_100.csv"
CHECKPOINTS_PAGE = REAL_SAMPLES / "checkpoints_qtran_mysql_gpt4omini_300steps.json"
END_PAGE = REAL_SAMPLES / "events_qtran_mysql_gpt4omini_300steps_end_page.json"
INSIGHT_KEYS = {"health", "checkpoints", "best_checkpoint"}
CHECKPOINT_KEYS = {"id", "step", "fine_tuned_model_checkpoint", "metrics", "created_at"}
BEST_KEYS = {"fine_tuned_model_checkpoint", "step", "rule", "metrics"}
RULES = set(BEST_RULES)


def run(capsys, *argv: str) -> str:
    assert main(list(argv)) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def the_page() -> list[dict]:
    """The real checkpoints page, oldest first."""
    return sorted(json.loads(CHECKPOINTS_PAGE.read_text())["data"], key=lambda c: c["step_number"])


def test_the_real_run_whose_validation_climbs_is_called_overfitting(capsys):
    """1,665 steps, validation loss 0.52 -> 0.94 while training falls: the summary used to say only 'flat'."""
    result = json.loads(run(capsys, "summary", str(OVERFITTING_CSV), "--json"))
    assert INSIGHT_KEYS <= set(result)
    badges = [v["badge"] for v in result["health"]]
    assert Badge.OVERFITTING in badges and all(set(v) == {"badge", "reason"} and v["reason"] for v in result["health"])
    assert Badge.STALLED not in badges, "a result file is a finished run: it cannot be stalled"
    assert result["checkpoints"] == [] and result["best_checkpoint"] is None
    text = run(capsys, "summary", str(OVERFITTING_CSV))
    [line] = [line for line in text.splitlines() if "overfitting" in line]
    assert line.startswith("health          ⚠ overfitting: ") and len(line) > len("health          ⚠ overfitting: ")
    assert "checkpoints     none in a result file\n" in text
    assert "best checkpoint" not in text


def test_a_checkpoints_page_is_a_summary_source(capsys):
    page = the_page()
    result = json.loads(run(capsys, "summary", str(CHECKPOINTS_PAGE), "--json"))
    assert result["status"] is None and result["health"] == []
    assert [set(c) for c in result["checkpoints"]] == [CHECKPOINT_KEYS] * 3
    assert [(c["id"], c["step"], c["fine_tuned_model_checkpoint"], c["created_at"]) for c in result["checkpoints"]] \
        == [(c["id"], c["step_number"], c["fine_tuned_model_checkpoint"], c["created_at"]) for c in page]
    assert result["checkpoints"][0]["metrics"]["valid_loss"] == page[0]["metrics"]["valid_loss"]
    best = result["best_checkpoint"]
    assert set(best) == BEST_KEYS and best["rule"] in RULES
    assert best["fine_tuned_model_checkpoint"] in [c["fine_tuned_model_checkpoint"] for c in page]
    text = run(capsys, "summary", str(CHECKPOINTS_PAGE))
    assert "status          n/a (checkpoints page)" in text
    assert "health          n/a (no step metrics to judge)\n" in text and "trend" not in text
    lines = [line for line in text.splitlines() if "ckpt-step" in line or line.endswith(":9uJPbR69")]
    assert lines[0].startswith("checkpoints     step 100  train_loss 0.0067  valid_loss 0.0000  ft:gpt-4o-mini")
    assert lines[2].startswith("                step 300  ") and lines[2].endswith(page[2]["fine_tuned_model_checkpoint"])
    [best_line] = [line for line in text.splitlines() if line.startswith("best checkpoint ")]
    assert best_line.startswith(f"best checkpoint {best['fine_tuned_model_checkpoint']} · ")


def test_a_recorded_job_with_its_checkpoints(capsys, tmp_path):
    events = json.loads(END_PAGE.read_text())
    recording = tmp_path / "job.json"
    recording.write_text(json.dumps({"jobs": [{"job": {"id": "ftjob-mJP5PgIEaFxN4jpMHIcCKMmQ", "status": "succeeded"},
                                               "events": events,
                                               "checkpoints": json.loads(CHECKPOINTS_PAGE.read_text())}]}))
    result = json.loads(run(capsys, "summary", str(recording), "--json"))
    assert result["status"] == "succeeded" and [c["step"] for c in result["checkpoints"]] == [100, 200, 300]
    assert result["best_checkpoint"]["step"] in (100, 200, 300)
    assert all(v["badge"] != Badge.STALLED for v in result["health"])


def test_a_recorded_job_without_checkpoints_says_so(capsys):
    text = run(capsys, "summary", str(END_PAGE))
    assert "checkpoints     none in this recording\n" in text


async def test_summary_of_a_finished_job_through_the_api(world, server, runtime, clock):
    job_id = quick_job(world, total_steps=60, n_epochs=3)
    clock.advance(2_000)
    assert await summary(Settings(), job_id, as_json=True, runtime=runtime) == 0
    result = json.loads(runtime.out.getvalue())
    served = sorted(world.checkpoints_json(job_id), key=lambda c: c["step_number"])
    assert result["checkpoints"] == [
        {"id": c["id"], "step": c["step_number"], "fine_tuned_model_checkpoint": c["fine_tuned_model_checkpoint"],
         "metrics": {k: v for k, v in c["metrics"].items() if k != "step"}, "created_at": c["created_at"]}
        for c in served]
    assert [c["step"] for c in result["checkpoints"]] == [20, 40, 60]
    best = result["best_checkpoint"]
    assert set(best) == BEST_KEYS and best["rule"] in RULES
    assert best["fine_tuned_model_checkpoint"] in [c["fine_tuned_model_checkpoint"] for c in served]
    assert isinstance(result["health"], list)


async def test_the_text_summary_of_a_job_names_its_checkpoints_and_the_best(world, server, runtime, clock):
    job_id = quick_job(world, total_steps=60, n_epochs=3)
    clock.advance(2_000)
    assert await summary(Settings(), job_id, runtime=runtime) == 0
    lines = runtime.out.getvalue().splitlines()
    names = [c["fine_tuned_model_checkpoint"] for c in sorted(world.checkpoints_json(job_id),
                                                                key=lambda c: c["step_number"])]
    listed = [line for line in lines if line.startswith(("checkpoints ", " " * 16 + "step "))]
    assert [line.rsplit(" ", 1)[1] for line in listed] == names
    assert listed[0].startswith("checkpoints     step 20  train_loss ")
    [best] = [line for line in lines if line.startswith("best checkpoint ")]
    assert best.split()[2] in names and " · lowest " in best
    assert any(line.startswith("health          ") for line in lines)


async def test_an_overfitting_job_through_the_api_is_flagged(world, server, runtime, clock):
    job_id = quick_job(world, total_steps=300, n_epochs=3, curve="overfitting")
    clock.advance(5_000)
    assert await summary(Settings(), job_id, as_json=True, runtime=runtime) == 0
    result = json.loads(runtime.out.getvalue())
    assert Badge.OVERFITTING in [v["badge"] for v in result["health"]]
    assert [c["step"] for c in result["checkpoints"]] == [100, 200, 300]


async def test_a_running_job_not_yet_checkpointed_says_none_yet(world, server, runtime, clock):
    job_id = quick_job(world, total_steps=300, n_epochs=3)
    clock.advance(40)
    assert await summary(Settings(), job_id, runtime=runtime) == 0
    assert "checkpoints     none yet\n" in runtime.out.getvalue()


async def test_export_names_each_checkpoint_at_its_step(world, server, runtime, clock):
    job_id = quick_job(world, total_steps=60, n_epochs=3)
    clock.advance(2_000)
    assert await export(Settings(), job_id, runtime=runtime) == 0
    rows = list(csv.DictReader(io.StringIO(runtime.out.getvalue())))
    assert len(rows) == 60
    named = {int(r["step"]): r["checkpoint"] for r in rows if r["checkpoint"]}
    assert named == {c["step_number"]: c["fine_tuned_model_checkpoint"] for c in world.checkpoints_json(job_id)}
    assert named[60] == world.job_json(job_id)["fine_tuned_model"]


def test_export_of_a_checkpoints_page_fills_rows_from_the_checkpoints(capsys, tmp_path):
    out = tmp_path / "checkpoints.jsonl"
    assert main(["export", str(CHECKPOINTS_PAGE), "--format", "jsonl", "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    page = the_page()
    assert [(r["step"], r["checkpoint"]) for r in records] == [(c["step_number"], c["fine_tuned_model_checkpoint"])
                                                                for c in page]
    assert [r["valid_loss"] for r in records] == [c["metrics"]["valid_loss"] for c in page]
    assert [r["train_accuracy"] for r in records] == [c["metrics"]["train_mean_token_accuracy"] for c in page]
    assert all(r["train_loss_smoothed"] is None for r in records)


def test_hostile_checkpoint_names_are_inert_in_text_and_exact_in_json(capsys, tmp_path):
    hostile = "ft:gpt-4o-mini:evil\x1b]52;c;SGVsbG8=\x07\x1b[2J:ckpt-step-2"
    page = {"object": "list", "has_more": False, "data": [
        {"object": "fine_tuning.job.checkpoint", "id": "ftckpt_b", "created_at": 2, "step_number": 2,
         "fine_tuned_model_checkpoint": hostile, "metrics": {"step": 2, "valid_loss": float("nan"), "train_loss": 0.5}},
        {"object": "fine_tuning.job.checkpoint", "id": "ftckpt_a", "created_at": 1, "step_number": 1,
         "fine_tuned_model_checkpoint": "ft:gpt-4o-mini:ok:ckpt-step-1", "metrics": {"step": 1, "train_loss": 0.7}}]}
    saved = tmp_path / "checkpoints.json"
    saved.write_text(json.dumps(page))
    text = run(capsys, "summary", str(saved))
    assert "\x1b" not in text and "\x07" not in text and "ft:gpt-4o-mini:evil" in text
    raw = run(capsys, "summary", str(saved), "--json")
    assert "NaN" not in raw
    result = json.loads(raw)
    assert [c["fine_tuned_model_checkpoint"] for c in result["checkpoints"]] == ["ft:gpt-4o-mini:ok:ckpt-step-1", hostile]
    assert result["best_checkpoint"]["step"] == 2 and result["best_checkpoint"]["rule"] == "train_loss"
    exported = run(capsys, "export", str(saved))
    assert "\x1b" not in exported and "\x07" not in exported
