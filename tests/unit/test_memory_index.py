"""The in-memory recall index, without a database: BM25 postings kept exact under add and
remove, hybrid search whose episodes carry exactly the messages their text came from, never
cross conversations, respect k, the token budget and what the prompt already holds, prefer
documents dated in the span a query names, and the per-user cache of indexes (LRU bound, idle
eviction, dropped per user)."""

from __future__ import annotations

import math
import random
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from confide.memory.dates import DateRange, format_day
from confide.memory.index import Hit, IndexCache, RecallIndex, SearchOptions
from confide.memory.text import BM25Index, content_words, tokens

SPEAKERS = {"user": "alice", "assistant": "Mira"}
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOPICS = ("garden tulips", "violin practice", "mountain hiking", "bread baking", "chess club")


def count_words(text: str) -> int:
    return len(text.split())


def new_index(dim: int | None = None, *, user: str = "u1", companion: str = "c1") -> RecallIndex:
    return RecallIndex(user, companion, 0, count_tokens=count_words, dim=dim, speakers=SPEAKERS)


def word(conv: int, seq: int) -> str:
    """A word only message ``seq`` of conversation ``conv`` has (fixed width: no prefixes)."""
    return f"uq{conv:02d}x{seq:03d}q"


def msg_text(conv: int, seq: int) -> str:
    topic = TOPICS[(conv + seq) % len(TOPICS)]
    return f"talking about {topic} again {word(conv, seq)}"


def line(index: RecallIndex, role: str, text: str) -> str:
    return f"{index.speakers[role]}: {text}"


def corpus(convs: int = 3, per_conv: int = 12) -> tuple[RecallIndex, dict[str, str]]:
    """An index over ``convs`` conversations; returns it and each message id's shown line."""
    index = new_index()
    lines: dict[str, str] = {}
    for c in range(convs):
        for seq in range(1, per_conv + 1):
            role = "user" if seq % 2 else "assistant"
            mid = f"m{c}-{seq}"
            text = msg_text(c, seq)
            index.add_message(mid, f"conv{c}", seq, role, text, START + timedelta(days=seq))
            lines[mid] = line(index, role, text)
    return index, lines


def check_provenance(index: RecallIndex, hits: list[Hit], lines: dict[str, str]) -> None:
    """Each episode's text is exactly its messages' lines: all of them, in order, no other."""
    for hit in hits:
        if hit.kind == "memory":
            assert hit.message_ids == []
            continue
        assert hit.ref in hit.message_ids
        for mid in hit.message_ids:
            assert lines[mid] in hit.text
        for mid, shown in lines.items():
            if mid not in hit.message_ids:
                assert shown not in hit.text, (hit, mid)
        docs = [index.doc(mid) for mid in hit.message_ids]
        assert all(d is not None for d in docs)
        # One conversation, consecutive in it, oldest first, and the text is just those lines.
        assert {d.conversation_id for d in docs if d} == {hit.conversation_id}
        seqs = [d.seq for d in docs if d]
        assert seqs == sorted(seqs)
        thread = sorted(
            d.seq
            for mid in lines
            if (d := index.doc(mid)) is not None and d.conversation_id == hit.conversation_id
        )
        start = thread.index(seqs[0])
        assert thread[start : start + len(seqs)] == seqs
        body = "\n".join(lines[mid] for mid in hit.message_ids)
        assert hit.text.endswith(body)
        header = hit.text[: -len(body)]
        assert header in ("", f"[{format_day(hit.day)}] " if hit.day else "")
        # Tokens are those of the text as rendered (header included), never an estimate.
        assert hit.tokens == count_words(hit.text)


# --- the tokenizer and BM25 -----------------------------------------------------------------


def test_tokens_drop_stop_words_lowercase_and_stem() -> None:
    assert tokens("I was Painting the fences") == ["paint", "fenc"]
    assert content_words("painted paints painting") == {"paint"}
    assert tokens("a an the and of") == []
    assert tokens("Bus cats") == ["bus", "cats"]  # four letters or fewer stay whole


