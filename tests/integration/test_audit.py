"""The tamper-evident audit log (promise P5): what a chat turn and memory changes record, who
sees which entries over HTTP, and what ``verify()`` detects when an attacker with access to the
database file changes, removes, reorders or appends entries, truncates the tail, or forges a
checkpoint. Also erasure (a destroyed data key leaves the chain intact), the ``audit`` CLI
commands, the signed checkpoint endpoint and the signing key file's permissions.

What the design guarantees, and what it does not (checked below, honestly):

* any change to a stored entry, a removed or reordered entry, and a truncated tail are detected
  by the chain and the head alone;
* an attacker who truncates the tail *and* rewrites the head (and deletes the stored checkpoints
  that would betray it) is caught only by a checkpoint kept outside the database;
* an attacker who appends a forged entry with a correctly computed hash and moves the head to it
  is NOT detected: hashes need no key, and a checkpoint only vouches for the prefix it covers.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from confide.cli import app
from confide.errors import ConfigurationError
from confide.privacy.audit import GENESIS, Checkpoint, entry_hash
from tests import pg
from tests.conftest import CANARY_PREFIX
from tests.factories import PASSWORD, Env, User, admin_db, cli_databases, make_env, raw_rows

runner = CliRunner()

COLUMNS = ("actor", "action", "details_ct", "at", "prev_hash", "entry_hash")


# --- helpers --------------------------------------------------------------------------------


def user_id(user: User) -> str:
    return str(user.get("/api/me").json()["id"])


def audit_items(user: User, **params: Any) -> list[dict[str, Any]]:
    r = user.get("/api/audit", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def activity(user: User) -> list[dict[str, Any]]:
    """The user's entries about their data (model calls and memory), leaving out the account
    and consent events (sign-up, sign-in, the memory choice) that the log also records."""
    return [
        e
        for e in audit_items(user, limit=200)
        if not e["action"].startswith(("account.", "consent."))
    ]


def add_memory(user: User, companion_id: str, text: str) -> str:
    r = user.post(
        "/api/memories", json={"companion_id": companion_id, "kind": "fact", "text": text}
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def db_path(env: Env) -> Path:
    return env.settings.data_dir / "confide.db"


@contextlib.contextmanager
def attacker(env: Env, *, drop_triggers: bool = True) -> Iterator[Any]:
    """The database opened directly, as someone with file access (not the app): the SQLite
    file, or PostgreSQL as its superuser (no trigger there: the app role simply has no
    UPDATE or DELETE on the audit tables, see test_rls.py)."""
    if pg.postgres is not None:
        pg_con = pg.SqliteStyleConnection(env.settings.resolved_database_url)
        try:
            yield pg_con
            pg_con.commit()
        finally:
            pg_con.close()
        return
    con = sqlite3.connect(db_path(env))
    try:
        if drop_triggers:
            names = con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('audit_entries', 'audit_checkpoints')"
            ).fetchall()
            for (name,) in names:
                con.execute(f'DROP TRIGGER "{name}"')
        yield con
        con.commit()
    finally:
        con.close()


def one_byte_changed(value: str | bytes) -> str | bytes:
    if isinstance(value, bytes):
        return value[:-1] + bytes([value[-1] ^ 0x01])
    return value[:-1] + ("1" if value[-1] != "1" else "2")


def entry_count(env: Env) -> int:
    return int(raw_rows(env, "SELECT COUNT(*) FROM audit_entries")[0][0])


def populate(env: Env) -> tuple[User, User]:
    """Entries by two users, interleaved: chat turns and memory changes."""
    alice = env.sign_up("alice")
    bob = env.sign_up("bob")
    a_conv = alice.conversation()
    b_conv = bob.conversation()
    alice.say(a_conv, "hello there")
    bob.say(b_conv, "good morning")
    alice.say(a_conv, "how are you")
    memory = add_memory(alice, alice.companion()["id"], "I like tea")
    bob.say(b_conv, "tell me a story")
    assert alice.delete(f"/api/memories/{memory}").status_code == 204
    alice.say(a_conv, "thanks")
    return alice, bob


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Checkpoint, int, dict[str, str]]:
    """A populated, verified log with a checkpoint over its whole length, built once; each
    test that tampers with it gets its own copy of the data directory."""
    data = tmp_path_factory.mktemp("audit-template") / "data"
    env = make_env(data)
    try:
        populate(env)
        n = entry_count(env)
        assert n >= 7
        report = env.services.audit.verify()
        assert report.ok, report.problem
        assert report.entries == n
        cp = env.services.audit.checkpoint()
        assert cp.size == n
        databases = {
            name: getattr(env.settings, name)
            for name in (
                "database_url",
                "database_owner_url",
                "key_store_url",
                "key_store_owner_url",
            )
        }
    finally:
        env.client.close()
        env.services.close()
    return data, cp, n, databases


@pytest.fixture
def logged(
    template: tuple[Path, Checkpoint, int, dict[str, str]], tmp_path: Path
) -> Iterator[tuple[Env, Checkpoint, int]]:
    source, cp, n, databases = template
    shutil.copytree(source, tmp_path / "data")  # SQLite's files, or the key files on PostgreSQL
    copies = pg.postgres.clone(databases) if pg.postgres is not None else {}
    env = make_env(tmp_path / "data", **copies)
    assert env.services.audit.verify([cp]).ok
    yield env, cp, n
    env.client.close()
    env.services.close()


# --- 1. what is recorded, and who sees it ---------------------------------------------------


def test_chat_turn_records_model_call_visible_to_its_user(alice: User) -> None:
    conv = alice.conversation()
    alice.say(conv, "hello there")
    items = activity(alice)
    assert len(items) == 1
    entry = items[0]
    assert entry["action"] == "model.call"
    assert entry["actor"] == "ai-pipeline"
    assert entry["purpose"] == "chat_reply"
    assert entry["object_ref"] == conv
    assert len(entry["entry_hash"]) == 64
    details = entry["details"]
    assert details["provider"] == "fake"
    assert details["model"] == "fake-model"
    assert details["remote"] is False
    assert isinstance(details["memory_ids"], list)
    assert isinstance(details["message_ids"], list)

    alice.say(conv, "another one")
    items = activity(alice)
    assert [e["action"] for e in items] == ["model.call", "model.call"]
    assert items[0]["seq"] > items[1]["seq"]  # newest first


def test_memory_changes_are_audited_without_their_text(alice: User) -> None:
    companion = alice.companion()["id"]
    text = f"{CANARY_PREFIX} my sister is called Ada"
    memory = add_memory(alice, companion, text)
    assert alice.delete(f"/api/memories/{memory}").status_code == 204

    r = alice.get("/api/audit")
    assert r.status_code == 200
    assert CANARY_PREFIX not in r.text
    items = activity(alice)
    assert [e["action"] for e in items] == ["memory.deleted", "memory.created"]
    for e in items:
        assert e["object_ref"] == memory
        assert e["details"]["memory_ids"] == [memory]
        assert e["details"]["companion_id"] == companion


def test_users_see_only_their_own_entries(env: Env) -> None:
    alice, bob = populate(env)
    mine = audit_items(alice, limit=200)
    theirs = audit_items(bob, limit=200)
    assert len(mine) + len(theirs) == entry_count(env)
    assert {e["seq"] for e in mine}.isdisjoint({e["seq"] for e in theirs})
    assert [e["action"] for e in activity(bob)] == ["model.call", "model.call"]
    # Every entry bob sees is about bob's own things.
    b_conversations = {e["object_ref"] for e in theirs if e["action"] == "model.call"}
    assert b_conversations.isdisjoint({e["object_ref"] for e in mine})
    assert all(e["action"] != "model.call" or e["details"] is not None for e in mine)
    # An action filter never widens the view to other users.
    assert len(audit_items(bob, action="model.call")) == 2
    assert audit_items(bob, action="memory.created") == []


def test_audit_requires_sign_in(env: Env) -> None:
    assert env.client.get("/api/audit").status_code == 401
    assert env.client.get("/api/audit/checkpoint").status_code == 401


def test_filter_by_action_and_paginate(alice: User) -> None:
    companion = alice.companion()["id"]
    conv = alice.conversation(companion)
    for i in range(3):
        alice.say(conv, f"turn {i}")
        add_memory(alice, companion, f"fact number {i}")
    everything = audit_items(alice, limit=200)
    assert len(activity(alice)) == 6
    limit = 4
    expected_pages = -(-len(everything) // limit)
    assert expected_pages >= 2

    calls = audit_items(alice, action="model.call")
    assert [e["action"] for e in calls] == ["model.call"] * 3
    created = audit_items(alice, action="memory.created")
    assert [e["action"] for e in created] == ["memory.created"] * 3

    seen: list[int] = []
    before: int | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": limit}
        if before is not None:
            params["before"] = before
        r = alice.get("/api/audit", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        pages += 1
        seen += [e["seq"] for e in page["items"]]
        before = page["next_before"]
        if before is None:
            break
        assert before == page["items"][-1]["seq"]
    assert pages == expected_pages
    assert seen == [e["seq"] for e in everything]
    assert seen == sorted(seen, reverse=True)

    # Pagination and the filter together.
    r = alice.get("/api/audit", params={"action": "model.call", "limit": 2})
    first = r.json()
    assert len(first["items"]) == 2
    assert first["next_before"] == first["items"][-1]["seq"]
    rest = alice.get(
        "/api/audit", params={"action": "model.call", "limit": 2, "before": first["next_before"]}
    ).json()
    assert len(rest["items"]) == 1
    assert rest["next_before"] is None


@pytest.mark.parametrize(
    "params",
    [{"action": "model.delete"}, {"action": ""}, {"limit": 0}, {"limit": 201}, {"before": 0}],
)
def test_bad_query_is_422_with_error_body(alice: User, params: dict[str, Any]) -> None:
    r = alice.get("/api/audit", params=params)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]


# --- 2. tamper detection --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE audit_entries SET action = 'memory.created' WHERE seq = 1", ()),
        ("DELETE FROM audit_entries WHERE seq = 1", ()),
        ("UPDATE audit_checkpoints SET size = 0", ()),
        ("DELETE FROM audit_checkpoints", ()),
    ],
)
@pytest.mark.skipif(
    pg.using_postgres(),
    reason="SQLite's triggers; on PostgreSQL the app role has no UPDATE or DELETE on the "
    "audit tables (test_rls.py::test_the_audit_log_is_append_only_for_the_app_role)",
)
def test_triggers_refuse_update_and_delete(
    logged: tuple[Env, Checkpoint, int], sql: str, params: tuple[Any, ...]
) -> None:
    env, _cp, n = logged
    with (
        attacker(env, drop_triggers=False) as con,
        pytest.raises(sqlite3.DatabaseError, match="append-only"),
    ):
        con.execute(sql, params)
    assert entry_count(env) == n
    assert env.services.audit.verify().ok


@pytest.mark.parametrize("column", COLUMNS)
def test_one_changed_byte_is_detected(logged: tuple[Env, Checkpoint, int], column: str) -> None:
    env, cp, _n = logged
    with attacker(env) as con:
        (value,) = con.execute(f"SELECT {column} FROM audit_entries WHERE seq = 3").fetchone()  # noqa: S608
        assert value is not None
        con.execute(
            f"UPDATE audit_entries SET {column} = ? WHERE seq = 3",  # noqa: S608
            (one_byte_changed(value),),
        )
    for kept in ((), (cp,)):
        report = env.services.audit.verify(kept)
        assert not report.ok
        assert report.first_bad_seq == 3
        assert report.problem is not None
        assert "entry 3 " in report.problem
        if column == "prev_hash":
            assert "does not follow entry 2" in report.problem
        else:
            assert "entry 3 was modified" in report.problem


def test_deleted_middle_entry_is_detected(logged: tuple[Env, Checkpoint, int]) -> None:
    env, cp, _n = logged
    with attacker(env) as con:
        con.execute("DELETE FROM audit_entries WHERE seq = 4")
    report = env.services.audit.verify([cp])
    assert not report.ok
    assert report.first_bad_seq == 4
    assert report.problem == "entry 4 is missing (the next entry is 5)"


def test_deleted_middle_entry_renumbered_is_detected(logged: tuple[Env, Checkpoint, int]) -> None:
    """Closing the gap by renumbering does not help: the next entry's prev_hash betrays it."""
    env, _cp, n = logged
    with attacker(env) as con:
        con.execute("DELETE FROM audit_entries WHERE seq = 4")
        con.execute("UPDATE audit_entries SET seq = seq - 1 WHERE seq > 4")
        con.execute("UPDATE audit_head SET seq = ?", (n - 1,))
    report = env.services.audit.verify()
    assert not report.ok
    assert report.first_bad_seq == 4
    assert report.problem is not None
    assert "entry 4 does not follow entry 3" in report.problem


