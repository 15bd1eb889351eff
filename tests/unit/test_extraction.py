"""Memory extraction without a model: the prompt offers only the user's own messages as
numbered sources (the companion's lines are context, the persona is never offered), and the
model's JSON is trusted for nothing: malformed output is counted and dropped, items must cite
a user message they share a content word with, items about the companion are dropped, dates
and "replaces" are checked, and near-duplicates are recognised."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest

from confide.memory.extraction import (
    DUPLICATE_JACCARD,
    MAX_ITEMS,
    SCHEMA,
    ExtractionInput,
    SourceMessage,
    build_extraction_prompt,
    build_summary_prompt,
    jaccard,
    near_duplicate,
    parse_candidates,
)
from confide.memory.service import MemoryView

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def known(item_id: str, text: str, kind: str = "fact") -> MemoryView:
    return MemoryView(
        id=item_id,
        companion_id="c1",
        conversation_id=None,
        kind=kind,
        status="active",
        origin="extracted",
        pinned=False,
        text=text,
        sources=[],
        event_date=None,
        version=1,
        created_at=NOW,
        updated_at=NOW,
    )


def user(mid: str, text: str) -> SourceMessage:
    return SourceMessage(mid, "user", text, TODAY)


def ai(mid: str, text: str) -> SourceMessage:
    return SourceMessage(mid, "assistant", text, TODAY)


CONVO = [
    ai("g", "Hello alice! I'm Mira. I adore jazz saxophone and live in a lighthouse."),
    user("u1", "My sister Ottilie lives in Reykjavik."),
    ai("a1", "Reykjavik sounds cold! Do you visit her?"),
    user("u2", "Yes, every winter. I also started learning the cello."),
]
KNOWN = [known("k-tea", "alice drinks green tea"), known("k-job", "alice works as a nurse")]


def inp(
    messages: list[SourceMessage] | None = None,
    known_items: list[MemoryView] | None = None,
    *,
    user_name: str = "alice",
    companion_name: str = "Mira",
) -> ExtractionInput:
    return ExtractionInput(
        user_name,
        companion_name,
        TODAY,
        CONVO if messages is None else messages,
        KNOWN if known_items is None else known_items,
    )


def item(text: str, sources: Any = (1,), **fields: Any) -> dict[str, Any]:
    return {
        "kind": "fact",
        "text": text,
        "date": "",
        "sources": list(sources) if isinstance(sources, tuple) else sources,
        "replaces": 0,
        **fields,
    }


def parse(
    items: list[Any] | str, data: ExtractionInput | None = None
) -> tuple[list[Any], Counter[str]]:
    data = data or inp()
    _, refs = build_extraction_prompt(data)
    raw = items if isinstance(items, str) else json.dumps({"memories": items})
    stats: Counter[str] = Counter()
    return parse_candidates(raw, data, refs, stats), stats


# --- the prompt -----------------------------------------------------------------------------


def test_prompt_numbers_user_messages_and_marks_companion_lines_context_only() -> None:
    messages, refs = build_extraction_prompt(inp())
    assert [m.role for m in messages] == ["system", "user"]
    body = messages[1].content
    assert "(1) alice: My sister Ottilie lives in Reykjavik." in body
    assert "(2) alice: Yes, every winter. I also started learning the cello." in body
    assert "Mira (AI, context only): Reykjavik sounds cold! Do you visit her?" in body
    assert "(3)" not in body
    # Every companion line is marked, none numbered.
    for m in CONVO:
        if m.role == "assistant":
            [shown] = [ln for ln in body.splitlines() if m.text in ln]
            assert shown == f"Mira (AI, context only): {m.text}"
    assert {n: m.id for n, m in refs["messages"].items()} == {1: "u1", 2: "u2"}
    assert all(m.role == "user" for m in refs["messages"].values())
    assert "Today is 2026-11-23." in body
    assert "[1] alice drinks green tea" in body
    assert "[2] alice works as a nurse" in body
    assert {n: m.id for n, m in refs["known"].items()} == {1: "k-tea", 2: "k-job"}
    system = messages[0].content
    assert "alice" in system
    assert "Mira" in system
    assert '"memories"' in system


def test_prompt_without_known_memories_says_none() -> None:
    messages, refs = build_extraction_prompt(inp(known_items=[]))
    assert "Known memories:\n(none)" in messages[1].content
    assert refs["known"] == {}


def test_companion_greeting_and_persona_are_never_numbered_sources() -> None:
    persona_line = "I adore jazz saxophone and live in a lighthouse."
    messages, refs = build_extraction_prompt(inp())
    numbered = [ln for ln in messages[1].content.splitlines() if ln.startswith("(")]
    assert len(numbered) == 2
    assert all(persona_line not in ln for ln in numbered)
    assert all(persona_line not in m.text for m in refs["messages"].values())
    # And what the companion said cannot be recorded as if the user had said it.
    out, stats = parse([item("alice adores jazz saxophone", sources=(1, 2))])
    assert out == []
    assert stats["dropped_ungrounded"] == 1


def test_schema_constrains_kinds_and_item_count() -> None:
    items = SCHEMA["properties"]["memories"]
    assert items["maxItems"] == MAX_ITEMS
    assert items["items"]["properties"]["kind"]["enum"] == [
        "fact",
        "preference",
        "event",
        "relationship",
    ]
    assert set(items["items"]["required"]) == {"kind", "text", "date", "sources", "replaces"}


def test_summary_prompt_names_speakers_and_carries_the_previous_summary() -> None:
    prompt = build_summary_prompt("alice", "Mira", "alice likes tea.", CONVO[:2])
    assert prompt[0].role == "system"
    body = prompt[1].content
    assert "Previous summary:\nalice likes tea." in body
    assert "Mira: Hello alice!" in body
    assert "alice: My sister Ottilie lives in Reykjavik." in body
    first = build_summary_prompt("alice", "Mira", None, CONVO[:1])
    assert "Previous summary:\n(none)" in first[1].content


# --- parsing: malformed output ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "",
        '{"memories": 3}',
        '{"memories": "many"}',
        '{"memories": null}',
        '{"other": []}',
        "[]",
        "null",
        '"memories"',
        "42",
        '{"memories": [',
    ],
)
def test_malformed_output_is_counted_and_yields_nothing(raw: str) -> None:
    out, stats = parse(raw)
    assert out == []
    assert stats["malformed"] == 1


@pytest.mark.parametrize(
    "bad",
    [
        3,
        "alice likes tea",
        None,
        [],
        {"kind": "opinion", "text": "alice lives in Reykjavik", "sources": [1]},
        {"kind": "summary", "text": "alice lives in Reykjavik", "sources": [1]},
        {"kind": "fact", "text": 7, "sources": [1]},
        {"kind": "fact", "sources": [1]},
        {"text": "alice lives in Reykjavik", "sources": [1]},
    ],
)
def test_malformed_items_are_counted_and_the_rest_kept(bad: Any) -> None:
    good = item("alice's sister Ottilie lives in Reykjavik", kind="relationship")
    out, stats = parse([bad, good])
    assert stats["malformed"] == 1
    [kept] = out
    assert (kept.kind, kept.text, kept.sources) == (
        "relationship",
        "alice's sister Ottilie lives in Reykjavik",
        ("u1",),
    )


@pytest.mark.parametrize(
    "bad_sources", [1, "1", {"1": 1}, True], ids=["int", "str", "dict", "bool"]
)
def test_sources_of_the_wrong_type_never_raise(bad_sources: Any) -> None:
    """The docstring promises malformed output is discarded, never raised."""
    out, stats = parse([item("alice's sister Ottilie lives in Reykjavik", sources=bad_sources)])
    assert all(c.sources in ((), ("u1",)) for c in out)
    assert sum(stats.values()) >= len(out)


def test_only_the_first_max_items_are_read() -> None:
    items = [item(f"alice's sister Ottilie visits Reykjavik {n}") for n in range(MAX_ITEMS + 3)]
    out, _ = parse(items)
    assert len(out) == MAX_ITEMS


def test_text_whitespace_collapsed_and_length_bounded() -> None:
    out, stats = parse(
        [
            item("  alice's   sister\nOttilie  lives in Reykjavik "),
            item("ab"),
            item("alice Reykjavik " + "x" * 300),
        ]
    )
    assert [c.text for c in out] == ["alice's sister Ottilie lives in Reykjavik"]
    assert stats["dropped_length"] == 2


# --- parsing: grounding ---------------------------------------------------------------------


@pytest.mark.parametrize("sources", [(), (0,), (3,), (99,), (-1,), ("1",), (1.0,)])
def test_items_without_a_valid_user_source_dropped(sources: tuple[Any, ...]) -> None:
    out, stats = parse([item("alice's sister Ottilie lives in Reykjavik", sources=sources)])
    assert out == []
    assert stats["dropped_unsourced"] == 1


def test_item_citing_only_what_the_companion_said_dropped() -> None:
    # The companion's reply (unnumbered) mentions the cold; the user never did.
    out, stats = parse([item("alice finds Reykjavik cold", sources=(2,))])
    assert out == []
    assert stats["dropped_ungrounded"] == 1


def test_with_one_user_message_it_is_the_source_when_none_valid_is_cited() -> None:
    convo = [ai("g", "Hi! I'm Mira."), user("u1", "I just adopted a greyhound named Biscuit.")]
    out, stats = parse([item("alice adopted a greyhound named Biscuit", sources=())], inp(convo))
    assert [c.sources for c in out] == [("u1",)]
    # ...but grounding still applies.
    out, stats = parse([item("alice loves opera", sources=(7,))], inp(convo))
    assert out == []
    assert stats["dropped_ungrounded"] == 1


def test_ungrounded_items_dropped_grounded_kept() -> None:
    out, stats = parse(
        [
            item("alice owns a sailing boat", sources=(1,)),  # nothing of message 1
            item("alice is learning the cello", sources=(2,)),
            item("alice is learning the cello", sources=(1,)),  # message 1 says no such thing
        ]
    )
    assert [(c.text, c.sources) for c in out] == [("alice is learning the cello", ("u2",))]
    assert stats["dropped_ungrounded"] == 2


def test_the_users_own_name_does_not_ground_an_item() -> None:
    convo = [user("u1", "alice here, hello!"), user("u2", "Alice again.")]
    out, stats = parse([item("alice is a pilot", sources=(1, 2))], inp(convo))
    assert out == []
    assert stats["dropped_ungrounded"] == 1


def test_grounding_is_stemmed() -> None:
    convo = [user("u1", "I painted the fences yesterday"), user("u2", "ok")]
    out, _ = parse([item("alice paints fences", sources=(1,))], inp(convo))
    assert [c.text for c in out] == ["alice paints fences"]


def test_sources_map_to_message_ids_in_order_given() -> None:
    out, _ = parse([item("alice's sister Ottilie visits every winter", sources=(2, 1))])
    assert [c.sources for c in out] == [("u2", "u1")]


def test_duplicate_source_numbers_give_each_message_once() -> None:
    out, _ = parse([item("alice's sister Ottilie lives in Reykjavik", sources=(1, 1))])
    assert [c.sources for c in out] == [("u1",)]


# --- parsing: the companion -----------------------------------------------------------------


def test_item_about_the_companion_dropped() -> None:
    convo = [user("u1", "I love painting watercolours"), user("u2", "and you?")]
    out, stats = parse(
        [
            item("Mira loves painting watercolours", sources=(1,)),
            item("mira paints watercolours too", sources=(1,)),
            item("alice loves painting watercolours", sources=(1,)),
        ],
        inp(convo),
    )
    assert [c.text for c in out] == ["alice loves painting watercolours"]
    assert stats["dropped_about_companion"] == 2


def test_item_starting_with_the_name_kept_when_the_user_said_that_name() -> None:
    convo = [user("u1", "My cat Mira loves tuna"), user("u2", "she is five")]
    out, stats = parse([item("Mira, alice's cat, loves tuna", sources=(1,))], inp(convo))
    assert [c.text for c in out] == ["Mira, alice's cat, loves tuna"]
    assert stats["dropped_about_companion"] == 0


def test_user_name_that_starts_with_the_companion_name_is_not_the_companion() -> None:
    """Starter "Mira", user "Miranda": items start with the user's name, as the prompt asks."""
    convo = [user("u1", "I moved to Bergen last spring"), user("u2", "it rains a lot")]
    data = inp(convo, user_name="Miranda", companion_name="Mira")
    out, stats = parse([item("Miranda moved to Bergen", sources=(1,))], data)
    assert [c.text for c in out] == ["Miranda moved to Bergen"]
    assert stats["dropped_about_companion"] == 0


