"""Server strings reach the user's terminal only as inert, one-line text (issue 5 §3)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from ftwatch.domain.text import ELLIPSIS, NEWLINE_MARK, clean

ATTACKS = {
    "osc52 clipboard write (BEL)": "before\x1b]52;c;ZWNobyBwd25lZA==\x07after",
    "osc52 clipboard write (ST)": "before\x1b]52;c;ZWNobyBwd25lZA==\x1b\\after",
    "osc title, unterminated": "before\x1b]0;evil title",
    "csi clear screen": "before\x1b[2J\x1b[Hafter",
    "csi colour": "before\x1b[31;1mafter\x1b[0m",
    "8-bit csi": "before\x9b2Jafter",
    "dcs": "before\x1bP1$qm\x1b\\after",
    "apc": "before\x1b_payload\x1b\\after",
    "bare esc and charset": "before\x1b(0\x1bcafter",
    "c0 controls": "be\x00fo\x07re\x08af\x7fter",
    "c1 controls": "before\x85\x90\x9dafter",
}


def _is_inert(text: str) -> bool:
    """No control characters at all, no bidi formatting, nothing a terminal would act on."""
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs") or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f":
            return False
    return True


def test_escape_sequences_are_removed_whole_with_their_parameters():
    for name, attack in ATTACKS.items():
        shown = clean(attack)
        assert _is_inert(shown), name
        assert "52;" not in shown and "ZWNobyBwd25lZA" not in shown and "evil" not in shown, name
        assert "[2J" not in shown and "31;1m" not in shown, name
        assert shown.startswith("be"), name


def test_visible_text_around_sequences_survives():
    assert clean("loss \x1b[1mdown\x1b[0m again") == "loss down again"
    assert clean("before\x1b]52;c;AAAA\x07after") == "beforeafter"


def test_bidi_overrides_cannot_reorder_what_the_user_reads():
    assert clean("file\u202etxt.exe") == "filetxt.exe"
    assert clean("\u2066x\u2069") == "x"


def test_one_event_stays_one_line():
    assert clean("line one\nline two\r\nthree\rfour") == f"line one{NEWLINE_MARK}line two{NEWLINE_MARK}three{NEWLINE_MARK}four"
    assert clean("a\tb") == "a b"
    assert clean("a\u2028b") == f"a{NEWLINE_MARK}b"


def test_rich_markup_is_left_as_plain_text_for_text_objects():
    """Escaping is the UI's job via rich.text.Text; clean must not eat or alter brackets."""
    assert clean("[bold red]not markup[/]") == "[bold red]not markup[/]"


def test_non_strings_and_none_are_shown_not_fatal():
    assert clean(None) == ""
    assert clean(12.5) == "12.5"
    assert clean({"a": 1}) == "{'a': 1}"


def test_lone_surrogates_become_replacement_characters():
    shown = clean("bad\ud800json")
    assert shown == "bad\ufffdjson"
    shown.encode("utf-8")


def test_truncation_marks_the_cut():
    assert clean("abcdefghij", 5) == "abcd" + ELLIPSIS
    assert clean("abc", 5) == "abc"
    assert clean("abc", 3) == "abc"
    assert clean("abc", 0) == ""


def test_printable_text_is_returned_unchanged():
    text = "Step 12/500: training loss=1.23 — ünïcode ✓ 日本"
    assert clean(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, blacklist_categories=()), max_size=200),
       st.one_of(st.none(), st.integers(min_value=0, max_value=50)))
def test_clean_output_is_inert_bounded_and_stable(text, max_len):
    shown = clean(text, max_len)
    assert _is_inert(shown)
    shown.encode("utf-8")
    if max_len is not None:
        assert len(shown) <= max_len
    else:
        assert clean(shown) == shown


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*ATTACKS.values(), "ok ", "\x1b", "\x1b]", "\x1b[", "\x07", "\n", "x"]), max_size=12))
def test_concatenated_attacks_stay_inert(parts):
    assert _is_inert(clean("".join(parts)))
