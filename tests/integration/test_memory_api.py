"""Memory over HTTP (promise P4): list, search, add, edit with history, pin, delete, approve or
reject, forget, clear, per-companion mode, "why did you say that?", isolation between users
(P1), and memory text kept out of logs (P2) and out of the database files in clear."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from tests.conftest import CANARY_PREFIX
from tests.factories import Env, User, stored_bytes

MISSING_ID = "0" * 32
ITEM_FIELDS = {
    "id",
    "companion_id",
    "conversation_id",
    "kind",
    "status",
    "origin",
    "pinned",
    "text",
    "sources",
    "event_date",
    "version",
    "created_at",
    "updated_at",
    "replaces",
    "review",
}


# --- helpers --------------------------------------------------------------------------------


def user_id(user: User) -> str:
    return str(user.get("/api/me").json()["id"])


def add(user: User, companion_id: str, text: str, kind: str = "fact", **extra: Any) -> Any:
    r = user.post(
        "/api/memories", json={"companion_id": companion_id, "kind": kind, "text": text, **extra}
    )
    assert r.status_code == 201, r.text
    return r.json()


def service_add(
    env: Env,
    user: User,
    companion_id: str,
    text: str,
    *,
    kind: str = "fact",
    status: str = "active",
    sources: Sequence[str] = (),
    replaces: str | None = None,
) -> str:
    """An item as the extraction job would write it."""
    uid = user_id(user)
    with env.services.db.transaction(uid) as s:  # as the user (row-level security)
        row = env.services.memory.add(
            s,
            uid,
            companion_id,
            kind=kind,
            text=text,
            origin="extracted",
            status=status,
            sources=list(sources),
            replaces=replaces,
            actor="extraction",
        )
        item_id = row.id
    return item_id


def listed(user: User, **params: Any) -> Any:
    r = user.get("/api/memories", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def ids(page: dict[str, Any]) -> list[str]:
    return [m["id"] for m in page["items"]]


def recalled_ids(env: Env, user: User, companion_id: str, query: str) -> list[str]:
    result = env.services.memory.recall(user_id(user), companion_id, query, k=10, token_budget=2000)
    return result.memory_ids


def recalled_text(env: Env, user: User, companion_id: str, query: str) -> str:
    result = env.services.memory.recall(user_id(user), companion_id, query, k=10, token_budget=2000)
    return "\n".join(result.lines())


# --- create, read, list ---------------------------------------------------------------------


def test_create_then_get_returns_item_and_first_version(alice: User) -> None:
    comp = alice.companion()
    created = add(alice, comp["id"], "Alice works as a lighthouse keeper.")
    assert set(created) == ITEM_FIELDS
    assert created["companion_id"] == comp["id"]
    assert created["kind"] == "fact"
    assert created["status"] == "active"
    assert created["origin"] == "user"
    assert created["pinned"] is False
    assert created["text"] == "Alice works as a lighthouse keeper."
    assert created["sources"] == []
    assert created["event_date"] is None
    assert created["version"] == 1
    assert created["replaces"] is None
    assert created["conversation_id"] is None

    r = alice.get(f"/api/memories/{created['id']}")
    assert r.status_code == 200
    detail = r.json()
    assert set(detail) == ITEM_FIELDS | {"history"}
    assert {k: detail[k] for k in ITEM_FIELDS} == created
    [v1] = detail["history"]
    assert v1["version"] == 1
    assert v1["old_text"] is None
    assert v1["new_text"] == created["text"]
    assert v1["actor"] == "user"
    assert v1["at"]


def test_create_event_with_date_pinned_and_trimmed_text(alice: User) -> None:
    comp = alice.companion()
    created = add(
        alice, comp["id"], "  Ran the harbour 10k.  ", "event", pinned=True, event_date="2026-05-17"
    )
    assert created["kind"] == "event"
    assert created["pinned"] is True
    assert created["event_date"] == "2026-05-17"
    assert created["text"] == "Ran the harbour 10k."


def test_create_for_unknown_companion_404(alice: User) -> None:
    r = alice.post(
        "/api/memories", json={"companion_id": MISSING_ID, "kind": "fact", "text": "anything"}
    )
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "opinion"},
        {"kind": "summary"},
        {"text": ""},
        {"text": "   "},
        {"text": "x" * 1001},
        {"event_date": "2026-13-01"},
        {"event_date": "17/05/2026"},
        {"event_date": "2026-05-17T10:00:00"},
        {"event_date": 1_779_000_000},
        {"colour": "blue"},
        {"pinned": "sometimes"},
    ],
    ids=[
        "bad-kind",
        "summary-kind",
        "empty-text",
        "blank-text",
        "text-1001",
        "bad-month",
        "date-format",
        "datetime",
        "timestamp",
        "unknown-field",
        "bad-pinned",
    ],
)
def test_create_invalid_body_422_stores_nothing(alice: User, change: dict[str, Any]) -> None:
    comp = alice.companion()
    body = {"companion_id": comp["id"], "kind": "fact", "text": "a valid memory", **change}
    r = alice.post("/api/memories", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"
    assert listed(alice)["total"] == 0


def test_create_missing_companion_id_422(alice: User) -> None:
    r = alice.post("/api/memories", json={"kind": "fact", "text": "no companion"})
    assert r.status_code == 422


def test_text_of_exactly_1000_chars_accepted(alice: User) -> None:
    comp = alice.companion()
    assert len(add(alice, comp["id"], "y" * 1000)["text"]) == 1000


def test_list_filters_search_and_paging(env: Env, alice: User) -> None:
    mira = alice.companion("mira")
    sol = alice.companion("sol")
    fact = add(alice, mira["id"], "Alice grows tomatoes on her balcony.")
    env.clock.advance(seconds=1)
    pref = add(alice, mira["id"], "Alice prefers green tea to coffee.", "preference", pinned=True)
    env.clock.advance(seconds=1)
    other = add(alice, sol["id"], "Alice's brother lives in Lisbon.", "relationship")
    env.clock.advance(seconds=1)
    pending = service_add(env, alice, mira["id"], "Alice dislikes thunderstorms.", status="pending")

    everything = listed(alice)
    assert everything["total"] == 4
    assert set(ids(everything)) == {fact["id"], pref["id"], other["id"], pending}
    # Newest change first.
    assert ids(everything)[0] == pending

    assert set(ids(listed(alice, companion_id=mira["id"]))) == {fact["id"], pref["id"], pending}
    assert ids(listed(alice, companion_id=sol["id"])) == [other["id"]]
    assert ids(listed(alice, kind="preference")) == [pref["id"]]
    assert ids(listed(alice, status="pending")) == [pending]
    assert pending not in ids(listed(alice, status="active"))
    assert ids(listed(alice, pinned="true")) == [pref["id"]]
    assert pref["id"] not in ids(listed(alice, pinned="false"))
    assert ids(listed(alice, q="tomatoes")) == [fact["id"]]
    assert ids(listed(alice, q="tea", companion_id=sol["id"])) == []
    assert listed(alice, q="nothing-matches-this")["total"] == 0

    first = listed(alice, limit=3)
    second = listed(alice, limit=3, offset=3)
    assert first["total"] == second["total"] == 4
    assert len(first["items"]) == 3
    assert ids(first) + ids(second) == ids(everything)
    assert listed(alice, offset=10) == {"items": [], "total": 4}


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"offset": -1},
        {"kind": "opinion"},
        {"status": "deleted"},
        {"pinned": "perhaps"},
        {"q": "q" * 201},
    ],
    ids=["limit-0", "limit-201", "offset-neg", "bad-kind", "bad-status", "bad-pinned", "long-q"],
)
def test_list_invalid_query_422(alice: User, params: dict[str, Any]) -> None:
    r = alice.get("/api/memories", params=params)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"


def test_memory_routes_need_a_session(env: Env, alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice keeps bees.")
    assert env.client.get("/api/memories").status_code == 401
    assert env.client.get(f"/api/memories/{item['id']}").status_code == 401
    assert env.client.delete(f"/api/memories/{item['id']}").status_code == 401
    assert env.client.delete("/api/memories", params={"confirm": "true"}).status_code == 401
    assert listed(alice)["total"] == 1


# --- edit, history, pin ---------------------------------------------------------------------


def test_two_edits_give_history_and_user_origin_stays_user(env: Env, alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice has one cat.")
    env.clock.advance(minutes=1)
    r1 = alice.patch(f"/api/memories/{item['id']}", json={"text": "Alice has two cats."})
    assert r1.status_code == 200, r1.text
    assert r1.json()["version"] == 2
    env.clock.advance(minutes=1)
    r2 = alice.patch(f"/api/memories/{item['id']}", json={"text": "Alice has three cats."})
    assert r2.status_code == 200
    edited = r2.json()
    assert edited["text"] == "Alice has three cats."
    assert edited["version"] == 3
    assert edited["origin"] == "user"
    assert edited["updated_at"] > item["updated_at"]

    history = alice.get(f"/api/memories/{item['id']}").json()["history"]
    assert [(v["version"], v["old_text"], v["new_text"], v["actor"]) for v in history] == [
        (1, None, "Alice has one cat.", "user"),
        (2, "Alice has one cat.", "Alice has two cats.", "user"),
        (3, "Alice has two cats.", "Alice has three cats.", "user"),
    ]
    assert history[0]["at"] < history[1]["at"] < history[2]["at"]


def test_editing_extracted_item_makes_origin_edited(env: Env, alice: User) -> None:
    comp = alice.companion()
    item_id = service_add(env, alice, comp["id"], "Alice plays the cello.")
    assert alice.get(f"/api/memories/{item_id}").json()["origin"] == "extracted"
    alice.patch(f"/api/memories/{item_id}", json={"text": "Alice plays the viola."})
    r = alice.patch(f"/api/memories/{item_id}", json={"text": "Alice plays the viola, badly."})
    assert r.json()["origin"] == "edited"
    history = alice.get(f"/api/memories/{item_id}").json()["history"]
    assert [v["actor"] for v in history] == ["extraction", "user", "user"]
    assert history[2]["old_text"] == "Alice plays the viola."
    assert history[2]["new_text"] == "Alice plays the viola, badly."


def test_pinning_alone_keeps_extracted_origin_and_version(env: Env, alice: User) -> None:
    comp = alice.companion()
    item_id = service_add(env, alice, comp["id"], "Alice speaks Basque.")
    r = alice.patch(f"/api/memories/{item_id}", json={"pinned": True})
    assert r.status_code == 200
    assert r.json()["origin"] == "extracted"
    assert r.json()["version"] == 1


def test_pin_and_unpin(alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice is allergic to peanuts.")
    r = alice.patch(f"/api/memories/{item['id']}", json={"pinned": True})
    assert r.status_code == 200
    assert r.json()["pinned"] is True
    assert ids(listed(alice, pinned="true")) == [item["id"]]
    r = alice.patch(f"/api/memories/{item['id']}", json={"pinned": False})
    assert r.json()["pinned"] is False
    assert ids(listed(alice, pinned="true")) == []
    assert ids(listed(alice, pinned="false")) == [item["id"]]
    # Pinning changes no text, so no new version.
    assert r.json()["version"] == 1


def test_patch_event_date_absent_keeps_null_clears(alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice moved flats.", "event", event_date="2026-03-01")
    r = alice.patch(f"/api/memories/{item['id']}", json={"text": "Alice moved to a new flat."})
    assert r.json()["event_date"] == "2026-03-01"
    r = alice.patch(f"/api/memories/{item['id']}", json={"event_date": "2026-03-02"})
    assert r.json()["event_date"] == "2026-03-02"
    r = alice.patch(f"/api/memories/{item['id']}", json={"event_date": None})
    assert r.status_code == 200
    assert r.json()["event_date"] is None
    assert alice.get(f"/api/memories/{item['id']}").json()["event_date"] is None


def test_patch_kind_and_empty_patch(alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice likes jazz.")
    r = alice.patch(f"/api/memories/{item['id']}", json={"kind": "preference"})
    assert r.status_code == 200
    assert r.json()["kind"] == "preference"
    r = alice.patch(f"/api/memories/{item['id']}", json={})
    assert r.status_code == 200
    assert r.json()["kind"] == "preference"
    assert r.json()["version"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "   "},
        {"text": "x" * 1001},
        {"kind": "opinion"},
        {"kind": "summary"},
        {"event_date": "next tuesday"},
        {"colour": "blue"},
    ],
    ids=["empty", "blank", "text-1001", "bad-kind", "to-summary", "bad-date", "unknown-field"],
)
def test_patch_invalid_422_and_unchanged(alice: User, body: dict[str, Any]) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice sails on Sundays.", event_date="2026-01-04")
    r = alice.patch(f"/api/memories/{item['id']}", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"
    after = alice.get(f"/api/memories/{item['id']}").json()
    assert {k: after[k] for k in ITEM_FIELDS} == item


def test_patch_unknown_memory_404(alice: User) -> None:
    r = alice.patch(f"/api/memories/{MISSING_ID}", json={"text": "x"})
    assert r.status_code == 404


# --- delete, and recall forgets at once -----------------------------------------------------


def test_delete_memory_204_then_404(alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice once met a famous violinist.")
    r = alice.delete(f"/api/memories/{item['id']}")
    assert r.status_code == 204
    assert r.content == b""
    assert alice.get(f"/api/memories/{item['id']}").status_code == 404
    assert alice.delete(f"/api/memories/{item['id']}").status_code == 404
    assert listed(alice)["total"] == 0


def test_deleted_memory_leaves_recall_immediately(env: Env, alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice's grandmother was called Zephyrine.")
    keep = add(alice, comp["id"], "Alice's grandfather was called Bartholomew.")
    assert item["id"] in recalled_ids(env, alice, comp["id"], "Who was Zephyrine?")
    assert "Zephyrine" in recalled_text(env, alice, comp["id"], "Who was Zephyrine?")

    assert alice.delete(f"/api/memories/{item['id']}").status_code == 204
    assert item["id"] not in recalled_ids(env, alice, comp["id"], "Who was Zephyrine?")
    assert "Zephyrine" not in recalled_text(env, alice, comp["id"], "Who was Zephyrine?")
    assert keep["id"] in recalled_ids(env, alice, comp["id"], "Who was Bartholomew?")


def test_edited_memory_recalled_with_new_text_only(env: Env, alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice's boat is named Marigold.")
    assert "Marigold" in recalled_text(env, alice, comp["id"], "boat Marigold")
    alice.patch(f"/api/memories/{item['id']}", json={"text": "Alice's boat is named Tansy."})
    assert "Marigold" not in recalled_text(env, alice, comp["id"], "boat Marigold")
    assert "Tansy" in recalled_text(env, alice, comp["id"], "boat Tansy")


def test_pinned_memory_always_recalled(env: Env, alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice uses they/them pronouns.", pinned=True)
    result = env.services.memory.recall(
        user_id(alice), comp["id"], "completely unrelated", k=5, token_budget=500
    )
    assert [m.id for m in result.pinned] == [item["id"]]
    alice.patch(f"/api/memories/{item['id']}", json={"pinned": False})
    result = env.services.memory.recall(
        user_id(alice), comp["id"], "completely unrelated", k=5, token_budget=500
    )
    assert result.pinned == []


# --- review: approve and reject -------------------------------------------------------------


def test_approve_pending_item_makes_it_active(env: Env, alice: User) -> None:
    comp = alice.companion()
    pending = service_add(env, alice, comp["id"], "Alice is learning Welsh.", status="pending")
    assert ids(listed(alice, status="pending")) == [pending]
    assert pending not in recalled_ids(env, alice, comp["id"], "learning Welsh")

    r = alice.post(f"/api/memories/{pending}/approve")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == pending
    assert r.json()["status"] == "active"
    assert listed(alice, status="pending")["total"] == 0
    assert ids(listed(alice, status="active")) == [pending]
    assert pending in recalled_ids(env, alice, comp["id"], "learning Welsh")

    again = alice.post(f"/api/memories/{pending}/approve")
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "not_pending"


def test_reject_pending_item_deletes_it(env: Env, alice: User) -> None:
    comp = alice.companion()
    pending = service_add(env, alice, comp["id"], "Alice hates mushrooms.", status="pending")
    r = alice.post(f"/api/memories/{pending}/reject")
    assert r.status_code == 204
    assert alice.get(f"/api/memories/{pending}").status_code == 404
    assert listed(alice)["total"] == 0
    assert alice.post(f"/api/memories/{pending}/reject").status_code == 404


def test_reject_active_item_refused(alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice sings in a choir.")
    r = alice.post(f"/api/memories/{item['id']}/reject")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "not_pending"
    assert alice.get(f"/api/memories/{item['id']}").status_code == 200


def test_approving_a_replacement_updates_the_target(env: Env, alice: User) -> None:
    comp = alice.companion()
    target = add(alice, comp["id"], "Alice lives in Leeds.")
    pending = service_add(
        env, alice, comp["id"], "Alice lives in York.", status="pending", replaces=target["id"]
    )
    shown = alice.get(f"/api/memories/{pending}").json()
    assert shown["review"] == "extracted"
    assert shown["replaces"] == target["id"]
    assert shown["status"] == "pending"

    r = alice.post(f"/api/memories/{pending}/approve")
    assert r.status_code == 200, r.text
    updated = r.json()
    assert updated["id"] == target["id"]
    assert updated["text"] == "Alice lives in York."
    assert updated["version"] == 2
    assert updated["status"] == "active"
    assert alice.get(f"/api/memories/{pending}").status_code == 404
    assert ids(listed(alice)) == [target["id"]]
    history = alice.get(f"/api/memories/{target['id']}").json()["history"]
    assert [(v["old_text"], v["new_text"]) for v in history] == [
        (None, "Alice lives in Leeds."),
        ("Alice lives in Leeds.", "Alice lives in York."),
    ]


# --- forget and clear -----------------------------------------------------------------------


def _chat_with_memory(env: Env, alice: User, text: str, said: str) -> tuple[str, str, str, str]:
    """A conversation turn, and an extracted memory sourced from the user's message."""
    comp = alice.companion()
    conv = alice.conversation(comp["id"])
    turn = alice.say(conv, said)
    message_id = turn["user_message"]["id"]
    item_id = service_add(env, alice, comp["id"], text, sources=[message_id])
    return comp["id"], conv, message_id, item_id


