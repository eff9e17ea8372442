"""`ftwatch record` and `ftwatch replay`: a recorded job served back by the simulator is the job as it was.

The round trip is checked where a user would notice it: `follow --json` against the served recording prints
byte for byte what it printed against the original, `summary` and `export` say the same, and a replay is a live
job until its last event, never showing its recorded end state early.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from ftwatch.cli import main
from ftwatch.config import Settings
from ftwatch.headless.common import Runtime
from ftwatch.headless.export import export
from ftwatch.headless.follow import follow
from ftwatch.headless.record_cmd import record
from ftwatch.headless.summary import summary
from ftwatch.sim.server import SimServer
from ftwatch.sim.world import FakeClock, World
from headless.conftest import REAL_SAMPLES
from simkit import START, ThreadedSim
from source.conftest import API_KEY, FAST_TIMING_FIELDS, make_source, quick_job

SETTINGS = Settings(poll_interval=2.0)


def _runtime(source: Any, clock: FakeClock, sleep: Any, backoff: Any) -> Runtime:
    return Runtime(out=io.StringIO(), err=io.StringIO(), clock=clock, sleep=sleep, backoff=backoff, source=source)


async def _products(source: Any, job_id: str, clock: FakeClock, sleep: Any, backoff: Any) -> dict[str, Any]:
    """What follow --json, summary --json and export print for `job_id`, and their exit statuses."""
    out: dict[str, Any] = {}
    for name, command in (("follow", lambda rt: follow(SETTINGS, job_id, json_lines=True, runtime=rt)),
                          ("summary", lambda rt: summary(SETTINGS, job_id, as_json=True, runtime=rt)),
                          ("export", lambda rt: export(SETTINGS, job_id, fmt="csv", output=None, runtime=rt))):
        runtime = _runtime(source, clock, sleep, backoff)
        status = await command(runtime)
        out[name] = (status, runtime.out.getvalue())
    return out


async def _round_trip(world: World, source: Any, job_id: str, path: Path, clock: FakeClock, sleep: Any,
                      backoff: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    original = await _products(source, job_id, clock, sleep, backoff)
    assert await record(SETTINGS, job_id, str(path), runtime=_runtime(source, clock, sleep, backoff)) == 0
    served = World(seed=99, clock=clock)
    assert served.load_scenario(str(path)) == [job_id]
    async with SimServer(served, api_key=API_KEY) as server:
        replayed_source = make_source(server)
        try:
            replayed = await _products(replayed_source, job_id, clock, sleep, backoff)
        finally:
            await replayed_source.aclose()
    return original, replayed


@pytest.mark.parametrize(("fate", "status"), [("succeed", 0), ("fail", 1), ("cancel", 3)])
async def test_a_recorded_job_served_back_prints_the_same_bytes(world, server, source, clock, fast_sleep, no_jitter,
                                                                tmp_path, fate, status):
    job_id = quick_job(world, total_steps=260, n_epochs=3, fate=fate, suffix="ré\u202ecord")
    clock.advance(3600)
    path = tmp_path / "job.json"
    original, replayed = await _round_trip(world, source, job_id, path, clock, fast_sleep, no_jitter)
    assert original["follow"][0] == status and original["follow"][1].count("\n") > (260 if fate == "succeed" else 2)
    assert replayed == original                     # follow --json byte for byte; summary and export too
    document = json.loads(path.read_text(encoding="ascii"))
    [entry] = document["jobs"]
    assert entry["job"] == world.job_json(job_id)
    assert entry["events"] == world.events_json(job_id)           # every page, newest first as served
    assert entry["checkpoints"] == world.checkpoints_json(job_id)
    assert document["recorded"]["job"] == job_id


async def test_checkpoints_and_result_file_survive_the_round_trip(world, server, source, clock, fast_sleep,
                                                                   no_jitter, tmp_path):
    job_id = quick_job(world, total_steps=150, n_epochs=3)
    clock.advance(3600)
    path = tmp_path / "job.json"
    original, replayed = await _round_trip(world, source, job_id, path, clock, fast_sleep, no_jitter)
    [entry] = json.loads(path.read_text())["jobs"]
    job = world.job_json(job_id)
    assert len(entry["checkpoints"]) == 3 and entry["result_csv"] == world.result_file(job["result_files"][0]).csv
    summary_json = json.loads(replayed["summary"][1])
    assert [c["id"] for c in summary_json["checkpoints"]] == [c["id"] for c in reversed(entry["checkpoints"])]
    assert summary_json["best_checkpoint"] is not None
    assert replayed["export"] == original["export"] and replayed["export"][1].count("\n") == 151


async def test_a_real_recorded_run_round_trips(clock, fast_sleep, no_jitter, tmp_path):
    """A real job's events (with its checkpoint messages and odd fields) recorded from a simulator serving them."""
    world = World(seed=5, clock=clock)
    [job_id] = world.load_scenario(str(REAL_SAMPLES / "events_llme_hayatu_gpt41nano_750steps_tail10_checkpoints.json"))
    async with SimServer(world, api_key=API_KEY) as server:
        source = make_source(server)
        try:
            original, replayed = await _round_trip(world, source, job_id, tmp_path / "real.json", clock, fast_sleep,
                                                   no_jitter)
        finally:
            await source.aclose()
    assert replayed["follow"] == original["follow"] and original["follow"][1].count("\n") == 10


