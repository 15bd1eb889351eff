"""Sealing and opening content: the only module that touches cryptographic primitives.

Threat handled: someone who gets the database file (a stolen laptop, a leaked backup, a curious
operator with SQL access) must learn nothing about content, and must not be able to move a
ciphertext to another row, column or user to make the app reveal it somewhere else.

Every content field is AES-256-GCM with a fresh random 96-bit nonce. The associated data binds
the ciphertext to (user id, table, column, row id): a ciphertext copied anywhere else fails
authentication. Any failure to open raises one opaque :class:`DecryptionError`.

Blob layout: ``version (1 byte) || nonce (12 bytes) || ciphertext+tag``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from confide.errors import DecryptionError

__all__ = [
    "KEY_BYTES",
    "DataKey",
    "Field",
    "derive_subkey",
    "keyed_digest",
    "new_key_bytes",
    "open_",
    "open_text",
    "seal",
    "unwrap_key",
    "wrap_key",
]

KEY_BYTES = 32
_NONCE_BYTES = 12
_VERSION = b"\x01"


@dataclass(frozen=True, slots=True)
class Field:
    """Where a ciphertext belongs; becomes its associated data."""

    user_id: str
    table: str
    column: str
    row_id: str

    def aad(self) -> bytes:
        parts = (self.user_id, self.table, self.column, self.row_id)
        if any("\x1f" in p for p in parts):
            raise ValueError("field identifiers may not contain the unit separator")
        return ("confide/v1\x1f" + "\x1f".join(parts)).encode()


class DataKey:
    """A user's 256-bit data key, in memory only. ``repr`` never shows the key."""

    __slots__ = ("_aead", "key_id", "user_id")

    def __init__(self, user_id: str, key_id: str, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("a data key is 32 bytes")
        self.user_id = user_id
        self.key_id = key_id
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return f"DataKey(user_id={self.user_id!r}, key_id={self.key_id!r})"


def new_key_bytes() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: DataKey, plaintext: str | bytes, field: Field) -> bytes:
    """Encrypt ``plaintext`` for ``field``; the key must belong to ``field.user_id``."""
    if field.user_id != key.user_id:
        raise ValueError("data key does not belong to this field's user")
    data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
    nonce = os.urandom(_NONCE_BYTES)
    return _VERSION + nonce + key._aead.encrypt(nonce, data, field.aad())


def open_(key: DataKey, blob: bytes, field: Field) -> bytes:
    """Decrypt a blob sealed for exactly this ``field``; any mismatch is one opaque error."""
    if field.user_id != key.user_id or len(blob) < 1 + _NONCE_BYTES + 16 or blob[:1] != _VERSION:
        raise DecryptionError()
    nonce, body = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    try:
        return key._aead.decrypt(nonce, body, field.aad())
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError() from exc


def open_text(key: DataKey, blob: bytes, field: Field) -> str:
    try:
        return open_(key, blob, field).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecryptionError() from exc


def wrap_key(wrapping_key: bytes, key: bytes, context: bytes) -> bytes:
    """Wrap a data key under a master key (AES-256-GCM, ``context`` as associated data)."""
    nonce = os.urandom(_NONCE_BYTES)
    return _VERSION + nonce + AESGCM(wrapping_key).encrypt(nonce, key, context)


def unwrap_key(wrapping_key: bytes, wrapped: bytes, context: bytes) -> bytes:
    if len(wrapped) < 1 + _NONCE_BYTES + 16 or wrapped[:1] != _VERSION:
        raise DecryptionError()
    nonce, body = wrapped[1 : 1 + _NONCE_BYTES], wrapped[1 + _NONCE_BYTES :]
    try:
        return AESGCM(wrapping_key).decrypt(nonce, body, context)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError() from exc


def derive_subkey(master: bytes, label: str) -> bytes:
    """A purpose-bound 256-bit key derived from ``master`` (HKDF-SHA256)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"confide/" + label.encode()
    ).derive(master)


def keyed_digest(key: bytes, data: str) -> str:
    """HMAC-SHA256 hex digest: a lookup key that reveals nothing without ``key``."""
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(data.encode("utf-8"))
    return mac.finalize().hex()
