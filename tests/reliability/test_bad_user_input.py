"""Bad user input (issue 5 §4): each case runs `ftwatch` as a user types it (`cli.main(argv)`, and a few as
real `python -m ftwatch` processes) and ends with exactly one line on stderr, a non-zero exit status and no
traceback. The API cases talk to the simulator on loopback; the unreachable host is a closed local port
(the command gives up after three attempts, silently until the one line that says so).

Also here: SIGTERM ends a headless command cleanly (exit 143, no traceback), and the TUI survives a terminal
smaller than 80x24 (it keeps running and polling at any size down to 1x1, and lays itself out again when the
terminal grows back)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from ftwatch.cli import main
from ftwatch.sim.simulated import Timing
from ftwatch.ui.widgets.job_header import JobHeader

from .conftest import LEAK_KEY, ThreadedSim, wait_for

QUICK = Timing(validate=2.0, queue=1.0, warmup=2.0, step=1.0, full_validation=1.0, build_model=2.0,
               safety_eval=10.0, complete=1.0)


@dataclass(frozen=True)
class Case:
    argv: tuple[str, ...]
    status: int
    says: str                          # a fragment of the one stderr line
    env: tuple[tuple[str, str], ...] = ()
    api: bool = False                  # OPENAI_API_KEY / OPENAI_BASE_URL point at the simulator


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cases(files: Path) -> dict[str, Case]:
    (files / "garbage.csv").write_text("hello,world\n1,2\n")
    (files / "binary.csv").write_bytes(b"\xff\xfe\x00\x01garbage\x9b2J")
    (files / "empty.csv").write_text("")
    (files / "broken.json").write_text("{oops")
    (files / "wrong-shape.json").write_text('{"jobs": "many"}')
    (files / "no-events.json").write_text('{"jobs": [{"job": {"id": "ftjob-x", "status": "running"}}]}')
    (files / "a-directory.csv").mkdir()
    closed = f"http://127.0.0.1:{_closed_port()}/v1"
    return {
        "unknown_job_id": Case(("follow", "ftjob-doesnotexist"), 4, "not found (404)", api=True),
        "unknown_job_id_summary": Case(("summary", "ftjob-doesnotexist"), 4, "not found (404)", api=True),
        "job_id_with_escape_sequences": Case(("wait", "ftjob-\x1b]52;c;QQ==\x07x"), 4, "not found (404)", api=True),
        "job_id_with_a_slash": Case(("follow", "ftjob-a/b"), 4, "not found (404)", api=True),
        "wrong_key": Case(("follow", "ftjob-x"), 4, "the API refused the key (401)", api=True,
                          env=(("OPENAI_API_KEY", "sk-wrong-" + "0" * 24),)),
        "missing_key": Case(("wait", "ftjob-x"), 2, "OPENAI_API_KEY is not set"),
        "malformed_base_url_flag": Case(("follow", "ftjob-x", "--base-url", "htp:/nope"), 2, "http(s) URL",
                                        env=(("OPENAI_API_KEY", "sk-x"),)),
        "malformed_base_url_env": Case(("wait", "ftjob-x"), 2, "http(s) URL",
                                       env=(("OPENAI_API_KEY", "sk-x"), ("OPENAI_BASE_URL", "not a url"))),
        "unreachable_host": Case(("wait", "ftjob-x", "--base-url", closed), 4, "gave up after 3 attempts",
                                 env=(("OPENAI_API_KEY", "sk-x"),)),
        "csv_missing": Case(("summary", str(files / "nope" / "missing.csv")), 2, "no such file"),
        "csv_unreadable_a_directory": Case(("summary", str(files / "a-directory.csv")), 2, "is a directory"),
        "csv_malformed": Case(("summary", str(files / "garbage.csv")), 2, "garbage.csv"),
        "csv_binary_garbage": Case(("export", str(files / "binary.csv")), 2, "binary.csv"),
        "csv_empty": Case(("summary", str(files / "empty.csv")), 2, "empty.csv"),
        "scenario_malformed_json": Case(("summary", str(files / "broken.json")), 2, "not valid JSON"),
        "scenario_wrong_shape": Case(("export", str(files / "wrong-shape.json")), 2, "non-empty list"),
        "scenario_without_events": Case(("summary", str(files / "no-events.json")), 2, "no events"),
        "export_to_an_unwritable_place": Case(("export", str(files / "garbage.csv"), "-o",
                                               str(files / "nope" / "out.csv")), 2, "garbage.csv"),
        "negative_poll_interval": Case(("follow", "ftjob-x", "--poll-interval", "-1"), 2, "positive number"),
        "zero_poll_interval": Case(("wait", "ftjob-x", "--poll-interval", "0"), 2, "positive number"),
        "nan_poll_interval": Case(("wait", "ftjob-x", "--poll-interval", "nan"), 2, "positive number"),
        "negative_timeout": Case(("wait", "ftjob-x", "--timeout", "-5"), 2, "positive number"),
        "smoothing_1": Case(("follow", "ftjob-x", "--smoothing", "1"), 2, "[0, 1)"),
        "smoothing_negative": Case(("summary", "x.csv", "--smoothing", "-0.1"), 2, "[0, 1)"),
        "smoothing_nan": Case(("--smoothing", "nan"), 2, "[0, 1)"),
        "smoothing_words": Case(("--smoothing", "lots"), 2, "'auto' or a number"),
        "sim_on_a_public_address": Case(("sim", "--host", "0.0.0.0"), 2, "--allow-remote"),
    }


@pytest.fixture(scope="module")
def api() -> Iterator[ThreadedSim]:
    sim = ThreadedSim(api_key=LEAK_KEY)
    yield sim
    sim.close()


CASE_NAMES = [                 # spelled out so the parametrized ids read as the matrix
    "unknown_job_id", "unknown_job_id_summary", "job_id_with_escape_sequences", "job_id_with_a_slash", "wrong_key",
    "missing_key", "malformed_base_url_flag", "malformed_base_url_env", "unreachable_host", "csv_missing",
    "csv_unreadable_a_directory", "csv_malformed", "csv_binary_garbage", "csv_empty", "scenario_malformed_json",
    "scenario_wrong_shape", "scenario_without_events", "export_to_an_unwritable_place", "negative_poll_interval",
    "zero_poll_interval", "nan_poll_interval", "negative_timeout", "smoothing_1", "smoothing_negative",
    "smoothing_nan", "smoothing_words", "sim_on_a_public_address",
]


def test_the_matrix_lists_every_case(tmp_path):
    assert sorted(CASE_NAMES) == sorted(cases(tmp_path))


def assert_one_calm_line(status: int, out: str, err: str, case: Case) -> None:
    lines = err.splitlines()
    assert status == case.status, err
    assert len(lines) == 1, err
    assert lines[0].startswith("ftwatch") and case.says in lines[0], lines[0]
    assert "Traceback" not in err and out == ""
    assert not any(unicodedata.category(ch) == "Cc" for ch in lines[0]), "the error line is inert"
    assert LEAK_KEY not in err


def environment(case: Case, api: ThreadedSim) -> dict[str, str]:
    env = {}
    if case.api:
        env.update(OPENAI_API_KEY=LEAK_KEY, OPENAI_BASE_URL=api.server.base_url)
    env.update(dict(case.env))
    return env


@pytest.mark.parametrize("name", CASE_NAMES)
def test_bad_input_is_one_line_non_zero_and_no_traceback(api, tmp_path, monkeypatch, capsys, name):
    """`main(argv)` exactly as the console script calls it: any exception it let through would fail here."""
    case = cases(tmp_path)[name]
    for key, value in environment(case, api).items():
        monkeypatch.setenv(key, value)
    status = main(list(case.argv))
    captured = capsys.readouterr()
    assert_one_calm_line(status, captured.out, captured.err, case)


def test_the_installed_entry_point_says_the_same(api, tmp_path):
    """A few cases as real processes (`python -m ftwatch`), side by side: the same single line, no traceback."""
    matrix = cases(tmp_path)
    chosen = ["unknown_job_id", "csv_malformed", "smoothing_1", "malformed_base_url_env"]
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI"))}
    running = {name: subprocess.Popen([sys.executable, "-m", "ftwatch", *matrix[name].argv],
                                      env={**base_env, **environment(matrix[name], api)}, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
               for name in chosen}
    try:
        for name, process in running.items():
            out, err = process.communicate(timeout=60)
            assert_one_calm_line(process.returncode, out, err, matrix[name])
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()


# --- SIGTERM ----------------------------------------------------------------------------------------------------

@pytest.fixture
def long_job_sim() -> Iterator[tuple[ThreadedSim, str]]:
    sim = ThreadedSim(api_key=LEAK_KEY)
    job_id = sim.run(lambda: sim.world.create_job(total_steps=20_000, timing=QUICK))   # ~20 s at speed 1000
    yield sim, job_id
    sim.close()


def _wait_for_text(path: Path, fragment: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while fragment not in path.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {fragment!r} in {path.name}: {path.read_text()[-300:]!r}")
        time.sleep(0.05)


@pytest.mark.parametrize(("argv", "stream", "ready"), [
    (("follow", "--json", "--poll-interval", "0.05"), "out", '"object"'),
    (("wait", "--poll-interval", "0.05"), "err", "is running"),
], ids=["follow", "wait"])
def test_sigterm_ends_a_headless_command_cleanly(long_job_sim, tmp_path, argv, stream, ready):
    sim, job_id = long_job_sim
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI"))}
    env.update(OPENAI_API_KEY=LEAK_KEY, OPENAI_BASE_URL=sim.server.base_url, PYTHONUNBUFFERED="1")
    paths = {"out": tmp_path / "stdout", "err": tmp_path / "stderr"}
    with paths["out"].open("w") as out, paths["err"].open("w") as err:
        process = subprocess.Popen([sys.executable, "-m", "ftwatch", argv[0], job_id, *argv[1:]], env=env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            _wait_for_text(paths[stream], ready)
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 128 + signal.SIGTERM
    err_text = paths["err"].read_text()
    assert "Traceback" not in err_text and "Error" not in err_text, err_text
    if argv[0] == "follow":
        lines = paths["out"].read_text().splitlines()
        assert lines and all(line.startswith("{") and line.endswith("}") for line in lines), "no torn line"


# --- a terminal smaller than 80x24 --------------------------------------------------------------------------------

async def test_the_tui_survives_a_terminal_too_small_and_recovers(world, clock, make_app):
    """Below 80x24 ftwatch does not refuse or crash: it keeps polling and drawing what fits (the panes stack
    below 100 columns), the keys keep working, and growing the terminal lays everything out again."""
    from .conftest import running_job

    job_id = running_job(world, total_steps=400)
    app = make_app()
    async with app.run_test(size=(79, 23)) as pilot:
        await wait_for(pilot, lambda: app.screen.latest(job_id) is not None, what="the first poll")
        for width, height in ((79, 23), (40, 12), (12, 4), (1, 1)):
            await pilot.resize_terminal(width, height)
            before = len(app.screen.latest(job_id).events)
            clock.advance(15)
            await wait_for(pilot, lambda: len(app.screen.latest(job_id).events) > before,
                           what=f"still following at {width}x{height}")
            await pilot.press("j", "k", "m", "l")
            app.export_screenshot()                                   # a full paint at this size
        await pilot.resize_terminal(100, 30)
        await wait_for(pilot, lambda: job_id in app.screen.query_one(JobHeader).rendered_text,
                       what="the job pane laid out again at 100x30")
        assert app.is_running and app.return_code is None
