"""The README's examples run as written: every `ftwatch` line of its "Watching your own jobs" block against
the simulator (the job id swapped for a real one there), and the simulator example with the file it names."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from simkit import ThreadedSim

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
SAMPLE_CSV = ROOT / "tests/fixtures/real-samples/metrics_genset_250steps_decoded_valid_every_10.csv"


def block_after(heading: str) -> list[str]:
    """The command lines (comments dropped) of the first ```bash block after `heading`."""
    section = README[README.index(heading):]
    block = section[section.index("```bash") + len("```bash"):]
    block = block[:block.index("```")]
    return [line.split(" #")[0].strip() for line in block.strip().splitlines() if line.strip()]


def test_every_headless_example_runs_as_written(tmp_path):
    lines = [line for line in block_after("## Watching your own jobs") if line.startswith("ftwatch ")]
    examples = [line for line in lines if line != "ftwatch"]              # the bare TUI needs a terminal
    assert len(examples) >= 6
    sim = ThreadedSim(speed=5000.0, api_key="sk-readme")
    try:
        job_id = sim.run(lambda: sim.world.create_job(total_steps=40, start_delay=-3600))
        env = {**os.environ, "OPENAI_API_KEY": "sk-readme", "OPENAI_BASE_URL": sim.server.base_url}
        (tmp_path / "step_metrics.csv").write_text(SAMPLE_CSV.read_text())
        for line in examples:
            command = line.split("&&")[0].strip().replace("ftjob-abc123", job_id)
            argv = [sys.executable, "-m", "ftwatch", *shlex.split(command)[1:]]
            done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, f"{line}: {done.stderr[-500:]}"
            wrote = (tmp_path / "m.csv").exists() if "-o m.csv" in line else bool(done.stdout.strip())
            assert wrote, f"{line} printed nothing"
    finally:
        sim.close()


def test_the_simulator_examples_name_files_that_exist_and_start():
    lines = [line for line in block_after("## The simulator") if line.startswith("ftwatch sim")]
    assert any("--replay" in line for line in lines)
    for line in lines:
        for word in shlex.split(line):
            if word.endswith(".json"):
                assert (ROOT / word).is_file(), f"the README names {word}, which is not in the repository"
        argv = [sys.executable, "-m", "ftwatch", *shlex.split(line)[1:], "--port", "0"]
        process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            first = process.stdout.readline()
            assert re.search(r"http://127\.0\.0\.1:\d+/v1", first), (line, first, process.stderr.read()[-300:])
        finally:
            process.terminate()
            process.wait(10)
