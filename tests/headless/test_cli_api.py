"""Whole `ftwatch` runs (`main([...])`, as a user types them) against a simulator at speed 1000 in a thread:
exit statuses, one-line errors, and no key anywhere in the output."""

from __future__ import annotations

import json

import pytest

from ftwatch.cli import main
from source.conftest import API_KEY, FAST_TIMING_FIELDS


def create(sim, **kwargs):
    from ftwatch.sim.simulated import Timing

    return sim.run(lambda: sim.world.create_job(timing=Timing(step=1.0, **FAST_TIMING_FIELDS), **kwargs))


def test_follow_json_end_to_end(capsys, api_env):
    job_id = create(api_env, total_steps=40)
    assert main(["follow", job_id, "--json", "--poll-interval", "0.02"]) == 0
    captured = capsys.readouterr()
    printed = [json.loads(line) for line in captured.out.splitlines()]
    assert printed == list(reversed(api_env.run(lambda: api_env.world.events_json(job_id))))
    assert captured.err.strip().splitlines()[-1].startswith(f"ftwatch: {job_id} succeeded")
    assert API_KEY not in captured.out + captured.err


@pytest.mark.parametrize(("fate", "status"), [("fail", 1), ("cancel", 3)])
def test_wait_exit_statuses_end_to_end(capsys, api_env, fate, status):
    job_id = create(api_env, total_steps=30, fate=fate)
    assert main(["wait", job_id, "--poll-interval", "0.02"]) == status
    assert len(capsys.readouterr().out.strip().splitlines()) == 1


def test_wrong_key_is_exit_4_in_one_line(capsys, api_env, monkeypatch):
    wrong = "sk-wrong-NotTheRightKey-abcdef123456"
    monkeypatch.setenv("OPENAI_API_KEY", wrong)
    job_id = create(api_env, total_steps=10)
    assert main(["follow", job_id]) == 4
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert line.startswith("ftwatch: the API refused the key (401)")
    assert captured.out == "" and wrong not in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize("command", ["follow", "wait", "summary", "export"])
def test_unknown_job_is_exit_4_in_one_line(capsys, api_env, command):
    assert main([command, "ftjob-doesnotexist"]) == 4
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("ftwatch: not found (404)") and "ftjob-doesnotexist" in line


def test_unreachable_host_gives_up_with_exit_4(capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    assert main(["wait", "ftjob-x", "--base-url", "http://127.0.0.1:9/v1", "--timeout", "2"]) == 4
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith("ftwatch: cannot reach 127.0.0.1:9") and "gave up after 3 attempts" in lines[-1]
    assert all("retrying in" in line for line in lines[:-1])


def test_debug_logs_requests_without_the_key(capsys, api_env):
    job_id = create(api_env, total_steps=10)
    assert main(["--debug", "summary", job_id]) == 0
    err = capsys.readouterr().err
    assert "ftwatch debug" in err and f"get job {job_id} -> ok" in err
    assert API_KEY not in err
    assert main(["summary", job_id]) == 0
    assert "ftwatch debug" not in capsys.readouterr().err, "--debug logging ends with its run"