async def test_a_replayed_recording_is_live_until_its_last_event(world, server, source, clock, fast_sleep,
                                                                 no_jitter, tmp_path):
    job_id = quick_job(world, total_steps=120, n_epochs=2)
    clock.advance(3600)
    path = tmp_path / "job.json"
    assert await record(SETTINGS, job_id, str(path), runtime=_runtime(source, clock, fast_sleep, no_jitter)) == 0
    events = json.loads(path.read_text())["jobs"][0]["events"]
    span = events[0]["created_at"] - events[-1]["created_at"]
    speed = 100.0
    replay_clock = FakeClock(START + 10_000)
    replayed = World(seed=1, clock=replay_clock, speed=speed)
    replayed.load_scenario(str(path), replay=True)
    first = replayed.job_json(job_id)
    assert first["status"] in ("validating_files", "queued") and first["fine_tuned_model"] is None
    assert first["result_files"] == [] and replayed.checkpoints_json(job_id) == []
    replay_clock.advance(span / speed - 0.05)       # just before the last event
    before = replayed.job_json(job_id)
    assert before["status"] == "running" and before["fine_tuned_model"] is None and before["result_files"] == []
    assert len(replayed.events_json(job_id)) < len(events)
    replay_clock.advance(0.1)
    assert replayed.job_json(job_id) == world.job_json(job_id)      # the recorded end state, at the end
    assert replayed.events_json(job_id) == events


# --- the command line --------------------------------------------------------------------------------------------

def _create(sim: ThreadedSim, **kwargs: Any) -> str:
    from ftwatch.sim.simulated import Timing

    return sim.run(lambda: sim.world.create_job(timing=Timing(step=1.0, **FAST_TIMING_FIELDS), **kwargs))


