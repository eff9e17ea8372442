"""`python -m ftwatch.sim` as a user runs it: URL first, clean exit on signals, one-line errors."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from ftwatch.sim.cli import main


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "ftwatch.sim", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ftwatch.sim", *args], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_prints_the_url_first_serves_and_exits_cleanly_on_a_signal(sig: signal.Signals) -> None:
    proc = start("--port", "0", "--speed", "50", "--api-key", "sk-sim-secret-9999")
    try:
        url = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        request = urllib.request.Request(f"{url}/fine_tuning/jobs?limit=3",
                                         headers={"Authorization": "Bearer sk-sim-secret-9999"})
        with urllib.request.urlopen(request, timeout=10) as response:
            page = json.loads(response.read())
        assert response.headers["content-type"].startswith("application/json")
        assert page["object"] == "list" and len(page["data"]) == 3 and page["has_more"] is True
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in err and "sk-sim-secret-9999" not in out + err


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run("--port", str(taken.getsockname()[1]))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "already in use" in result.stderr


@pytest.mark.parametrize("content, fragment", [
    ("{oops", "is not valid JSON"), ('{"jobs": "many"}', '"jobs" must be a non-empty list'),
])
def test_a_malformed_scenario_is_one_line_naming_the_file(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content)
    result = run("--scenario", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr and fragment in result.stderr


@pytest.mark.parametrize("argv, fragment", [
    (["--host", "0.0.0.0"], "--allow-remote"), (["--speed", "0"], "greater than 0"),
    (["--faults", "429:0.5,500:0.7"], "more than 1"), (["--port", "70000"], "between 0 and 65535"),
    (["--scenario", "/no/such/file.json"], "no such file"), (["--bogus"], "unrecognized arguments"),
])
def test_bad_input_is_a_one_line_error(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("ftwatch sim: ") and fragment in captured.err
    assert captured.err.count("\n") == 1


def test_a_scenario_is_served_instead_of_the_demo(tmp_path: Path) -> None:
    events = [{"id": "ftevent-a", "created_at": 2, "level": "info", "message": "Files validated, moving job to "
               "queued state", "object": "fine_tuning.job.event", "data": {}, "type": "message"},
              {"id": "ftevent-b", "created_at": 1, "level": "info", "message": "Created fine-tuning job: ftjob-mine",
               "object": "fine_tuning.job.event", "data": {}, "type": "message"}]
    path = tmp_path / "one.json"
    path.write_text(json.dumps(events))
    proc = start("--scenario", str(path), "--seed", "3")
    try:
        url = proc.stdout.readline().strip()  # type: ignore[union-attr]
        with urllib.request.urlopen(f"{url}/fine_tuning/jobs", timeout=10) as response:
            jobs = json.loads(response.read())["data"]
        with urllib.request.urlopen(f"{url}/fine_tuning/jobs/ftjob-mine/events", timeout=10) as response:
            served = json.loads(response.read())["data"]
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert [j["id"] for j in jobs] == ["ftjob-mine"] and jobs[0]["status"] == "queued"
    assert served == events
    assert proc.returncode == 0


def test_the_sim_module_does_not_import_the_rest_of_ftwatch() -> None:
    code = ("import sys, ftwatch.sim.cli, ftwatch.sim.server, ftwatch.sim.world; "
            "print(sorted(m for m in sys.modules if m.startswith('ftwatch') and not m.startswith('ftwatch.sim')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "['ftwatch']"
    leaked = subprocess.run([sys.executable, "-c", "import sys, ftwatch.sim.server; "
                             "print([m for m in ('textual', 'rich', 'openai', 'plotext') if m in sys.modules])"],
                            capture_output=True, text=True, timeout=30)
    assert leaked.stdout.strip() == "[]"
