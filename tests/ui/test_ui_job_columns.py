"""The jobs table's columns fit their content: no wide blank gap between "suffix · model" and "steps", and the
width a wide terminal has left goes to more columns (created, trained tokens, hyperparameters). Read back
from the screen at 80, 120 and 160 columns, and across a resize."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ftwatch.domain.models import Job, Phase
from ftwatch.ui import views
from ftwatch.ui.widgets.job_columns import CATALOGUE, content_widths, fit_columns
from ftwatch.ui.widgets.job_list import JobList, JobRow

from .conftest import wait_for
from .test_ui_footer import screen_lines
from .test_ui_monitor import loaded

CORE = ["status", "suffix · model", "steps", "loss", "eta / took"]
GUTTER = 3          # the blank cells allowed between columns: the two of the cell padding, plus one


def table_lines(app) -> list[str]:
    """The jobs table's rows on screen, header included, without the scrollbar column."""
    table = app.screen.query_one(JobList)
    region = table.region
    lines = screen_lines(app)[region.y:region.y + region.height]
    return [line[region.x:region.x + region.width - 1] for line in lines]


def widest_blank_between_columns(lines: list[str]) -> int:
    """The widest run of screen columns blank on every row, between two non-blank ones (a trailing blank after
    the last column does not count)."""
    width = max(len(line) for line in lines)
    blank = [all(x >= len(line) or line[x] == " " for line in lines) for x in range(width)]
    widest, run, seen_content = 0, 0, False
    for is_blank in blank:
        if is_blank:
            run += 1
        else:
            if seen_content:
                widest = max(widest, run)
            run, seen_content = 0, True
    return widest


def labels(lines: list[str]) -> list[str]:
    return [label for label in lines[0].split("  ") if label.strip()]


async def on_screen(pilot, ids) -> list[str]:
    app = pilot.app
    await loaded(pilot, ids[0])
    table = app.screen.query_one(JobList)
    await wait_for(pilot, lambda: len(table.visible_ids) == len(ids), what="every job listed")
    rows = lambda: " ".join(str(cell) for i in ids for cell in table.get_row(i))   # noqa: E731
    await wait_for(pilot, lambda: "⚠ overfitting" in rows() and "⚠ stalled" in rows(),
                   what="the demo's health badges (they lay the columns out again)")
    await pilot.pause()
    return table_lines(app)


@pytest.mark.parametrize(("width", "expected"), [
    (80, CORE),                                         # the health badges share the status cell
    (120, CORE[:1] + ["health"] + CORE[1:] + ["created"]),
    (160, CORE[:1] + ["health"] + CORE[1:] + ["created", "trained", "hyperparameters"]),
])
async def test_columns_fit_their_content_and_a_wider_screen_shows_more_of_them(world, make_app, width, expected):
    ids = world.populate_demo()
    async with make_app().run_test(size=(width, 40)) as pilot:
        lines = await on_screen(pilot, ids)
        assert [label.strip() for label in labels(lines)] == expected
        assert widest_blank_between_columns(lines) <= GUTTER, "\n".join(lines)
        assert max(len(line.rstrip()) for line in lines) <= width - 1         # nothing cut at the right edge
        names = [line[14:] for line in lines[1:]]
        if width > 80:                                  # the name column holds the longest name whole
            assert any("invoice-parser · gpt-4o-mini  " in name for name in names)
        if width >= 160:
            assert any(" tokens" in line for line in lines[1:])         # the succeeded job's trained tokens
            assert any("epochs" in line for line in lines[1:])


async def test_a_resize_lays_the_columns_out_again_and_keeps_the_selection(world, make_app):
    ids = world.populate_demo()
    async with make_app().run_test(size=(80, 30)) as pilot:
        await on_screen(pilot, ids)
        await pilot.press("j")
        await loaded(pilot, ids[1])
        await pilot.resize_terminal(160, 30)
        await wait_for(pilot, lambda: "hyperparameters" in table_lines(pilot.app)[0], what="the wide layout")
        assert pilot.app.screen.query_one(JobList).selected_id == ids[1]
        assert widest_blank_between_columns(table_lines(pilot.app)) <= GUTTER
        await pilot.resize_terminal(80, 30)
        await wait_for(pilot, lambda: "created" not in table_lines(pilot.app)[0], what="the narrow layout")
        assert [label.strip() for label in labels(table_lines(pilot.app))] == CORE
        assert pilot.app.screen.query_one(JobList).selected_id == ids[1]


def row(name: str = "a · gpt-4o-mini", **values) -> JobRow:
    fields = dict(job_id="ftjob-1", phase=Phase.RUNNING, tone="active", badge="▶ running", name=name,
                  steps="1/10 ▱▱▱▱▱", spark="", eta="", created_at=1)
    return JobRow(**{**fields, **values})


def test_the_name_is_as_wide_as_the_longest_name_up_to_its_cap_and_the_rest_goes_to_extra_columns():
    rows = [row("short · gpt-4o", created="Nov 24 16:04"),
            row("a-longer-suffix · gpt-4.1-nano", created="Nov 24 16:04")]
    layout = dict((key, width) for key, _, width in fit_columns(119, content_widths(rows)))
    assert layout["name"] == len("a-longer-suffix · gpt-4.1-nano") and layout["created"] == 12
    assert "tokens" not in layout and "hyper" not in layout                  # nothing to show, no column
    huge = fit_columns(119, content_widths([row("x" * 90)]))
    assert dict((k, w) for k, _, w in huge)["name"] == 40                    # capped; the rest ends in "…"
    narrow = fit_columns(60, content_widths(rows))
    assert [key for key, _, _ in narrow] == [c.key for c in CATALOGUE if not c.extra]


def test_extra_columns_come_in_order_and_the_hyperparameters_may_be_cut():
    rows = [row(created="Nov 24 16:04", tokens="1.2M tokens", hyper="epochs 3 · batch 8 · lr× 1.8 · beta 0.1")]
    widest = content_widths(rows)
    for width in range(70, 200):
        layout = fit_columns(width, widest)
        keys = [key for key, _, _ in layout]
        assert keys[:5] == ["badge", "name", "steps", "spark", "eta"]
        assert keys[5:] == ["created", "tokens", "hyper"][:len(keys) - 5]       # never one without the earlier
        used = sum(w + 2 for _, _, w in layout)
        assert used <= width                                                  # never cut at the edge
        hyper = dict((k, w) for k, _, w in layout).get("hyper")
        assert hyper is None or 20 <= hyper <= len(rows[0].hyper)


def test_the_new_columns_show_cleaned_server_text():
    job = Job(id="ftjob-x", created_at=2**62, status="succeeded", model="gpt-4o-mini\x1b[2J", suffix="s\x1b]0;t\x07",
              trained_tokens=1_234_567, hyperparameters={"n_epochs": 3, "\x1b[31mevil": "\x1b[5mx" * 3,
                                                            "nested": {"a": 1}})
    shown = views.job_row(job, None, None)
    for text in (shown.name, shown.created, shown.tokens, shown.hyper):
        assert "\x1b" not in text and "\x07" not in text
    assert shown.tokens == "1.2M tokens" and shown.hyper.startswith("epochs 3 · ")
    assert shown.created == "?"                                 # a time the platform cannot convert
    assert views.job_row(replace(job, created_at=1_764_000_000), None, None).created == "Nov 24 16:00"   # UTC
