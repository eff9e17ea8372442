"""The history's write operations: what a watch saw, as small values queued for the writer thread.

A batch of them is applied in one `BEGIN IMMEDIATE` transaction (`apply_batch`), so a batch is stored whole
or not at all, and the writer of another process waits its turn instead of interleaving. Serialising to
JSON happens here, in the writer's thread, not in the event loop that queued the operation.

Rules that keep the history honest when several processes write it:
- a job object replaces the stored one only when it was seen later, and a finished status is never replaced
  by an unfinished one (a process that last polled before the end must not "un-finish" a job);
- events are placed by `placement` (each once, in the API's order, a run without its anchor dropped), and a
  job is marked `complete` only when this process dropped none of its runs;
- checkpoint lists and result files are replaced whole (a result file never changes; a checkpoint list is
  the API's latest answer).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Sequence

from ftwatch.domain.models import Checkpoint, Job, JobEvent
from ftwatch.history import codec
from ftwatch.history.account import Account
from ftwatch.history.placement import DROPPED, place_events
from ftwatch.history.schema import TERMINAL

REWRITE_UNCHANGED_AFTER = 3600.0     # an unchanged job's `seen_at` is refreshed at most hourly (for prune)


@dataclass
class WriterState:
    """What one writer remembers between batches (its own connection's view; never shared)."""

    accounts: dict[Account, int] = field(default_factory=dict)
    written_jobs: dict[tuple[int, str], tuple[str, float]] = field(default_factory=dict)
    dropped: set[tuple[int, str]] = field(default_factory=set)     # jobs with a run this process dropped

    def account_id(self, conn: sqlite3.Connection, account: Account) -> int:
        found = self.accounts.get(account)
        if found is None:
            values = (account.base_url, account.organization, account.project)
            conn.execute("INSERT OR IGNORE INTO accounts (base_url, organization, project) VALUES (?, ?, ?)", values)
            found = conn.execute("SELECT id FROM accounts WHERE base_url = ? AND organization = ? AND project = ?",
                                 values).fetchone()[0]
            self.accounts[account] = found
        return found


@dataclass(frozen=True)
class JobsSeen:
    account: Account
    jobs: Sequence[Job]
    seen_at: float

    def apply(self, conn: sqlite3.Connection, state: WriterState) -> None:
        account = state.account_id(conn, self.account)
        terminal = ",".join(f"'{status}'" for status in TERMINAL)
        rows = []
        for job in self.jobs:
            text = codec.dumps(codec.job_dict(job))
            memo = state.written_jobs.get((account, job.id))
            if memo is not None and memo[0] == text and self.seen_at - memo[1] < REWRITE_UNCHANGED_AFTER:
                continue
            state.written_jobs[(account, job.id)] = (text, self.seen_at)
            rows.append((account, job.id, int(job.created_at or 0), job.status, text, self.seen_at))
        if rows:
            conn.executemany(
                "INSERT INTO jobs (account, job_id, created_at, status, raw, seen_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (account, job_id) DO UPDATE SET created_at = excluded.created_at, "
                "status = excluded.status, raw = excluded.raw, seen_at = excluded.seen_at "
                f"WHERE excluded.seen_at >= jobs.seen_at AND NOT (jobs.status IN ({terminal}) "
                f"AND excluded.status NOT IN ({terminal}))", rows)


@dataclass(frozen=True)
class EventsSeen:
    """A run of new events, oldest first, as the timeline placed it (see `placement`)."""

    account: Account
    job_id: str
    events: Sequence[JobEvent]
    below: str | None = None
    above: str | None = None

    def apply(self, conn: sqlite3.Connection, state: WriterState) -> None:
        account = state.account_id(conn, self.account)
        placed = place_events(conn, account, self.job_id, codec.event_dicts(self.events),
                              below=self.below, above=self.above)
        if placed == DROPPED:
            state.dropped.add((account, self.job_id))


@dataclass(frozen=True)
class CheckpointsSeen:
    account: Account
    job_id: str
    checkpoints: Sequence[Checkpoint]
    seen_at: float

    def apply(self, conn: sqlite3.Connection, state: WriterState) -> None:
        account = state.account_id(conn, self.account)
        text = codec.dumps([codec.checkpoint_dict(c) for c in self.checkpoints])
        conn.execute("INSERT INTO checkpoints (account, job_id, raw, seen_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (account, job_id) DO UPDATE SET raw = excluded.raw, seen_at = excluded.seen_at "
                     "WHERE excluded.seen_at >= checkpoints.seen_at", (account, self.job_id, text, self.seen_at))


@dataclass(frozen=True)
class ResultFileSeen:
    account: Account
    file_id: str
    content: str
    seen_at: float

    def apply(self, conn: sqlite3.Connection, state: WriterState) -> None:
        account = state.account_id(conn, self.account)
        conn.execute("INSERT INTO result_files (account, file_id, content, seen_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (account, file_id) DO UPDATE SET content = excluded.content, "
                     "seen_at = excluded.seen_at", (account, self.file_id, self.content, self.seen_at))


@dataclass(frozen=True)
class JobComplete:
    """A finished job's whole history is stored: a relaunch only confirms it, row peeks read it."""

    account: Account
    job_id: str

    def apply(self, conn: sqlite3.Connection, state: WriterState) -> None:
        account = state.account_id(conn, self.account)
        if (account, self.job_id) not in state.dropped:
            conn.execute("UPDATE jobs SET complete = 1 WHERE account = ? AND job_id = ?", (account, self.job_id))


Operation = JobsSeen | EventsSeen | CheckpointsSeen | ResultFileSeen | JobComplete


def apply_batch(conn: sqlite3.Connection, state: WriterState, operations: Sequence[Operation]) -> None:
    """All of `operations` in one transaction; on any error nothing of them is stored (and state is restored)."""
    saved = (dict(state.accounts), dict(state.written_jobs), set(state.dropped))
    state.accounts.clear()              # looked up again per batch: `ftwatch cache clear` may have run meanwhile
    conn.execute("BEGIN IMMEDIATE")
    try:
        for operation in operations:
            operation.apply(conn, state)
        conn.execute("COMMIT")
    except BaseException:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        state.accounts, state.written_jobs, state.dropped = saved
        raise
