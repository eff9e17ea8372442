"""`ftwatch replay JOB_ID|FILE [--speed X]`: the TUI watching a recorded job happen again, live.

The recording (a file from `ftwatch record`, or any simulator scenario) is served by the embedded simulator the
way `--demo` serves its jobs (launch.open_demo_source), with `ftwatch sim --replay` semantics: each event
appears at its recorded distance from the first one, divided by the speed, and the job object follows the replay
clock: the job is live until its last event, and no recorded end state (status, finished_at, model, result
file) shows ahead of it (sim/recorded.py). So the chart, the log, the ETA, the health verdicts and the end
notice all play out as they did, which is what a bug report about any of them needs.

The events keep their recorded `created_at` (the simulator serves them verbatim), so the replay runs on the
recording's own clock: a `ReplayClock` that starts at the first recorded event and runs `speed` times faster
than the wall clock, shared by the simulator (at speed 1 on that clock, each event appears at its own
`created_at`, however long the simulator took to start) and the TUI (ages, ETAs, "no step for ..."). On the wall clock instead, a job recorded last
year would replay "running for 271 d" and stalled from its first step. The TUI polls on the wall clock, so a
fast replay polls more often (`poll_interval`): at most REPLAYED_PER_POLL recorded seconds go by between two
polls, well under the two minutes after which a silent job is called stalled.

A JOB_ID is recorded first (headless.record_cmd, from the configured account) into a temporary file, which is
removed when the TUI quits. The file is checked before the screen opens, so a file that is not a scenario is a
one-line error (exit 2), not an error dialog.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import tempfile
import time
from typing import Callable

from ftwatch.config import Settings
from ftwatch.domain.text import clean
from ftwatch.errors import ConfigError

DEFAULT_SPEED = 1.0
REPLAYED_PER_POLL = 30.0    # recorded seconds between two polls at most (down to MIN_POLL_INTERVAL)
MIN_POLL_INTERVAL = 0.1     # wall seconds: the embedded simulator answers at once, but not for free


def replay(settings: Settings, target: str, *, speed: float = DEFAULT_SPEED) -> int:
    from ftwatch.headless.recorded import looks_like_path
    from ftwatch.launch import run_tui

    settings = dataclasses.replace(settings, poll_interval=replay_poll_interval(settings.poll_interval, speed))
    if os.path.exists(target):
        origin = first_event_time(target)
        return run_tui(settings, demo=True, scenario=target, replay=True, speed=1.0, replay_start=origin,
                       clock=ReplayClock(origin, speed), sub_title=_sub_title(os.path.basename(target), speed))
    if looks_like_path(target):
        raise ConfigError(f"{target}: no such file")
    settings.require_credentials()
    handle, path = tempfile.mkstemp(prefix="ftwatch-replay-", suffix=".json")
    os.close(handle)
    try:
        asyncio.run(_record(settings, target, path))
        origin = first_event_time(path)
        return run_tui(settings, demo=True, scenario=path, replay=True, speed=1.0, replay_start=origin,
                       clock=ReplayClock(origin, speed), sub_title=_sub_title(target, speed))
    finally:
        os.unlink(path)


async def _record(settings: Settings, job_id: str, path: str) -> None:
    from ftwatch.headless.record_cmd import record

    await record(settings, job_id, path)


def replay_poll_interval(poll_interval: float, speed: float) -> float:
    return max(MIN_POLL_INTERVAL, min(poll_interval, REPLAYED_PER_POLL / speed))


class ReplayClock:
    """The recording's time: `origin` at the first call, then `speed` recorded seconds per second of `base`."""

    def __init__(self, origin: float, speed: float, base: Callable[[], float] = time.time) -> None:
        self._origin, self._speed, self._base = origin, speed, base
        self._start: float | None = None

    def __call__(self) -> float:
        now = self._base()
        if self._start is None:
            self._start = now
        return self._origin + (now - self._start) * self._speed


def first_event_time(path: str, *, now: float | None = None) -> float:
    """When the recording starts: its oldest event (or job) `created_at`. A ConfigError (one line, exit 2)
    unless `path` reads as a simulator scenario, so a bad file is said before the screen opens."""
    from ftwatch.sim.catalogue import IdMaker
    from ftwatch.sim.errors import ScenarioError
    from ftwatch.sim.scenario import read_scenario

    now = time.time() if now is None else now
    try:
        entries = read_scenario(path, ids=IdMaker(random.Random(0)), now=now)
    except ScenarioError as error:
        raise ConfigError(str(error)) from None
    stamps = [event["created_at"] for entry in entries for event in entry.events or ()]
    stamps += [entry.job["created_at"] for entry in entries if not entry.events
               and isinstance(entry.job.get("created_at"), int) and not isinstance(entry.job["created_at"], bool)]
    return float(min(stamps, default=now))


def _sub_title(name: str, speed: float) -> str:
    return f"replay · {clean(name, max_len=60)} · {speed:g}x"
