"""Events kept as the API's dicts until read, and metrics messages kept compressed: nothing may differ from
parsing every event up front and keeping every message as it came."""

from __future__ import annotations

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from ftwatch.domain.events import api_events
from ftwatch.domain.events.api_events import ApiEvents, concat, event_ids, event_types, take
from ftwatch.domain.events.message_packs import PACK_SIZE, MessagePacks
from ftwatch.domain.parse import parse_event

DICTS = [
    {"id": "ftevent-b", "created_at": 20, "level": "info", "message": "Step 2/9: training loss=1.00",
     "type": "metrics", "data": {"step": 2, "train_loss": 1.0, "total_steps": 9}},
    {"id": 7, "created_at": "19", "level": None, "message": None, "type": None, "data": None},
    {"object": "fine_tuning.job.event"},
]


def test_api_events_read_as_the_same_events_parsing_gives():
    events = ApiEvents(list(DICTS))
    assert list(events) == [parse_event(d) for d in DICTS]
    assert event_ids(events) == ["ftevent-b", "7", ""]             # what parse_event makes of odd ids
    assert event_types(events) == ["metrics", None, None]
    assert [e.raw for e in events] == DICTS                        # `follow --json` still prints the API's dict


def test_an_event_is_built_only_when_read():
    clean = [DICTS[0], {**DICTS[0], "id": "ftevent-a", "type": "message"}]
    events = ApiEvents(clean)
    with mock.patch.object(api_events, "parse_event", wraps=parse_event) as parse:
        assert event_ids(events) == ["ftevent-b", "ftevent-a"]
        assert event_types(events) == ["metrics", "message"]
        assert parse.call_count == 0
        second = events[1]
        assert events[1] is second and parse.call_count == 1      # parsed once, then kept
        assert event_ids(ApiEvents(list(DICTS)))[1] == "7"         # an odd id: read by parsing, as parse_event does


def test_taking_and_joining_keep_the_api_order():
    events = ApiEvents(list(DICTS))
    assert event_ids(take(events, range(3)[::-1])) == ["", "7", "ftevent-b"]
    assert event_ids(take(events, [2, 0])) == ["", "ftevent-b"]
    joined = concat([take(events, [0]), ApiEvents([]), take(events, [1, 2])])
    assert isinstance(joined, ApiEvents) and list(joined) == list(events)
    parsed = [parse_event(d) for d in DICTS]
    assert list(concat([parsed[:1], take(events, [1, 2])])) == parsed
    assert concat([]) == ()


def test_a_page_with_an_item_that_is_not_a_dict_still_reads_as_parsing_gives():
    events = ApiEvents([DICTS[0], ["not", "an", "event"]])
    assert event_ids(events) == ["ftevent-b", ""]
    assert list(events) == [parse_event(DICTS[0]), parse_event(["not", "an", "event"])]


messages = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.lists(messages, max_size=PACK_SIZE // 3)), max_size=12))
def test_packed_messages_come_back_exactly(runs):
    """Runs of consecutive events (with gaps between some), across the seal of full packs."""
    packs, expected, number = MessagePacks(), {}, 0
    for gap, texts in runs:
        number += gap
        assert packs.add(number, texts)
        expected.update({number + i: text for i, text in enumerate(texts)})
        number += len(texts)
    assert {n: packs.get(n) for n in expected} == expected
    assert all(packs.get(n) is None for n in range(number + 2) if n not in expected)


def test_a_lone_surrogate_from_the_json_survives_packing():
    packs = MessagePacks()
    assert packs.add(0, ["bad \ud800 text"] * (PACK_SIZE + 1))
    assert packs.get(3) == packs.get(PACK_SIZE) == "bad \ud800 text"


def test_a_message_with_a_nul_is_refused_so_it_is_kept_elsewhere():
    packs = MessagePacks()
    assert not packs.add(0, ["fine", "has \0 nul"])
    assert packs.get(0) is None


def test_a_million_printed_messages_take_a_few_megabytes():
    packs = MessagePacks()
    for first in range(0, 100_000, 100):
        packs.add(first, [f"Step {n}/100000: training loss={1 + (n * 7919 % 1000) / 997:.2f}"
                          for n in range(first, first + 100)])
    stored = sum(len(blob) for blob in packs._blobs)
    assert stored < 100_000 * 8                      # under 8 bytes an event (the text is ~40)
    assert packs.get(54_321) == f"Step 54321/100000: training loss={1 + (54321 * 7919 % 1000) / 997:.2f}"
