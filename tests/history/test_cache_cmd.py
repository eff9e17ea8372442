"""`ftwatch cache info|prune|clear`: what the history holds, per account; old finished jobs dropped with all they
had (running ones kept); everything cleared, the file kept for other processes (or deleted when damaged)."""

from __future__ import annotations

import io
import json

import pytest

from ftwatch.cli import main
from ftwatch.config import Settings
from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.models import Checkpoint, Job
from ftwatch.errors import ConfigError
from ftwatch.headless.cache_cmd import cache_command, parse_age
from ftwatch.history.account import Account

NOW = 1_764_000_000.0
DAY = 86_400


def job(job_id: str, *, age_days: float, status: str, result: str | None = None) -> Job:
    raw = {"object": "fine_tuning.job", "id": job_id, "created_at": int(NOW - age_days * DAY), "status": status,
           "model": "gpt-4.1-nano-2025-04-14", "result_files": [result] if result else []}
    return Job(id=job_id, created_at=raw["created_at"], status=status, model=raw["model"],
               result_files=tuple(raw["result_files"]), raw=raw)


def fill(history, the_job: Job, events: int) -> None:
    tracker, _ = history.seeded_tracker(the_job.id)
    tracker.update_job(the_job)
    tracker.merge(ApiEvents([{"id": f"{the_job.id}-{i}", "created_at": the_job.created_at + i, "level": "info",
                              "message": f"event {i}", "type": "message", "data": {}}
                             for i in reversed(range(events))]))
    tracker.update_checkpoints([Checkpoint(id=f"ckpt-{the_job.id}", created_at=the_job.created_at, step_number=1,
                                           fine_tuned_model_checkpoint="ft:x")])
    if the_job.result_files:
        history.record_result_file(the_job.result_files[0], "step,train_loss\n1,0.5\n")


def info(capsys) -> dict:
    assert main(["cache", "info", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_info_counts_each_accounts_jobs_and_events(open_history, path, capsys):
    assert info(capsys) == {"path": str(path), "exists": False, "size_bytes": 0, "schema": None, "accounts": [],
                            "jobs": 0, "events": 0, "result_files": 0}
    work = open_history(account=Account.of("https://api.openai.com/v1", "org-work", "proj_a"))
    fill(work, job("ftjob-a", age_days=1, status="succeeded", result="file-a"), 30)
    fill(work, job("ftjob-b", age_days=2, status="failed"), 12)
    azure = open_history(account=Account.of("https://res.openai.azure.com"))
    fill(azure, job("ftjob-c", age_days=3, status="running"), 5)
    assert work.flush() and azure.flush()
    found = info(capsys)
    assert found["exists"] and found["schema"] == 2 and found["size_bytes"] > 0
    assert (found["jobs"], found["events"], found["result_files"]) == (3, 47, 1)
    assert {(a["base_url"], a["organization"], a["project"], a["jobs"], a["events"]) for a in found["accounts"]} == {
        ("https://api.openai.com/v1", "org-work", "proj_a", 2, 42), ("https://res.openai.azure.com", None, None, 1, 5)}
    assert main(["cache", "info"]) == 0
    text = capsys.readouterr().out
    assert f"path      {path}" in text and "events    47" in text
    assert "api.openai.com/v1 (org-work, proj_a): 2 jobs, 42 events" in text
    assert "sk-" not in text


def test_prune_drops_old_finished_jobs_with_all_they_had_and_keeps_running_ones(open_history, path):
    history = open_history()
    fill(history, job("ftjob-old", age_days=45, status="succeeded", result="file-old"), 50)
    fill(history, job("ftjob-old-running", age_days=45, status="running"), 20)
    fill(history, job("ftjob-new", age_days=3, status="cancelled"), 10)
    assert history.flush()
    out = io.StringIO()
    assert cache_command(Settings(), "prune", out=out, older_than="30d", now=NOW) == 0
    assert out.getvalue().startswith("pruned 1 finished job created more than 30d ago (50 events); 2 jobs left")
    reader = open_history()
    assert sorted(j.id for j in reader.read_jobs()) == ["ftjob-new", "ftjob-old-running"]
    assert reader.read_page("ftjob-old", after=None, limit=100) is None
    assert reader.read_checkpoints("ftjob-old") is None and reader.read_result_file("file-old") is None
    assert len(reader.read_page("ftjob-old-running", after=None, limit=100)[0]) == 20


def test_clear_empties_the_history(open_history, capsys):
    history = open_history()
    fill(history, job("ftjob-a", age_days=1, status="succeeded"), 7)
    assert history.flush()
    assert main(["cache", "clear"]) == 0
    assert "1 job, 7 events" in capsys.readouterr().out
    assert info(capsys)["jobs"] == 0 and open_history().read_jobs() == []


@pytest.mark.parametrize("text, seconds", [("30d", 30 * 86_400), ("12h", 43_200), ("90m", 5400), ("2w", 1_209_600),
                                           ("45s", 45), ("7", 7 * 86_400), ("1.5d", 129_600)])
def test_ages_read_as_a_person_writes_them(text, seconds):
    assert parse_age(text) == seconds


@pytest.mark.parametrize("text", ["", "0d", "-3d", "3x", "d", "soon"])
def test_a_nonsense_age_is_one_line(text, capsys):
    with pytest.raises(ConfigError, match="--older-than takes an age like 30d"):
        parse_age(text)
    assert main(["cache", "prune", "--older-than", text or "''"]) == 2
