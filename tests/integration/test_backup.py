"""Backups and restore (promises P3, P10): an online, consistent SQLite backup with the key
store kept apart, and a restore that keeps every user erased since the backup erased: their
rows are purged from the restored copy and their keys stay destroyed, whichever key store
(the live one, or a key-store backup) goes live. Users not erased are intact and readable."""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from confide.cli import app
from confide.errors import ConfigurationError, Conflict, InvalidInput
from confide.privacy.backup import create_backup, restore_backup
from confide.settings import Settings
from confide.storage.tables import AuditEntry, DataKeyRow, User
from tests import pg
from tests.factories import PASSWORD, Env, admin_db, make_env, make_settings

runner = CliRunner()


SQLITE_ONLY = pytest.mark.skipif(
    pg.using_postgres(),
    reason="confide backup and restore are SQLite's; PostgreSQL is backed up with pg_dump "
    "(docs/deploy.md), and the refusal is tested here on both",
)


def open_env(data_dir: Path) -> Env:
    return make_env(data_dir, embeddings="off")


def close_env(env: Env) -> None:
    env.client.close()
    env.services.close()


def tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def log_in(env: Env, username: str) -> Any:
    r = env.client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    env.client.cookies.clear()
    return r


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def seed(env: Env) -> dict[str, str]:
    """alice and bob, each with a conversation; returns their conversation ids."""
    convs = {}
    for name in ("alice", "bob"):
        user = env.sign_up(name)
        conv = user.conversation()
        user.say(conv, f"{name}'s own words")
        convs[name] = conv
    return convs


@SQLITE_ONLY
def test_backup_files_are_private_and_keys_kept_apart(data_dir: Path, tmp_path: Path) -> None:
    env = open_env(data_dir)
    try:
        seed(env)
        dest, keys = tmp_path / "b" / "content.db", tmp_path / "k" / "keys.db"
        dest.parent.mkdir()
        keys.parent.mkdir()
        report = create_backup(env.settings, dest, keys_to=keys, audit=env.services.audit)
        assert report.bytes == dest.stat().st_size > 0
        for path in (dest, keys):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert not Path(str(path) + "-wal").exists()
        assert "data_keys" not in tables(dest)  # no key ever goes into DEST
        assert {"users", "messages", "audit_entries"} <= tables(dest)
        assert "data_keys" in tables(keys)
        with admin_db(env.services).reader() as s:
            entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "backup.created"))
            [row] = list(entry)
            assert (row.actor, row.subject_user_id, row.object_ref) == (
                "system",
                None,
                "content+keys",
            )
        with pytest.raises(InvalidInput, match="already exists"):
            create_backup(env.settings, dest, keys_to=None, audit=None)
        with pytest.raises(InvalidInput, match="another file"):
            create_backup(env.settings, tmp_path / "x.db", keys_to=tmp_path / "x.db", audit=None)
        with pytest.raises(InvalidInput, match="live database"):
            create_backup(env.settings, data_dir / "keys.db", keys_to=None, audit=None)
    finally:
        close_env(env)


def test_postgresql_is_refused_with_a_pointer_to_pg_dump(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database_url="postgresql://confide@localhost/confide")
    with pytest.raises(ConfigurationError, match="pg_dump"):
        create_backup(settings, tmp_path / "b.db", keys_to=None, audit=None)
    with pytest.raises(ConfigurationError, match="pg_dump"):
        restore_backup(settings, tmp_path / "b.db", keys_from=None)


def _erase(env: Env, username: str) -> str:
    with admin_db(env.services).reader() as s:
        user_id = s.scalar(select(User.id).where(User.username == username))
    assert user_id is not None
    env.services.erasure.delete_account(user_id, immediate=True)
    assert env.services.erasure.purge_user(user_id)
    return str(user_id)