# --- parsing: dates and replaces ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-05-08", date(2026, 5, 8)),
        (" 2026-05-08 ", date(2026, 5, 8)),
        ("2026-05-08T10:30:00", date(2026, 5, 8)),
        ("2026-06-01", None),  # outside the May the user named
        ("2026-04-30", None),
        ("", None),
        ("   ", None),
        ("next week", None),
        ("2026-02-31", None),
        ("08/05/2026", None),
        (20260508, None),
        (None, None),
    ],
)
def test_model_date_kept_only_inside_the_span_the_user_named(
    raw: Any, expected: date | None
) -> None:
    convo = [user("u1", "We flew to Lisbon in May for the festival"), user("u2", "it was hot")]
    out, _ = parse(
        [item("alice flew to Lisbon for the festival", date=raw, kind="event")], inp(convo)
    )
    [c] = out
    assert c.event_date == expected


@pytest.mark.parametrize("raw", ["", "2020-01-01", "2026-11-22", "nonsense"])
def test_a_single_day_the_user_named_wins_over_the_models_date(raw: str) -> None:
    convo = [user("u1", "I ran a marathon yesterday"), user("u2", "my legs hurt")]
    out, _ = parse([item("alice ran a marathon", date=raw, kind="event")], inp(convo))
    [c] = out
    assert c.event_date == date(2026, 11, 22)  # the day before the message was said