def test_forget_deletes_matching_memories_keeps_messages(env: Env, alice: User) -> None:
    comp, conv, message_id, item_id = _chat_with_memory(
        env, alice, "Alice adopted a cat named Pixel.", "I adopted a cat, her name is Pixel"
    )
    other = add(alice, comp, "Alice is a night owl.")
    assert alice.get(f"/api/memories/{item_id}").json()["sources"] == [message_id]

    r = alice.post("/api/memories/forget", json={"about": "Pixel"})
    assert r.status_code == 200, r.text
    assert r.json() == {"memories_deleted": 1, "messages_deleted": 0}
    assert alice.get(f"/api/memories/{item_id}").status_code == 404
    assert alice.get(f"/api/memories/{other['id']}").status_code == 200
    assert alice.get(f"/api/messages/{message_id}").status_code == 200
    assert item_id not in recalled_ids(env, alice, comp, "Pixel the cat")


def test_forget_with_messages_deletes_source_messages(env: Env, alice: User) -> None:
    comp, conv, message_id, item_id = _chat_with_memory(
        env, alice, "Alice adopted a cat named Pixel.", "I adopted a cat, her name is Pixel"
    )
    before = alice.get(f"/api/conversations/{conv}").json()["message_count"]
    r = alice.post("/api/memories/forget", json={"about": "pixel", "delete_messages": True})
    assert r.status_code == 200, r.text
    assert r.json() == {"memories_deleted": 1, "messages_deleted": 1}
    assert alice.get(f"/api/memories/{item_id}").status_code == 404
    assert alice.get(f"/api/messages/{message_id}").status_code == 404
    assert alice.get(f"/api/conversations/{conv}").json()["message_count"] == before - 1
    # Nothing left to recall about it, from memories or from messages.
    assert "Pixel" not in recalled_text(env, alice, comp, "Pixel")