def test_truncated_tail_is_detected_by_the_head(logged: tuple[Env, Checkpoint, int]) -> None:
    env, cp, n = logged
    with attacker(env) as con:
        con.execute("DELETE FROM audit_entries WHERE seq > ?", (n - 2,))
    for kept in ((), (cp,)):
        report = env.services.audit.verify(kept)
        assert not report.ok
        assert report.first_bad_seq == n - 1
        assert report.problem is not None
        assert "truncated tail" in report.problem
        assert f"ends at entry {n - 2}" in report.problem


def test_truncated_tail_with_rewritten_head_is_caught_only_by_a_kept_checkpoint(
    logged: tuple[Env, Checkpoint, int],
) -> None:
    env, cp, n = logged
    keep = n - 2
    with attacker(env) as con:
        con.execute("DELETE FROM audit_entries WHERE seq > ?", (keep,))
        (h,) = con.execute("SELECT entry_hash FROM audit_entries WHERE seq = ?", (keep,)).fetchone()
        con.execute("UPDATE audit_head SET seq = ?, head_hash = ?", (keep, h))
    # The stored checkpoint (taken by the fixture) would betray the truncation...
    report_before = env.services.audit.verify()
    assert not report_before.ok
    assert report_before.first_bad_seq == keep + 1
    assert report_before.problem is not None
    assert "stored checkpoint covers" in report_before.problem
    # ...so the attacker deletes it too. Now only the checkpoint kept elsewhere detects it.
    with attacker(env) as con:
        con.execute("DELETE FROM audit_checkpoints")
    report = env.services.audit.verify()
    assert report.ok
    assert report.entries == keep
    report = env.services.audit.verify([cp])
    assert not report.ok
    assert report.first_bad_seq == keep + 1
    assert report.problem is not None
    assert "kept checkpoint" in report.problem
    assert "truncated tail" in report.problem


