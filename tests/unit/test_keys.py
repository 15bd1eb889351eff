"""Master keys, data keys, rotation and crypto-shredding."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from confide.errors import ConfigurationError, DecryptionError, NotFound
from confide.privacy import crypto
from confide.privacy.keys import EnvMasterKey, FileMasterKeyring, KeyStore
from confide.storage.db import Database


@pytest.fixture
def key_db(tmp_path: Path) -> Database:
    db = Database.key_store(f"sqlite:///{tmp_path / 'keys.db'}")
    db.upgrade()
    return db


def test_keyring_create_writes_mode_0600(tmp_path: Path) -> None:
    ring = FileMasterKeyring.create(tmp_path / "master.key")
    assert (ring.path.stat().st_mode & 0o777) == 0o600
    assert len(ring.current().key) == 32
    shown = repr(ring.current())
    assert ring.current().key.hex() not in shown
    assert base64.b64encode(ring.current().key).decode() not in shown


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_keyring_readable_by_others_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "master.key"
    FileMasterKeyring.create(path)
    os.chmod(path, mode)
    with pytest.raises(ConfigurationError, match="accessible by other users"):
        FileMasterKeyring(path)


def test_keyring_missing_or_malformed_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="confide init"):
        FileMasterKeyring(tmp_path / "nope.key")
    bad = tmp_path / "bad.key"
    fd = os.open(bad, os.O_CREAT | os.O_WRONLY, 0o600)
    os.write(fd, b"not json")
    os.close(fd)
    with pytest.raises(ConfigurationError, match="malformed"):
        FileMasterKeyring(bad)


def test_keyring_create_refuses_to_overwrite(tmp_path: Path) -> None:
    FileMasterKeyring.create(tmp_path / "master.key")
    with pytest.raises(ConfigurationError, match="already exists"):
        FileMasterKeyring.create(tmp_path / "master.key")


def test_env_master_key_validates_and_derives_stable_id() -> None:
    raw = base64.b64encode(os.urandom(32)).decode()
    assert EnvMasterKey(raw).current().key_id == EnvMasterKey(raw).current().key_id
    with pytest.raises(ConfigurationError):
        EnvMasterKey("not-base64!!")
    with pytest.raises(ConfigurationError, match="32 bytes"):
        EnvMasterKey(base64.b64encode(b"short").decode())


def test_keystore_key_roundtrip_through_fresh_store(tmp_path: Path, key_db: Database) -> None:
    ring = FileMasterKeyring.create(tmp_path / "master.key")
    created = KeyStore(key_db, ring).create("u1")
    field = crypto.Field("u1", "messages", "content_ct", "m1")
    blob = crypto.seal(created, "hello", field)
    reloaded = KeyStore(key_db, FileMasterKeyring(ring.path)).get("u1")  # no cache
    assert crypto.open_text(reloaded, blob, field) == "hello"


def test_keystore_wrong_master_key_cannot_unwrap(tmp_path: Path, key_db: Database) -> None:
    ring = FileMasterKeyring.create(tmp_path / "master.key")
    KeyStore(key_db, ring).create("u1")
    # Same key id, different key material: the wrapped key must not open.
    forged = tmp_path / "forged.key"
    body = {
        "version": 1,
        "keys": [{"id": ring.current().key_id, "key": base64.b64encode(os.urandom(32)).decode()}],
    }
    fd = os.open(forged, os.O_CREAT | os.O_WRONLY, 0o600)
    os.write(fd, json.dumps(body).encode())
    os.close(fd)
    with pytest.raises(DecryptionError):
        KeyStore(key_db, FileMasterKeyring(forged)).get("u1")


def test_keystore_rotation_rewraps_without_touching_content(
    tmp_path: Path, key_db: Database
) -> None:
    ring = FileMasterKeyring.create(tmp_path / "master.key")
    store = KeyStore(key_db, ring)
    fields = {u: crypto.Field(u, "messages", "content_ct", "m") for u in ("u1", "u2", "u3")}
    blobs = {u: crypto.seal(store.create(u), f"text of {u}", f) for u, f in fields.items()}
    old_id = ring.current().key_id
    new = ring.add_new_current()
    assert store.rewrap_all(new) == 3
    ring.drop_all_but_current()
    assert store.master_key_ids_in_use() == {new.key_id} != {old_id}
    fresh = KeyStore(key_db, FileMasterKeyring(ring.path))
    for user, field in fields.items():
        assert crypto.open_text(fresh.get(user), blobs[user], field) == f"text of {user}"
    with pytest.raises(ConfigurationError):
        FileMasterKeyring(ring.path).get(old_id)


def test_keystore_destroy_makes_key_unrecoverable(tmp_path: Path, key_db: Database) -> None:
    ring = FileMasterKeyring.create(tmp_path / "master.key")
    store = KeyStore(key_db, ring)
    store.create("u1")
    store.create("u2")
    assert store.destroy("u1") is True
    # A second destroy (another node's retention job racing) reports that it did nothing,
    # so the erasure is recorded once.
    assert KeyStore(key_db, ring).destroy("u1") is False
    assert store.destroy("nobody") is False
    with pytest.raises(NotFound):
        store.get("u1")
    with pytest.raises(NotFound):
        KeyStore(key_db, ring).get("u1")
    assert KeyStore(key_db, ring).get("u2").user_id == "u2"


def test_crypto_seal_uses_fresh_nonce_each_time() -> None:
    key = crypto.DataKey("u", "k", crypto.new_key_bytes())
    field = crypto.Field("u", "t", "c", "r")
    a, b = crypto.seal(key, "same", field), crypto.seal(key, "same", field)
    assert a != b
    assert crypto.open_text(key, a, field) == crypto.open_text(key, b, field) == "same"


def test_crypto_tampered_or_truncated_blob_opaque_error() -> None:
    key = crypto.DataKey("u", "k", crypto.new_key_bytes())
    field = crypto.Field("u", "t", "c", "r")
    blob = crypto.seal(key, "hello", field)
    for bad in (blob[:-1], blob[:10], b"", b"\x02" + blob[1:], blob[:20] + b"x" + blob[21:]):
        with pytest.raises(DecryptionError) as caught:
            crypto.open_(key, bad, field)
        assert caught.value.message == "stored data could not be decrypted"


def test_crypto_key_of_other_user_refused_for_seal_and_open() -> None:
    key = crypto.DataKey("u1", "k", crypto.new_key_bytes())
    with pytest.raises(ValueError, match="does not belong"):
        crypto.seal(key, "x", crypto.Field("u2", "t", "c", "r"))
    blob = crypto.seal(key, "x", crypto.Field("u1", "t", "c", "r"))
    with pytest.raises(DecryptionError):
        crypto.open_(key, blob, crypto.Field("u2", "t", "c", "r"))


def test_crypto_repr_of_data_key_hides_material() -> None:
    raw = crypto.new_key_bytes()
    key = crypto.DataKey("u1", "kid", raw)
    assert raw.hex() not in repr(key)
    assert base64.b64encode(raw).decode() not in repr(key)
