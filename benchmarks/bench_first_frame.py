"""Row 1: time to first frame of `ftwatch --demo` vs the one-label app (minimal_app.py), same run.

Both programs are started alternately under a 120x40 pty, several times; the figure is the median time from
`exec` to the arrival of a marker that only a finished first screen contains:
- the one-label app: its label, `BASELINE-READY` (its first frame is its whole screen);
- ftwatch: the status line's ` SIMULATION ` badge. It is painted with the complete layout (jobs table,
  job pane, captions, status line) while the source still says "connecting…"; Textual's earlier frames of a
  half-laid-out screen do not count as "the first screen".
The time of the very first paint of anything (the first burst of over 1 KB) and of the first demo job id are
kept in the details, which is where a regression shows *which* part got slower.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from benchmarks.pty_harness import spawn
from benchmarks.report import Row

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINE_MARKER = b"BASELINE-READY"
DEMO_MARKER = b" SIMULATION "
DATA_MARKER = b"ftjob-"
TIMEOUT = 20.0


def ftwatch_argv(*args: str) -> list[str]:
    """The installed `ftwatch` command next to this interpreter (what a user runs), else `python -m ftwatch`."""
    script = os.path.join(os.path.dirname(sys.executable), "ftwatch")
    return [script, *args] if os.access(script, os.X_OK) else [sys.executable, "-m", "ftwatch", *args]


def first_paint(run) -> float | None:
    return next((at for at, count in run.bursts() if count > 1000), None)


def time_once(argv: list[str], marker: bytes, *, extra: bytes | None = None, extra_wait: float = 0.0) -> dict:
    with spawn(argv, env={"OPENAI_API_KEY": ""}) as run:
        at = run.pump(TIMEOUT, until=marker)
        if at is None:
            tail = bytes(run.text[-300:])
            raise RuntimeError(f"{argv[-1]}: marker {marker!r} not seen within {TIMEOUT} s; last output {tail!r}")
        out = {"frame": at, "first_paint": first_paint(run)}
        if extra is not None:
            out["data"] = run.pump(extra_wait, until=extra)
        return out


def run(quick: bool = False) -> list[Row]:
    reps = 3 if quick else 9
    baseline_argv = [sys.executable, os.path.join(HERE, "minimal_app.py")]
    demo_argv = ftwatch_argv("--demo")
    time_once(baseline_argv, BASELINE_MARKER)       # warm the page cache and .pyc files for both
    time_once(demo_argv, DEMO_MARKER)
    base, demo = [], []
    for _ in range(reps):
        base.append(time_once(baseline_argv, BASELINE_MARKER))
        demo.append(time_once(demo_argv, DEMO_MARKER, extra=DATA_MARKER, extra_wait=10.0))
        time.sleep(0.2)
    base_s = statistics.median(r["frame"] for r in base)
    demo_s = statistics.median(r["frame"] for r in demo)
    data_times = [r["data"] for r in demo if r.get("data") is not None]
    paints = [r["first_paint"] for r in demo if r["first_paint"] is not None]
    return [Row(
        key="first_frame", what="first frame, ftwatch --demo", figure=demo_s, unit="s",
        baseline=base_s, baseline_what="one-label Textual app", budget="<= 1.5x", limit=1.5,
        details={
            "repetitions": reps,
            "ftwatch_frame_s": [round(r["frame"], 4) for r in demo],
            "baseline_frame_s": [round(r["frame"], 4) for r in base],
            "ftwatch_first_paint_median_s": statistics.median(paints) if paints else None,
            "ftwatch_first_job_shown_median_s": statistics.median(data_times) if data_times else None,
            "markers": {"ftwatch": DEMO_MARKER.decode(), "baseline": BASELINE_MARKER.decode()},
        },
    )]
