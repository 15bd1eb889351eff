"""Master keys and per-user data keys (envelope encryption).

Threats handled:
- A copy of the content database alone is useless: the data keys are not in it.
- A copy of the key store alone is useless: every data key in it is wrapped by the master key,
  which lives outside both databases (a 0600 key file, an environment variable, or a KMS
  plug-in implementing :class:`MasterKeyProvider`).
- A master key file readable by other local users is refused at start-up.
- Destroying a user's data key makes all their ciphertext unreadable at once, everywhere
  (crypto-shredding), whatever copies of the content exist.

Master key rotation re-wraps every data key under a new master key in one transaction; content
is never re-encrypted. The key file is a small keyring so a crash mid-rotation never loses a key:
the new key is added first, data keys are re-wrapped, then the old key is dropped.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import select, update

from confide.errors import ConfigurationError, DecryptionError, NotFound
from confide.privacy import crypto
from confide.storage.db import Database
from confide.storage.tables import DataKeyRow

__all__ = [
    "EnvMasterKey",
    "FileMasterKeyring",
    "KeyStore",
    "MasterKey",
    "MasterKeyProvider",
    "check_key_file_permissions",
]


@dataclass(frozen=True, slots=True)
class MasterKey:
    key_id: str
    key: bytes

    def __repr__(self) -> str:
        return f"MasterKey(key_id={self.key_id!r})"


class MasterKeyProvider(Protocol):
    """Where master keys come from. A KMS plug-in implements this too."""

    def current(self) -> MasterKey:
        """The key new data keys are wrapped with."""

    def get(self, key_id: str) -> MasterKey:
        """Any key still in the ring, by id (raises ConfigurationError if absent)."""

    def describe(self) -> str:
        """Where the key comes from, for ``confide doctor`` (never the key itself)."""


def _new_master_key() -> MasterKey:
    return MasterKey(key_id=secrets.token_hex(8), key=crypto.new_key_bytes())


def check_key_file_permissions(path: Path) -> None:
    """Refuse a key file that group or others can read or write, or that is not a file."""
    try:
        st = path.lstat()
    except FileNotFoundError as exc:
        raise ConfigurationError(
            f"master key file {path} does not exist; run `confide init` first"
        ) from exc
    if not stat.S_ISREG(st.st_mode):
        raise ConfigurationError(f"master key file {path} is not a regular file")
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            f"master key file {path} is accessible by other users "
            f"(mode {stat.S_IMODE(st.st_mode):04o}); run `chmod 600 {path}`"
        )


class FileMasterKeyring:
    """A keyring file: ``{"version": 1, "keys": [{"id", "key"}...]}``, the first is current."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] = (0, 0)
        self._keys = self._load()

    def _fresh(self) -> list[MasterKey]:
        """Re-read the file if it changed, so a server picks up `confide keys rotate` at once
        (otherwise it would wrap new users' keys under a master key rotation just dropped)."""
        st = self.path.stat()
        if (st.st_mtime_ns, st.st_ino) != self._stamp:
            self._keys = self._load()
        return self._keys

    @classmethod
    def create(cls, path: Path) -> FileMasterKeyring:
        if path.exists():
            raise ConfigurationError(f"master key file {path} already exists")
        _write_keyring(path, [_new_master_key()])
        return cls(path)

    def _load(self) -> list[MasterKey]:
        check_key_file_permissions(self.path)
        st = self.path.stat()
        self._stamp = (st.st_mtime_ns, st.st_ino)
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            keys = [
                MasterKey(key_id=str(k["id"]), key=base64.b64decode(k["key"], validate=True))
                for k in raw["keys"]
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(f"master key file {self.path} is malformed") from exc
        if not keys or any(len(k.key) != crypto.KEY_BYTES for k in keys):
            raise ConfigurationError(f"master key file {self.path} holds no valid key")
        return keys

    def current(self) -> MasterKey:
        return self._fresh()[0]

    def get(self, key_id: str) -> MasterKey:
        for key in self._fresh():
            if key.key_id == key_id:
                return key
        raise ConfigurationError(f"master key {key_id} is not in {self.path}")

    def describe(self) -> str:
        return f"file {self.path} (current key id {self.current().key_id})"

    def add_new_current(self) -> MasterKey:
        """Rotation step 1: a new key becomes current; old keys stay until re-wrap finishes."""
        new = _new_master_key()
        self._keys = [new, *self._fresh()]
        _write_keyring(self.path, self._keys)
        return new

    def drop_all_but_current(self) -> None:
        """Rotation step 3, after every data key is re-wrapped under the current key."""
        self._keys = [self._fresh()[0]]
        _write_keyring(self.path, self._keys)


def _write_keyring(path: Path, keys: list[MasterKey]) -> None:
    """Write atomically, created 0600 from the start (never briefly world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    body = json.dumps(
        {
            "version": 1,
            "keys": [{"id": k.key_id, "key": base64.b64encode(k.key).decode()} for k in keys],
        }
    ).encode()
    tmp = path.with_name(path.name + f".tmp{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        os.write(fd, body)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


class EnvMasterKey:
    """One master key given as base64 in ``CONFIDE_MASTER_KEY`` (containers, secret managers)."""

    def __init__(self, value: str) -> None:
        try:
            key = base64.b64decode(value, validate=True)
        except ValueError as exc:
            raise ConfigurationError("CONFIDE_MASTER_KEY is not valid base64") from exc
        if len(key) != crypto.KEY_BYTES:
            raise ConfigurationError("CONFIDE_MASTER_KEY must decode to 32 bytes")
        # The id is derived so every node computes the same one; it reveals nothing of the key.
        key_id = crypto.keyed_digest(crypto.derive_subkey(key, "key-id"), "master")[:16]
        self._key = MasterKey(key_id=key_id, key=key)

    def current(self) -> MasterKey:
        return self._key

    def get(self, key_id: str) -> MasterKey:
        if key_id != self._key.key_id:
            raise ConfigurationError(f"master key {key_id} is not the one in CONFIDE_MASTER_KEY")
        return self._key

    def describe(self) -> str:
        return f"environment variable CONFIDE_MASTER_KEY (key id {self._key.key_id})"


def _wrap_context(user_id: str, key_id: str) -> bytes:
    return f"confide/data-key\x1f{user_id}\x1f{key_id}".encode()


class KeyStore:
    """Per-user data keys, wrapped by the master key, in their own database.

    Unwrapped keys are cached in memory (bounded LRU) so a chat turn does not pay a key-store
    round trip; the cache is dropped for a user when their key is destroyed.
    """

    def __init__(self, db: Database, master: MasterKeyProvider, *, cache_size: int = 1024) -> None:
        self._db = db
        self._master = master
        self._cache: OrderedDict[str, crypto.DataKey] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @property
    def master(self) -> MasterKeyProvider:
        return self._master

    def create(self, user_id: str, *, now: datetime | None = None) -> crypto.DataKey:
        master = self._master.current()
        raw = crypto.new_key_bytes()
        key_id = secrets.token_hex(8)
        row = DataKeyRow(
            user_id=user_id,
            key_id=key_id,
            wrapped_key=crypto.wrap_key(master.key, raw, _wrap_context(user_id, key_id)),
            master_key_id=master.key_id,
            created_at=now or datetime.now(UTC),
        )
        with self._db.transaction(user_id) as s:
            s.add(row)
        key = crypto.DataKey(user_id, key_id, raw)
        self._remember(key)
        return key

    def get(self, user_id: str) -> crypto.DataKey:
        with self._lock:
            key = self._cache.get(user_id)
            if key is not None:
                self._cache.move_to_end(user_id)
                return key
        with self._db.reader(user_id) as s:
            row = s.get(DataKeyRow, user_id)
        if row is None or row.wrapped_key is None:
            raise NotFound("no data key for this user")
        master = self._master.get(row.master_key_id)
        raw = crypto.unwrap_key(master.key, row.wrapped_key, _wrap_context(user_id, row.key_id))
        key = crypto.DataKey(user_id, row.key_id, raw)
        self._remember(key)
        return key

    def _remember(self, key: crypto.DataKey) -> None:
        with self._lock:
            self._cache[key.user_id] = key
            self._cache.move_to_end(key.user_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def forget(self, user_id: str) -> None:
        with self._lock:
            self._cache.pop(user_id, None)

    def destroy(self, user_id: str, *, now: datetime | None = None) -> bool:
        """Crypto-shred: the wrapped key is overwritten; a tombstone row remains.

        True if this call destroyed a live key; False if there was none or it was already
        destroyed (another node got there first), so callers record the erasure once.
        """
        self.forget(user_id)
        with self._db.transaction(user_id) as s:
            done = s.execute(
                update(DataKeyRow)
                .where(DataKeyRow.user_id == user_id, DataKeyRow.wrapped_key.is_not(None))
                .values(wrapped_key=None, destroyed_at=now or datetime.now(UTC))
            )
            destroyed = bool(getattr(done, "rowcount", 0))
        self.forget(user_id)
        return destroyed

    def rewrap_all(self, new_master: MasterKey) -> int:
        """Re-wrap every live data key under ``new_master`` in one transaction."""
        count = 0
        with self._db.transaction(scope="operator") as s:
            rows = s.scalars(select(DataKeyRow).where(DataKeyRow.wrapped_key.is_not(None)))
            for row in rows:
                assert row.wrapped_key is not None  # noqa: S101 - filtered above
                ctx = _wrap_context(row.user_id, row.key_id)
                old = self._master.get(row.master_key_id)
                try:
                    raw = crypto.unwrap_key(old.key, row.wrapped_key, ctx)
                except DecryptionError as exc:
                    raise ConfigurationError(
                        f"data key of one user failed to unwrap under master key "
                        f"{row.master_key_id}; rotation aborted, nothing changed"
                    ) from exc
                row.wrapped_key = crypto.wrap_key(new_master.key, raw, ctx)
                row.master_key_id = new_master.key_id
                count += 1
        return count

    def master_key_ids_in_use(self) -> set[str]:
        with self._db.reader(scope="operator") as s:
            return set(
                s.scalars(
                    select(DataKeyRow.master_key_id)
                    .where(DataKeyRow.wrapped_key.is_not(None))
                    .distinct()
                )
            )
