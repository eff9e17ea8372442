"""Completes tests/headless/test_fault_matrix_follow_json.py (which pins the jitter to zero): with the real,
jittered policy, `ftwatch follow --json` through nine 503s in a row says "retrying in N (attempt n)" with
waits that double, stay within half-to-all of the capped exponential, never exceed the 60 s cap, and are
not in lockstep; then it prints every event once."""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import replace

from ftwatch.config import Settings
from ftwatch.headless.follow import follow
from ftwatch.source.backoff import Backoff

from .conftest import oldest_first, running_job

NOTICE = re.compile(r"server error 503; retrying in (?:(?P<m>\d+)m )?(?P<s>\d+)s \(attempt (?P<n>\d+)\)")


async def test_follow_json_backoff_is_capped_and_jittered_and_loses_nothing(world, server, runtime, clock):
    job_id = running_job(world, total_steps=30)
    server.faults.script(["503"] * 9, only="/events")
    jittered = replace(runtime, backoff=Backoff(random=random.Random(11).random))
    assert await follow(Settings(poll_interval=2.0), job_id, json_lines=True, runtime=jittered) == 0

    printed = [json.loads(line) for line in runtime.out.getvalue().splitlines()]
    assert printed == oldest_first(world, job_id)
    notices = [(int(m["n"]), int(m["m"] or 0) * 60 + int(m["s"])) for m in NOTICE.finditer(runtime.err.getvalue())]
    assert [n for n, _ in notices] == list(range(1, 10))
    fractions = []
    for attempt, shown in notices:
        full = min(60.0, 2.0 ** (attempt - 1))
        assert max(1, math.ceil(full / 2)) <= shown <= math.ceil(full), (attempt, shown)
        fractions.append(shown / math.ceil(full))
    assert max(shown for _, shown in notices) <= 60                        # capped
    assert len({round(f, 2) for f in fractions[3:]}) > 1                   # jittered, not a fixed ladder
    assert "connected again" in runtime.err.getvalue()