def test_swapped_entries_are_detected(logged: tuple[Env, Checkpoint, int]) -> None:
    env, cp, _n = logged
    cols = ", ".join(
        ("at", "actor", "subject_user_id", "action", "object_ref", "purpose", "details_ct")
        + ("details_digest", "prev_hash", "entry_hash")
    )
    with attacker(env) as con:
        third = con.execute(f"SELECT {cols} FROM audit_entries WHERE seq = 3").fetchone()  # noqa: S608
        fourth = con.execute(f"SELECT {cols} FROM audit_entries WHERE seq = 4").fetchone()  # noqa: S608
        assignment = ", ".join(f"{c} = ?" for c in cols.split(", "))
        con.execute(f"UPDATE audit_entries SET {assignment} WHERE seq = 3", (*fourth,))  # noqa: S608
        con.execute(f"UPDATE audit_entries SET {assignment} WHERE seq = 4", (*third,))  # noqa: S608
    report = env.services.audit.verify([cp])
    assert not report.ok
    assert report.first_bad_seq == 3
    assert report.problem is not None
    assert "entry 3 does not follow entry 2" in report.problem


def _rewrite_chain_from(con: sqlite3.Connection, start: int) -> None:
    """Recompute entry hashes from ``start`` on and move the head, as a careful attacker would
    (the hash needs no key)."""
    prev = GENESIS
    if start > 1:
        (prev,) = con.execute(
            "SELECT entry_hash FROM audit_entries WHERE seq = ?", (start - 1,)
        ).fetchone()
    rows = con.execute(
        "SELECT seq, at, actor, subject_user_id, action, object_ref, purpose, details_digest "
        "FROM audit_entries WHERE seq >= ? ORDER BY seq",
        (start,),
    ).fetchall()
    for seq, at, actor, subject, action, object_ref, purpose, digest in rows:
        h = entry_hash(
            seq=seq,
            at=datetime.fromisoformat(at),
            actor=actor,
            subject=subject,
            action=action,
            object_ref=object_ref,
            purpose=purpose,
            details_digest=digest,
            prev_hash=prev,
        )
        con.execute(
            "UPDATE audit_entries SET prev_hash = ?, entry_hash = ? WHERE seq = ?", (prev, h, seq)
        )
        prev = h
        last = seq
    con.execute("UPDATE audit_head SET seq = ?, head_hash = ?", (last, prev))