@pytest.mark.parametrize("raw", ["2026-05-08", "2026-11-23", ""])
def test_no_date_when_the_user_named_no_time(raw: str) -> None:
    """Small models invent dates: without a time in the user's words there is none."""
    out, _ = parse([item("alice's sister Ottilie lives in Reykjavik", date=raw, kind="event")])
    [c] = out
    assert c.event_date is None


@pytest.mark.parametrize(
    ("replaces", "expected"),
    [(1, "k-tea"), (2, "k-job"), (0, None), (3, None), (-1, None), ("1", None), (None, None)],
)
def test_replaces_maps_to_the_known_memory_id(replaces: Any, expected: str | None) -> None:
    out, _ = parse([item("alice drinks green tea in Reykjavik", replaces=replaces)])
    [c] = out
    assert c.replaces == expected


def test_candidate_repr_hides_text() -> None:
    out, _ = parse([item("alice's sister Ottilie lives in Reykjavik")])
    assert "Ottilie" not in repr(out[0])
    assert "Ottilie" not in repr(CONVO[1])


# --- duplicates -----------------------------------------------------------------------------


def test_jaccard_over_content_words() -> None:
    assert jaccard("alice likes green tea", "Alice LIKES green tea!") == 1.0
    assert jaccard("alice likes green tea", "alice likes black coffee") == pytest.approx(2 / 6)
    assert jaccard("the of and", "alice") == 0.0
    assert jaccard("", "") == 0.0
    assert jaccard("alice paints", "alice painted") == 1.0


def test_near_duplicate_finds_the_closest_above_the_threshold() -> None:
    items = [
        known("k1", "alice drinks green tea every morning"),
        known("k2", "alice drinks green tea"),
        known("k3", "alice works as a nurse"),
    ]
    found = near_duplicate("alice drinks green tea daily", items)
    assert found is not None
    assert found.id == "k2"
    assert near_duplicate("alice climbs mountains", items) is None
    assert near_duplicate("anything", []) is None


def test_near_duplicate_threshold_and_summaries_skipped() -> None:
    base = "alpha bravo charlie delta echo"
    # 3 shared of 5 distinct words = 0.6: a duplicate; 3 of 6 = 0.5: not.
    assert jaccard(base, "alpha bravo charlie") == pytest.approx(DUPLICATE_JACCARD)
    assert near_duplicate("alpha bravo charlie", [known("k", base)]) is not None
    assert near_duplicate("alpha bravo charlie foxtrot", [known("k", base)]) is None
    summary = known("s", "alice drinks green tea", kind="summary")
    assert near_duplicate("alice drinks green tea", [summary]) is None
