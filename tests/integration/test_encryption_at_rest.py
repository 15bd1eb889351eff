"""P2: content is stored only as ciphertext under the owner's key, bound to its place."""

from __future__ import annotations

import base64
import sqlite3
from contextlib import closing

import pytest

from confide.errors import DecryptionError
from confide.privacy import crypto
from confide.storage.db import sqlite_path
from tests import pg
from tests.conftest import CANARY_PREFIX
from tests.factories import PASSWORD, Env, raw_execute, raw_rows, stored_bytes


def _table_names(env: Env) -> set[str]:
    """The content database's tables, from its catalogue."""
    if pg.postgres is not None:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {str(r[0]) for r in raw_rows(env, sql)}


def _write_canaries_everywhere(env: Env) -> dict[str, str]:
    canaries = {
        field: f"{CANARY_PREFIX}-{field}"
        for field in (
            "email",
            "name",
            "gender",
            "persona",
            "tone",
            "greeting",
            "example",
            "title",
            "message",
            "agent",
            "retitle",
        )
    }
    signup = env.client.post(
        "/api/auth/signup",
        json={
            "username": "canary",
            "email": f"{canaries['email']}@example.org",
            "password": PASSWORD,
            "date_of_birth": "1990-01-01",
        },
        headers={"User-Agent": canaries["agent"]},
    )
    assert signup.status_code == 201
    h = {"Authorization": f"Bearer {signup.json()['token']}"}
    comp = env.client.post(
        "/api/companions",
        headers=h,
        json={
            "name": canaries["name"],
            "gender": canaries["gender"],
            "persona": canaries["persona"],
            "tone": canaries["tone"],
            "greeting": canaries["greeting"],
            "example_dialogue": canaries["example"],
        },
    )
    assert comp.status_code == 201
    conv = env.client.post(
        f"/api/companions/{comp.json()['id']}/conversations",
        headers=h,
        json={"title": canaries["title"]},
    )
    assert conv.status_code == 201
    cid = conv.json()["id"]
    env.provider._reply = lambda msgs: f"Echo {CANARY_PREFIX}-reply"
    turn = env.client.post(
        f"/api/conversations/{cid}/messages", headers=h, json={"content": canaries["message"]}
    )
    assert turn.status_code == 200
    assert turn.json()["reply"]["content"] == f"Echo {CANARY_PREFIX}-reply"
    renamed = env.client.patch(
        f"/api/conversations/{cid}", headers=h, json={"title": canaries["retitle"]}
    )
    assert renamed.status_code == 200
    env.client.cookies.clear()
    return canaries


def test_storage_canaries_written_through_api_absent_from_db_wal_and_logs(
    env: Env, captured_log_lines: list[str]
) -> None:
    canaries = _write_canaries_everywhere(env)
    raw = stored_bytes(env)
    assert raw, "expected database files on disk"
    for canary in [*canaries.values(), f"{CANARY_PREFIX}-reply"]:
        assert canary.encode() not in raw, f"plaintext {canary} found on disk"
        assert not [line for line in captured_log_lines if canary in line]
    # The data is really there, and readable through the API by its owner.
    login = env.client.post("/api/auth/login", json={"username": "canary", "password": PASSWORD})
    h = {"Authorization": f"Bearer {login.json()['token']}"}
    convs = env.client.get("/api/conversations", headers=h).json()
    assert convs[0]["title"] == canaries["retitle"]
    me = env.client.get("/api/me", headers=h).json()
    assert me["email"].startswith(canaries["email"])


@pytest.mark.skipif(
    pg.using_postgres(),
    reason="checkpoints SQLite's WAL into the confide.db file; on PostgreSQL stored_bytes "
    "checkpoints first (test_storage_canaries_written_through_api_absent_from_db_wal_and_logs)",
)
def test_storage_canaries_absent_after_wal_checkpoint(env: Env) -> None:
    canaries = _write_canaries_everywhere(env)
    path = sqlite_path(env.settings.resolved_database_url)
    assert path is not None
    env.services.db.dispose()
    with closing(sqlite3.connect(path)) as conn:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0
    data = path.read_bytes()
    for canary in canaries.values():
        assert canary.encode() not in data


