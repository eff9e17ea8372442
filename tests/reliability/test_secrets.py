"""The API key never shows (issue 5 §5): every command is run with a distinctive fake key, and everything a
user could paste into a bug report is grepped for it and for its middle part: stdout and stderr of the
headless commands with --debug, the 401 paths of a wrong key, the TUI's --debug log file, its screenshots,
and the crash report Textual prints when the app dies. `Authorization` / `api-key` header values are masked
in --debug output whichever logger emits them. The simulator binds loopback unless told otherwise."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from ftwatch.cli import main
from ftwatch.sim.server import SimServer
from ftwatch.ui.screens.confirm import ConfirmJobAction
from ftwatch.ui.screens.monitor import MonitorScreen
from ftwatch.ui.widgets.status_line import StatusLine

from .conftest import LEAK_KEY, LEAK_MIDDLE, QUICK, wait_for

WRONG_KEY = "sk-LEAKCHECK-WRONG-5e0c2b9a7d1f3e8b4a6c-Qx"
WRONG_MIDDLE = "LEAKCHECK-WRONG-5e0c2b9a7d1f"


def assert_no_key(*texts: str, key: str = LEAK_KEY, middle: str = LEAK_MIDDLE) -> None:
    joined = "\n".join(texts)
    assert key not in joined and middle not in joined, "the API key leaked"


@pytest.fixture
def api(threaded_sim, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", LEAK_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", threaded_sim.server.base_url)
    return threaded_sim


def quick_job(sim, total_steps: int = 20, **kwargs: Any) -> str:
    return sim.run(lambda: sim.world.create_job(total_steps=total_steps, timing=QUICK, **kwargs))


@pytest.mark.parametrize("command", [["follow"], ["follow", "--json"], ["wait"], ["summary"], ["summary", "--json"],
                                     ["export"]], ids=" ".join)
def test_headless_commands_with_debug_never_print_the_key(capsys, api, command):
    job_id = quick_job(api)
    assert main(["--debug", command[0], job_id, *command[1:], "--poll-interval", "0.02"]) == 0
    captured = capsys.readouterr()
    assert "ftwatch debug" in captured.err and "HTTP Request: GET" in captured.err     # the trace really ran
    assert_no_key(captured.out, captured.err)


@pytest.mark.parametrize("command", ["follow", "wait", "summary", "export"])
def test_a_wrong_key_is_refused_without_echoing_it(capsys, api, monkeypatch, command):
    monkeypatch.setenv("OPENAI_API_KEY", WRONG_KEY)
    job_id = quick_job(api)
    assert main(["--debug", command, job_id]) == 4
    captured = capsys.readouterr()
    assert "the API refused the key (401)" in captured.err
    assert_no_key(captured.out, captured.err, key=WRONG_KEY, middle=WRONG_MIDDLE)


def test_an_azure_key_sent_as_the_api_key_header_is_never_printed(capsys, api, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", LEAK_KEY)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", api.server.base_url.removesuffix("/v1"))
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-04-01-preview")
    job_id = quick_job(api)
    assert main(["--debug", "summary", job_id, "--json"]) == 0
    captured = capsys.readouterr()
    assert "/openai/fine_tuning/jobs/" in captured.err
    assert_no_key(captured.out, captured.err)


def test_debug_masks_auth_headers_whichever_logger_writes_them(capsys, api, monkeypatch):
    """If the SDK or its HTTP client ever logs request headers, the --debug handler masks them: records in
    every logger the trace listens to carry the key in each form headers take in logs."""
    import ftwatch.headless.summary as summary_module

    job_id = quick_job(api)
    real_summary = summary_module.summary
    forms = [f"'Authorization': 'Bearer {LEAK_KEY}'", f"authorization: Bearer {LEAK_KEY}",
             f'"api-key": "{LEAK_KEY}"', f"api-key={LEAK_KEY}", f"headers={{'Authorization': 'Bearer {LEAK_KEY}'}}"]

    async def summary_that_logs_headers(*args: Any, **kwargs: Any) -> int:
        for name in ("ftwatch.source", "openai._base_client", "httpx2"):
            for form in forms:
                logging.getLogger(name).debug("request headers %s", form)
        return await real_summary(*args, **kwargs)

    monkeypatch.setattr(summary_module, "summary", summary_that_logs_headers)
    assert main(["--debug", "summary", job_id]) == 0
    err = capsys.readouterr().err
    assert err.count("request headers") == 15
    masked = re.compile(r"(?i)authorization['\"]?:\s*'?bearer \*\*\*|api-key['\"]?\s*[:=]\s*['\"]?\*\*\*")
    assert len(masked.findall(err)) == 15
    assert_no_key(err)


# --- the TUI: --debug log file, screenshots, crash report ----------------------------------------------------------

@pytest.fixture(autouse=True)
def no_debug_log_left_behind():
    """The TUI's --debug log lands in the temp directory, named by pid: never leave one from a test."""
    yield
    Path(tempfile.gettempdir(), f"ftwatch-debug-{os.getpid()}.log").unlink(missing_ok=True)


