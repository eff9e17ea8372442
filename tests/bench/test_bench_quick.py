"""CI smoke check of issue 6's budgets: the quick benchmarks, failing only when a budget is grossly missed.

Each test runs one benchmark module at its quick sizes (`python -m benchmarks.run --quick` runs the same) and
fails only if a figure is off by 3x its budget (request and repaint counts are exact: they have no noise).
Run with `pytest -m bench tests/bench`; `.ci/run` does, after the main suite.
"""

from __future__ import annotations

import importlib

import pytest

pytestmark = pytest.mark.bench

GROSS = 3.0
IDLE_FLOOR = 1000.0        # a "0 B/s" budget fails here only above 1 KB/s: a clock ticking is a miss, not a crash


def _rows(name: str):
    return importlib.import_module(f"benchmarks.bench_{name}").run(quick=True)


def _check(rows) -> None:
    assert rows, "the benchmark produced no figures"
    off = [f"{row.what}: {row.compared:.3g} vs budget {row.budget}" for row in rows
           if row.grossly_off(GROSS, floor=IDLE_FLOOR)]
    assert not off, "grossly over budget: " + "; ".join(off)


def test_first_frame_is_not_grossly_slower_than_a_one_label_app():
    _check(_rows("first_frame"))


def test_chart_redraw_does_not_grow_with_the_job_length():
    _check(_rows("chart"))


def test_ingest_rate_and_memory():
    _check(_rows("ingest"))


def test_terminal_bytes_while_following_and_while_idle():
    rows = _rows("bytes")
    assert {row.key for row in rows} >= {"bytes_running", "bytes_idle_queued"}
    _check(rows)


def test_cpu_while_following_a_job():
    _check(_rows("cpu"))


def test_one_request_per_poll_and_bounded_backfill():
    rows = _rows("requests")
    assert [row.figure for row in rows if row.key == "requests_steady"] == [1.0]
    _check(rows)


def test_jobs_pane_fill_and_single_row_update():
    _check(_rows("jobs_pane"))


def test_relaunch_from_the_history_costs_two_requests_and_less_time():
    rows = {row.key: row for row in _rows("history")}
    assert rows["history_relaunch_requests"].figure <= 2
    _check(list(rows.values()))


def test_relaunch_draws_the_cached_chart_sooner_and_with_a_silent_api():
    rows = {row.key: row for row in _rows("relaunch")}
    assert rows["relaunch_chart_silent_api"].figure > 0          # drawn although the API never answered
    _check(list(rows.values()))
