"""Seal and open one user's content fields: the key store plus crypto, in one small API.

Services call ``vault.seal(user_id, "messages", "content_ct", row_id, text)`` and never see a
key. The threat handled is misuse: a field can only be sealed or opened with its owner's key
and its exact location, so a ciphertext moved anywhere else fails to open.
"""

from __future__ import annotations

from confide.privacy import crypto
from confide.privacy.keys import KeyStore

__all__ = ["Vault"]


class Vault:
    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    def seal(self, user_id: str, table: str, column: str, row_id: str, text: str | bytes) -> bytes:
        field = crypto.Field(user_id, table, column, row_id)
        return crypto.seal(self.keys.get(user_id), text, field)

    def open_text(self, user_id: str, table: str, column: str, row_id: str, blob: bytes) -> str:
        field = crypto.Field(user_id, table, column, row_id)
        return crypto.open_text(self.keys.get(user_id), blob, field)

    def open_bytes(self, user_id: str, table: str, column: str, row_id: str, blob: bytes) -> bytes:
        field = crypto.Field(user_id, table, column, row_id)
        return crypto.open_(self.keys.get(user_id), blob, field)

    def open_optional(
        self, user_id: str, table: str, column: str, row_id: str, blob: bytes | None
    ) -> str | None:
        if blob is None:
            return None
        return self.open_text(user_id, table, column, row_id, blob)
