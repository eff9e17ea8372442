"""`ftwatch serve --demo` in a real browser: Debian's Chromium, headless, driven by playwright.

xterm.js paints on a canvas, so the TUI's text is read from the websocket frames the page receives; a key
pressed in the page must move the TUI, and the screenshot must be the drawn terminal, not the start dialog.
Skipped (with the reason) where Chromium or playwright is missing; CI installs both.
"""

from __future__ import annotations

import re
import struct
import time

import pytest

from ftwatch.devtools.serve_browser import VIEWPORT, ServedPage, chromium_missing

pytestmark = pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or "")

DEMO_JOBS = ("support-bot", "invoice-parser", "sql-helper", "pricer", "car-pricer", "recipes", "legal-drafts")
KEY_HINTS = ("Jobs", "Filter", "Smoothing", "Cancel job", "Quit", "Help")
JOB_ID = re.compile(r"ftjob-[A-Za-z0-9]+")


def test_the_demo_tui_arrives_in_chromium_and_answers_keys(serve, tmp_path):
    started = time.monotonic()
    served = serve(["--demo"])
    with ServedPage(served.url) as browser:
        text = browser.wait_for(lambda drawn: all(job in drawn for job in DEMO_JOBS) and "SIMULATION" in drawn)
        assert "running" in text and "succeeded" in text and "failed" in text     # phases in words, not colour

        browser.focus()                                     # a click on the page, as a user gives it
        browser.wait_for(lambda drawn: all(hint in drawn for hint in KEY_HINTS))
        shown = set(JOB_ID.findall(browser.text()))
        assert len(shown) == 1, shown                       # the selected job's id heads the detail pane

        mark = len(browser.frames)
        browser.press("j")                                  # next job
        after = browser.wait_for(lambda drawn: bool(set(JOB_ID.findall(drawn)) - shown), since=mark)
        assert set(JOB_ID.findall(after)) - shown           # the detail pane now names another job

        shot = browser.screenshot(tmp_path / "serve-demo.png")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (VIEWPORT["width"], VIEWPORT["height"])
    assert len(data) > 40_000                               # a drawn terminal, not the near-empty start dialog
    assert time.monotonic() - started < 30
