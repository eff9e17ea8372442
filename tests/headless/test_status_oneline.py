"""`ftwatch status --oneline`: the words of the line (running jobs with step/total, sparkline and ETA; a recent
failure flagged; `idle`), `--tmux` colours that server text cannot forge, `--width` never exceeded, the requests
(the jobs list plus one events page per running job) and the time, through the real executable."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from ftwatch.cli import main
from ftwatch.config import Secret, Settings
from ftwatch.domain.insight.verdict import Badge, Verdict
from ftwatch.domain.models import Job, Phase
from ftwatch.domain.snapshot import Progress
from ftwatch.headless.job_glance import Glance
from ftwatch.headless.status_line import cells, line, loss_sparkline, short_duration, status

from headless.accounts import Account, populate_a, populate_b

KEY = "sk-status-test-0123456789"
TMUX_CODE = re.compile(r"#\[[^\]]*\]")


def job(job_id: str, status_: str, suffix: str | None = None) -> Job:
    return Job(id=job_id, created_at=1_764_000_000, status=status_, model="gpt-4o-mini", suffix=suffix)


def running(suffix: str, step: int, total: int, eta: float | None, losses=(2.0, 1.5, 1.2, 1.0, 0.9, 0.8)) -> Glance:
    label = f"ETA {eta}" if eta is not None else ""
    return Glance(job(f"ftjob-{suffix}", "running", suffix), Phase.RUNNING,
                  Progress(step, total, step / total, eta, 100.0, label), tuple(losses))


FAILED = Glance(job("ftjob-f", "failed", "triage"), Phase.FAILED, Progress(None, None, None, None, None, ""))
QUEUED = Glance(job("ftjob-q", "queued", "later"), Phase.QUEUED, Progress(None, None, None, None, None, ""))
STALLED = Glance(job("ftjob-s", "running", "stuck"), Phase.RUNNING,
                 Progress(236, 300, 0.79, None, 900.0, "no step for 8m 09s"), (1.0, 0.9),
                 (Verdict(Badge.STALLED, "no step for 8 min"),))
EVALUATING = Glance(job("ftjob-e", "running", "pricer"), Phase.EVALUATING,
                    Progress(200, 200, 1.0, None, 900.0, "evaluating for 50s"))


# --- what the line says -----------------------------------------------------------------------------------------
def test_nothing_running_is_one_short_word():
    assert line([]) == "idle"
    assert line([QUEUED]) == "idle · 1 queued"


def test_a_running_job_shows_step_total_a_sparkline_and_its_eta():
    assert line([running("sarcasm", 412, 500, 200.0)]) == "sarcasm 412/500 █▅▃▂▂▁ ETA 3m"


def test_a_failure_is_flagged_and_stalled_and_evaluating_jobs_say_so():
    text = line([FAILED, running("sarcasm", 412, 500, 4000.0), STALLED, EVALUATING, QUEUED])
    assert text == ("✗ triage failed · sarcasm 412/500 █▅▃▂▂▁ ETA 1h06m · stuck 236/300 █▁ ⚠ stalled · "
                    "pricer 200/200 evaluating · 1 queued")
    assert line([FAILED]) == "✗ triage failed · idle"
    assert line([FAILED, FAILED]) == "✗ 2 failed · idle"


def test_width_gives_up_detail_in_order_then_cuts():
    glances = [FAILED, running("sarcasm-long-name-v2", 412, 500, 200.0), running("b", 10, 90, 30.0), QUEUED]
    full = "✗ triage failed · sarcasm-long-na… 412/500 █▅▃▂▂▁ ETA 3m · b 10/90 █▅▃▂▂▁ ETA 30s · 1 queued"
    assert line(glances) == full and line(glances, width=cells(full)) == full
    assert line(glances, width=90) == "✗ triage failed · sarcasm-long-na… 412/500 █▄▂▁ ETA 3m · b 10/90 █▄▂▁ ETA 30s · 1 queued"
    assert line(glances, width=80) == "✗ triage failed · sarcasm-long-na… 412/500 ETA 3m · b 10/90 ETA 30s · 1 queued"
    assert line(glances, width=70) == "✗ triage failed · sarcasm… 412/500 ETA 3m · b 10/90 ETA 30s · 1 queued"
    assert line(glances, width=60) == "✗ 1 failed · 412/500 ETA 3m · 10/90 ETA 30s · 1 queued"
    assert line(glances, width=50) == "✗ 1 failed · 2 running ETA 30s · 1 queued"
    assert line(glances, width=20) == "✗ 1 failed · 2 runn…"
    assert line(glances, width=1) == "…"


@hsettings(max_examples=200, deadline=None)
@given(width=st.integers(min_value=1, max_value=160),
       suffixes=st.lists(st.text(min_size=1, max_size=30), min_size=0, max_size=4),
       failed=st.booleans(), tmux=st.booleans())
def test_a_line_never_exceeds_its_width(width, suffixes, failed, tmux):
    glances = [running(s, 5 * i + 1, 100, 60.0 * i if i else None) for i, s in enumerate(suffixes)]
    if failed:
        glances.append(FAILED)
    text = line(glances, width=width, tmux=tmux)
    visible = TMUX_CODE.sub("", text).replace("##", "#") if tmux else text
    assert cells(visible) <= width
    assert "\n" not in text and "\x1b" not in text
    if not glances:
        assert visible == "idle"[:width] or visible.endswith("…")


def test_tmux_codes_colour_each_part_and_server_text_cannot_add_its_own():
    evil = running("#[fg=blue]pwn", 5, 10, 30.0)
    text = line([FAILED, evil, STALLED], tmux=True)
    assert text.startswith("#[fg=white,bg=red,bold]✗ triage failed#[default] · #[bold]")
    assert "#[fg=black,bg=yellow]stuck 236/300" in text
    assert "##[fg=blue]pwn" in text                       # doubled: tmux prints it, it does not style with it
    assert set(re.findall(r"(?<!#)#\[[^\]]*\]", text)) == {"#[fg=white,bg=red,bold]", "#[default]", "#[bold]",
                                                           "#[fg=black,bg=yellow]"}


def test_sparkline_and_short_durations():
    assert loss_sparkline([3.0, 2.0, 1.0], 8) == "█▅▁"          # falling loss: high to low
    assert loss_sparkline([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], 8) == "▁▂▃▄▅▆▇█"
    assert len(loss_sparkline([float(i % 7) for i in range(40)], 8)) == 8
    assert loss_sparkline([1.0], 8) == "" and loss_sparkline([float("nan"), 1.0], 8) == ""
    assert [short_duration(s) for s in (45, 200, 3840, 200_000)] == ["45s", "3m", "1h04m", "2d07h"]


# --- against the simulator --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def accounts():
    a = populate_a(Account(seed=8, api_key=KEY))
    b = populate_b(Account(seed=9, api_key=KEY))
    idle = Account(seed=10, api_key=KEY)
    idle.add("old", total_steps=10, suffix="long-done", start_delay=-5000.0)
    yield a, b, idle
    for account in (a, b, idle):
        account.close()


def run_status(account, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    settings = Settings(api_key=Secret(KEY), base_url=account.base_url)
    tmux = "--tmux" in extra
    code = status(settings, out=out, err=err, oneline=True, tmux=tmux)
    return code, out.getvalue(), err.getvalue()


def test_the_line_of_a_live_account_and_its_requests(accounts):
    a, b, idle = accounts
    for account in accounts:
        account.forget_requests()
    code, out, err = run_status(a)
    assert code == 0 and err == ""
    assert re.fullmatch(r"✗ alpha-bad failed · alpha-run \d+/300 [▁▂▃▄▅▆▇█]{2,8} ETA \d+[sm]\n", out), out
    assert [p for _, p, _ in a.requests()] == ["/v1/fine_tuning/jobs", f"/v1/fine_tuning/jobs/{a.jobs['running']}/events"]
    code, out, _ = run_status(b)
    assert re.fullmatch(r"bravo-two \d+/200 \S+ ETA \S+ · bravo-one \d+/400 \S+ ETA \S+ · 1 queued\n", out), out
    paths = [p for _, p, _ in b.requests()]
    assert paths[0] == "/v1/fine_tuning/jobs" and len(paths) == 3              # the list + one page per running job
    assert sorted(paths[1:]) == sorted(f"/v1/fine_tuning/jobs/{b.jobs[k]}/events" for k in ("running", "running2"))
    assert run_status(idle) == (0, "idle\n", "")
    assert [p for _, p, _ in idle.requests()] == ["/v1/fine_tuning/jobs"]


def test_trouble_is_a_short_word_on_stdout_and_the_reason_on_stderr(accounts, monkeypatch, capsys):
    a = accounts[0]
    out, err = io.StringIO(), io.StringIO()
    wrong = Settings(api_key=Secret("sk-wrong-0000000000"), base_url=a.base_url)
    assert status(wrong, out=out, err=err) == 4
    assert out.getvalue() == "⚠ key refused\n" and "refused the key (401)" in err.getvalue()
    assert "sk-wrong" not in out.getvalue() + err.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert status(Settings(api_key=Secret("k"), base_url="http://127.0.0.1:9/v1"), out=out, err=err) == 4
    assert out.getvalue() == "⚠ unreachable\n" and "cannot reach 127.0.0.1:9" in err.getvalue()
    assert main(["status", "--oneline", "--tmux"]) == 2                         # no key at all
    captured = capsys.readouterr()
    assert captured.out == "#[fg=white,bg=red,bold]⚠ no key#[default]\n" and "OPENAI_API_KEY is not set" in captured.err


def test_under_a_second_through_the_real_executable(accounts):
    """The figure a tmux user lives with: a fresh `ftwatch status --oneline` process, warm (second run on)."""
    b = accounts[1]
    env = {**os.environ, "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": b.base_url}
    command = [sys.executable, "-m", "ftwatch", "status", "--oneline", "--tmux", "--width", "60"]
    times = []
    for _ in range(4):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, env=env, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
        assert done.returncode == 0, done.stderr
    visible = TMUX_CODE.sub("", done.stdout.strip())
    assert "bravo" in visible and cells(visible) <= 60
    print(f"ftwatch status --oneline: {', '.join(f'{t:.2f} s' for t in times)}")
    assert min(times[1:]) < 1.0, times


def test_offline_says_so_and_asks_nothing(accounts, monkeypatch, capsys):
    a = accounts[0]
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", a.base_url)
    assert main(["summary", a.jobs["running"]]) == 0                   # the history has seen the running job
    capsys.readouterr()
    a.forget_requests()
    assert main(["status", "--oneline", "--offline"]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"offline · alpha-run \d+/300 [▁▂▃▄▅▆▇█]{2,8}\n", out), out      # no ETA from old news
    assert a.requests() == []


@pytest.mark.tmux
def test_the_readme_snippet_in_a_real_tmux_status_bar(accounts, monkeypatch):
    """The README's tmux lines, as written, in a private tmux server; a second tmux attached to it shows its
    status bar on a screen we can read (capture-pane does not include the bar)."""
    import shlex
    import shutil
    from pathlib import Path

    from tmux_driver import Tmux

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme[readme.index("```tmux") + len("```tmux"):]
    snippet = [line.strip() for line in block[:block.index("```")].strip().splitlines()]
    assert "set -g status-right '#(ftwatch status --oneline --tmux)'" in snippet
    a = accounts[0]
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", a.base_url)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")   # `ftwatch`
    inner, outer = Tmux("status-inner"), Tmux("status-outer")
    try:
        inner.start("sleep 600", width=200, height=5)
        for line in snippet:
            inner.run(*shlex.split(line))
        inner.run("set", "-g", "status-interval", "1")                  # the README's 5 s, shortened for the test
        outer.start(f"env -u TMUX tmux -L {inner.socket} attach -t {inner.session}", width=200, height=6)
        bar = outer.wait_for(lambda text: "alpha-run" in text, what="the status bar", timeout=30).splitlines()[-1]
        assert re.search(r"✗ alpha-bad failed · alpha-run \d+/300 [▁▂▃▄▅▆▇█]+ ETA \d+[sm]", bar), bar
        assert "#[" not in bar                                           # tmux took the styles, none shows
    finally:
        outer.run("kill-server", check=False)
        inner.run("kill-server", check=False)


def test_without_oneline_each_part_is_a_line_of_its_own(accounts):
    b = accounts[1]
    out = io.StringIO()
    assert status(Settings(api_key=Secret(KEY), base_url=b.base_url), out=out, err=io.StringIO(), oneline=False) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and lines[-1] == "1 queued"
    assert {line.split()[0] for line in lines[:2]} == {"bravo-one", "bravo-two"}
