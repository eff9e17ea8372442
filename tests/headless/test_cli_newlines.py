"""Every text the `ftwatch` command prints ends with a newline, on stdout and on stderr: a shell prompt never
lands at the end of the last line, and `ftwatch ... | tail -1` / `wc -l` count what they should.

Each command a user types is run whole (`main([...])`, stdout and stderr captured), against the recorded
samples and against the simulator at speed 1000; `ftwatch sim` and `--version` also as real processes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ftwatch.cli import main
from source.conftest import FAST_TIMING_FIELDS

from .conftest import REAL_SAMPLES

CSV_SAMPLE = str(sorted(REAL_SAMPLES.glob("metrics_*"))[0])
EVENTS_SAMPLE = str(sorted(REAL_SAMPLES.glob("events_*.json"))[0])


def assert_lines_end(text: str, what: str) -> None:
    assert text == "" or text.endswith("\n"), f"{what} does not end with a newline: {text[-60:]!r}"


def run(capsys, argv: list[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    assert_lines_end(captured.out, f"stdout of ftwatch {' '.join(argv)}")
    assert_lines_end(captured.err, f"stderr of ftwatch {' '.join(argv)}")
    return status, captured.out, captured.err


def finished_job(sim, **kwargs) -> str:
    from ftwatch.sim.simulated import Timing

    return sim.run(lambda: sim.world.create_job(timing=Timing(step=1.0, **FAST_TIMING_FIELDS), **kwargs))


@pytest.mark.parametrize("argv", [
    ["summary", CSV_SAMPLE], ["summary", CSV_SAMPLE, "--json"], ["summary", EVENTS_SAMPLE],
    ["export", CSV_SAMPLE], ["export", CSV_SAMPLE, "--format", "jsonl"], ["export", EVENTS_SAMPLE],
    ["--version"], ["--help"], ["summary", "--help"], ["follow", "--help"], ["sim", "--help"],
])
def test_offline_commands_end_their_output_with_a_newline(capsys, argv):
    status, out, _ = run(capsys, argv)
    assert status == 0 and out.strip()


@pytest.mark.parametrize(("argv", "status"), [
    (["bogus"], 2),                                     # usage error
    (["summary"], 2),                                   # missing argument
    (["summary", "/no/such/file.csv"], 2),              # a path that is not there
    (["follow", "ftjob-x"], 2),                         # no key
    (["export", CSV_SAMPLE, "--format", "xml"], 2),
    (["sim", "--host", "8.8.8.8"], 2),                  # the simulator refuses a non-loopback address
])
def test_errors_are_whole_lines(capsys, monkeypatch, argv, status):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    got, out, err = run(capsys, argv)
    assert got == status and err.strip() and out == ""


@pytest.mark.parametrize("fate", ["succeed", "fail"])
def test_commands_on_the_api_end_their_output_with_a_newline(capsys, api_env, fate):
    job_id = finished_job(api_env, total_steps=30, fate=fate)
    poll = ["--poll-interval", "0.02"]
    for argv in (["follow", job_id, *poll], ["follow", job_id, "--json", *poll], ["wait", job_id, *poll],
                 ["summary", job_id], ["summary", job_id, "--json"], ["export", job_id],
                 ["export", job_id, "--format", "jsonl"], ["summary", "ftjob-doesnotexist"]):
        status, out, err = run(capsys, argv)
        if "ftjob-doesnotexist" in argv:
            assert status == 4 and "ftjob-doesnotexist" in err
        elif argv[-1] != "jsonl" or fate == "succeed":      # a job failed before its first step has no rows
            assert status in (0, 1) and out.strip(), argv


def test_as_real_processes_version_and_the_simulators_address_are_whole_lines():
    version = subprocess.run([sys.executable, "-m", "ftwatch", "--version"], capture_output=True, text=True,
                             timeout=60, check=True)
    assert version.stdout.startswith("ftwatch ") and version.stdout.endswith("\n")
    sim = subprocess.Popen([sys.executable, "-m", "ftwatch", "sim", "--port", "0"], stdout=subprocess.PIPE,
                           text=True)
    try:
        first = sim.stdout.readline()
        assert first.startswith("http://127.0.0.1:") and first.endswith("/v1\n")
    finally:
        sim.terminate()
        sim.wait(10)
        sim.stdout.close()
