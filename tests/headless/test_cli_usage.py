"""The command line itself: help without a TTY, and every usage mistake as one line with exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ftwatch import __version__
from ftwatch.cli import main


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("follow", "wait", "summary", "export", "sim", "--demo", "--smoothing"):
        assert command in out


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"ftwatch {__version__}"


def test_help_runs_without_a_tty_and_without_loading_the_sdk_or_textual():
    code = ("import sys, io; from ftwatch.cli import main; rc = main(['--help']); "
            "heavy = [m for m in ('openai', 'textual', 'rich', 'aiohttp', 'ftwatch.sim') if m in sys.modules]; "
            "print('HEAVY', heavy); sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=30, env={k: v for k, v in os.environ.items() if not k.startswith("OPENAI")})
    assert done.returncode == 0
    assert "HEAVY []" in done.stdout
    assert "usage: ftwatch" in done.stdout


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["follow", "ftjob-x", "--smoothing", "1.5"], "[0, 1)"),
        (["summary", "x.csv", "--smoothing", "-0.2"], "[0, 1)"),
        (["--smoothing", "lots"], "'auto' or a number"),
        (["follow", "ftjob-x", "--poll-interval", "-1"], "positive number of seconds"),
        (["wait", "ftjob-x", "--poll-interval", "0"], "positive number of seconds"),
        (["--poll-interval", "abc"], "expected a number of seconds"),
        (["follow"], "JOB_ID"),
        (["export", "x.csv", "--format", "xml"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
        (["--no-such-flag"], "unrecognized arguments"),
    ],
)
def test_usage_errors_are_one_line_exit_2(capsys, argv, fragment):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ftwatch: ") and fragment in lines[0]
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("argv", [["follow", "ftjob-abc"], ["wait", "ftjob-abc"], ["summary", "ftjob-abc"], []])
def test_missing_key_is_one_line_suggesting_the_demo(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "OPENAI_API_KEY" in err[0] and "ftwatch --demo" in err[0]


def test_bad_base_url_is_a_usage_error(capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert main(["follow", "ftjob-x", "--base-url", "localhost:8000"]) == 2
    assert "http(s) URL" in capsys.readouterr().err


def test_unreadable_summary_file_is_a_usage_error(capsys, tmp_path):
    assert main(["summary", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["export", str(tmp_path)]) == 2
    assert "directory" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--api-key", "sk-secret123"], ["--api-key=sk-secret123"],
                                  ["follow", "ftjob-a", "--api-key", "sk-secret123"], ["--key", "sk-secret123"]])
def test_a_key_flag_is_refused_by_name_and_never_echoed(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "is not accepted" in err and "OPENAI_API_KEY" in err and "sk-secret123" not in err
    assert "invalid choice" not in err


def test_export_takes_json_like_follow_and_summary(capsys, tmp_path):
    from headless.conftest import REAL_SAMPLES

    sample = str(REAL_SAMPLES / "metrics_project3_24steps_valid_every_step.csv")
    assert main(["export", sample, "--json"]) == 0
    as_json = capsys.readouterr().out
    assert main(["export", sample, "--format", "jsonl"]) == 0
    assert as_json == capsys.readouterr().out and as_json.count("\n") == 24