def run_tui_headless(drive):
    """A stand-in for launch.run_tui that runs the real app (from launch.make_app) headless under `drive`."""
    from ftwatch.launch import make_app

    def run_tui(settings, *, demo: bool) -> int:
        app = make_app(settings, demo=demo)

        async def go() -> None:
            async with app.run_test(size=(120, 36)) as pilot:
                await drive(app, pilot)

        asyncio.run(go())
        return 0

    return run_tui


def debug_log_path(stderr: str) -> Path:
    match = re.search(r"debug log written to (\S+)", stderr)
    assert match, stderr
    return Path(match.group(1))


def test_the_tui_debug_log_and_screenshots_never_hold_the_key(capsys, api, monkeypatch):
    job_id = quick_job(api, total_steps=20_000)                  # still running while the dialog is open
    screenshots: list[str] = []

    async def drive(app, pilot) -> None:
        screen = app.screen
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorScreen) and screen.latest(job_id) is not None,
                       what="the job polled")
        screenshots.append(app.export_screenshot())
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmJobAction), what="the cancel dialog")
        screenshots.append(app.export_screenshot())
        await pilot.press("n")
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        screenshots.append(app.export_screenshot())

    monkeypatch.setattr("ftwatch.launch.run_tui", run_tui_headless(drive))
    assert main(["--debug"]) == 0
    captured = capsys.readouterr()
    log = debug_log_path(captured.err).read_text()
    assert "HTTP Request: GET" in log and f"get job {job_id} -> ok" in log
    assert len(screenshots) == 3
    assert_no_key(log, captured.out, captured.err, *screenshots)


def test_the_tui_with_a_wrong_key_says_so_without_the_key(capsys, api, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", WRONG_KEY)
    shown: list[str] = []

    async def drive(app, pilot) -> None:
        status = app.screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "refused the key" in status.rendered_text, what="the 401 on screen")
        shown.extend([status.rendered_text, app.export_screenshot()])

    monkeypatch.setattr("ftwatch.launch.run_tui", run_tui_headless(drive))
    assert main(["--debug"]) == 0
    captured = capsys.readouterr()
    log = debug_log_path(captured.err).read_text()
    assert "401" in log
    assert_no_key(log, captured.out, captured.err, *shown, key=WRONG_KEY, middle=WRONG_MIDDLE)


def test_a_crash_report_does_not_hold_the_key(capsys, api, monkeypatch):
    """Textual prints a traceback *with local variables* when the app dies. Here it dies handling the message
    that carries the live source (SDK client and key inside); none of the key may appear in the report."""
    quick_job(api)

    def explode(self, message) -> None:
        source = message.source                     # a local the report will show  # noqa: F841
        raise RuntimeError("simulated bug in a message handler")

    async def drive(app, pilot) -> None:
        await wait_for(pilot, lambda: app._exception is not None, what="the crash")

    monkeypatch.setattr(MonitorScreen, "on_source_ready", explode)
    monkeypatch.setattr("ftwatch.launch.run_tui", run_tui_headless(drive))
    with pytest.raises(RuntimeError, match="simulated bug"):
        main(["--debug"])
    captured = capsys.readouterr()
    assert "Traceback" in captured.err and "simulated bug in a message handler" in captured.err
    assert "source = " in captured.err and "SourceReady(" in captured.err       # the report shows the values
    log = debug_log_path(captured.err).read_text()
    assert_no_key(captured.out, captured.err, log)


async def test_the_simulator_binds_loopback_unless_told_otherwise(world):
    server = SimServer(world)
    assert server.host == "127.0.0.1"
    with pytest.raises(ValueError, match="allow_remote"):
        SimServer(world, host="0.0.0.0")
    async with server:
        assert server.base_url.startswith("http://127.0.0.1:")
