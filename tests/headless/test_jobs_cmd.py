"""`ftwatch jobs`: the table a user reads (status, suffix, model, progress, ETA or duration, created), `--json` as
the API returned each job, `--status` and `--limit`, the requests it makes (the jobs list plus one events page per
running job, nothing more), and that it never loads the openai SDK (its speed depends on it)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request

import pytest

from ftwatch.cli import main
from ftwatch.domain.models import Job, Phase
from ftwatch.domain.snapshot import Progress
from ftwatch.headless.job_glance import Glance, select_jobs
from ftwatch.headless.jobs_cmd import HEADERS, render_table

from headless.accounts import SLOW_START, Account, populate_a

KEY = "sk-jobs-test-0123456789"


@pytest.fixture(scope="module")
def account():
    made = populate_a(Account(seed=5, api_key=KEY))
    made.add("queued", total_steps=80, suffix="alpha-later", timing=SLOW_START)
    yield made
    made.close()


@pytest.fixture
def env(account, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", account.base_url)
    account.forget_requests()
    return account


def api_jobs(account) -> list[dict]:
    request = urllib.request.Request(f"{account.base_url}/fine_tuning/jobs?limit=100",
                                     headers={"Authorization": f"Bearer {KEY}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"]


def rows(out: str) -> dict[str, list[str]]:
    """Job id -> its cells, split on the table's two-space gaps."""
    lines = out.splitlines()
    return {line.split()[0]: re.split(r"\s{2,}", line.strip()) for line in lines[1:]}


def test_the_table_says_status_progress_eta_and_duration(env, capsys):
    assert main(["jobs"]) == 0
    out = capsys.readouterr().out
    header = re.split(r"\s{2,}", out.splitlines()[0].strip())
    assert header == list(HEADERS)
    table = rows(out)
    jobs = env.jobs
    running = table[jobs["running"]]
    assert running[1:4] == ["▶ running", "alpha-run", "gpt-4.1-nano"]
    step, total = map(int, running[4].split("/"))
    assert total == 300 and 30 < step < 300
    assert re.fullmatch(r"ETA (\d+m \d\ds|\d+s|\dh \d\dm)", running[5])
    done = table[jobs["done"]]
    assert done[1] == "✓ succeeded" and done[4] == "-" and re.fullmatch(r"took \d+m \d\ds|took \d+s", done[5])
    failed = table[jobs["failed"]]
    assert failed[1] == "✗ failed" and failed[2] == "alpha-bad"
    assert table[jobs["queued"]][1] == "… validating"
    assert re.fullmatch(r"[A-Z][a-z]{2} \d\d \d\d:\d\d", running[6])        # created, local time
    assert list(table) == [job["id"] for job in api_jobs(env)]             # newest first, as the API lists them


def test_it_asks_the_jobs_list_and_one_events_page_per_running_job_only(env, capsys):
    assert main(["jobs"]) == 0
    paths = [path for _, path, _ in env.requests()]
    assert paths == ["/v1/fine_tuning/jobs", f"/v1/fine_tuning/jobs/{env.jobs['running']}/events"]
    env.forget_requests()
    assert main(["jobs", "--json"]) == 0                                   # JSON needs no events at all
    assert [path for _, path, _ in env.requests()] == ["/v1/fine_tuning/jobs"]


