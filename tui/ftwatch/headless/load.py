"""Turn a SOURCE argument (job id, result CSV, recorded job file) into one JobSnapshot plus the job's status.

A job id is read through the same engine as `follow` (poll.watch_job: backfill, retries with back-off, the
result file imported for a finished job whose events lack steps) and the first settled snapshot is taken: a
running job is summarised as it stands now.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

from ftwatch.config import Settings
from ftwatch.domain.snapshot import Connection, JobSnapshot, LinkState
from ftwatch.errors import ConfigError, FatalSourceError
from ftwatch.headless.common import Runtime, watch_to_end
from ftwatch.headless.recorded import load_file, looks_like_path

JOB = "job"


@dataclass(frozen=True)
class Loaded:
    snapshot: JobSnapshot
    status: str | None       # None for a bare CSV or checkpoints page
    kind: str = JOB          # JOB (read through the API), or what the file is (recorded.RESULT_FILE, ...)


async def load_source(settings: Settings, source_arg: str, runtime: Runtime) -> Loaded:
    if os.path.exists(source_arg):
        recorded = load_file(source_arg, smoothing=settings.smoothing)
        now = runtime.clock()
        snapshot = recorded.tracker.snapshot(connection=Connection(state=LinkState.OK, last_success=now), now=now)
        return Loaded(snapshot=snapshot, status=recorded.status, kind=recorded.kind)
    if looks_like_path(source_arg):
        raise ConfigError(f"{source_arg}: no such file")
    if runtime.source is None and not settings.offline:      # --offline reads the local history: no key needed
        settings.require_credentials()
    async with contextlib.aclosing(watch_to_end(settings, source_arg, runtime, phases=False)) as snapshots:
        async for snapshot in snapshots:
            if snapshot.connection.state is LinkState.OK:
                return Loaded(snapshot=snapshot, status=snapshot.job.status)
    raise FatalSourceError(f"{source_arg}: the API gave no answer")   # the watch ended without one OK poll
