"""Companions over HTTP: starters, create/edit/delete, Character Card V2 import and export,
isolation between users (P1) and encryption of every companion field at rest."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from confide.companions.cards import MAX_CARD_BYTES
from tests import pg
from tests.conftest import CANARY_PREFIX
from tests.factories import Env, User, raw_rows, stored_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PROFILE_FIELDS = ("name", "gender", "persona", "tone", "greeting", "example_dialogue")
MISSING_ID = "0" * 32

CUSTOM: dict[str, str] = {
    "name": "Juniper",
    "gender": "non-binary",
    "persona": "A retired astronomer who names every cat after a comet.",
    "tone": "Gentle, curious, fond of understatement.",
    "greeting": "Oh, hello. Clear skies tonight?",
    "example_dialogue": "<START>\n{{user}}: Seen anything?\n{{char}}: A comet, almost.",
}

V2_CARD: dict[str, Any] = {
    "spec": "chara_card_v2",
    "spec_version": "2.0",
    "data": {
        "name": "Wren",
        "description": "A ferry pilot on a cold northern lake.",
        "personality": "Laconic, warm underneath.",
        "scenario": "The last ferry of the night.",
        "first_mes": "Last crossing. Hop on.",
        "mes_example": "<START>\n{{user}}: Cold?\n{{char}}: Always.",
        "creator_notes": "",
        "system_prompt": "",
        "post_history_instructions": "",
        "alternate_greetings": [],
        "tags": ["slice of life", "boats"],
        "creator": "someone",
        "character_version": "1.0",
        "extensions": {},
    },
}


def create_custom(user: User, **fields: str) -> dict[str, Any]:
    r = user.post("/api/companions", json={**CUSTOM, **fields})
    assert r.status_code == 201, r.text
    return dict(r.json())


def upload(
    user: User, data: bytes, name: str = "card.json", ctype: str = "application/json"
) -> Any:
    return user.post("/api/companions/import", files={"file": (name, data, ctype)})


def profile_of(companion: dict[str, Any]) -> dict[str, Any]:
    return {k: companion[k] for k in PROFILE_FIELDS}


def scalar(env: Env, sql: str, *params: Any) -> Any:
    return raw_rows(env, sql, *params)[0][0]


# --- starters and creation ------------------------------------------------------------------


def test_starters_listed_at_least_two_with_profiles(alice: User) -> None:
    r = alice.get("/api/companions/starters")
    assert r.status_code == 200
    starters = r.json()
    assert len(starters) >= 2
    assert len({s["key"] for s in starters}) == len(starters)
    for s in starters:
        assert s["name"]
        assert s["persona"]
        assert s["greeting"]


def test_starters_without_auth_401(env: Env) -> None:
    r = env.client.get("/api/companions/starters")
    assert r.status_code == 401


def test_create_from_starter_copies_starter_profile(alice: User) -> None:
    starter = alice.get("/api/companions/starters").json()[1]
    created = alice.companion(starter["key"])
    assert created["starter"] == starter["key"]
    for key in ("name", "gender", "persona", "greeting"):
        assert created[key] == starter[key]
    fetched = alice.get(f"/api/companions/{created['id']}").json()
    assert fetched == created


def test_create_custom_all_fields_stored_and_returned(alice: User) -> None:
    created = create_custom(alice)
    assert profile_of(created) == CUSTOM
    assert created["starter"] is None
    r = alice.get(f"/api/companions/{created['id']}")
    assert r.status_code == 200
    assert profile_of(r.json()) == CUSTOM
    listed = alice.get("/api/companions").json()
    assert [c["id"] for c in listed] == [created["id"]]


def test_patch_one_field_changes_it_keeps_others(alice: User) -> None:
    created = create_custom(alice)
    r = alice.patch(f"/api/companions/{created['id']}", json={"tone": "Brisk and cheerful."})
    assert r.status_code == 200, r.text
    expected = {**CUSTOM, "tone": "Brisk and cheerful."}
    assert profile_of(r.json()) == expected
    assert profile_of(alice.get(f"/api/companions/{created['id']}").json()) == expected


@pytest.mark.parametrize(
    "body",
    [
        {**CUSTOM, "name": "n" * 101},
        {**CUSTOM, "name": ""},
        {**CUSTOM, "favourite_colour": "green"},
        {"persona": "no name at all"},
        {**CUSTOM, "persona": "p" * 16_001},
    ],
    ids=["name-101", "name-empty", "extra-field", "name-missing", "persona-16001"],
)
def test_create_custom_invalid_body_422(alice: User, body: dict[str, Any]) -> None:
    r = alice.post("/api/companions", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"
    assert alice.get("/api/companions").json() == []


def test_create_custom_name_of_exactly_100_chars_accepted(alice: User) -> None:
    assert create_custom(alice, name="n" * 100)["name"] == "n" * 100


def test_create_custom_whitespace_only_name_422(env: Env, alice: User) -> None:
    with contextlib.closing(TestClient(env.client.app, raise_server_exceptions=False)) as client:
        r = client.post("/api/companions", json={**CUSTOM, "name": "   "}, headers=alice.headers)
    assert r.status_code == 422


def test_patch_whitespace_only_name_422_and_unchanged(alice: User) -> None:
    created = create_custom(alice)
    r = alice.patch(f"/api/companions/{created['id']}", json={"name": "   "})
    assert r.status_code == 422
    assert alice.get(f"/api/companions/{created['id']}").json()["name"] == CUSTOM["name"]


@pytest.mark.parametrize(
    "body",
    [{"name": "n" * 101}, {"name": ""}, {"nickname": "J"}],
    ids=["name-101", "name-empty", "extra-field"],
)
def test_patch_invalid_body_422_and_unchanged(alice: User, body: dict[str, Any]) -> None:
    created = create_custom(alice)
    r = alice.patch(f"/api/companions/{created['id']}", json=body)
    assert r.status_code == 422
    assert profile_of(alice.get(f"/api/companions/{created['id']}").json()) == CUSTOM


def test_create_from_unknown_starter_404(alice: User) -> None:
    r = alice.post("/api/companions/from-starter", json={"starter": "no-such-starter"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


# --- deletion -------------------------------------------------------------------------------


def test_delete_companion_removes_conversations_and_messages(env: Env, alice: User) -> None:
    companion = create_custom(alice)
    conv_ids = [alice.conversation(companion["id"]) for _ in range(2)]
    alice.say(conv_ids[0], "hello there")
    alice.say(conv_ids[1], "and hello again")
    other = alice.companion("mira")
    kept_conv = alice.conversation(other["id"])
    assert scalar(env, "SELECT count(*) FROM messages WHERE conversation_id = ?", conv_ids[0]) == 3

    r = alice.delete(f"/api/companions/{companion['id']}")
    assert r.status_code == 204
    assert r.content == b""
    assert alice.get(f"/api/companions/{companion['id']}").status_code == 404
    for cid in conv_ids:
        assert alice.get(f"/api/conversations/{cid}").status_code == 404
        assert scalar(env, "SELECT count(*) FROM messages WHERE conversation_id = ?", cid) == 0
    assert (
        scalar(env, "SELECT count(*) FROM conversations WHERE companion_id = ?", companion["id"])
        == 0
    )
    # The other companion and its conversation are untouched.
    assert alice.get(f"/api/conversations/{kept_conv}").status_code == 200
    assert [c["id"] for c in alice.get("/api/companions").json()] == [other["id"]]
    assert alice.delete(f"/api/companions/{companion['id']}").status_code == 404


# --- Character Card V2 import and export ----------------------------------------------------


def test_import_v2_json_card_maps_fields(alice: User) -> None:
    r = upload(alice, json.dumps(V2_CARD).encode())
    assert r.status_code == 201, r.text
    c = r.json()
    d = V2_CARD["data"]
    assert c["name"] == d["name"]
    assert c["persona"] == f"{d['description']}\n\nScenario: {d['scenario']}"
    assert c["tone"] == d["personality"]
    assert c["greeting"] == d["first_mes"]
    assert c["example_dialogue"] == d["mes_example"]
    assert c["tags"] == d["tags"]
    assert c["starter"] is None
    assert alice.get(f"/api/companions/{c['id']}").json() == c


def test_export_json_is_v2_card_with_profile_fields(alice: User) -> None:
    created = create_custom(alice)
    r = alice.get(f"/api/companions/{created['id']}/export")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert "attachment" in r.headers["content-disposition"]
    card = r.json()
    assert card["spec"] == "chara_card_v2"
    assert card["data"]["name"] == CUSTOM["name"]
    assert card["data"]["description"] == CUSTOM["persona"]
    assert card["data"]["personality"] == CUSTOM["tone"]
    assert card["data"]["first_mes"] == CUSTOM["greeting"]
    assert card["data"]["mes_example"] == CUSTOM["example_dialogue"]


def test_export_png_then_import_gives_equal_companion(alice: User) -> None:
    created = create_custom(alice)
    r = alice.get(f"/api/companions/{created['id']}/export", params={"format": "png"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert r.content.startswith(PNG_SIGNATURE)
    r2 = upload(alice, r.content, "Juniper.png", "image/png")
    assert r2.status_code == 201, r2.text
    imported = r2.json()
    assert imported["id"] != created["id"]
    assert profile_of(imported) == profile_of(created)


def test_export_json_then_import_gives_equal_companion(alice: User) -> None:
    created = create_custom(alice)
    body = alice.get(f"/api/companions/{created['id']}/export").content
    r = upload(alice, body)
    assert r.status_code == 201, r.text
    assert profile_of(r.json()) == profile_of(created)


@pytest.mark.parametrize(
    ("data", "name", "ctype"),
    [
        (b"this is not json", "card.json", "application/json"),
        (b"[1, 2, 3]", "card.json", "application/json"),
        (json.dumps({"spec": "something_else", "data": {}}).encode(), "c.json", "text/plain"),
        (json.dumps({**V2_CARD, "data": {"name": ""}}).encode(), "card.json", "application/json"),
        (json.dumps({**V2_CARD, "data": {"name": 42}}).encode(), "card.json", "application/json"),
        (PNG_SIGNATURE + b"\x00\x00", "card.png", "image/png"),
        (b"GIF89a not a png", "card.png", "image/png"),
    ],
    ids=["not-json", "json-array", "bad-spec", "empty-name", "name-not-str", "png-trunc", "gif"],
)
def test_import_malformed_card_422_with_code(
    alice: User, data: bytes, name: str, ctype: str
) -> None:
    r = upload(alice, data, name, ctype)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"
    assert alice.get("/api/companions").json() == []


def test_import_upload_over_card_limit_413(alice: User) -> None:
    data = b" " * (3 * 1024 * 1024)
    assert len(data) > MAX_CARD_BYTES
    r = upload(alice, data)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"
    assert alice.get("/api/companions").json() == []


def test_import_upload_over_body_limit_413(env_factory: Callable[..., Env]) -> None:
    small = env_factory(max_body_bytes=1_000_000)
    user = small.sign_up("alice")
    r = upload(user, b" " * 1_500_000)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"
    assert user.get("/api/companions").json() == []


def test_import_without_file_422(alice: User) -> None:
    r = alice.post("/api/companions/import", data={"nothing": "here"})
    assert r.status_code == 422


def test_export_unknown_format_422(alice: User) -> None:
    created = create_custom(alice)
    r = alice.get(f"/api/companions/{created['id']}/export", params={"format": "gif"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_input"


# --- isolation between users (P1) -----------------------------------------------------------


def test_other_user_gets_404_identical_to_missing_for_every_companion_route(
    env: Env, alice: User
) -> None:
    bob = env.sign_up("bob")
    mine = create_custom(alice)
    before = alice.get(f"/api/companions/{mine['id']}").json()

    def attempts(cid: str) -> list[Any]:
        return [
            bob.get(f"/api/companions/{cid}"),
            bob.patch(f"/api/companions/{cid}", json={"name": "Taken"}),
            bob.get(f"/api/companions/{cid}/export"),
            bob.get(f"/api/companions/{cid}/export", params={"format": "png"}),
            bob.post(f"/api/companions/{cid}/conversations", json={"title": "hijack"}),
            bob.delete(f"/api/companions/{cid}"),
        ]

    for theirs, missing in zip(attempts(mine["id"]), attempts(MISSING_ID), strict=True):
        assert theirs.status_code == 404
        assert missing.status_code == 404
        assert theirs.json() == missing.json()

    assert alice.get(f"/api/companions/{mine['id']}").json() == before
    assert alice.get("/api/conversations").json() == []
    assert bob.get("/api/conversations").json() == []
    assert scalar(env, "SELECT count(*) FROM conversations") == 0


def test_other_users_companions_not_listed(env: Env, alice: User) -> None:
    bob = env.sign_up("bob")
    mine = create_custom(alice)
    alice.companion("mira")
    his = bob.companion("sol")
    assert [c["id"] for c in bob.get("/api/companions").json()] == [his["id"]]
    assert mine["id"] in {c["id"] for c in alice.get("/api/companions").json()}
    assert his["id"] not in {c["id"] for c in alice.get("/api/companions").json()}


# --- encryption at rest ---------------------------------------------------------------------


def test_companion_fields_encrypted_at_rest_no_canary_in_db_files(env: Env, alice: User) -> None:
    fields = {key: f"{CANARY_PREFIX}-{key}" for key in PROFILE_FIELDS}
    fields["name"] = f"Zed {CANARY_PREFIX}"
    created = create_custom(alice, **fields)
    alice.patch(f"/api/companions/{created['id']}", json={"tone": f"{CANARY_PREFIX}-tone2"})
    # The API still gives the plaintext back to its owner.
    assert alice.get(f"/api/companions/{created['id']}").json()["persona"] == (
        f"{CANARY_PREFIX}-persona"
    )
    # Both databases as kept on disk (SQLite's files with their WAL, or PostgreSQL's relation
    # files and WAL), and every other file the app wrote in its data dir.
    contents: dict[str, bytes] = {"databases": stored_bytes(env)}
    if not pg.using_postgres():
        db = env.settings.data_dir / "confide.db"
        assert db.with_name(db.name + "-wal").exists()  # the WAL is part of what is read
    for path in env.settings.data_dir.iterdir():
        if path.is_file():
            contents[path.name] = path.read_bytes()
    # Positive control: what the schema keeps in clear (the username) is found this way.
    assert any(b"alice" in raw for raw in contents.values())
    for name, raw in contents.items():
        assert CANARY_PREFIX.encode() not in raw, name
        assert f"{CANARY_PREFIX}-persona".encode("utf-16-le") not in raw, name