def test_json_is_one_job_object_per_line_exactly_as_the_api_returned_it(env, capsys):
    assert main(["jobs", "--json", "--limit", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = api_jobs(env)
    assert [json.loads(line) for line in lines] == expected
    assert all("\n" not in line and line.startswith("{") for line in lines)


def test_status_and_limit_choose_the_jobs(env, capsys):
    assert main(["jobs", "--status", "failed,succeeded", "--json"]) == 0
    statuses = [json.loads(line)["status"] for line in capsys.readouterr().out.splitlines()]
    assert sorted(statuses) == ["failed", "succeeded"]
    assert main(["jobs", "--status", "running", "--status", "failed", "--limit", "1", "--json"]) == 0
    [only] = capsys.readouterr().out.splitlines()
    assert json.loads(only)["id"] == api_jobs(env)[[j["status"] for j in api_jobs(env)].index("failed")]["id"]
    assert main(["jobs", "--limit", "2"]) == 0
    assert len(rows(capsys.readouterr().out)) == 2
    assert [query for _, path, query in env.requests() if path.endswith("/jobs")][-1]["limit"] == "2"


def test_an_unknown_status_is_one_line_naming_the_known_ones(env, capsys):
    assert main(["jobs", "--status", "runing"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown status runing; known: validating_files, queued, running" in err


def test_no_jobs_is_said(env, capsys):
    assert main(["jobs", "--status", "cancelled"]) == 0
    assert capsys.readouterr().out == "no jobs\n"


def test_a_wrong_key_is_one_line_and_exit_4(env, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-key-abcdef")
    assert main(["jobs"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("ftwatch: the API refused the key (401)") and err.count("\n") == 1
    assert "sk-wrong-key-abcdef" not in err


def test_paging_walks_older_pages_only_while_the_filter_wants_more():
    pages = {None: ([job(f"j{i}", "succeeded") for i in range(100)], True),
             "j99": ([job("j100", "failed"), job("j101", "failed")], False)}
    asked = []

    def read(after, limit):
        asked.append((after, limit))
        return pages[after]

    assert [j.id for j in select_jobs(read, limit=1, statuses={"failed"})] == ["j100"]
    assert asked == [(None, 100), ("j99", 100)]
    asked.clear()
    assert len(select_jobs(read, limit=5)) == 5 and asked == [(None, 5)]


def job(job_id: str, status: str, **fields) -> Job:
    return Job(id=job_id, created_at=1_764_000_000, status=status, model="gpt-4o-mini-2024-07-18", **fields)


def test_server_text_is_inert_and_a_terminal_row_fits_its_width():
    hostile = job("ftjob-1", "running", suffix="\x1b]52;c;ZWNobyBoaQ==\x07evil\x1b[31m-" + "x" * 80)
    glance = Glance(hostile, Phase.RUNNING, Progress(10, 100, 0.1, 60.0, 10.0, "ETA 1m 00s"))
    table = render_table([glance, Glance(job("ftjob-2", "succeeded"), Phase.SUCCEEDED,
                                         Progress(None, None, None, None, 60.0, "took 1m 00s"))], width=80)
    assert "\x1b" not in table and "\x07" not in table
    assert all(len(line) <= 80 for line in table.splitlines())
    assert "evil-" in table and "…" in table                      # the suffix gave way, and says so
    whole = render_table([glance], width=None)                    # into a pipe: every cell whole
    assert "evil-" + "x" * 50 in whole


def test_jobs_never_loads_the_openai_sdk_or_textual(env):
    code = ("import sys; from ftwatch.cli import main; rc = main(['jobs']); "
            "print([m for m in ('openai', 'textual', 'rich', 'aiohttp') if m in sys.modules]); sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ}, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
    assert env.jobs["running"] in done.stdout


def test_offline_lists_what_the_local_history_saw_and_asks_nothing(env, capsys):
    done, running_id = env.jobs["done"], env.jobs["running"]
    for job_id in (done, running_id):
        assert main(["summary", job_id]) == 0                              # reads the jobs and writes them through
    capsys.readouterr()
    env.forget_requests()
    assert main(["jobs", "--offline"]) == 0
    captured = capsys.readouterr()
    assert env.requests() == []                                            # not one request
    table = rows(captured.out)
    assert set(table) == {done, running_id}
    assert table[done][1] == "✓ succeeded" and table[done][5].startswith("took ")
    assert table[running_id][1] == "▶ running" and table[running_id][5] == "cached"   # no ETA invented
    assert re.fullmatch(r"\d+/300", table[running_id][4])
    assert "offline: the jobs as the local history last saw them" in captured.err
    assert main(["jobs", "--offline", "--json"]) == 0
    assert {json.loads(x)["id"] for x in capsys.readouterr().out.splitlines()} == {done, running_id}
    assert env.requests() == []


class FlakyReader:
    """The jobs list answers 429 (with retry-after) `failures` times, then a page of one finished job."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.asked = 0

    def jobs_page(self, *, after=None, limit=100):
        from ftwatch.errors import TransientSourceError

        self.asked += 1
        if self.asked <= self.failures:
            raise TransientSourceError("rate limited (429)", retry_after=2.0, status=429)
        return [job("ftjob-ok", "succeeded")], False

    def events_pages(self, job_ids, *, limit):
        return {}


def test_a_rate_limit_on_the_list_is_waited_out_twice_and_said(capsys):
    import io

    from ftwatch.config import Settings
    from ftwatch.errors import TransientSourceError
    from ftwatch.headless.jobs_cmd import jobs

    slept, out = [], io.StringIO()
    assert jobs(Settings(), out=out, reader=FlakyReader(2), sleep=slept.append) == 0
    assert "ftjob-ok" in out.getvalue() and len(slept) == 2 and all(2.0 <= s <= 2.2 for s in slept)
    err = capsys.readouterr().err.splitlines()
    assert err == ["ftwatch: rate limited (429); retrying in 2s (attempt 1)",
                   "ftwatch: rate limited (429); retrying in 2s (attempt 2)"]
    with pytest.raises(TransientSourceError):                     # the third refusal is the error (exit 4 in main)
        jobs(Settings(), out=io.StringIO(), reader=FlakyReader(3), sleep=slept.append)