def test_rewritten_history_is_caught_by_stored_and_kept_checkpoints(
    logged: tuple[Env, Checkpoint, int],
) -> None:
    env, cp, _n = logged
    with attacker(env) as con:
        con.execute("UPDATE audit_entries SET action = 'memory.pinned' WHERE seq = 3")
        _rewrite_chain_from(con, 3)
    report = env.services.audit.verify()
    assert not report.ok
    assert report.problem is not None
    assert "does not match the stored checkpoint" in report.problem
    # Deleting the stored checkpoints leaves a consistent chain; the kept one still catches it.
    with attacker(env) as con:
        con.execute("DELETE FROM audit_checkpoints")
    assert env.services.audit.verify().ok
    report = env.services.audit.verify([cp])
    assert not report.ok
    assert report.first_bad_seq == cp.size
    assert report.problem is not None
    assert "does not match the kept checkpoint" in report.problem


def _forge_appended_entry(con: sqlite3.Connection, n: int, *, move_head: bool) -> None:
    at, subject, prev = con.execute(
        "SELECT at, subject_user_id, entry_hash FROM audit_entries WHERE seq = ?", (n,)
    ).fetchone()
    seq = n + 1
    digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # sha256(b"")
    h = entry_hash(
        seq=seq,
        at=datetime.fromisoformat(at),
        actor="user",
        subject=subject,
        action="memory.cleared",
        object_ref=None,
        purpose=None,
        details_digest=digest,
        prev_hash=prev,
    )
    con.execute(
        "INSERT INTO audit_entries (seq, at, actor, subject_user_id, action, object_ref, "
        "purpose, details_ct, details_digest, prev_hash, entry_hash) "
        "VALUES (?, ?, 'user', ?, 'memory.cleared', NULL, NULL, NULL, ?, ?, ?)",
        (seq, at, subject, digest, prev, h),
    )
    if move_head:
        con.execute("UPDATE audit_head SET seq = ?, head_hash = ?", (seq, h))


