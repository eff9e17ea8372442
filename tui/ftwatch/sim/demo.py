"""The `--demo` account: one job of every phase, so a first-time user sees the whole product at once.

The running job is the newest and is already past its first steps, stepping every ~0.3-0.9 s at speed 1,
so the chart moves within seconds. Every waiting job moves on within two minutes of launch (at speed 1): the
validating one queues, the queued one starts, the evaluating one succeeds; and a new job arrives every four
minutes, so a new user sees each transition (and its notice) without waiting hours. The live jobs are placed in *simulated* time (they keep their phase
whatever the speed); the finished ones are placed hours back in *wall* time, so "3 h ago" reads true.
"""

from __future__ import annotations

from typing import Any, Protocol

from ftwatch.sim.simulated import Timing

HOUR = 3600.0


class JobMaker(Protocol):
    """What the demo needs of a world: its clock and `World.create_job`. A protocol, not the World class, so
    the dependency runs one way (world -> demo): `World.populate_demo` hands itself in."""

    def now(self) -> float: ...

    def create_job(self, **arguments: Any) -> str: ...


# The live demo job skips the real 4 minutes of preparation and 12 of safety evaluation.
_BRISK = Timing(validate=8.0, queue=3.0, warmup=6.0, step=0.6, full_validation=4.0, build_model=8.0,
                safety_eval=90.0, complete=2.0)

# Every phase is drawn +-30 % per job, so the waiting jobs' phases are short and placed to end within two
# minutes of launch whatever the seed: the evaluating job's training ended 20-65 s before launch and its
# evaluation takes 70-130 s; the queued one was created 75 s ago and waits 70-130 s; the validating one validates 77-143 s from 60 s ago.
_EVALUATING_NOW = Timing(validate=10.0, queue=2.0, warmup=10.0, build_model=5.0, safety_eval=100.0)
_QUEUED_NOW = Timing(validate=10.0, queue=100.0)
_VALIDATING_NOW = Timing(validate=110.0)
# New jobs keep arriving (hidden until their creation time), so a watcher sees a job appear, validate, queue
# and train: one every ARRIVAL_EVERY simulated seconds for the first hour.
ARRIVAL_EVERY = 240.0
ARRIVALS = (("faq-bot", "gpt-4.1-nano-2025-04-14"), ("tagger", "gpt-4o-mini-2024-07-18"),
            ("summarizer", "gpt-4.1-mini-2025-04-14"), ("router", "gpt-4o-mini-2024-07-18"))


def populate(world: JobMaker) -> list[str]:
    """Create the demo jobs; returns the ids of those visible now, newest first (the list endpoint's order).
    The arrivals are created too, hidden until their time."""
    now = world.now()
    # Created oldest first, so that jobs sharing a created_at second (at high speeds) still list in
    # this order: the list breaks ties by putting the later-created job first.
    oldest_first = [
        world.create_job(total_steps=400, n_epochs=4, suffix="legal-drafts", model="gpt-4.1-2025-04-14",
                         validation=False, fate="cancel", start_at=now - 6 * HOUR),
        world.create_job(total_steps=100, n_epochs=3, suffix="recipes", model="gpt-4o-mini-2024-07-18",
                         fate="fail", start_at=now - 5 * HOUR),
        world.create_job(total_steps=750, n_epochs=3, suffix="car-pricer", model="gpt-4.1-nano-2025-04-14",
                         start_at=now - 3 * HOUR),
        world.create_job(total_steps=200, n_epochs=2, suffix="pricer", model="gpt-4.1-mini-2025-04-14",
                         start_delay=-345, step_seconds=1.2, timing=_EVALUATING_NOW),
        world.create_job(total_steps=200, n_epochs=2, suffix="sql-helper", model="gpt-4o-mini-2024-07-18",
                         start_delay=-75, timing=_QUEUED_NOW),
        world.create_job(total_steps=300, n_epochs=3, suffix="invoice-parser", model="gpt-4o-mini-2024-07-18",
                         start_delay=-60, timing=_VALIDATING_NOW),
        world.create_job(total_steps=500, n_epochs=3, suffix="support-bot", model="gpt-4.1-nano-2025-04-14",
                         start_delay=-(8 + 3 + 6 + 20 * 0.6), timing=_BRISK, step_seconds=0.6,
                         metadata={"team": "support"}),
    ]
    for k in range(int(HOUR // ARRIVAL_EVERY)):
        suffix, model = ARRIVALS[k % len(ARRIVALS)]
        world.create_job(total_steps=120 + 40 * (k % 4), n_epochs=2, suffix=f"{suffix}-{k + 1}", model=model,
                         start_delay=ARRIVAL_EVERY * (k + 1), timing=_BRISK, step_seconds=0.8)
    return list(reversed(oldest_first))