def test_bm25_scores_only_documents_sharing_a_term() -> None:
    bm = BM25Index()
    bm.add(1, "red apples and green pears")
    bm.add(2, "green tea")
    bm.add(3, "blue sky")
    assert set(bm.scores("green")) == {1, 2}
    assert bm.scores("purple") == {}
    assert bm.scores("") == {}
    assert len(bm) == 3


def test_bm25_rarer_term_scores_higher_and_shorter_document_wins_ties() -> None:
    bm = BM25Index()
    bm.add(1, "green apple")
    bm.add(2, "green pear")
    bm.add(3, "green plum")
    bm.add(4, "green green plum fig kiwi lime melon")
    scores = bm.scores("green apple")
    assert max(scores, key=scores.__getitem__) == 1
    plum = bm.scores("plum")
    assert plum[3] > plum[4]


def test_bm25_remove_and_readd_are_exact() -> None:
    bm = BM25Index()
    bm.add(1, "violin lessons on tuesday")
    bm.add(2, "piano lessons")
    before = bm.scores("lessons")
    bm.add(3, "cello practice")
    bm.remove(3)
    assert bm.scores("lessons") == pytest.approx(before)
    assert bm.scores("cello") == {}
    bm.remove(1)
    assert bm.scores("violin") == {}
    assert set(bm.scores("lessons")) == {2}
    bm.remove(1)  # removing twice is harmless
    bm.add(2, "drum kit")  # re-adding replaces
    assert bm.scores("piano") == {}
    assert set(bm.scores("drum")) == {2}
    bm.remove(2)
    assert len(bm) == 0
    assert bm.scores("drum") == {}


def test_bm25_matches_the_formula() -> None:
    bm = BM25Index(k1=1.2, b=0.75)
    bm.add(1, "otter otter river")
    bm.add(2, "river bank")
    n, df, tf, length, avg = 2, 1, 2, 3, 2.5
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    expected = idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * length / avg))
    assert bm.scores("otter")[1] == pytest.approx(expected)


# --- adding, removing, reading back ---------------------------------------------------------


def test_add_message_shows_speaker_and_counts_tokens() -> None:
    index = new_index()
    index.add_message("m1", "conv", 1, "user", "hello there friend", START)
    index.add_message("m1", "conv", 1, "user", "a second add is ignored", START)
    doc = index.doc("m1")
    assert doc is not None
    assert doc.text == "alice: hello there friend"
    assert doc.tokens == 4
    assert len(index) == 1
    assert index.message_ids() == {"m1"}
    assert "hello" not in repr(doc)


def test_add_memory_twice_replaces_it() -> None:
    index = new_index()
    index.add_memory("k1", "alice likes green tea", "preference", START, None, None)
    index.add_memory("k1", "alice likes black coffee", "preference", START, None, None)
    assert len(index) == 1
    assert index.search("tea", None, SearchOptions()) == []
    [hit] = index.search("coffee", None, SearchOptions())
    assert (hit.kind, hit.ref, hit.text, hit.memory_kind) == (
        "memory",
        "k1",
        "alice likes black coffee",
        "preference",
    )
    assert hit.message_ids == []
    assert hit.tokens == count_words(hit.text)


def test_memory_hit_shows_its_event_day() -> None:
    index = new_index()
    index.add_memory("k1", "alice ran a marathon", "event", START, date(2025, 10, 5), None)
    [hit] = index.search("marathon", None, SearchOptions())
    assert hit.text == "[5 October 2025] alice ran a marathon"
    assert hit.day == date(2025, 10, 5)


def test_previous_text_follows_the_thread() -> None:
    index = new_index()
    index.add_message("m3", "conv", 3, "user", "third", START)
    index.add_message("m1", "conv", 1, "user", "first", START)
    index.add_message("m2", "conv", 2, "assistant", "second", START)
    assert index.previous_text("m1") is None
    assert index.previous_text("m2") == "alice: first"
    assert index.previous_text("m3") == "Mira: second"
    assert index.previous_text("missing") is None
    index.remove("m2")
    assert index.previous_text("m3") == "alice: first"