@pytest.mark.parametrize("with_key_backup", [False, True])
@SQLITE_ONLY
def test_restore_after_erasure_keeps_the_erased_user_erased(
    data_dir: Path, tmp_path: Path, with_key_backup: bool
) -> None:
    env = open_env(data_dir)
    convs = seed(env)
    backup, key_backup = tmp_path / "content.db", tmp_path / "keys.db"
    create_backup(env.settings, backup, keys_to=key_backup, audit=env.services.audit)
    bob_id = _erase(env, "bob")
    settings: Settings = env.settings
    close_env(env)

    report = restore_backup(settings, backup, keys_from=key_backup if with_key_backup else None)
    assert (report.users, report.erased) == (1, 1)
    assert report.keys_destroyed == (1 if with_key_backup else 0)
    assert not (data_dir / "confide.db-wal").exists() or (
        (data_dir / "confide.db-wal").stat().st_size == 0
    )
    assert not list(data_dir.glob("*.restore-*"))

    env = open_env(data_dir)
    try:
        with admin_db(env.services).reader() as s:
            assert s.get(User, bob_id) is None
            assert s.scalar(select(User.id).where(User.username == "bob")) is None
        with admin_db(env.services, keys=True).reader() as s:
            key = s.get(DataKeyRow, bob_id)
            assert key is not None
            assert key.wrapped_key is None  # the backup's copy of bob's key stays destroyed
        assert log_in(env, "bob").status_code == 401
        # The backup file itself still holds bob's rows, as ciphertext nobody can open.
        with closing(sqlite3.connect(backup)) as conn:
            assert (
                conn.execute("SELECT count(*) FROM users WHERE id = ?", (bob_id,)).fetchone()[0]
                == 1
            )
        r = log_in(env, "alice")
        assert r.status_code == 200
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        page = env.client.get(f"/api/conversations/{convs['alice']}/messages", headers=headers)
        assert page.status_code == 200
        assert "alice's own words" in [m["content"] for m in page.json()["items"]]
        with admin_db(env.services).reader() as s:
            entry = s.scalars(
                select(AuditEntry).where(AuditEntry.action == "backup.restored")
            ).one()
        assert entry.object_ref == "users=1,erased=1"
        assert env.services.audit.verify().ok
    finally:
        close_env(env)


@SQLITE_ONLY
def test_restore_applies_the_tombstone_file_when_the_key_store_forgot(
    data_dir: Path, tmp_path: Path
) -> None:
    """A key store restored from an old backup still holds bob's key; the tombstone written
    when bob was shredded is what keeps him erased."""
    env = open_env(data_dir)
    seed(env)
    backup, key_backup = tmp_path / "content.db", tmp_path / "keys.db"
    create_backup(env.settings, backup, keys_to=key_backup, audit=None)
    bob_id = _erase(env, "bob")
    settings = env.settings
    close_env(env)
    # Simulate a live key store that lost the destruction (replaced by the old copy).
    os.replace(key_backup, data_dir / "keys.db")
    restore_backup(settings, backup, keys_from=None)
    env = open_env(data_dir)
    try:
        with admin_db(env.services).reader() as s:
            assert s.get(User, bob_id) is None
        with admin_db(env.services, keys=True).reader() as s:
            key = s.get(DataKeyRow, bob_id)
            assert key is not None
            assert key.wrapped_key is None
    finally:
        close_env(env)


@SQLITE_ONLY
def test_restore_refuses_a_file_that_is_not_a_confide_database(
    data_dir: Path, tmp_path: Path
) -> None:
    env = open_env(data_dir)
    settings = env.settings
    close_env(env)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InvalidInput, match="not an SQLite database"):
        restore_backup(settings, junk, keys_from=None)
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(InvalidInput, match="not a confide content database"):
        restore_backup(settings, other, keys_from=None)
    with pytest.raises(InvalidInput, match="does not exist"):
        restore_backup(settings, tmp_path / "missing.db", keys_from=None)


@SQLITE_ONLY
def test_restore_refuses_while_the_database_is_open(data_dir: Path, tmp_path: Path) -> None:
    env = open_env(data_dir)
    try:
        seed(env)
        create_backup(env.settings, tmp_path / "c.db", keys_to=None, audit=None)
        with closing(sqlite3.connect(data_dir / "confide.db")) as server, server:
            server.execute("BEGIN")  # a running server in the middle of a read
            server.execute("SELECT count(*) FROM users").fetchone()
            with pytest.raises(Conflict, match="stop `confide serve`"):
                restore_backup(env.settings, tmp_path / "c.db", keys_from=None)
        assert not list(data_dir.glob("*.restore-*"))
        assert log_in(env, "alice").status_code == 200  # the live database is untouched
    finally:
        close_env(env)


@SQLITE_ONLY
def test_cli_backup_and_restore(data_dir: Path, tmp_path: Path) -> None:
    env = open_env(data_dir)
    seed(env)
    close_env(env)
    dest, keys = tmp_path / "c.db", tmp_path / "k.db"
    base = ["--data-dir", str(data_dir)]
    result = runner.invoke(app, ["backup", str(dest), "--keys-to", str(keys), *base])
    assert result.exit_code == 0, result.output
    assert "backed up" in result.output
    result = runner.invoke(app, ["backup", str(dest), *base])
    assert result.exit_code == 1
    assert result.output.count("confide: ") == 1
    result = runner.invoke(app, ["restore", str(dest), *base], input="n\n")
    assert result.exit_code == 1
    assert "cancelled" in result.output
    result = runner.invoke(app, ["restore", str(dest), "--keys-from", str(keys), "--yes", *base])
    assert result.exit_code == 0, result.output
    assert "restored: 2 accounts; 0 erased" in result.output
    result = runner.invoke(app, ["restore", str(tmp_path / "nope.db"), "--yes", *base])
    assert result.exit_code == 1
    assert result.output.count("confide: ") == 1
