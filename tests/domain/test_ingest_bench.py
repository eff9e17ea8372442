"""Smoke check of issue 6's ingest budget (run by CI with `-m bench`): fails only when grossly off.

The real figures come from `python tests/domain/ingest_benchmark.py` (1,000,000 events: >= 100,000 events/s,
peak RSS <= 250 MB). Here 200,000 events in a subprocess must reach a third of that rate, and the process
must stay far below the memory budget, whatever else the CI machine is doing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.bench
def test_ingest_of_200k_events_is_fast_and_compact():
    script = Path(__file__).with_name("ingest_benchmark.py")
    result = subprocess.run([sys.executable, str(script), "200000"], capture_output=True, text=True,
                            timeout=300, check=True)
    cpu_rate = float(re.search(r"([\d,]+) events/s of CPU time", result.stdout).group(1).replace(",", ""))
    peak_mb = float(re.search(r"peak RSS: (\d+) MB", result.stdout).group(1))
    assert "events: 200,000" in result.stdout
    assert cpu_rate >= 33_000, result.stdout
    assert peak_mb <= 120, result.stdout
