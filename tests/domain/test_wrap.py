"""A log line folded into rows: nothing lost or reordered, every row within the width, continuation rows
hanging under the message column, and a word (a number, an id) never split while it fits in a row."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ftwatch.domain.wrap import LOG_MESSAGE_COLUMN, WrappedLines, char_cells, wrap_rows

LINE = "22:00:10 info  Files validated, moving job to queue ftjob-fQLY27GloopEAwRSgInK6jgJ at step 120/500"


def cells(text: str) -> int:
    return sum(char_cells(c) for c in text)


def hang_of(width: int, indent: int) -> int:
    return min(indent, width // 2)


def test_a_line_that_fits_is_one_row_the_same_string():
    assert wrap_rows("12:00:00 info  short", 40, 15) == ["12:00:00 info  short"]
    assert wrap_rows(LINE, 0, 15) == [LINE]            # width not known yet: one row


def test_a_long_message_wraps_at_spaces_under_the_message_column():
    rows = wrap_rows(LINE, 48, LOG_MESSAGE_COLUMN)
    assert rows == [
        "22:00:10 info  Files validated, moving job to",
        "               queue",
        "               ftjob-fQLY27GloopEAwRSgInK6jgJ at",
        "               step 120/500",
    ]


def test_only_a_word_longer_than_a_row_is_cut_and_as_late_as_the_row_allows():
    rows = wrap_rows("12:00:00 info  id " + "x" * 40, 30, 15)
    assert rows == ["12:00:00 info  id", " " * 15 + "x" * 15, " " * 15 + "x" * 15, " " * 15 + "x" * 10]


def test_wide_characters_count_two_cells_and_never_push_a_row_past_the_width():
    rows = wrap_rows("12:00:00 info  " + "数据" * 10, 25, 15)
    assert all(cells(row) <= 25 for row in rows)
    assert "".join(row.strip() for row in rows) == "12:00:00 info" + "数据" * 10


def test_a_narrow_pane_indents_at_most_half_its_width():
    rows = wrap_rows("12:00:00 info  one two three four", 12, 15)
    assert all(row.startswith(" " * 6) and not row.startswith(" " * 7) for row in rows[1:])
    assert all(len(row) <= 12 for row in rows)


def check_bodies_cover_the_line(line: str, bodies: list[str]) -> None:
    """Each row's text is the next piece of the line; only spaces lie between pieces and after the last."""
    pos = 0
    for body in bodies:
        assert line.startswith(body, pos), (line, bodies, pos)
        pos += len(body)
        while pos < len(line) and line[pos] == " ":
            pos += 1
    assert pos == len(line) and (bodies[0] != "" or line.strip(" ") == "")


words = st.text(st.sampled_from("ab1.-/:数é́"), min_size=1, max_size=30)
gaps = st.sampled_from([" ", " ", " ", "  ", "   "])
lines = st.builds(lambda first, rest: first + "".join(g + w for g, w in rest),
                  words, st.lists(st.tuples(gaps, words), max_size=25))


@settings(max_examples=400, deadline=None)
@given(lines, st.integers(3, 90), st.integers(0, 20), st.sampled_from(["", " ", "   "]))
@example(LINE, 48, 15, "")
@example("a" * 10 + " " + "b" * 3, 10, 4, "")
@example("x " * 30, 7, 3, "  ")
def test_rows_keep_every_character_in_order_fit_the_width_hang_under_the_indent_and_keep_words(
        line, width, indent, trailing):
    line += trailing
    rows = wrap_rows(line, width, indent)
    hang = hang_of(width, indent)
    assert all(cells(row) <= width for row in rows), rows
    assert all(row.startswith(" " * hang) for row in rows[1:]), rows
    bodies = [rows[0]] + [row[hang:] for row in rows[1:]]
    assert all(body and body[0] != " " and body[-1] != " " for body in bodies[1:]), rows
    check_bodies_cover_the_line(line, bodies)
    if cells(line) <= width:
        assert rows == [line]
    for word in re.finditer(r"[^ ]+", line):
        if cells(word.group()) <= width - hang:
            assert any(word.group() in body.split(" ") for body in bodies), (word.group(), rows)


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=200),
       st.integers(3, 60), st.integers(0, 20))
def test_any_text_loses_only_break_spaces_and_stays_within_the_width(text, width, indent):
    rows = wrap_rows(text, width, indent)
    hang = hang_of(width, indent)
    assert all(cells(row) <= width for row in rows)
    bodies = [rows[0]] + [row[hang:] for row in rows[1:]]
    assert "".join(bodies).replace(" ", "") == text.replace(" ", "")


ops = st.lists(st.one_of(
    st.tuples(st.just("append"), st.lists(lines, max_size=6)),
    st.tuples(st.just("width"), st.integers(0, 70)),
    st.tuples(st.just("clear"), st.none())), max_size=25)


@settings(max_examples=200, deadline=None)
@given(ops, st.sampled_from([None, 1, 4, 10]))
def test_wrapped_lines_are_always_the_rows_of_the_newest_lines_at_the_current_width(ops, max_lines):
    """However appends, new widths and clears interleave, the rows are exactly the newest `max_lines` lines
    wrapped at the current width, a row starts a line exactly where its line starts, and every row maps to
    its line and back (what keeps a paused view on its line across a rewrap)."""
    text = WrappedLines(max_lines, LOG_MESSAGE_COLUMN)
    said: list[str] = []
    for op, arg in ops:
        if op == "append":
            before = len(text.rows)
            added, dropped = text.append(arg)
            said.extend(arg)
            assert len(text.rows) == before + added - dropped
        elif op == "width":
            text.rewrap(arg)
        else:
            text.clear()
            said.clear()
        kept = said[-max_lines:] if max_lines is not None else said
        assert text.lines == kept
        expected = [wrap_rows(line, text.width, LOG_MESSAGE_COLUMN) for line in kept]
        assert text.rows == [row for rows in expected for row in rows]
        firsts = [i == 0 for rows in expected for i in range(len(rows))]
        assert [text.is_first(r) for r in range(len(text.rows))] == firsts
        for row in range(len(text.rows)):
            assert text.row_of(*text.line_at(row)) == row


def test_a_metrics_label_stays_with_its_number():
    rows = wrap_rows("23:23:59 info  step 10/500  loss 3.546  val 2.665", 46, indent=15)
    assert rows == ["23:23:59 info  step 10/500  loss 3.546", " " * 15 + "val 2.665"]
