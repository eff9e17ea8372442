"""End to end, as a user runs them: `ftwatch sim --scenario FILE --replay --speed N --faults ...` serving a recorded,
finished job, and `ftwatch follow JOB_ID --json` against it. Follow must print every recorded event exactly once,
oldest first, through 429s, 5xx, dropped connections, bad JSON, empty and lying pages, and end (exit 0) only once
the replay has released the last event: the replayed job must not look finished while its log is still coming.

The recording is the real 709-event full life of a 750-step job (30 min 37 s), under the job object of its end; at
speed 600 the replay lasts about 3 s.
"""

from __future__ import annotations

import calendar
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REAL_SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "real-samples"
FULL_LIFE = REAL_SAMPLES / "events_monitorlog_jamesdominique_gpt41nano_750steps_full_life_chronological.json"
JOB_ID = "ftjob-X3u8Pdb1RmG5vh3qmSlwnpyw"
SPEED = 600.0
FAULTS = ("429:0.04,500:0.03,502:0.02,503:0.03,drop:0.03,badjson:0.03,empty:0.04,lying-has-more:0.04,"
          "retry-after-ms=150")
KEY = "sk-replay-e2e-0000"


def stamp(local_time: str) -> int:
    return calendar.timegm(time.strptime(local_time, "%Y-%m-%d %H:%M:%S"))


def finished_job_scenario() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    recorded = json.loads(FULL_LIFE.read_text())
    real = json.loads((REAL_SAMPLES / "jobs_llme_mrpeski_gpt41nano_create_list_retrieve.json").read_text())
    job = {**real["retrieve_succeeded"], "id": JOB_ID, "created_at": stamp(recorded[0]["local_time"]),
           "finished_at": stamp("2026-03-06 15:46:37"), "trained_tokens": 1_234_567,
           "fine_tuned_model": "ft:gpt-4.1-nano-2025-04-14:personal:car-pricer:DGWM9khp",
           "result_files": ["file-CarPricerResults0000000"], "user_provided_suffix": "car-pricer"}
    return {"jobs": [{"job": job, "events": recorded}]}, recorded


def test_follow_json_of_a_replayed_finished_job_prints_every_event_once_and_ends_with_the_replay(tmp_path):
    scenario, recorded = finished_job_scenario()
    path = tmp_path / "finished.json"
    path.write_text(json.dumps(scenario))
    replay_seconds = (stamp(recorded[-1]["local_time"]) - stamp(recorded[0]["local_time"])) / SPEED
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}

    loaded_no_earlier_than = time.time()          # the replay clock starts when the sim loads the file, after this
    sim = subprocess.Popen([sys.executable, "-m", "ftwatch", "sim", "--scenario", str(path), "--replay",
                            "--speed", str(SPEED), "--seed", "4", "--faults", FAULTS, "--api-key", KEY],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        base_url = sim.stdout.readline().strip()  # type: ignore[union-attr]
        assert base_url.startswith("http://127.0.0.1:"), sim.stderr.read()  # type: ignore[union-attr]
        follow = subprocess.run([sys.executable, "-m", "ftwatch", "follow", JOB_ID, "--json", "--poll-interval",
                                 "0.2"], env={**env, "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": base_url},
                                capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        ended = time.time()
    finally:
        sim.terminate()
        sim.communicate(timeout=15)

    assert follow.returncode == 0, follow.stderr
    printed = [json.loads(line) for line in follow.stdout.splitlines()]
    assert [e["message"] for e in printed] == [r["message"] for r in recorded]       # all of them, in order
    assert len(printed) == len(recorded) == 709
    assert len({e["id"] for e in printed}) == len(printed)                           # none twice
    assert ended >= loaded_no_earlier_than + replay_seconds, "follow ended before the replay did"
    err = follow.stderr
    assert "retrying in" in err, "the faults were injected"
    assert err.strip().splitlines()[-1].startswith(f"ftwatch: {JOB_ID} succeeded")
    assert KEY not in follow.stdout + err