def test_removed_message_never_returned_even_through_its_neighbours() -> None:
    index, lines = corpus()
    target = "m1-5"
    unique = word(1, 5)
    assert any(unique in h.text for h in index.search(unique, None, SearchOptions()))
    index.remove(target)
    del lines[target]
    assert index.doc(target) is None
    assert target not in index.message_ids()
    # Its word is gone from every list: its own and its neighbours' context documents.
    assert index.search(unique, None, SearchOptions()) == []
    for query in (unique, msg_text(1, 5), "garden tulips violin practice", msg_text(1, 4)):
        hits = index.search(query, None, SearchOptions(k=50, token_budget=10_000))
        assert all(unique not in h.text for h in hits)
        assert all(target not in h.message_ids for h in hits)
        check_provenance(index, hits, lines)


def test_removing_a_middle_message_joins_its_neighbours_context() -> None:
    index = new_index()
    index.add_message("a", "conv", 1, "user", "walnut", START)
    index.add_message("b", "conv", 2, "assistant", "hazelnut", START)
    index.add_message("c", "conv", 3, "user", "chestnut", START)
    opts = SearchOptions(k=10, token_budget=30)
    # a's context is (a, b): chestnut does not reach it yet.
    assert {h.ref for h in index.search("chestnut", None, opts)} == {"c", "b"}
    index.remove("b")
    assert index.search("hazelnut", None, opts) == []
    # Now a and c are neighbours: each is found through the other's word.
    assert {h.ref for h in index.search("chestnut", None, opts)} == {"c", "a"}
    assert {h.ref for h in index.search("walnut", None, opts)} == {"a", "c"}


def test_inserting_between_two_messages_updates_both_neighbours() -> None:
    index = new_index()
    index.add_message("a", "conv", 1, "user", "walnut", START)
    index.add_message("c", "conv", 3, "user", "chestnut", START)
    index.add_message("b", "conv", 2, "assistant", "hazelnut", START)
    opts = SearchOptions(k=10, token_budget=30)
    assert {h.ref for h in index.search("hazelnut", None, opts)} == {"a", "b", "c"}
    assert {h.ref for h in index.search("chestnut", None, opts)} == {"b", "c"}


def test_remove_conversation_drops_only_its_messages() -> None:
    index, lines = corpus(convs=2, per_conv=4)
    index.remove_conversation("conv0")
    assert index.message_ids() == {f"m1-{s}" for s in range(1, 5)}
    hits = index.search(" ".join(TOPICS), None, SearchOptions(k=50, token_budget=10_000))
    assert hits
    assert all(h.conversation_id == "conv1" for h in hits)
    index.remove_conversation("conv0")  # again: nothing to do
    index.remove_conversation("never")


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [*TOPICS, "talking again", word(0, 3), "tulips chess violin"])
@pytest.mark.parametrize("budget", [0, 5, 12, 13, 20, 30, 47, 64, 100, 250, 1500])
def test_episodes_carry_exactly_their_messages_within_the_budget(query: str, budget: int) -> None:
    index, lines = corpus()
    hits = index.search(query, None, SearchOptions(k=8, token_budget=budget))
    assert sum(h.tokens for h in hits) <= budget
    assert len(hits) <= 8
    check_provenance(index, hits, lines)
    # No message is shown twice.
    shown = [mid for h in hits for mid in h.message_ids]
    assert len(shown) == len(set(shown))


def test_budget_too_small_for_any_line_gives_nothing() -> None:
    index, _ = corpus()
    # Every line costs 7 words + 8 overhead.
    assert index.search("garden", None, SearchOptions(token_budget=14)) == []
    assert len(index.search("garden", None, SearchOptions(token_budget=15))) == 1


def test_episode_grows_around_the_match_while_the_budget_allows() -> None:
    index, lines = corpus(convs=1, per_conv=9)
    target = word(0, 5)
    # The match alone: 7 + 8; each neighbour 7 more; three rounds at most on each side.
    for budget, expected in [
        (15, [5]),
        (22, [4, 5]),
        (29, [4, 5, 6]),
        (500, [2, 3, 4, 5, 6, 7, 8]),
    ]:
        [hit] = index.search(target, None, SearchOptions(k=1, token_budget=budget))
        assert hit.ref == "m0-5"
        assert hit.message_ids == [f"m0-{s}" for s in expected], budget
        assert hit.tokens <= budget
        check_provenance(index, [hit], lines)


