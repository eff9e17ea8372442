"""Issue 6's ingest budget for the domain: 1,000,000 events dict -> parse_event -> JobTracker.merge -> series.

Not a test (it takes seconds and measures the machine): run it by hand,
`python tests/domain/ingest_benchmark.py [N] [PAGE]`. It feeds the tracker the way `source/poll.py` does: per
poll, a chunk of PAGE new events, newest first, merged with `newer_than` (the known event the walk stopped at),
then a snapshot. Event dicts are built per page outside
the timed section, which is reported in wall and CPU time (other processes on a shared machine slow
the first, not the second); peak RSS covers the whole process, with the full history kept.
"""

from __future__ import annotations

import random
import resource
import string
import sys
import time

from ftwatch.domain.models import Job
from ftwatch.domain.parse import parse_event
from ftwatch.domain.snapshot import Connection
from ftwatch.domain.tracker import JobTracker

ALPHABET = string.ascii_letters + string.digits


def make_events(start: int, count: int, total: int, rng: random.Random) -> list[dict]:
    events = []
    for step in range(start, start + count):
        loss = 2.5 / (1 + step / 500) + rng.random() * 0.3
        data = {"step": step, "train_loss": loss, "total_steps": total, "train_mean_token_accuracy": rng.random()}
        message = f"Step {step}/{total}: training loss={loss:.2f}"
        if step % 10 == 0:
            data["valid_loss"] = loss + 0.1
            data["valid_mean_token_accuracy"] = rng.random()
            message += f", validation loss={loss + 0.1:.2f}"
        events.append({
            "object": "fine_tuning.job.event",
            "id": "ftevent-" + "".join(rng.choices(ALPHABET, k=24)),
            "created_at": 1_764_000_000 + step // 2,
            "level": "info",
            "message": message,
            "data": data,
            "type": "metrics",
        })
    events.reverse()                       # newest first, as the API pages them
    return events


def main(n: int = 1_000_000, page: int = 100) -> None:
    rng = random.Random(7)
    tracker = JobTracker(Job(id="ftjob-bench", created_at=1_764_000_000, status="running", model="m"))
    spent = cpu = 0.0
    newest_id: str | None = None
    for start in range(1, n + 1, page):
        raw = make_events(start, min(page, n + 1 - start), n, rng)
        began, began_cpu = time.perf_counter(), time.process_time()
        tracker.merge([parse_event(d) for d in raw], newer_than=newest_id)
        newest_id = raw[0]["id"]
        tracker.snapshot(connection=Connection(), now=time.time())   # after every poll, as the source does
        spent += time.perf_counter() - began
        cpu += time.process_time() - began_cpu
    began = time.perf_counter()
    snap = tracker.snapshot(connection=Connection(), now=time.time())
    snap_time = time.perf_counter() - began
    began = time.perf_counter()
    xs, _ = snap.metrics.get("train_loss").downsample(240)
    down_time = time.perf_counter() - began
    began = time.perf_counter()
    snap.metrics.get("train_loss").downsample(240)
    down_again = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"events: {len(snap.events):,}  train_loss points: {len(snap.metrics.get('train_loss')):,}")
    print(f"ingest: {n / spent:,.0f} events/s wall ({spent:.2f} s), {n / cpu:,.0f} events/s of CPU time "
          f"({cpu:.2f} s; the machine may be shared)   peak RSS: {peak_mb:.0f} MB")
    print(f"snapshot: {snap_time * 1e3:.2f} ms   downsample(240): first {down_time * 1e3:.1f} ms, "
          f"again {down_again * 1e3:.2f} ms ({len(xs)} points)   trend: {snap.trend}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
