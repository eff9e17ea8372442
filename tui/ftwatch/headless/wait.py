"""`ftwatch wait JOB_ID`: block until the job ends, print one summary line, exit with its status.

For scripts: `ftwatch wait ftjob-... && deploy`. No event output; retries and phase changes are noted on stderr.
`--json` prints the final job object instead, exactly as the API returned it (one line), for `jq`.
"""

from __future__ import annotations

import contextlib
import json
import sys

from ftwatch.config import Settings
from ftwatch.headless.common import Runtime, end_line, exit_status, watch_to_end


async def wait(settings: Settings, job_id: str, *, as_json: bool = False, runtime: Runtime | None = None) -> int:
    runtime = runtime or Runtime(out=sys.stdout, err=sys.stderr)
    last = None
    async with contextlib.aclosing(watch_to_end(settings, job_id, runtime)) as snapshots:
        async for snapshot in snapshots:
            last = snapshot
    assert last is not None
    line = json.dumps(dict(last.job.raw), ensure_ascii=False) if as_json else end_line(last)
    print(line, file=runtime.out, flush=True)
    return exit_status(last)
