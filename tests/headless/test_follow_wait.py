"""`ftwatch follow` and `ftwatch wait` on the engine, in-process against the simulator with a fake clock."""

from __future__ import annotations

import json
import re

import pytest

from ftwatch.config import Settings
from ftwatch.errors import NotFoundError
from ftwatch.headless.follow import follow
from ftwatch.headless.wait import wait
from source.conftest import quick_job

SETTINGS = Settings(poll_interval=2.0)


def stdout_lines(runtime) -> list[str]:
    return runtime.out.getvalue().splitlines()


async def test_follow_json_prints_every_event_once_while_429s_and_500s_are_injected(world, server, runtime):
    job_id = quick_job(world, total_steps=120)
    server.faults.configure("429:0.1,500:0.08,retry-after=1")
    status = await follow(SETTINGS, job_id, json_lines=True, runtime=runtime)
    printed = [json.loads(line) for line in stdout_lines(runtime)]
    assert status == 0
    assert printed == list(reversed(world.events_json(job_id)))
    err = runtime.err.getvalue()
    assert "rate limited (429); retrying in" in err and "server error 500; retrying in" in err
    assert err.splitlines()[-1].startswith(f"ftwatch: {job_id} succeeded (took ")


async def test_follow_plain_is_one_readable_line_per_event(world, server, runtime):
    job_id = quick_job(world, total_steps=60)
    assert await follow(SETTINGS, job_id, runtime=runtime) == 0
    lines = stdout_lines(runtime)
    events = list(reversed(world.events_json(job_id)))
    assert len(lines) == len(events)
    step_lines = [line for line in lines if re.search(r"  step \d+/60  loss ", line)]
    assert len(step_lines) == 60
    assert "info " in step_lines[0] and "step 1/60  loss " in step_lines[0] and "(smoothed " in step_lines[0]
    assert lines[-1].endswith("The job has successfully completed")
    assert "ftwatch:" not in runtime.out.getvalue(), "notices belong on stderr"
    assert f"ftwatch: {job_id} is running" in runtime.err.getvalue()


@pytest.mark.parametrize(("fate", "expected"), [("succeed", 0), ("fail", 1), ("cancel", 3)])
async def test_exit_status_follows_the_job(world, server, runtime, fate, expected):
    job_id = quick_job(world, total_steps=50, fate=fate)
    assert await follow(SETTINGS, job_id, json_lines=True, runtime=runtime) == expected


@pytest.mark.parametrize(("fate", "expected", "word"), [("succeed", 0, "succeeded"), ("fail", 1, "failed"),
                                                         ("cancel", 3, "cancelled")])
async def test_wait_prints_one_line_and_exits_with_the_job(world, server, runtime, fate, expected, word):
    job_id = quick_job(world, total_steps=50, fate=fate)
    assert await wait(SETTINGS, job_id, runtime=runtime) == expected
    [line] = stdout_lines(runtime)
    assert line.startswith(f"{job_id} {word}")
    if fate == "succeed":
        assert "model ft:gpt-4.1-nano" in line
    if fate == "fail":
        assert "error invalid_training_file:" in line


async def test_wait_json_prints_the_final_job_object_as_the_api_sent_it(world, server, runtime):
    import json

    job_id = quick_job(world, total_steps=50, fate="fail")
    assert await wait(SETTINGS, job_id, as_json=True, runtime=runtime) == 1
    [line] = stdout_lines(runtime)
    assert json.loads(line) == world.job_json(job_id)


async def test_hostile_messages_cannot_drive_the_terminal(world, server, runtime, clock):
    nasty = "pwned \x1b]52;c;ZXZpbA==\x07\x1b[2J[bold red]boom[/] \u202eexe.txt"
    events = [{"id": "ftevent-nasty", "object": "fine_tuning.job.event", "created_at": 1_763_000_001,
               "level": "info\x1b[31m", "message": nasty, "type": "message", "data": {}},
              {"id": "ftevent-first", "object": "fine_tuning.job.event", "created_at": 1_763_000_000,
               "level": "info", "message": "Created fine-tuning job", "type": "message", "data": {}}]
    [job_id] = world.load_scenario({"jobs": [{"job": {"status": "succeeded"}, "events": events}]})
    assert await follow(SETTINGS, job_id, runtime=runtime) == 0
    plain = runtime.out.getvalue()
    assert "\x1b" not in plain and "\x07" not in plain and "\u202e" not in plain
    assert "[bold red]boom[/]" in plain, "markup-looking text is shown literally"
    runtime.out.seek(0)
    runtime.out.truncate()
    assert await follow(SETTINGS, job_id, json_lines=True, runtime=runtime) == 0
    raw = runtime.out.getvalue()
    assert "\x1b" not in raw and json.loads(raw.splitlines()[1])["message"] == nasty


async def test_unknown_job_raises_not_found(server, runtime):
    with pytest.raises(NotFoundError):
        await follow(SETTINGS, "ftjob-missing", runtime=runtime)
