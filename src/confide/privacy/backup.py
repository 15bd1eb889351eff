"""Backups and restore (promises P3, P10), SQLite only.

Threats handled:

- A backup carrying the keys that open it: the content database and the key store are backed
  up to separate destinations (``--keys-to``), never into one file; the master key is in
  neither. A stolen content backup alone is ciphertext.
- A restore resurrecting erased users: before the restored copy goes live, every user erased
  since the backup was taken (destroyed rows in the live key store, the tombstone file written
  at every crypto-shredding, or destroyed rows in the key-store backup being restored) is
  purged from the copy, and their keys are destroyed in the key store that goes live. Their
  data in the backup file itself stays ciphertext under a destroyed key.
- A half-restored database: the restored copy is prepared beside the live one (migrated,
  tombstones applied, audit entry written, WAL checkpointed) and only then moved over it with
  an atomic rename; stale ``-wal``/``-shm`` files of the old database are removed so SQLite
  cannot replay them onto the new one.

PostgreSQL has its own tools (``pg_dump``/``pg_restore`` or physical backups); the same
tombstone rules apply and are the operator's to run there.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from confide.clock import Clock, utcnow
from confide.errors import ConfigurationError, Conflict, InvalidInput
from confide.privacy.audit import AuditLog, SigningKey
from confide.privacy.erasure import purge_user_rows, read_tombstones
from confide.privacy.keys import KeyStore, MasterKey
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database, sqlite_path
from confide.storage.tables import DataKeyRow, User

__all__ = ["BackupReport", "RestoreReport", "create_backup", "restore_backup"]

_CONTENT_TABLES = {"alembic_version", "users", "messages", "audit_entries"}
_KEY_TABLES = {"alembic_version", "data_keys"}


@dataclass(frozen=True, slots=True)
class BackupReport:
    content: Path
    keys: Path | None
    bytes: int


@dataclass(frozen=True, slots=True)
class RestoreReport:
    users: int  # accounts in the restored database, after tombstones
    erased: int  # accounts purged from the restored copy because they were erased
    keys_destroyed: int  # data keys destroyed in the key store that went live
    missing_keys: int  # accounts whose data key the live key store lacks (unreadable)


class _NoMasterKey:
    """Restore seals nothing: its audit entry has no details, so no master key is needed."""

    def current(self) -> MasterKey:
        raise ConfigurationError("restore does not use the master key")

    def get(self, key_id: str) -> MasterKey:
        raise ConfigurationError("restore does not use the master key")

    def describe(self) -> str:
        return "none (restore)"


def _sqlite_file(url: str, what: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise ConfigurationError(
            f"confide backup and restore work with SQLite only; back up a PostgreSQL {what} "
            "with pg_dump (and restore with pg_restore), then apply the tombstone file"
        )
    return path


def _tables(path: Path) -> set[str]:
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist or is not a file")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{path} is not an SQLite database") from exc
    return {str(r[0]) for r in rows}


def _check_kind(path: Path, needed: set[str], what: str) -> None:
    if not needed <= _tables(path):
        raise InvalidInput(f"{path} is not a confide {what}")


def _new_private_file(path: Path) -> None:
    """Create ``path`` 0600, refusing to overwrite anything."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError as exc:
        raise InvalidInput(f"{path} already exists; choose a new file") from exc
    os.close(fd)


def _copy_sqlite(src: Path, dest: Path) -> None:
    """A consistent copy of a live database (SQLite's online backup API), as one file."""
    _new_private_file(dest)
    try:
        with closing(sqlite3.connect(src)) as source, closing(sqlite3.connect(dest)) as target:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # self-contained: no -wal beside it
            if target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise ConfigurationError(f"the copy at {dest} failed its integrity check")
    except BaseException:
        with suppress(FileNotFoundError):
            dest.unlink()
        raise


