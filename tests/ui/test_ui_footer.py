"""The key hints read without colour (NO_COLOR): every key stands apart from the words before it and has a
space before its own words, at 80 and at 120 columns. Read back from the terminal's bottom row."""

from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

from .conftest import wait_for


def screen_lines(app) -> list[str]:
    """The terminal as the user sees it, one string per row (what the compositor sends to the terminal)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def hints(footer: Footer) -> list[tuple[str, str]]:
    """(keys, words) of each hint the footer holds, in order: "jk" + "Jobs", "/" + "Filter", ..."""
    shown: list[tuple[str, str]] = []
    for child in footer.children:
        if isinstance(child, KeyGroup):
            shown.append(("".join(key.key_display for key in child.query(FooterKey)), ""))
        elif isinstance(child, FooterLabel) and shown and not shown[-1][1]:
            shown[-1] = (shown[-1][0], str(child.render()))
        elif isinstance(child, FooterKey) and "-command-palette" not in child.classes:
            shown.append((child.key_display, child.description))
    return shown


async def footer_row(pilot) -> tuple[str, list[tuple[str, str]]]:
    app = pilot.app
    await wait_for(pilot, lambda: app.screen.query(FooterKey), what="the key hints")
    await pilot.pause()
    return screen_lines(app)[-1], hints(app.screen.query_one(Footer))


@pytest.mark.parametrize("size", [(120, 35), (80, 24)])
async def test_every_key_has_a_space_before_it_and_between_it_and_its_words(world, make_app, size):
    world.populate_demo()
    async with make_app().run_test(size=size) as pilot:
        row, shown = await footer_row(pilot)
        assert len(shown) >= 6 and all(keys and words for keys, words in shown)
        expected = " " + "  ".join(f"{keys} {words}" for keys, words in shown)
        assert row.rstrip() == expected[: size[0]].rstrip(), "the hints must read one after the other"
        for keys, words in shown:                       # each hint fully on screen reads " <key> <words>"
            hint = f" {keys} {words}"
            start = expected.index(hint)
            if start + len(hint) <= size[0]:
                assert row[start:start + len(hint)] == hint
                after = row[start + len(hint):start + len(hint) + 2]
                assert after in ("  ", " ", ""), f"{hint!r} runs into the next key"
        assert row.startswith(" jk Jobs  / Filter  ")     # was "jk Jobs/ Filter  [] Smoothingl Log scale"


async def test_at_120_columns_every_hint_is_on_screen_help_and_quit_included(world, make_app):
    world.populate_demo()
    async with make_app().run_test(size=(120, 35)) as pilot:
        row, shown = await footer_row(pilot)
        expected = " " + "  ".join(f"{keys} {words}" for keys, words in shown)
        assert row.rstrip() == expected
        assert row.rstrip().endswith("q Quit  ? Help")
        assert "palette" not in row                    # Textual's "^p palette" hint pushed "? Help" off the row


async def test_at_80_columns_help_and_quit_are_still_on_screen(world, make_app):
    world.populate_demo()
    async with make_app().run_test(size=(80, 24)) as pilot:
        row, _ = await footer_row(pilot)
        assert "jk Jobs" in row and "/ Filter" in row and "? Help" in row and "q Quit" in row
