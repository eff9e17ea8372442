"""The `--demo` account: one job of every phase, and one of every health verdict, so a first-time user sees the
whole product at once.

The running job is the newest and is already past its first steps, stepping every ~0.3-0.9 s at speed 1,
so the chart moves within seconds. Every waiting job moves on within two minutes of launch (at speed 1): the
validating one queues, the queued one starts, the evaluating one succeeds; and a new job arrives every four
minutes, so a new user sees each transition (and its notice) without waiting hours. The live jobs are placed in *simulated* time (they keep their phase
whatever the speed); the finished ones are placed hours back in *wall* time, so "3 h ago" reads true.

Two jobs are there for the health verdicts, both with a checkpoint per epoch as real jobs have:
- `patent-claims` finished about two hours ago and overfitted: its validation loss bottomed out early and
  climbed to 1.7-2.0 times that minimum while its training loss kept falling (curves.OverfittingCurve, shaped
  on the real 1,665-step patent job), in its events and its result file alike; its first epoch's checkpoint
  is the best one;
- `ticket-triage` is `running` but stalled: its last event (step 236 of 300, after its second epoch's
  checkpoint) is STALLED_FOR seconds of *wall* time old at launch, whatever the speed, and nothing follows.
Both are created after every other job, so the older jobs keep the seeds, ids and curves they always had.
"""

from __future__ import annotations

from typing import Any, Protocol

from ftwatch.sim.simulated import Timing

HOUR = 3600.0


class JobMaker(Protocol):
    """What the demo needs of a world: its clock, its speed and `World.create_job`. A protocol, not the World
    class, so the dependency runs one way (world -> demo): `World.populate_demo` hands itself in."""

    speed: float

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

# The stalled job: short preparation phases, so the +-30 % draws move its last event by seconds, not minutes.
# _STALL_AFTER is its expected simulated time from creation to that event: preparation, the steps, and a full
# validation at each epoch end before the stall (steps 100 and 200).
STALLED_FOR = 8 * 60.0
_STALL_STEP, _STALL_TOTAL, _STALL_EPOCHS = 236, 300, 3
_STALLING = Timing(validate=20.0, queue=4.0, warmup=20.0, step=1.5, full_validation=12.0)
_STALL_AFTER = (_STALLING.validate + _STALLING.queue + _STALLING.warmup + _STALL_STEP * _STALLING.step
                + (_STALL_STEP * _STALL_EPOCHS // _STALL_TOTAL) * _STALLING.full_validation)


def populate(world: JobMaker) -> list[str]:
    """Create the demo jobs; returns the ids of those visible now, newest first (the list endpoint's order).
    The arrivals are created too, hidden until their time."""
    now, speed = world.now(), world.speed
    made: list[tuple[int, int, str]] = []          # (created_at, creation order, id) of the jobs visible now

    def visible(start_at: float, **arguments: Any) -> None:
        made.append((int(start_at), len(made), world.create_job(start_at=start_at, **arguments)))

    # Created oldest first, so that jobs sharing a created_at second (at high speeds) still list in
    # this order: the list breaks ties by putting the later-created job first.
    visible(now - 6 * HOUR, total_steps=400, n_epochs=4, suffix="legal-drafts", model="gpt-4.1-2025-04-14",
            validation=False, fate="cancel")
    visible(now - 5 * HOUR, total_steps=100, n_epochs=3, suffix="recipes", model="gpt-4o-mini-2024-07-18",
            fate="fail")
    visible(now - 3 * HOUR, total_steps=750, n_epochs=3, suffix="car-pricer", model="gpt-4.1-nano-2025-04-14")
    visible(now - 345 / speed, total_steps=200, n_epochs=2, suffix="pricer", model="gpt-4.1-mini-2025-04-14",
            step_seconds=1.2, timing=_EVALUATING_NOW)
    visible(now - 75 / speed, total_steps=200, n_epochs=2, suffix="sql-helper", model="gpt-4o-mini-2024-07-18",
            timing=_QUEUED_NOW)
    visible(now - 60 / speed, total_steps=300, n_epochs=3, suffix="invoice-parser", model="gpt-4o-mini-2024-07-18",
            timing=_VALIDATING_NOW)
    visible(now - (8 + 3 + 6 + 20 * 0.6) / speed, total_steps=500, n_epochs=3, suffix="support-bot",
            model="gpt-4.1-nano-2025-04-14", timing=_BRISK, step_seconds=0.6, metadata={"team": "support"})
    for k in range(int(HOUR // ARRIVAL_EVERY)):
        suffix, model = ARRIVALS[k % len(ARRIVALS)]
        world.create_job(total_steps=120 + 40 * (k % 4), n_epochs=2, suffix=f"{suffix}-{k + 1}", model=model,
                         start_delay=ARRIVAL_EVERY * (k + 1), timing=_BRISK, step_seconds=0.8)
    visible(now - 4 * HOUR, total_steps=900, n_epochs=3, suffix="patent-claims", model="gpt-4.1-2025-04-14",
            curve="overfitting", step_seconds=6.0, hyperparameters={"n_epochs": 3, "learning_rate_multiplier": 2.0})
    visible(now - STALLED_FOR - _STALL_AFTER / speed, total_steps=_STALL_TOTAL, n_epochs=_STALL_EPOCHS,
            suffix="ticket-triage", model="gpt-4.1-mini-2025-04-14", stall_at_step=_STALL_STEP,
            timing=_STALLING, step_seconds=_STALLING.step)
    return [job_id for *_, job_id in sorted(made, reverse=True)]
