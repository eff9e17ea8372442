"""The verdicts of the benchmark table: a wrong pass/fail here would publish a false performance claim."""

from __future__ import annotations

from benchmarks.follow_session import bytes_by_row
from benchmarks.report import Row, markdown, table


def test_ratio_budget_compares_figure_over_baseline():
    row = Row(key="k", what="w", figure=3.0, unit="s", baseline=2.0, budget="<= 1.5x", limit=1.5)
    assert row.ratio == 1.5 and row.meets()
    slower = Row(key="k", what="w", figure=3.1, unit="s", baseline=2.0, budget="<= 1.5x", limit=1.5)
    assert not slower.meets() and not slower.grossly_off(3.0)
    assert Row(key="k", what="w", figure=1.0, unit="s", baseline=0.2, budget="", limit=1.5).grossly_off(3.0)


def test_throughput_budget_is_a_minimum_on_the_figure():
    row = Row(key="k", what="w", figure=40_000, unit="events/s", baseline=4e6, budget=">=", limit=100_000,
              kind="min", compare="figure")
    assert not row.meets() and not row.grossly_off(3.0)
    assert Row(key="k", what="w", figure=30_000, unit="", budget="", limit=100_000, kind="min",
               compare="figure").grossly_off(3.0)


def test_zero_budget_fails_on_any_byte_but_is_gross_only_past_the_floor():
    idle = Row(key="k", what="w", figure=77.0, unit="B/s", budget="0 B/s", limit=0.0, compare="figure")
    assert not idle.meets()
    assert not idle.grossly_off(3.0, floor=1000.0)
    assert Row(key="k", what="w", figure=0.0, unit="B/s", budget="0 B/s", limit=0.0, compare="figure").meets()


def test_exact_counts_have_no_tolerance():
    row = Row(key="k", what="w", figure=2.0, unit="req", budget="exactly 1", limit=1.0, kind="exact",
              compare="figure")
    assert not row.meets() and row.grossly_off(100.0)


def test_table_and_markdown_show_the_verdicts():
    rows = [Row(key="a", what="fast thing", figure=1.0, unit="s", baseline=1.0, budget="<= 1.5x", limit=1.5),
            Row(key="b", what="slow thing", figure=9.0, unit="s", baseline=1.0, budget="<= 1.5x", limit=1.5)]
    text = table(rows)
    assert "fast thing" in text and "pass" in text and "FAIL" in text and "9.00x" in text
    md = markdown(rows, {"date": "d", "cpu": "CPU X", "nproc": 2, "python": "3.11"})
    assert "CPU X (2 cores)" in md and md.count("\n| ") == 3


def test_bytes_are_attributed_to_the_row_the_cursor_moved_to():
    stream = b"\x1b[39;27H3\x1b[1;3H" + b"\x1b[4;113H12345"
    assert bytes_by_row(stream) == {1: 6, 4: 13, 39: 9}