def test_episodes_never_cross_conversations() -> None:
    index = new_index()
    lines: dict[str, str] = {}
    # Two short conversations whose ends share words with each other.
    for conv in ("x", "y"):
        for seq in (1, 2):
            mid = f"{conv}{seq}"
            text = f"sunflower seeds {conv}{seq}zz"
            index.add_message(mid, conv, seq, "user", text, START)
            lines[mid] = line(index, "user", text)
    hits = index.search("sunflower", None, SearchOptions(k=10, token_budget=10_000))
    assert {mid for h in hits for mid in h.message_ids} == set(lines)
    check_provenance(index, hits, lines)
    for hit in hits:
        assert {m[0] for m in hit.message_ids} == {hit.conversation_id}


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8])
def test_k_caps_the_number_of_hits(k: int) -> None:
    index, lines = corpus()
    for n in range(5):
        index.add_memory(f"k{n}", f"alice enjoys {TOPICS[n]}", "preference", START, None, None)
    hits = index.search(" ".join(TOPICS), None, SearchOptions(k=k, token_budget=100_000))
    assert len(hits) == k
    check_provenance(index, hits, lines)


def test_skip_conversation_from_seq_excludes_what_the_prompt_holds() -> None:
    index, lines = corpus(convs=2, per_conv=12)
    opts = SearchOptions(k=50, token_budget=100_000, skip_conversation="conv0", skip_from_seq=7)
    hits = index.search(" ".join(TOPICS) + " talking", None, opts)
    shown = {mid for h in hits for mid in h.message_ids}
    assert shown  # the rest is still found, neighbours included
    for mid in shown:
        doc = index.doc(mid)
        assert doc is not None
        assert not (doc.conversation_id == "conv0" and doc.seq >= 7), mid
    assert {f"m0-{s}" for s in range(1, 7)} <= shown
    assert {f"m1-{s}" for s in range(1, 13)} <= shown
    check_provenance(index, hits, lines)
    # The word only a skipped message has finds nothing.
    assert index.search(word(0, 9), None, opts) == []


def test_skip_memories_excludes_them() -> None:
    index = new_index()
    index.add_memory("k1", "alice keeps bees", "fact", START, None, None)
    index.add_memory("k2", "alice sells honey from her bees", "fact", START, None, None)
    refs = {h.ref for h in index.search("bees", None, SearchOptions())}
    assert refs == {"k1", "k2"}
    opts = SearchOptions(skip_memories=frozenset({"k1"}))
    assert [h.ref for h in index.search("bees", None, opts)] == ["k2"]


def test_removed_memory_never_returned() -> None:
    index = new_index(dim=2)
    vec = np.array([1.0, 0.0], dtype=np.float32)
    index.add_memory("k1", "alice adopted a ferret", "fact", START, None, vec)
    index.add_memory("k2", "alice owns a canoe", "fact", START, None, None)
    assert index.has_vectors("k1")
    assert "k1" in {h.ref for h in index.search("ferret", vec, SearchOptions())}
    index.remove("k1")
    assert not index.has_vectors("k1")
    assert index.doc("k1") is None
    for query_vec in (vec, None):
        hits = index.search("ferret", query_vec, SearchOptions())
        assert all(h.ref != "k1" and "ferret" not in h.text for h in hits)
    index.remove("k1")  # twice: harmless