def test_forged_appended_entry_is_detected_only_when_the_head_disagrees(
    logged: tuple[Env, Checkpoint, int],
) -> None:
    env, cp, n = logged
    # INSERT is not blocked by the triggers: appending is what the app does.
    with attacker(env, drop_triggers=False) as con:
        _forge_appended_entry(con, n, move_head=False)
    report = env.services.audit.verify([cp])
    assert not report.ok
    assert report.problem is not None
    assert f"entry {n + 1} lies past the log's head (entry {n})" in report.problem
    # The first entry that does not match is the one past the head.
    assert report.first_bad_seq == n + 1


def test_forged_appended_entry_with_moved_head_is_not_detected(
    logged: tuple[Env, Checkpoint, int],
) -> None:
    """A design limit, kept honest: entry hashes need no key, so an attacker with write access
    can append a well-formed entry and move the head to it. Checkpoints vouch only for the
    prefix they cover; a later checkpoint would sign the forgery. The forged entry has no
    sealed details (the attacker lacks the user's key), which is all its user can notice."""
    env, cp, n = logged
    with attacker(env, drop_triggers=False) as con:
        _forge_appended_entry(con, n, move_head=True)
    report = env.services.audit.verify([cp])
    assert report.ok
    assert report.entries == n + 1
    assert report.checkpoints == 2
    ((subject,),) = raw_rows(env, "SELECT subject_user_id FROM audit_entries WHERE seq = ?", n + 1)
    newest = env.services.audit.entries_for(subject, limit=1)[0]
    assert newest.seq == n + 1
    assert newest.details is None


def test_forged_stored_checkpoint_signature_is_detected(
    logged: tuple[Env, Checkpoint, int],
) -> None:
    env, _cp, _n = logged
    forged = base64.b64encode(bytes(64)).decode()
    with attacker(env) as con:
        con.execute("UPDATE audit_checkpoints SET signature = ?", (forged,))
    report = env.services.audit.verify()
    assert not report.ok
    assert report.problem == "a stored checkpoint's signature is invalid"


