"""The canary test of promise P3: after each kind of erasure, and a checkpoint of SQLite's WAL,
no canary plaintext and none of the erased rows' ciphertext blobs (read before erasing) is
found anywhere: the database file, its WAL, the key store, every file under the test's data
directory, files created in the system temp dir during the test, the captured logs, and (for
account erasure) a backup taken before the erasure and restored afterwards.

Why the restore check is limited to account erasure: a backup is a copy of the past, so
restoring one taken before a message or conversation was deleted legitimately brings those
rows back (the operator chose to go back in time). An erased *account* is different: its key
is destroyed and restore applies tombstones, so nothing of it may come back. The backup file
itself still holds the erased account's rows as ciphertext under the destroyed key (that is
what crypto-shredding is for) and its username in plaintext, which is why backups are kept
outside the scanned directories here and why restore purges erased users.

On PostgreSQL (``tests/pg.py``) the same scenarios run: the databases are read as kept on disk
(relation files and recent WAL after a CHECKPOINT, ``stored_bytes``), no row may still hold an
erased ciphertext, and ``confide backup``/``restore`` (SQLite only) are not exercised. The
byte-level check xfails there: see ``POSTGRES_KEEPS_DELETED_TUPLES``.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from confide.privacy.backup import create_backup, restore_backup
from confide.storage.tables import DataKeyRow
from tests import pg
from tests.conftest import CANARY_PREFIX
from tests.factories import PASSWORD, Env, User, admin_db, make_env, raw_rows, stored_bytes

# SQLite overwrites deleted rows (secure_delete) and the WAL is emptied by a checkpoint;
# PostgreSQL keeps deleted and updated row versions in its relation files until VACUUM (and
# free space afterwards) and in its WAL until the segment is recycled or archived. Erased
# ciphertext, the erased account's plaintext username and its old wrapped data key are
# therefore still on its disk: a known gap, reported, not hidden (the test xfails there).
POSTGRES_KEEPS_DELETED_TUPLES = (
    "PostgreSQL keeps deleted row versions in relation files and WAL (no secure_delete)"
)


@dataclass
class World:
    """Alice's data, every piece carrying its own canary; bob's, which must survive."""

    env: Env
    alice: User
    alice_id: str
    bob: User
    bob_conv: str
    canaries: dict[str, str] = field(default_factory=dict)  # kind -> canary
    ids: dict[str, str] = field(default_factory=dict)


def canary(label: str) -> str:
    return f"{CANARY_PREFIX}-{label}-{uuid.uuid4().hex[:12]}"


def build(env: Env) -> World:
    username = canary("user")[:40].lower()
    alice = env.sign_up(username)
    alice_id = str(alice.get("/api/me").json()["id"])
    bob = env.sign_up("bob")
    bob_conv = bob.conversation()
    bob.say(bob_conv, "bob keeps this")
    w = World(env, alice, alice_id, bob, bob_conv)
    w.canaries["username"] = username
    w.canaries["persona"] = canary("persona")
    r = alice.post(
        "/api/companions",
        json={"name": "Wren", "persona": f"Wren knows {w.canaries['persona']}", "greeting": ""},
    )
    assert r.status_code == 201, r.text
    w.ids["companion"] = companion = r.json()["id"]
    w.ids["other_companion"] = other = alice.companion("sol")["id"]
    w.canaries["title"] = canary("title")
    w.ids["conv"] = conv = alice.conversation(companion, title=w.canaries["title"])
    w.canaries["message"] = canary("message")
    w.ids["message"] = alice.say(conv, f"my secret is {w.canaries['message']}")["user_message"][
        "id"
    ]
    w.canaries["message2"] = canary("message2")
    alice.say(conv, f"and also {w.canaries['message2']}")
    w.canaries["other_conv"] = canary("otherconv")
    w.ids["other_conv"] = other_conv = alice.conversation(other)
    alice.say(other_conv, f"to sol: {w.canaries['other_conv']}")
    w.canaries["memory"] = canary("memory")
    r = alice.post(
        "/api/memories",
        json={"companion_id": companion, "kind": "fact", "text": w.canaries["memory"]},
    )
    assert r.status_code == 201, r.text
    # A memory extracted from the first message (its provenance).
    w.canaries["extracted"] = canary("extracted")
    with env.services.db.transaction(alice_id) as s:  # as alice (row-level security)
        row = env.services.memory.add(
            s,
            alice_id,
            companion,
            kind="fact",
            text=f"Alice's secret: {w.canaries['extracted']}",
            origin="extracted",
            sources=[w.ids["message"]],
            actor="extraction",
        )
        w.ids["extracted"] = row.id
    return w


def blobs(env: Env, sql: str, *params: Any) -> list[bytes]:
    """Raw ciphertext blobs selected by ``sql`` (non-null only)."""
    return [bytes(r[0]) for r in raw_rows(env, sql, *params) if r[0] is not None]


def table_columns(env: Env) -> dict[str, list[str]]:
    """Every table of the content database with its columns, from the catalogue."""
    if pg.postgres is not None:
        sql = (
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        )
    else:
        sql = (
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "
            "WHERE m.type = 'table' ORDER BY m.name, p.cid"
        )
    columns: dict[str, list[str]] = {}
    for table, column in raw_rows(env, sql):
        columns.setdefault(str(table), []).append(str(column))
    return columns


def user_blobs(env: Env, user_id: str) -> list[bytes]:
    """Every *_ct blob of every row of this user, in every table but the audit log (whose
    entries are kept by design, their details sealed under the destroyed key)."""
    found: list[bytes] = []
    for table, columns in table_columns(env).items():
        if table == "audit_entries" or "user_id" not in columns and table != "users":
            continue
        key = "id" if table == "users" else "user_id"
        for column in [c for c in columns if c.endswith("_ct")]:
            sql = f"SELECT {column} FROM {table} WHERE {key} = ?"  # noqa: S608 - names from the schema
            found.extend(blobs(env, sql, user_id))
    return found


def wrapped_key(env: Env, user_id: str) -> list[bytes]:
    """The user's data key as the key store holds it (wrapped by the master key, which the
    operator keeps: crypto-shredding only works if no copy of this survives)."""
    sql = "SELECT wrapped_key FROM data_keys WHERE user_id = ?"
    found = [bytes(r[0]) for r in raw_rows(env, sql, user_id, keys_db=True) if r[0] is not None]
    assert found
    return found


def stored_ciphertexts(env: Env) -> list[bytes]:
    """Every *_ct value in every row of the content database and every wrapped key."""
    found: list[bytes] = []
    for table, columns in table_columns(env).items():
        for column in [c for c in columns if c.endswith("_ct")]:
            found += blobs(env, f"SELECT {column} FROM {table}")  # noqa: S608 - schema names
    keys = raw_rows(env, "SELECT wrapped_key FROM data_keys", keys_db=True)
    return found + [bytes(r[0]) for r in keys if r[0] is not None]


def assert_databases_clean(
    env: Env, w: World, secrets_: list[str], ciphertexts: list[bytes], where: str
) -> None:
    """No erased byte in what both databases keep on disk (``stored_bytes``)."""
    kept = blobs(env, "SELECT content_ct FROM messages WHERE conversation_id = ?", w.bob_conv)
    databases = stored_bytes(env)
    # Positive control: the scan finds ciphertext that is still stored (bob's).
    assert kept
    assert all(blob in databases for blob in kept)
    needles = [s.encode() for s in secrets_] + ciphertexts
    found = sum(needle in databases for needle in needles)
    if found and pg.using_postgres():
        pytest.xfail(POSTGRES_KEEPS_DELETED_TUPLES)
    assert not found, f"{where}: {found} erased values found in the databases"


def postgres_data_dir(env: Env) -> list[Path]:
    """The PostgreSQL server's data directory when it lies in the temp dir (a throwaway test
    server): its files are the databases, which ``assert_databases_clean`` checks."""
    if pg.postgres is None:
        return []
    return [Path(str(raw_rows(env, "SHOW data_directory")[0][0]))]


def checkpoint(env: Env) -> None:
    """SQLite: move the WAL into the database files and empty it (``stored_bytes`` runs
    PostgreSQL's CHECKPOINT itself)."""
    if pg.postgres is not None:
        return
    for name in ("confide.db", "keys.db"):
        with closing(sqlite3.connect(env.settings.data_dir / name)) as conn:
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            assert busy == 0


def files_under(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            yield path


def new_temp_files(since: float, *exclude: Path) -> Iterator[Path]:
    """Files created or changed in the system temp dir since ``since`` (not under exclude).

    A plain scandir walk: the temp dir of a shared machine can hold hundreds of thousands of
    files, and this is several times faster than ``Path.rglob`` with a stat per file."""
    stack = [tempfile.gettempdir()]
    skip = {str(path) for path in exclude}
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:  # vanished, or not ours to read
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.path not in skip:
                        stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    if st.st_mtime >= since and st.st_size < 64 * 1024 * 1024:
                        yield Path(entry.path)
            except OSError:
                continue


def assert_clean(
    paths: list[Path], secrets_: list[str], ciphertexts: list[bytes], where: str
) -> None:
    needles = [s.encode() for s in secrets_] + ciphertexts
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for needle in needles:
            assert needle not in data, f"{where}: erased content found in {path}"


Scenario = Callable[[World], tuple[list[str], list[bytes]]]


def erase_message(w: World) -> tuple[list[str], list[bytes]]:
    e = w.env
    found = blobs(e, "SELECT content_ct FROM messages WHERE id = ?", w.ids["message"])
    found += blobs(e, "SELECT text_ct FROM memory_items WHERE id = ?", w.ids["extracted"])
    found += blobs(e, "SELECT new_ct FROM memory_versions WHERE item_id = ?", w.ids["extracted"])
    assert w.alice.delete(f"/api/messages/{w.ids['message']}").status_code == 204
    return [w.canaries["message"], w.canaries["extracted"]], found


def erase_conversation(w: World) -> tuple[list[str], list[bytes]]:
    e, conv = w.env, w.ids["conv"]
    found = blobs(e, "SELECT content_ct FROM messages WHERE conversation_id = ?", conv)
    found += blobs(e, "SELECT title_ct FROM conversations WHERE id = ?", conv)
    found += blobs(e, "SELECT text_ct FROM memory_items WHERE id = ?", w.ids["extracted"])
    assert w.alice.delete(f"/api/conversations/{conv}").status_code == 204
    return [w.canaries[k] for k in ("title", "message", "message2", "extracted")], found


def erase_companion_conversations(w: World) -> tuple[list[str], list[bytes]]:
    e, comp = w.env, w.ids["companion"]
    found = blobs(
        e,
        "SELECT m.content_ct FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        "WHERE c.companion_id = ?",
        comp,
    )
    found += blobs(e, "SELECT title_ct FROM conversations WHERE companion_id = ?", comp)
    r = w.alice.delete(f"/api/companions/{comp}/conversations", params={"confirm": "all"})
    assert r.status_code == 200, r.text
    return [w.canaries[k] for k in ("title", "message", "message2", "extracted")], found


def erase_all_conversations(w: World) -> tuple[list[str], list[bytes]]:
    e = w.env
    found = blobs(e, "SELECT content_ct FROM messages WHERE user_id = ?", w.alice_id)
    found += blobs(e, "SELECT title_ct FROM conversations WHERE user_id = ?", w.alice_id)
    r = w.alice.delete("/api/conversations", params={"confirm": "all"})
    assert r.status_code == 200, r.text
    keys = ("title", "message", "message2", "other_conv", "extracted")
    return [w.canaries[k] for k in keys], found


def erase_memories(w: World) -> tuple[list[str], list[bytes]]:
    e = w.env
    found = blobs(e, "SELECT text_ct FROM memory_items WHERE user_id = ?", w.alice_id)
    found += blobs(e, "SELECT detail_ct FROM memory_items WHERE user_id = ?", w.alice_id)
    found += blobs(e, "SELECT new_ct FROM memory_versions WHERE user_id = ?", w.alice_id)
    r = w.alice.delete("/api/memories", params={"confirm": "true"})
    assert r.status_code == 200, r.text
    return [w.canaries["memory"], w.canaries["extracted"]], found


def erase_account_now(w: World) -> tuple[list[str], list[bytes]]:
    found = user_blobs(w.env, w.alice_id) + wrapped_key(w.env, w.alice_id)
    r = w.alice.post("/api/account/delete", json={"password": PASSWORD, "immediate": True})
    assert r.status_code == 200, r.text
    return list(w.canaries.values()), found


def erase_account_after_grace(w: World) -> tuple[list[str], list[bytes]]:
    found = user_blobs(w.env, w.alice_id) + wrapped_key(w.env, w.alice_id)
    r = w.alice.post("/api/account/delete", json={"password": PASSWORD})
    assert r.status_code == 200, r.text
    w.env.clock.advance(days=w.env.settings.account_deletion_grace_days, seconds=1)
    assert w.env.services.retention.run()["accounts_purged"] == 1
    return list(w.canaries.values()), found


SCENARIOS: dict[str, tuple[Scenario, bool]] = {
    # name: (erasure, is an account erasure: a backup restored afterwards must not bring it back)
    "message": (erase_message, False),
    "conversation": (erase_conversation, False),
    "companion_conversations": (erase_companion_conversations, False),
    "all_conversations": (erase_all_conversations, False),
    "all_memories": (erase_memories, False),
    "account_immediate": (erase_account_now, True),
    "account_after_grace": (erase_account_after_grace, True),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_canary_gone_everywhere_after_erasure(
    name: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    captured_log_lines: list[str],
) -> None:
    erase, is_account = SCENARIOS[name]
    # confide backup/restore work with SQLite only (PostgreSQL has pg_dump, docs/deploy.md).
    with_backup = is_account and not pg.using_postgres()
    started = time.time() - 1
    backups = tmp_path_factory.mktemp("canary-backups")
    data_dir = tmp_path / "data"
    env = make_env(data_dir, embeddings="off")
    closed = False
    try:
        w = build(env)
        if with_backup:
            create_backup(
                env.settings, backups / "c.db", keys_to=backups / "k.db", audit=env.services.audit
            )
        secrets_, ciphertexts = erase(w)
        assert secrets_
        assert ciphertexts, "the scenario read no ciphertext to look for"
        # Bob's data is untouched (signed in afresh: the grace period outlasts his session).
        r = env.client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
        env.client.cookies.clear()
        bob = User(env, "bob", r.json()["token"])
        page = bob.get(f"/api/conversations/{w.bob_conv}/messages")
        assert page.status_code == 200
        assert "bob keeps this" in [m["content"] for m in page.json()["items"]]
        checkpoint(env)

        scanned = list(files_under(tmp_path))
        scanned += new_temp_files(started, backups, *postgres_data_dir(env))
        assert_clean(scanned, secrets_, ciphertexts, name)
        log_text = "\n".join(captured_log_lines)
        for secret in secrets_:
            assert secret not in log_text
        for blob in ciphertexts:
            assert base64.b64encode(blob).decode() not in log_text
            assert blob.hex() not in log_text
        # No row still holds an erased ciphertext, as seen around the app (and RLS).
        assert not set(ciphertexts) & set(stored_ciphertexts(env)), name
        assert_databases_clean(env, w, secrets_, ciphertexts, name)

        if with_backup:
            settings = env.settings
            env.client.close()
            env.services.close()
            closed = True
            restore_backup(settings, backups / "c.db", keys_from=backups / "k.db")
            restored = [data_dir / "confide.db", data_dir / "keys.db"]
            assert_clean(restored, secrets_, ciphertexts, f"{name}, restored backup")
            again = make_env(data_dir, embeddings="off")
            try:
                with admin_db(again.services, keys=True).reader() as s:
                    key = s.scalar(select(DataKeyRow).where(DataKeyRow.user_id == w.alice_id))
                assert key is not None
                assert key.wrapped_key is None  # nothing of alice's can be decrypted
                r = again.client.post(
                    "/api/auth/login", json={"username": "bob", "password": PASSWORD}
                )
                assert r.status_code == 200, r.text
            finally:
                again.client.close()
                again.services.close()
    finally:
        if not closed:
            env.client.close()
            env.services.close()