def _settle(path: Path) -> None:
    """Fold the WAL into the file and leave no -wal/-shm beside it."""
    with closing(sqlite3.connect(path, timeout=1.0)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")


def _take_offline(live: Path) -> None:
    """Fold the live database's WAL into it and leave WAL mode, which needs the only
    connection: a server that still has the database open makes this fail, not the restore
    half-way."""
    if not live.exists():
        return
    try:
        _settle(live)
    except sqlite3.OperationalError as exc:
        raise Conflict(
            "the live database is in use; stop `confide serve` before restoring",
            code="database_in_use",
        ) from exc


def _remove_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _destroyed_in(path: Path) -> set[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT user_id FROM data_keys WHERE wrapped_key IS NULL").fetchall()
    return {str(r[0]) for r in rows}


def create_backup(
    settings: Settings, dest: Path, *, keys_to: Path | None, audit: AuditLog | None
) -> BackupReport:
    """Back up the content database to ``dest`` (and the key store to ``keys_to`` if given),
    online and consistent; files are created 0600 and never overwrite anything."""
    live = _sqlite_file(settings.resolved_database_url, "database")
    live_keys = _sqlite_file(settings.resolved_key_store_url, "key store")
    dest = dest.expanduser()
    if keys_to is not None:
        keys_to = keys_to.expanduser()
        if keys_to.resolve() == dest.resolve():
            raise InvalidInput(
                "--keys-to must be another file than DEST: the keys are never backed up "
                "together with the data"
            )
    for target in (dest, keys_to):
        if target is not None and target.resolve() in (live.resolve(), live_keys.resolve()):
            raise InvalidInput(f"{target} is a live database; choose a new file")
    _check_kind(live, _CONTENT_TABLES, "content database")
    _copy_sqlite(live, dest)
    if keys_to is not None:
        _copy_sqlite(live_keys, keys_to)
    if audit is not None:
        audit.record(
            actor="system",
            action="backup.created",
            subject_user_id=None,
            object_ref="content+keys" if keys_to is not None else "content",
        )
    return BackupReport(dest, keys_to, dest.stat().st_size)


def restore_backup(
    settings: Settings, src: Path, *, keys_from: Path | None, clock: Clock = utcnow
) -> RestoreReport:
    """Replace the live content database (and, with ``keys_from``, the key store) with a
    backup, applying every erasure made since. For a stopped server."""
    live = _sqlite_file(settings.resolved_database_url, "database")
    live_keys = _sqlite_file(settings.resolved_key_store_url, "key store")
    src = src.expanduser()
    _check_kind(src, _CONTENT_TABLES, "content database")
    if keys_from is not None:
        keys_from = keys_from.expanduser()
        _check_kind(keys_from, _KEY_TABLES, "key store")
    live.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _take_offline(live)
    tag = secrets.token_hex(4)
    staged = live.with_name(f"{live.name}.restore-{tag}")
    staged_keys = live_keys.with_name(f"{live_keys.name}.restore-{tag}") if keys_from else None
    try:
        _copy_sqlite(src, staged)
        if keys_from is not None and staged_keys is not None:
            _copy_sqlite(keys_from, staged_keys)
        report = _apply_erasures(settings, staged, staged_keys or live_keys, keys_from, clock)
        _settle(staged)
        if staged_keys is not None:
            _settle(staged_keys)
        # Nothing of the old database may be replayed onto the new one.
        _take_offline(live)
        _remove_sidecars(live)
        os.replace(staged, live)
        if staged_keys is not None:
            _remove_sidecars(live_keys)
            os.replace(staged_keys, live_keys)
        _fsync_dir(live.parent)
        if live_keys.parent != live.parent:
            _fsync_dir(live_keys.parent)
    finally:
        for path in (staged, staged_keys):
            if path is not None:
                with suppress(FileNotFoundError):
                    path.unlink()
                _remove_sidecars(path)
    return report


def _apply_erasures(
    settings: Settings,
    staged: Path,
    key_store: Path,
    keys_from: Path | None,
    clock: Clock,
) -> RestoreReport:
    live_keys = _sqlite_file(settings.resolved_key_store_url, "key store")
    erased = read_tombstones(settings.resolved_tombstone_file)
    if live_keys.exists() and "data_keys" in _tables(live_keys):
        erased |= _destroyed_in(live_keys)
    if keys_from is not None:
        erased |= _destroyed_in(keys_from)
    content = Database.content(f"sqlite:///{staged}")
    keys = Database.key_store(f"sqlite:///{key_store}")
    try:
        content.upgrade()
        keys.upgrade()
        with content.reader() as s:
            present = set(s.scalars(select(User.id)).all())
        purged = sorted(present & erased)
        for user_id in purged:
            purge_user_rows(content, user_id)
        now: datetime = clock()
        destroyed = 0
        with keys.transaction() as s:
            rows = s.scalars(select(DataKeyRow).where(DataKeyRow.user_id.in_(sorted(erased))))
            for row in rows:
                if row.wrapped_key is not None:
                    row.wrapped_key = None
                    row.destroyed_at = now
                    destroyed += 1
            with_keys = set(
                s.scalars(
                    select(DataKeyRow.user_id).where(DataKeyRow.wrapped_key.is_not(None))
                ).all()
            )
        remaining = present - set(purged)
        audit = AuditLog(
            content,
            Vault(KeyStore(keys, _NoMasterKey())),
            clock,
            SigningKey(settings.resolved_audit_signing_key_file),
        )
        audit.record(
            actor="system",
            action="backup.restored",
            subject_user_id=None,
            object_ref=f"users={len(remaining)},erased={len(purged)}",
        )
    finally:
        content.dispose()
        keys.dispose()
    return RestoreReport(
        users=len(remaining),
        erased=len(purged),
        keys_destroyed=destroyed,
        missing_keys=len(remaining - with_keys),
    )
