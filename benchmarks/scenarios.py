"""Scenario files for the simulator (`ftwatch sim --scenario FILE [--replay]`) and a running `ftwatch sim`.

`running_job(total)`: a recorded job whose events are 1 s apart, from "Created fine-tuning job" through
"Fine-tuning job started" to step `total`, made with the simulator's own catalogue and loss curves. With
`--replay --speed 1` the simulator releases it in real time: one metrics event per second, exactly, which is
the fixed step rate the terminal-bytes and CPU budgets are defined at.

`queued_job()`: a job that validated its files and waits in the queue (nothing ever changes).
`finished_job()`: a simulated job that succeeded long ago (nothing ever changes).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from typing import Any

from benchmarks.pty_harness import terminate

from ftwatch.sim import catalogue as cat
from ftwatch.sim.curves import generate_metrics

JOB_ID = "ftjob-BenchRunningJob0000000001"
PREAMBLE_SECONDS = 4          # created, validating, validated, started: then step 1


def running_job(total: int = 1000, seed: int = 7, start: int | None = None) -> dict[str, Any]:
    """`start`: the first event's created_at, default now. The replay releases events relative to the first
    one, but their created_at is what the app reads for ETA and elapsed time: build the file just before
    starting the simulator so the job's clock agrees with the wall clock, as a live job's does."""
    T0 = int(time.time()) if start is None else start
    rng = random.Random(seed)
    ids = cat.IdMaker(rng)
    training = ids.file()
    events = [
        cat.event(ids.event(), T0, f"Created fine-tuning job: {JOB_ID}"),
        cat.event(ids.event(), T0 + 1, cat.validating_message(training, None)),
        cat.event(ids.event(), T0 + 2, "Files validated, moving job to queued state"),
        cat.started_event(ids.event(), T0 + 3),
    ]
    epoch = max(1, total // 3)
    for m in generate_metrics(rng, total, 3, True):
        at = T0 + PREAMBLE_SECONDS - 1 + m.step
        events.append(cat.metrics_event(ids.event(), at, m, total))
        if m.step % epoch == 0 and m.step < total:
            events.append(cat.event(ids.event(), at, f"Checkpoint created at step {m.step}"))
    events.reverse()                       # newest first, as served
    return {"jobs": [{"job": {"id": JOB_ID, "model": "gpt-4.1-nano-2025-04-14", "user_provided_suffix": "bench"},
                      "events": events, "replay": True}]}


def queued_job(seed: int = 8) -> dict[str, Any]:
    rng = random.Random(seed)
    ids = cat.IdMaker(rng)
    now = int(time.time())
    job_id = "ftjob-BenchQueuedJob000000000001"
    events = [
        cat.event(ids.event(), now - 300, f"Created fine-tuning job: {job_id}"),
        cat.event(ids.event(), now - 299, cat.validating_message(ids.file(), None)),
        cat.event(ids.event(), now - 200, "Files validated, moving job to queued state"),
    ]
    events.reverse()
    return {"jobs": [{"job": {"id": job_id, "model": "gpt-4.1-nano-2025-04-14"}, "events": events, "replay": False}]}


def finished_job() -> dict[str, Any]:
    return {"jobs": [{"simulate": {"total_steps": 300, "start_delay": -200_000, "suffix": "done"}}]}


def write(scenario: dict[str, Any], name: str) -> str:
    directory = os.path.join(tempfile.gettempdir(), f"ftwatch-bench-{os.getpid()}")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(scenario, f)
    return path


class SimProcess:
    """`ftwatch sim --scenario FILE [--replay]` in a subprocess; `base_url` is read from its first line."""

    def __init__(self, scenario_path: str, *, replay: bool) -> None:
        argv = [sys.executable, "-m", "ftwatch", "sim", "--scenario", scenario_path, "--speed", "1", "--seed", "1"]
        if replay:
            argv.append("--replay")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if not line.startswith("http"):
            self.stop()
            raise RuntimeError(f"ftwatch sim did not start: {line!r} {self._stderr()}")
        self.base_url = line
        self.started = time.monotonic()

    def _stderr(self) -> str:
        try:
            return (self.proc.communicate(timeout=2)[1] or "").strip()[-500:]
        except subprocess.TimeoutExpired:
            return ""

    def stop(self) -> None:
        terminate(self.proc)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