def test_forged_kept_checkpoints_are_rejected(logged: tuple[Env, Checkpoint, int]) -> None:
    env, cp, _n = logged
    audit = env.services.audit
    assert audit.verify([cp]).ok
    # The same signature over another head, another size, or a different time.
    head_changed = Checkpoint(cp.size, "f" * 64, cp.at, cp.signature)
    size_changed = Checkpoint(cp.size - 1, cp.head_hash, cp.at, cp.signature)
    # A well-formed signature by a key that is not the log's.
    other = Ed25519PrivateKey.generate()
    unsigned = Checkpoint(cp.size, cp.head_hash, cp.at, "")
    wrong_key = Checkpoint(
        cp.size, cp.head_hash, cp.at, base64.b64encode(other.sign(unsigned.message())).decode()
    )
    garbage = Checkpoint(cp.size, cp.head_hash, cp.at, "not base64 at all!")
    for forged in (head_changed, size_changed, wrong_key, garbage):
        report = audit.verify([forged])
        assert not report.ok
        assert report.problem == "a kept checkpoint's signature is invalid"


# --- 3. erasure -----------------------------------------------------------------------------


def test_destroyed_data_key_leaves_the_chain_intact(env: Env) -> None:
    alice, bob = populate(env)
    alice_id, bob_id = user_id(alice), user_id(bob)
    cp = env.services.audit.checkpoint()
    before = env.services.audit.entries_for(alice_id, limit=200)
    assert before
    assert all(e.details is not None for e in before)

    env.services.keys.destroy(alice_id)

    report = env.services.audit.verify([cp])
    assert report.ok, report.problem
    assert report.entries == cp.size
    after = env.services.audit.entries_for(alice_id, limit=200)
    assert [(e.seq, e.action, e.entry_hash) for e in after] == [
        (e.seq, e.action, e.entry_hash) for e in before
    ]
    assert all(e.details is None for e in after)
    # Another user's entries are untouched.
    assert all(e.details is not None for e in env.services.audit.entries_for(bob_id))


# --- 4. the CLI -----------------------------------------------------------------------------


@pytest.fixture
def cli_logged(
    logged: tuple[Env, Checkpoint, int], monkeypatch: pytest.MonkeyPatch
) -> tuple[Env, int]:
    env, _cp, n = logged
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(env.settings.data_dir))
    monkeypatch.setenv("CONFIDE_PROVIDER", "fake")
    monkeypatch.delenv("CONFIDE_MASTER_KEY", raising=False)
    cli_databases(monkeypatch, env.settings)
    return env, n


def test_cli_checkpoint_then_verify(cli_logged: tuple[Env, int], tmp_path: Path) -> None:
    env, n = cli_logged
    cp_file = tmp_path / "kept.json"
    result = runner.invoke(app, ["audit", "checkpoint", "-o", str(cp_file)])
    assert result.exit_code == 0, result.output
    kept = json.loads(cp_file.read_text())
    assert kept["size"] == n
    # What it prints is the same JSON, on one line (to pipe into a file).
    assert json.loads(result.output) == kept
    assert len(result.output.strip().splitlines()) == 1

    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(cp_file)])
    assert result.exit_code == 0, result.output
    assert "audit log ok" in result.output
    assert f"{n} entries" in result.output
    # The fixture's stored checkpoint, the CLI's stored one, and the kept file.
    assert "3 checkpoints verified" in result.output

    with attacker(env) as con:
        con.execute("UPDATE audit_entries SET purpose = 'marketing' WHERE seq = 2")
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(cp_file)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "verification FAILED" in lines[0]
    assert "entry 2 was modified" in lines[0]
    assert "Traceback" not in result.output


def test_cli_verify_with_kept_checkpoint_catches_hidden_truncation(
    cli_logged: tuple[Env, int], tmp_path: Path
) -> None:
    env, n = cli_logged
    cp_file = tmp_path / "kept.json"
    assert runner.invoke(app, ["audit", "checkpoint", "-o", str(cp_file)]).exit_code == 0
    with attacker(env) as con:
        con.execute("DELETE FROM audit_entries WHERE seq > ?", (n - 1,))
        (h,) = con.execute(
            "SELECT entry_hash FROM audit_entries WHERE seq = ?", (n - 1,)
        ).fetchone()
        con.execute("UPDATE audit_head SET seq = ?, head_hash = ?", (n - 1, h))
        con.execute("DELETE FROM audit_checkpoints")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(cp_file)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "verification FAILED" in lines[0]
    assert "truncated tail" in lines[0]


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[1, 2]",
        "null",
        '{"size": 3}',
        '{"size": "x", "head_hash": "h", "at": "2026-11-23T12:00:00+00:00", "signature": "s"}',
        '{"size": 3, "head_hash": "h", "at": "yesterday", "signature": "s"}',
    ],
)
def test_cli_verify_malformed_checkpoint_file(
    cli_logged: tuple[Env, int], tmp_path: Path, content: str
) -> None:
    cp_file = tmp_path / "bad.json"
    cp_file.write_text(content)
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(cp_file)])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("confide: ")
    assert "checkpoint" in lines[0]
    assert "Traceback" not in result.output