def test_random_adds_and_removes_keep_search_exact() -> None:
    rng = random.Random(7)
    index = new_index()
    lines: dict[str, str] = {}
    removed: set[str] = set()
    slots = [(c, seq) for c in range(3) for seq in range(1, 25)]
    rng.shuffle(slots)
    for step, (c, seq) in enumerate(slots):
        mid = f"m{c}-{seq}"
        role = rng.choice(["user", "assistant"])
        index.add_message(mid, f"conv{c}", seq, role, msg_text(c, seq), START)
        lines[mid] = line(index, role, msg_text(c, seq))
        if step % 3 == 2:
            gone = rng.choice(sorted(lines))
            index.remove(gone)
            del lines[gone]
            removed.add(gone)
        if step % 6 == 5:
            for query in (rng.choice(TOPICS), "talking", *(w for w in _words(removed))):
                budget = rng.randint(0, 400)
                hits = index.search(query, None, SearchOptions(k=6, token_budget=budget))
                assert sum(h.tokens for h in hits) <= budget
                check_provenance(index, hits, lines)
                for gone in removed:
                    assert all(gone not in h.message_ids for h in hits)
                    c_, s_ = (int(x) for x in gone[1:].split("-"))
                    assert all(word(c_, s_) not in h.text for h in hits)
    assert index.message_ids() == set(lines)


def _words(message_ids: set[str]) -> list[str]:
    out = []
    for mid in sorted(message_ids):
        c, s = (int(x) for x in mid[1:].split("-"))
        out.append(word(c, s))
    return out


def _two_equal(
    index: RecallIndex, first_day: date, second_day: date, *, as_messages: bool
) -> tuple[str, str]:
    text = "we went kayaking on the lake"
    for ref, day in (("first", first_day), ("second", second_day)):
        when = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        if as_messages:
            index.add_message(ref, f"conv-{ref}", 1, "user", text, when)
        else:
            index.add_memory(ref, text, "event", START, day, None)
    return "first", "second"


@pytest.mark.parametrize("as_messages", [False, True])
@pytest.mark.parametrize("inside", ["first", "second"])
def test_date_range_puts_the_document_dated_in_it_first(as_messages: bool, inside: str) -> None:
    index = new_index()
    may, july = date(2026, 5, 10), date(2026, 7, 10)
    _two_equal(index, may, july, as_messages=as_messages)
    span = (
        DateRange(date(2026, 5, 1), date(2026, 5, 31))
        if inside == "first"
        else DateRange(date(2026, 7, 1), date(2026, 7, 31))
    )
    opts = SearchOptions(k=2, token_budget=100, date_range=span)
    hits = index.search("kayaking", None, opts)
    assert [h.ref for h in hits][0] == inside
    assert hits[0].score > hits[1].score


def test_date_range_alone_finds_nothing_that_does_not_match() -> None:
    index = new_index()
    index.add_memory("k1", "alice planted roses", "event", START, date(2026, 5, 3), None)
    opts = SearchOptions(date_range=DateRange(date(2026, 5, 1), date(2026, 5, 31)))
    assert index.search("tractor", None, opts) == []


def test_dense_vectors_rank_and_wrong_dimension_is_ignored() -> None:
    index = new_index(dim=3)
    east = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    north = np.array([0.0, 1.0, 0.0], dtype=np.float32)
    index.add_memory("east", "alice rows boats", "fact", START, None, east)
    index.add_memory("north", "alice climbs cliffs", "fact", START, None, north)
    index.add_message("m1", "conv", 1, "user", "nothing shared", START)
    index.set_vectors("m1", np.ones(5, dtype=np.float32), np.ones(5, dtype=np.float32))
    assert not index.has_vectors("m1")
    index.set_vectors("missing", east, east)  # unknown ref: ignored
    hits = index.search("unrelated words", north, SearchOptions(k=1))
    assert [h.ref for h in hits] == ["north"]
    hits = index.search("unrelated words", east, SearchOptions(k=1))
    assert [h.ref for h in hits] == ["east"]
    # Vectors set later replace the ranking (the cached matrix is rebuilt).
    index.set_vectors("north", east, east)
    index.set_vectors("east", north, north)
    assert [h.ref for h in index.search("x", east, SearchOptions(k=1))] == ["north"]


def test_lexical_index_ignores_query_vector_without_dimension() -> None:
    index = new_index(dim=None)
    index.add_memory("k1", "alice knits scarves", "fact", START, None, np.ones(3, np.float32))
    assert not index.has_vectors("k1")
    assert [h.ref for h in index.search("scarves", None, SearchOptions())] == ["k1"]


