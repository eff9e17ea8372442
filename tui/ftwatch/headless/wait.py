"""`ftwatch wait JOB_ID`: block until the job ends, print one summary line, exit with its status.

For scripts: `ftwatch wait ftjob-... && deploy`. No event output; retries and phase changes are noted on stderr.
"""

from __future__ import annotations

import contextlib
import sys

from ftwatch.config import Settings
from ftwatch.headless.common import Runtime, end_line, exit_status, watch_to_end


async def wait(settings: Settings, job_id: str, *, runtime: Runtime | None = None) -> int:
    runtime = runtime or Runtime(out=sys.stdout, err=sys.stderr)
    last = None
    async with contextlib.aclosing(watch_to_end(settings, job_id, runtime)) as snapshots:
        async for snapshot in snapshots:
            last = snapshot
    assert last is not None
    print(end_line(last), file=runtime.out, flush=True)
    return exit_status(last)
