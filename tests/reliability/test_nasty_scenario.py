"""The recorded "nasty" job (scenarios/nasty.json) served by the simulator and watched end to end: `ftwatch
follow` (plain and --json), `summary`, `export`, and the TUI. The job carries every trick from issue 5 §3 in
its suffix, model names, metadata, hyperparameters and events: Rich markup, OSC 52 clipboard writes, OSC 8
links, window titles, CSI screen clears, DCS, 8-bit C1 sequences, bare ESC, bidi overrides, BEL and
backspaces, newlines, a 20,000-character message, NaN and Infinity metrics, strings where numbers belong,
`data` that is null, {}, a string, a list, 120 levels deep or 300 keys wide, unknown event types, a level
that is a list, and metric names that are themselves escape sequences.

What a terminal receives is inert text (no control character but newlines, no bidi override, the markup
shown literally); `--json` is the API's own objects, exactly; summary and export give the right numbers."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import pytest

from ftwatch.cli import main
from ftwatch.domain.format import MAX_MESSAGE
from ftwatch.ui.widgets.event_log import EventLog
from ftwatch.ui.widgets.job_header import JobHeader
from ftwatch.ui.widgets.job_list import JobList
from ftwatch.ui.widgets.loss_chart import LossChart
from ftwatch.ui.widgets.text_line import TextLine

from .conftest import LEAK_KEY, oldest_first, wait_for

NASTY = Path(__file__).parent / "scenarios" / "nasty.json"
JOB_ID = "ftjob-Nasty0000000000000000001"
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
PAYLOADS = ("RVZJTC1DTElQQk9BUkQ", "U1VGRklY", "S0VZ", "pwned title", "unknown type event")  # inside sequences
EXPECTED_SUMMARY = {
    # train_loss at steps 1 (data), 4 (message, data null), 5 (message, data {}), 6; NaN and "1.9" are missing
    "steps": 4, "last_step": 6, "total_steps": 6,
    "train_loss": {"first": 2.5, "last": 1.0, "min": 1.0},
    "valid_loss": {"first": 1.7, "last": 1.7, "min": 1.7},      # Infinity and -Infinity dropped
    "full_valid_loss": {"first": 1.1, "last": 1.1, "min": 1.1},
    "status": "succeeded",
}


def inert(text: str) -> bool:
    return not any((unicodedata.category(ch) == "Cc" and ch != "\n") or ch in BIDI for ch in text)


def assert_harmless(text: str) -> None:
    assert inert(text), [ch for ch in text if (unicodedata.category(ch) == "Cc" and ch != "\n") or ch in BIDI][:5]
    for payload in PAYLOADS:
        assert payload not in text, f"the payload of an escape sequence leaked: {payload}"


@pytest.fixture
def nasty_api(threaded_sim, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", LEAK_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", threaded_sim.server.base_url)
    assert threaded_sim.run(lambda: threaded_sim.world.load_scenario(NASTY)) == [JOB_ID]
    return threaded_sim


def test_follow_plain_prints_every_event_as_inert_text(capsys, nasty_api):
    assert main(["follow", JOB_ID, "--poll-interval", "0.02"]) == 0
    captured = capsys.readouterr()
    assert_harmless(captured.out)
    assert_harmless(captured.err)
    lines = captured.out.splitlines()
    assert len(lines) == len(nasty_api.run(lambda: nasty_api.world.events_json(JOB_ID)))    # one line per event
    assert any("[bold red]not markup[/bold red] and [link=https://evil.example]a link[/link]" in ln for ln in lines)
    assert any("clipboard  write" in ln for ln in lines) and any("screen  clear" in ln for ln in lines)
    assert any("bidi exe.txt" in ln for ln in lines)
    long_line = next(ln for ln in lines if "long xxx" in ln)
    assert len(long_line) < MAX_MESSAGE + 40 and "END-OF-LONG-MESSAGE" not in long_line    # cut for display
    assert any("step 4/6  loss 1.500" in ln for ln in lines)                               # parsed from the text


def test_follow_json_prints_the_api_objects_exactly(capsys, nasty_api):
    assert main(["follow", JOB_ID, "--json", "--poll-interval", "0.02"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out        # escaped as \u001b, \u202e...
    printed = [json.loads(line) for line in out.splitlines()]
    expected = list(reversed(nasty_api.run(lambda: nasty_api.world.events_json(JOB_ID))))
    canonical = lambda objects: [json.dumps(o, sort_keys=True) for o in objects]   # NaN != NaN, text is exact
    assert canonical(printed) == canonical(expected)
    assert any("END-OF-LONG-MESSAGE" in e["message"] for e in printed if isinstance(e["message"], str))


@pytest.mark.parametrize("source", ["job", "file"])
def test_summary_of_the_nasty_job_is_right_and_inert(capsys, nasty_api, source):
    argument = JOB_ID if source == "job" else str(NASTY)
    assert main(["summary", argument, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out, parse_constant=lambda name: pytest.fail(f"{name} in --json"))
    for key, value in EXPECTED_SUMMARY.items():
        if isinstance(value, dict):
            assert {k: summary[key][k] for k in value} == value, key
        else:
            assert summary[key] == value, key
    assert main(["summary", argument]) == 0
    text = capsys.readouterr().out
    assert_harmless(text)
    assert "status          succeeded" in text


@pytest.mark.parametrize("source", ["job", "file"])
def test_export_of_the_nasty_job_keeps_every_metric_under_inert_names(capsys, nasty_api, source):
    argument = JOB_ID if source == "job" else str(NASTY)
    assert main(["export", argument]) == 0
    out = capsys.readouterr().out
    assert_harmless(out)
    table = list(csv.reader(io.StringIO(out)))
    header, steps = table[0], [row[0] for row in table[1:]]
    assert steps == ["1", "4", "5", "6"]
    assert "evil_metric" in header and "[bold]markup_metric" in header and "wide.k0" in header
    assert main(["export", argument, "--format", "jsonl"]) == 0
    rows = [json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in JSON lines"))
            for line in capsys.readouterr().out.splitlines()]
    assert [row["train_loss"] for row in rows] == [2.5, 1.5, 1.2, 1.0]
    assert rows[-1]["\x1b]52;c;S0VZ\x07evil_metric"] == 0.5     # exact name, JSON-escaped on the wire


async def test_the_tui_shows_the_nasty_job_literally_and_harmlessly(world, make_app):
    assert world.load_scenario(NASTY) == [JOB_ID]
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        log = screen.query_one(EventLog)
        expected = len(oldest_first(world, JOB_ID))
        await wait_for(pilot, lambda: (s := screen.latest(JOB_ID)) is not None and len(s.events) == expected
                       and len(log.lines) >= expected - 2, what="the nasty job's events on screen")
        shown = "\n".join(log.lines)
        assert "[bold red]not markup[/bold red] and [link=https://evil.example]a link[/link]" in shown
        assert "clipboard  write" in shown and "screen  clear" in shown and "bidi exe.txt" in shown
        assert "END-OF-LONG-MESSAGE" not in shown                       # display truncates; the event keeps it
        header = screen.query_one(JobHeader).rendered_text
        assert "gpt-4o-mini-2024-07-18[bold red]" in header
        row = " ".join(str(cell) for cell in screen.query_one(JobList).get_row(JOB_ID))
        assert "[bold red]pwn" in row
        chart = screen.query_one(LossChart)
        await wait_for(pilot, lambda: chart.renders > 0, what="the chart drawn")
        caption = screen.query_one("#chart-caption", TextLine)
        for key in ("m", "m", "m", "l", "m"):                           # cycle metrics, hostile names included
            await pilot.press(key)
            await pilot.pause(0.05)
        await wait_for(pilot, lambda: "log scale" in caption.plain, what="log scale on")
        assert app.is_running
        texts = [shown, header, row, caption.plain, chart.rendered_text, app.export_screenshot()]
        for text in texts:
            assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
            assert not BIDI & set(text)
        for payload in PAYLOADS:
            assert payload not in "".join(texts)
