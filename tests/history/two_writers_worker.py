"""One of the two processes of test_two_writers.py: follows a made-up job's events into the shared history the
way a watch does (a back-fill from the oldest event, then polls), in chunks of its own sizes, plus a job only it
knows. `python -m history.two_writers_worker PATH NAME KNOWN SEED GO_FILE`; prints "ok <batches>"."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from ftwatch.domain.events.api_events import ApiEvents
from ftwatch.domain.models import Job
from ftwatch.history.account import Account
from ftwatch.history.history import History

SHARED = "ftjob-shared"
ACCOUNT = Account.of("https://api.openai.com/v1", "org-two-writers")


def job(job_id: str) -> Job:
    raw = {"object": "fine_tuning.job", "id": job_id, "created_at": 1_764_000_000, "status": "running",
           "model": "gpt-4.1-nano-2025-04-14"}
    return Job(id=job_id, created_at=1_764_000_000, status="running", model=raw["model"], raw=raw)


def events(job_id: str, n: int) -> list[dict]:
    """The job's events, oldest first; every run of a worker makes the same ones (ids from the job id)."""
    return [{"object": "fine_tuning.job.event", "id": f"{job_id}-ev-{i:05d}", "created_at": 1_764_000_000 + i // 3,
             "level": "info", "type": "metrics", "message": f"Step {i + 1}/{n}: training loss=1.0",
             "data": {"step": i + 1, "total_steps": n, "train_loss": 1.0}} for i in range(n)]


def follow(history: History, job_id: str, known: int, rng: random.Random) -> None:
    tracker, _ = history.seeded_tracker(job_id)
    tracker.update_job(job(job_id))
    every = events(job_id, known)
    done = len(tracker.timeline)
    while done < known:
        size = rng.randint(1, 60)
        chunk = [e for e in every[done:done + size] if not tracker.knows(e["id"])]
        tracker.merge(ApiEvents(list(reversed(chunk))), newer_than=tracker.timeline.newest_id)
        done += size
        if rng.random() < 0.6:                  # a poll's batch is committed before the next poll
            history.flush()
        if rng.random() < 0.3:
            time.sleep(rng.random() / 200)      # polls are not in lockstep


def main() -> None:
    path, name, known, seed, go = sys.argv[1:6]
    rng = random.Random(int(seed))
    problems: list[str] = []
    history = History(Path(path), ACCOUNT, on_problem=problems.append)
    while not Path(go).exists():                # both start at once
        time.sleep(0.005)
    follow(history, SHARED, int(known), rng)
    follow(history, f"ftjob-only-{name}", 400, rng)
    assert history.close(30), "the writer did not finish"
    if problems:
        print("problem", problems)
        sys.exit(1)
    print("ok", history.writer.batches)


if __name__ == "__main__":
    main()