def test_repr_hides_text() -> None:
    index = new_index()
    index.add_memory("k1", "alice secret walrus", "fact", START, None, None)
    [hit] = index.search("walrus", None, SearchOptions())
    assert "walrus" not in repr(hit)
    assert "walrus" not in repr(index.doc("k1"))
    assert "walrus" not in repr(index)


# --- the cache of indexes -------------------------------------------------------------------


def test_cache_lru_bound_keeps_the_most_recently_used() -> None:
    cache = IndexCache(max_indexes=2, idle_s=900)
    a, b, c = (new_index(companion=x) for x in "abc")
    cache.put(a)
    cache.put(b)
    assert cache.get("u1", "a") is a  # a is now the most recent
    cache.put(c)
    assert len(cache) == 2
    assert cache.get("u1", "b") is None
    assert cache.get("u1", "a") is a
    assert cache.get("u1", "c") is c


def test_cache_put_replaces_the_same_user_and_companion() -> None:
    cache = IndexCache(max_indexes=4)
    old, new = new_index(), new_index()
    cache.put(old)
    cache.put(new)
    assert len(cache) == 1
    assert cache.get("u1", "c1") is new


def test_cache_idle_eviction() -> None:
    cache = IndexCache(idle_s=0.05)
    index = new_index()
    cache.put(index)
    assert cache.get("u1", "c1") is index
    time.sleep(0.15)
    assert cache.get("u1", "c1") is None
    assert len(cache) == 0
    assert not cache.holds("u1")


def test_cache_use_keeps_an_index_alive() -> None:
    cache = IndexCache(idle_s=60)
    index = new_index()
    cache.put(index)
    index.used_at = time.monotonic() - 50  # unused for 50 s: still held
    assert cache.get("u1", "c1") is index  # ...and the use restarts its idle clock
    assert time.monotonic() - index.used_at < 5
    index.used_at = time.monotonic() - 50
    index.search("anything", None, SearchOptions())  # so does a search
    assert time.monotonic() - index.used_at < 5
    assert cache.get("u1", "c1") is index
    index.used_at = time.monotonic() - 61
    assert cache.get("u1", "c1") is None
    assert len(cache) == 0


def test_cache_forget_and_forget_user() -> None:
    cache = IndexCache()
    cache.put(new_index(user="u1", companion="a"))
    cache.put(new_index(user="u1", companion="b"))
    cache.put(new_index(user="u2", companion="a"))
    assert cache.holds("u1")
    cache.forget("u1", "a")
    assert cache.get("u1", "a") is None
    assert cache.get("u1", "b") is not None
    cache.forget_user("u1")
    assert not cache.holds("u1")
    assert cache.holds("u2")
    assert len(cache) == 1
    cache.forget_user("nobody")
    cache.forget("nobody", "a")
    assert len(cache) == 1


@pytest.mark.parametrize("budget", [12, 20, 35, 60, 90, 150, 400])
def test_budget_holds_for_the_rendered_text_when_joins_cost_extra(budget: int) -> None:
    """A tokenizer where joining lines costs more than the lines (like real ones): the hits'
    rendered text still fits the budget, shrinking episodes from their far ends first."""

    def joins_cost(text: str) -> int:
        return count_words(text) + 6 * text.count("\n")

    index = RecallIndex("u1", "c1", 0, count_tokens=joins_cost, dim=None, speakers=SPEAKERS)
    for seq in range(1, 13):
        index.add_message(
            f"m{seq}", "conv", seq, "user", msg_text(0, seq), START + timedelta(days=seq)
        )
    hits = index.search(word(0, 6) + " " + word(0, 9), None, SearchOptions(token_budget=budget))
    assert sum(joins_cost(h.text) for h in hits) <= budget
    assert all(h.tokens == joins_cost(h.text) for h in hits)
    for hit in hits:  # the matched message always stays in its episode
        assert hit.ref in hit.message_ids