def test_forget_scoped_to_companion(alice: User) -> None:
    mira = alice.companion("mira")
    sol = alice.companion("sol")
    a = add(alice, mira["id"], "Alice's favourite colour is teal.")
    b = add(alice, sol["id"], "Alice painted her door teal.")
    r = alice.post("/api/memories/forget", json={"about": "teal", "companion_id": sol["id"]})
    assert r.json() == {"memories_deleted": 1, "messages_deleted": 0}
    assert ids(listed(alice)) == [a["id"]]
    assert alice.get(f"/api/memories/{b['id']}").status_code == 404


def test_forget_nothing_matching_is_zero(alice: User) -> None:
    comp = alice.companion()
    add(alice, comp["id"], "Alice runs marathons.")
    r = alice.post("/api/memories/forget", json={"about": "submarines"})
    assert r.json() == {"memories_deleted": 0, "messages_deleted": 0}
    assert listed(alice)["total"] == 1


def test_forget_matches_whole_words_only(alice: User) -> None:
    comp = alice.companion()
    job = add(alice, comp["id"], "Alice started a new job in education.")
    r = alice.post("/api/memories/forget", json={"about": "art"})
    assert r.json() == {"memories_deleted": 0, "messages_deleted": 0}
    assert alice.get(f"/api/memories/{job['id']}").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"about": ""},
        {"about": "a" * 201},
        {"about": "the"},
        {"about": "cats", "colour": "blue"},
        {"about": "cats", "delete_messages": "perhaps"},
        {},
    ],
    ids=["empty", "about-201", "only-stopwords", "unknown-field", "bad-bool", "missing"],
)
def test_forget_invalid_422(alice: User, body: dict[str, Any]) -> None:
    comp = alice.companion()
    add(alice, comp["id"], "Alice has the cats.")
    r = alice.post("/api/memories/forget", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"
    assert listed(alice)["total"] == 1


def test_clear_requires_confirm(alice: User) -> None:
    comp = alice.companion()
    add(alice, comp["id"], "Alice collects stamps.")
    add(alice, comp["id"], "Alice collects coins.")
    for params in ({}, {"confirm": "false"}):
        r = alice.delete("/api/memories", params=params)
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "confirmation_required"
    assert listed(alice)["total"] == 2

    r = alice.delete("/api/memories", params={"confirm": "true"})
    assert r.status_code == 200
    assert r.json() == {"deleted": 2}
    assert listed(alice)["total"] == 0
    assert alice.delete("/api/memories", params={"confirm": "true"}).json() == {"deleted": 0}


def test_clear_one_companion_includes_pending(env: Env, alice: User) -> None:
    mira = alice.companion("mira")
    sol = alice.companion("sol")
    add(alice, mira["id"], "Alice knits.")
    service_add(env, alice, mira["id"], "Alice knits scarves.", status="pending")
    kept = add(alice, sol["id"], "Alice sews.")
    r = alice.delete("/api/memories", params={"confirm": "true", "companion_id": mira["id"]})
    assert r.json() == {"deleted": 2}
    assert ids(listed(alice)) == [kept["id"]]


# --- memory mode ----------------------------------------------------------------------------


def test_memory_settings_round_trip(alice: User) -> None:
    comp = alice.companion()
    url = f"/api/companions/{comp['id']}/memory-settings"
    assert alice.get(url).json() == {"mode": "on"}
    for mode in ("review", "off", "on"):
        r = alice.env.client.put(url, json={"mode": mode}, headers=alice.headers)
        assert r.status_code == 200, r.text
        assert r.json() == {"mode": mode}
        assert alice.get(url).json() == {"mode": mode}


@pytest.mark.parametrize(
    "body",
    [{"mode": "sometimes"}, {"mode": None}, {}, {"mode": "on", "extra": 1}],
    ids=["bad-mode", "null", "missing", "unknown-field"],
)
def test_memory_settings_invalid_422(alice: User, body: dict[str, Any]) -> None:
    comp = alice.companion()
    url = f"/api/companions/{comp['id']}/memory-settings"
    r = alice.env.client.put(url, json=body, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"
    assert alice.get(url).json() == {"mode": "on"}


def test_memory_settings_unknown_companion_404(alice: User) -> None:
    url = f"/api/companions/{MISSING_ID}/memory-settings"
    assert alice.get(url).status_code == 404
    r = alice.env.client.put(url, json={"mode": "off"}, headers=alice.headers)
    assert r.status_code == 404


def test_memory_off_recalls_nothing(env: Env, alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice's dog is called Biscuit.", pinned=True)
    assert item["id"] in recalled_ids(env, alice, comp["id"], "Biscuit")
    alice.env.client.put(
        f"/api/companions/{comp['id']}/memory-settings", json={"mode": "off"}, headers=alice.headers
    )
    assert recalled_ids(env, alice, comp["id"], "Biscuit") == []


# --- why did you say that? ------------------------------------------------------------------


def test_sources_of_a_reply_list_recalled_memory_then_count_it_deleted(
    env: Env, alice: User
) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice's sister is named Quillonia.")
    conv = alice.conversation(comp["id"])
    turn = alice.say(conv, "Do you remember my sister Quillonia?")
    reply_id = turn["reply"]["id"]

    r = alice.get(f"/api/messages/{reply_id}/sources")
    assert r.status_code == 200, r.text
    sources = r.json()
    assert set(sources) == {"message_id", "memories", "deleted_memories", "messages", "summary"}
    assert sources["message_id"] == reply_id
    assert [m["id"] for m in sources["memories"]] == [item["id"]]
    assert sources["memories"][0]["text"] == item["text"]
    assert sources["deleted_memories"] == 0
    assert sources["summary"] is None

    alice.delete(f"/api/memories/{item['id']}")
    after = alice.get(f"/api/messages/{reply_id}/sources").json()
    assert after["memories"] == []
    assert after["deleted_memories"] == 1


def test_sources_list_recalled_messages_from_another_conversation(alice: User) -> None:
    comp = alice.companion()
    first = alice.conversation(comp["id"])
    told = alice.say(first, "My bicycle is called Thistledown")["user_message"]
    second = alice.conversation(comp["id"])
    reply = alice.say(second, "What is Thistledown?")["reply"]
    sources = alice.get(f"/api/messages/{reply['id']}/sources").json()
    assert told["id"] in [m["id"] for m in sources["messages"]]
    shown = next(m for m in sources["messages"] if m["id"] == told["id"])
    assert shown["content"] == "My bicycle is called Thistledown"

    assert alice.delete(f"/api/messages/{told['id']}").status_code == 204
    sources = alice.get(f"/api/messages/{reply['id']}/sources").json()
    assert told["id"] not in [m["id"] for m in sources["messages"]]


def test_sources_of_message_without_record_is_empty(alice: User) -> None:
    conv = alice.conversation()
    turn = alice.say(conv, "hello")
    r = alice.get(f"/api/messages/{turn['user_message']['id']}/sources")
    assert r.status_code == 200
    assert r.json() == {
        "message_id": turn["user_message"]["id"],
        "memories": [],
        "deleted_memories": 0,
        "messages": [],
        "summary": None,
    }


def test_sources_of_unknown_message_404(alice: User) -> None:
    r = alice.get(f"/api/messages/{MISSING_ID}/sources")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


# --- isolation between users (P1) -----------------------------------------------------------


def test_other_user_gets_404_identical_to_missing_for_every_memory_route(
    env: Env, alice: User
) -> None:
    bob = env.sign_up("bob")
    comp = alice.companion()
    mine = add(alice, comp["id"], "Alice's PIN hint is her first pet.")
    pending = service_add(env, alice, comp["id"], "Alice owns a kayak.", status="pending")
    conv = alice.conversation(comp["id"])
    reply_id = alice.say(conv, "Tell me about my first pet")["reply"]["id"]
    before = alice.get(f"/api/memories/{mine['id']}").json()

    def attempts(memory_id: str, pending_id: str, message_id: str, companion_id: str) -> list[Any]:
        settings = f"/api/companions/{companion_id}/memory-settings"
        return [
            bob.get(f"/api/memories/{memory_id}"),
            bob.patch(f"/api/memories/{memory_id}", json={"text": "hijacked"}),
            bob.patch(f"/api/memories/{memory_id}", json={"pinned": True}),
            bob.post(f"/api/memories/{pending_id}/approve"),
            bob.post(f"/api/memories/{pending_id}/reject"),
            bob.delete(f"/api/memories/{memory_id}"),
            bob.get(f"/api/messages/{message_id}/sources"),
            bob.get(settings),
            env.client.put(settings, json={"mode": "off"}, headers=bob.headers),
            bob.post(
                "/api/memories",
                json={"companion_id": companion_id, "kind": "fact", "text": "planted"},
            ),
        ]

    theirs = attempts(mine["id"], pending, reply_id, comp["id"])
    missing = attempts(MISSING_ID, MISSING_ID, MISSING_ID, MISSING_ID)
    for t, m in zip(theirs, missing, strict=True):
        assert t.status_code == 404, t.text
        assert m.status_code == 404
        assert t.json() == m.json()

    # Bob sees none of it, and his bulk actions touch none of it.
    assert listed(bob) == {"items": [], "total": 0}
    assert listed(bob, companion_id=comp["id"]) == {"items": [], "total": 0}
    r = bob.post("/api/memories/forget", json={"about": "pet", "delete_messages": True})
    assert r.json() == {"memories_deleted": 0, "messages_deleted": 0}
    r = bob.post("/api/memories/forget", json={"about": "kayak", "companion_id": comp["id"]})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert bob.delete("/api/memories", params={"confirm": "true"}).json() == {"deleted": 0}
    r = bob.delete("/api/memories", params={"confirm": "true", "companion_id": comp["id"]})
    assert r.status_code == 404

    assert alice.get(f"/api/memories/{mine['id']}").json() == before
    assert alice.get(f"/api/memories/{pending}").json()["status"] == "pending"
    assert listed(alice)["total"] == 2
    assert alice.get(f"/api/companions/{comp['id']}/memory-settings").json() == {"mode": "on"}


# --- content stays out of logs and out of the database in clear (P2) ------------------------


def _db_bytes(env: Env) -> dict[str, bytes]:
    """Both databases as kept on disk (SQLite's files with their WAL, or PostgreSQL's relation
    files and WAL), and every file in the data dir."""
    contents: dict[str, bytes] = {"databases": stored_bytes(env)}
    for path in env.settings.data_dir.iterdir():
        if path.is_file():
            contents[path.name] = path.read_bytes()
    return contents


def test_memory_text_never_logged_nor_stored_in_clear(
    env: Env, alice: User, captured_log_lines: list[str]
) -> None:
    comp = alice.companion()
    start = len(captured_log_lines)
    secret = f"Alice's locker code is {CANARY_PREFIX}-locker"
    item = add(alice, comp["id"], secret, "fact", event_date="2026-02-02")
    alice.patch(f"/api/memories/{item['id']}", json={"text": f"{secret} (changed)"})
    pending = service_add(env, alice, comp["id"], f"{CANARY_PREFIX}-pending", status="pending")
    alice.post(f"/api/memories/{pending}/approve")
    # (Searches go in the URL, which the test client logs: search a plain word.)
    assert listed(alice, q="locker")["total"] == 1
    # Errors about a canary-bearing request name fields, never values.
    r = alice.post(
        "/api/memories",
        json={"companion_id": comp["id"], "kind": f"{CANARY_PREFIX}-kind", "text": secret},
    )
    assert r.status_code == 422
    assert CANARY_PREFIX not in r.text
    r = alice.patch(f"/api/memories/{item['id']}", json={"text": f"{CANARY_PREFIX}" * 200})
    assert r.status_code == 422
    assert CANARY_PREFIX not in r.text
    conv = alice.conversation(comp["id"])
    alice.say(conv, "what is my locker code?")
    history = alice.get(f"/api/memories/{item['id']}").json()["history"]
    assert history[0]["new_text"] == secret

    for name, raw in _db_bytes(env).items():
        assert CANARY_PREFIX.encode() not in raw, name
    r = alice.post("/api/memories/forget", json={"about": f"code {CANARY_PREFIX}-locker"})
    assert r.json()["memories_deleted"] == 1
    assert alice.delete("/api/memories", params={"confirm": "true"}).json() == {"deleted": 1}
    assert not [line for line in captured_log_lines[start:] if CANARY_PREFIX in line]


def test_event_date_round_trips_as_iso_date(alice: User) -> None:
    comp = alice.companion()
    item = add(alice, comp["id"], "Alice's wedding.", "event", event_date="2026-06-20")
    assert date.fromisoformat(alice.get(f"/api/memories/{item['id']}").json()["event_date"]) == (
        date(2026, 6, 20)
    )