def _content_cells(env: Env) -> list[tuple[str, str, str, str, bytes]]:
    """(table, column, row id, user id, ciphertext) for every sealed cell."""
    cells = []
    for table, column, id_col in (
        ("messages", "content_ct", "id"),
        ("conversations", "title_ct", "id"),
        ("companions", "profile_ct", "id"),
        ("users", "email_ct", "id"),
    ):
        user_col = "id" if table == "users" else "user_id"
        for row_id, user_id, blob in raw_rows(
            env,
            f"SELECT {id_col}, {user_col}, {column} FROM {table} "  # noqa: S608 - fixed names
            f"WHERE {column} IS NOT NULL",
        ):
            cells.append((table, column, row_id, user_id, bytes(blob)))
    return cells


def test_storage_every_sealed_cell_opens_only_in_its_own_place(env: Env) -> None:
    alice, bob = env.sign_up("alice"), env.sign_up("bob")
    for user in (alice, bob):
        cid = user.conversation(title="a title")
        user.say(cid, "hello there")
    cells = _content_cells(env)
    assert {c[0] for c in cells} == {"messages", "conversations", "companions", "users"}
    keys = env.services.keys
    for table, column, row_id, user_id, blob in cells:
        key = keys.get(user_id)
        crypto.open_(key, blob, crypto.Field(user_id, table, column, row_id))  # opens in place
        other_user = next(c[3] for c in cells if c[3] != user_id)
        other_row = next(c[2] for c in cells if c[0] == table and c[2] != row_id)
        wrong_places = [
            (key, crypto.Field(user_id, table, column, other_row)),  # another row
            (key, crypto.Field(user_id, table, "other_ct", row_id)),  # another column
            (key, crypto.Field(user_id, "other", column, row_id)),  # another table
            (keys.get(other_user), crypto.Field(other_user, table, column, row_id)),  # user
        ]
        for wrong_key, field in wrong_places:
            with pytest.raises(DecryptionError) as caught:
                crypto.open_(wrong_key, blob, field)
            assert str(caught.value) == "stored data could not be decrypted"


def test_storage_ciphertext_swapped_between_users_fails_with_opaque_error(env: Env) -> None:
    alice, bob = env.sign_up("alice"), env.sign_up("bob")
    a_conv, b_conv = alice.conversation(), bob.conversation()
    alice.say(a_conv, "alice's secret")
    bob.say(b_conv, "bob's words")
    [(a_blob,)] = raw_rows(
        env, "SELECT content_ct FROM messages WHERE conversation_id=? AND role='user'", a_conv
    )
    raw_execute(
        env,
        "UPDATE messages SET content_ct=? WHERE conversation_id=? AND role='user'",
        a_blob,
        b_conv,
    )
    r = bob.get(f"/api/conversations/{b_conv}/messages")
    assert r.status_code == 500
    assert r.json() == {
        "error": {"code": "decryption_failed", "message": "stored data could not be decrypted"}
    }
    assert "alice" not in r.text


def test_storage_ciphertext_moved_to_another_row_of_same_user_fails(env: Env) -> None:
    alice = env.sign_up("alice")
    conv = alice.conversation()
    alice.say(conv, "first")
    rows = raw_rows(
        env, "SELECT id, content_ct FROM messages WHERE conversation_id=? ORDER BY seq", conv
    )
    raw_execute(env, "UPDATE messages SET content_ct=? WHERE id=?", rows[1][1], rows[0][0])
    r = alice.get(f"/api/messages/{rows[0][0]}")
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "decryption_failed"
    assert alice.get(f"/api/messages/{rows[1][0]}").status_code == 200


def test_storage_data_keys_never_stored_unwrapped(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated: list[bytes] = []
    real = crypto.new_key_bytes

    def recording() -> bytes:
        key = real()
        generated.append(key)
        return key

    monkeypatch.setattr(crypto, "new_key_bytes", recording)
    env.sign_up("alice")
    assert len(generated) == 1
    data = stored_bytes(env)
    assert generated[0] not in data
    assert base64.b64encode(generated[0]) not in data
    [(wrapped, master_id)] = raw_rows(
        env, "SELECT wrapped_key, master_key_id FROM data_keys", keys_db=True
    )
    assert len(wrapped) == 1 + 12 + 32 + 16  # version, nonce, wrapped key, tag
    assert master_id == env.services.keys.master.current().key_id
    # The content database holds no key material at all.
    tables = _table_names(env)
    assert "users" in tables  # the query sees this database's tables
    assert "data_keys" not in tables