def test_record_then_sim_scenario_then_follow_is_identical_end_to_end(capsys, api_env, monkeypatch, tmp_path):
    job_id = _create(api_env, total_steps=40)
    assert main(["follow", job_id, "--json", "--poll-interval", "0.02"]) == 0
    original = capsys.readouterr().out
    path = tmp_path / "job.json"
    assert main(["record", job_id, "-o", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"ftwatch: recorded {job_id} (succeeded; ") and "3 checkpoints, result file" in line
    served = ThreadedSim(speed=1.0, api_key=API_KEY)
    try:
        served.run(lambda: served.world.load_scenario(str(path)))
        monkeypatch.setenv("OPENAI_BASE_URL", served.server.base_url)
        assert main(["follow", job_id, "--json", "--poll-interval", "0.02"]) == 0
        assert capsys.readouterr().out == original
    finally:
        served.close()


def test_record_to_stdout(capsys, api_env):
    job_id = _create(api_env, total_steps=10)
    assert main(["record", job_id, "-o", "-"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["jobs"][0]["job"]["id"] == job_id


def test_record_of_an_unknown_job_is_exit_4_in_one_line_and_no_file(capsys, api_env, tmp_path):
    path = tmp_path / "nope.json"
    assert main(["record", "ftjob-doesnotexist", "-o", str(path)]) == 4
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("ftwatch: not found (404)") and "ftjob-doesnotexist" in line
    assert list(tmp_path.iterdir()) == []           # no file, not even a temp one


@pytest.mark.parametrize("where", ["missing-dir/job.json", "."])
def test_record_to_an_unwritable_place_is_one_line_before_any_request(capsys, api_env, tmp_path, where):
    job_id = _create(api_env, total_steps=10)
    requests_before = len(api_env.server.requests)
    assert main(["record", job_id, "-o", str(tmp_path / where)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("ftwatch: ") and str(tmp_path) in line
    assert ("cannot write there" in line) if where != "." else ("is a directory" in line)
    assert len(api_env.server.requests) == requests_before


def test_replay_of_a_file_that_is_not_a_scenario_is_one_line(capsys, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"jobs": []}')
    assert main(["replay", str(path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == f'ftwatch: scenario {path}: "jobs" must be a non-empty list'
    assert main(["replay", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.strip() == f"ftwatch: {tmp_path / 'missing.json'}: no such file"


async def test_the_tui_replays_a_recording_live_then_shows_its_end(world, server, source, clock, fast_sleep,
                                                                   no_jitter, tmp_path):
    """`ftwatch replay FILE`'s app (the embedded simulator, replay on, on the recording's own clock): the job opens
    live, its chart fills as the replay runs and it is never called stalled for being recorded long ago; it
    succeeds with the recorded model only after its last event."""
    from ftwatch.launch import make_app
    from ftwatch.replay import ReplayClock, first_event_time
    from ui.conftest import wait_for

    job_id = quick_job(world, total_steps=80, n_epochs=2)
    clock.advance(3600)
    path = tmp_path / "job.json"
    assert await record(SETTINGS, job_id, str(path), runtime=_runtime(source, clock, fast_sleep, no_jitter)) == 0
    events = json.loads(path.read_text())["jobs"][0]["events"]
    span, speed = events[0]["created_at"] - events[-1]["created_at"], 50.0
    wall = FakeClock(START + 90 * 86400)                # replayed three months later
    origin = first_event_time(str(path))
    replay_clock = ReplayClock(origin, speed, base=wall)
    replay_clock()
    wall.advance(0.2)           # the app and the simulator start slowly: the replay still begins at its first event
    app = make_app(Settings(poll_interval=0.05), demo=True, clock=replay_clock, scenario=str(path), replay=True,
                   replay_start=origin)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await wait_for(pilot, lambda: getattr(pilot.app.screen, "selected_job_id", None) == job_id
                                and pilot.app.screen.latest(job_id) and pilot.app.screen, what="the replayed job")
        first = screen.latest(job_id)
        assert not first.phase.is_terminal and first.job.fine_tuned_model is None
        wall.advance(span / speed / 2)
        half = await wait_for(pilot, lambda: (s := screen.latest(job_id)) and (s.progress.step or 0) > 10 and s, what="steps")
        assert not half.phase.is_terminal and half.progress.step < 80
        assert not [v for v in half.health if "stalled" in str(v.badge)], half.health
        wall.advance(span / speed)
        done = await wait_for(pilot, lambda: (s := screen.latest(job_id)) and s.phase.is_terminal and s,
                              what="the recorded end")
        assert done.job.status == "succeeded" and done.job.fine_tuned_model == world.job_json(job_id)["fine_tuned_model"]
        assert done.progress.step == 80


async def test_offline_record_reads_the_local_history_and_makes_no_request(world, server, source, clock, fast_sleep,
                                                                             no_jitter, tmp_path):
    pytest.importorskip("ftwatch.source.offline_source")
    from ftwatch.history.account import Account
    from ftwatch.history.history import History

    job_id = quick_job(world, total_steps=90, n_epochs=3)
    clock.advance(3600)
    history = History(tmp_path / "history.sqlite3", Account.of(server.base_url))
    try:
        seen = Runtime(out=io.StringIO(), err=io.StringIO(), clock=clock, sleep=fast_sleep, backoff=no_jitter,
                       source=source, history=history)
        assert await follow(SETTINGS, job_id, json_lines=True, runtime=seen) == 0
        history.flush()
        online, offline = tmp_path / "online.json", tmp_path / "offline.json"
        assert await record(SETTINGS, job_id, str(online), runtime=_runtime(source, clock, fast_sleep, no_jitter)) == 0
        requests = len(server.requests)
        cached = Runtime(out=io.StringIO(), err=io.StringIO(), clock=clock, sleep=fast_sleep, backoff=no_jitter,
                         history=history)
        assert await record(Settings(poll_interval=2.0, offline=True), job_id, str(offline), runtime=cached) == 0
    finally:
        history.close()
    notes = cached.err.getvalue()
    assert "offline: the local history has no result file" in notes     # follow never needed it: said, left out
    assert len(server.requests) == requests                      # not one request
    [from_api], [from_cache] = (json.loads(p.read_text())["jobs"] for p in (online, offline))
    assert from_cache["job"] == from_api["job"] and from_cache["events"] == from_api["events"]
    assert [c["id"] for c in from_cache["checkpoints"]] == [c["id"] for c in from_api["checkpoints"]]
    assert "result_csv" in from_api and "result_csv" not in from_cache
    served = World(seed=3, clock=clock)
    served.load_scenario(str(offline))
    assert served.events_json(job_id) == world.events_json(job_id)