def test_cli_verify_missing_checkpoint_file(cli_logged: tuple[Env, int], tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path / "nowhere.json")])
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output


# --- 5. the checkpoint endpoint -------------------------------------------------------------


def test_checkpoint_endpoint_returns_a_verifiable_signature(env: Env) -> None:
    alice, _bob = populate(env)
    r = alice.get("/api/audit/checkpoint")
    assert r.status_code == 404
    assert r.json()["error"]["code"]

    env.clock.advance(microseconds=123457)  # the time must survive the round trip exactly
    cp = env.services.audit.checkpoint()
    r = alice.get("/api/audit/checkpoint")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"size", "head_hash", "at", "signature", "public_key"}
    assert body["size"] == cp.size == entry_count(env)
    assert body["head_hash"] == cp.head_hash
    assert body["signature"] == cp.signature

    public = serialization.load_pem_public_key(body["public_key"].encode())
    served = Checkpoint(
        body["size"], body["head_hash"], datetime.fromisoformat(body["at"]), body["signature"]
    )
    assert served.message() == cp.message()
    public.verify(base64.b64decode(body["signature"]), served.message())  # type: ignore[union-attr,call-arg]
    # What a user keeps from the endpoint is a checkpoint verify() accepts.
    report = env.services.audit.verify([served])
    assert report.ok, report.problem

    # The latest one is served.
    alice.say(alice.conversation(), "one more")
    newer = env.services.audit.checkpoint()
    assert alice.get("/api/audit/checkpoint").json()["size"] == newer.size == cp.size + 1


# --- 6. the signing key file ----------------------------------------------------------------


def test_signing_key_is_created_private(env: Env) -> None:
    path = env.settings.resolved_audit_signing_key_file
    assert not path.exists()
    env.services.audit.checkpoint()
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_readable_signing_key_is_refused(env: Env, mode: int) -> None:
    path = env.settings.resolved_audit_signing_key_file
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    os.chmod(path, mode)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        env.services.audit.checkpoint()
    assert env.services.audit.latest_checkpoint() is None


def test_account_events_are_recorded_for_their_user_only(env: Env) -> None:
    alice = env.sign_up("alice")
    bob = env.sign_up("bob")
    c = env.client
    bad = c.post("/api/auth/login", json={"username": "alice", "password": "not it at all"})
    assert bad.status_code == 401
    c.post("/api/auth/login", json={"username": "nobody", "password": "not it at all"})
    login = c.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert login.status_code == 200, login.text
    c.cookies.clear()
    second = {"Authorization": f"Bearer {login.json()['token']}"}
    r = alice.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase 42"},
    )
    assert r.status_code in (200, 204), r.text
    assert c.get("/api/me", headers=second).status_code == 401  # ended by the change
    assert alice.post("/api/auth/logout").status_code in (200, 204)

    actions = [
        e.action
        for e in env.services.audit.entries_for(
            env.services.accounts.authenticate(bob.token).user_id, limit=200
        )
    ]
    assert actions == ["consent.granted", "account.created"]  # newest first
    with admin_db(env.services).reader() as s:
        from sqlalchemy import select

        from confide.storage.tables import AuditEntry
        from confide.storage.tables import User as UserRow

        alice_id = s.scalar(select(UserRow.id).where(UserRow.username == "alice"))
        rows = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject_user_id == alice_id)
            .order_by(AuditEntry.seq)
        ).all()
    assert [r.action for r in rows] == [
        "account.created",
        "consent.granted",
        "account.login_failed",
        "account.logged_in",
        "account.password_changed",
        "account.logged_out",
    ]
    entries = env.services.audit.entries_for(alice_id, action="account.password_changed")
    assert entries[0].details == {"sessions_ended": 1}
    assert env.services.audit.verify().ok
