"""Companions: create, edit, delete, starters, and Character Card V2 import/export.

The whole profile is sealed as one blob under the owner's key (names and personas are content).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from confide.clock import Clock, as_utc
from confide.companions import cards
from confide.companions.profile import CompanionProfile
from confide.errors import InvalidInput, NotFound
from confide.ids import new_id
from confide.privacy.vault import Vault
from confide.storage.db import Database, after_commit
from confide.storage.repositories import CompanionRepo, ErasureRepo, MemoryRepo
from confide.storage.tables import Companion

__all__ = [
    "CompanionErased",
    "CompanionService",
    "CompanionView",
    "Starter",
    "profile_from",
    "starters",
]


@dataclass(frozen=True, slots=True)
class Starter:
    key: str
    profile: CompanionProfile


@cache
def starters() -> tuple[Starter, ...]:
    raw = json.loads(resources.files("confide.companions").joinpath("starters.json").read_text())
    return tuple(Starter(item["key"], CompanionProfile(**item["profile"])) for item in raw)


@dataclass(frozen=True, slots=True)
class CompanionErased:
    companion_id: str
    conversations: int
    messages: int
    memories: int


@dataclass(frozen=True, slots=True)
class CompanionView:
    id: str
    profile: CompanionProfile
    starter_key: str | None
    created_at: datetime
    updated_at: datetime


def profile_from(data: dict[str, Any]) -> CompanionProfile:
    try:
        return CompanionProfile(**data)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in err["loc"]) for err in exc.errors()})
        raise InvalidInput(f"invalid companion fields: {', '.join(fields)}") from exc


class CompanionService:
    def __init__(
        self, db: Database, vault: Vault, clock: Clock, on_delete: Callable[[str], None]
    ) -> None:
        self._on_delete = on_delete  # drops cached plaintext of the user's conversations
        self._db = db
        self._vault = vault
        self._clock = clock

    def _view(self, user_id: str, row: Companion) -> CompanionView:
        blob = self._vault.open_text(user_id, "companions", "profile_ct", row.id, row.profile_ct)
        return CompanionView(
            id=row.id,
            profile=CompanionProfile.model_validate_json(blob),
            starter_key=row.starter_key,
            created_at=as_utc(row.created_at),
            updated_at=as_utc(row.updated_at),
        )

    def create(
        self, user_id: str, profile: CompanionProfile, *, starter_key: str | None = None
    ) -> CompanionView:
        now = self._clock()
        cid = new_id()
        row = Companion(
            id=cid,
            user_id=user_id,
            profile_ct=self._vault.seal(
                user_id, "companions", "profile_ct", cid, profile.model_dump_json()
            ),
            starter_key=starter_key,
            created_at=now,
            updated_at=now,
        )
        with self._db.transaction(user_id) as s:
            CompanionRepo(s).add(row)
        return CompanionView(cid, profile, starter_key, now, now)

    def create_from_starter(self, user_id: str, key: str) -> CompanionView:
        for starter in starters():
            if starter.key == key:
                return self.create(user_id, starter.profile, starter_key=key)
        raise NotFound("no such starter companion")

    def get(self, user_id: str, companion_id: str) -> CompanionView:
        with self._db.reader(user_id) as s:
            row = CompanionRepo(s).get(user_id, companion_id)
        if row is None:
            raise NotFound("no such companion")
        return self._view(user_id, row)

    def list(self, user_id: str) -> list[CompanionView]:
        with self._db.reader(user_id) as s:
            rows = CompanionRepo(s).list_for(user_id)
        return [self._view(user_id, r) for r in rows]

    def update(self, user_id: str, companion_id: str, changes: dict[str, Any]) -> CompanionView:
        now = self._clock()
        with self._db.transaction(user_id) as s:
            row = CompanionRepo(s).get(user_id, companion_id)
            if row is None:
                raise NotFound("no such companion")
            current = self._view(user_id, row).profile
            profile = profile_from({**current.model_dump(), **changes})
            row.profile_ct = self._vault.seal(
                user_id, "companions", "profile_ct", row.id, profile.model_dump_json()
            )
            row.updated_at = now
            return CompanionView(row.id, profile, row.starter_key, as_utc(row.created_at), now)

    def delete(self, user_id: str, companion_id: str) -> CompanionErased:
        """Delete the companion with every conversation, message and memory it has."""
        with self._db.transaction(user_id) as s:
            return self.delete_in(s, user_id, companion_id)

    def delete_in(self, s: Session, user_id: str, companion_id: str) -> CompanionErased:
        """Delete inside the caller's transaction; after commit, every decrypted copy of the
        user's conversations and recall indexes held by this node is dropped (other nodes
        find the companion gone)."""
        repo = ErasureRepo(s)
        conversation_ids = repo.conversation_ids(user_id, companion_id=companion_id)
        memories = len(MemoryRepo(s).list_for(user_id, companion_id=companion_id))
        messages = repo.delete_conversations(user_id, conversation_ids)
        if not CompanionRepo(s).delete(user_id, companion_id):
            raise NotFound("no such companion")
        after_commit(s, lambda: self._on_delete(user_id))
        return CompanionErased(companion_id, len(conversation_ids), messages, memories)

    def import_card(
        self, user_id: str, data: bytes, *, filename: str | None, content_type: str | None
    ) -> CompanionView:
        profile = cards.parse_card(data, filename=filename, content_type=content_type)
        return self.create(user_id, profile)

    def export_card(self, user_id: str, companion_id: str, fmt: str) -> tuple[bytes, str, str]:
        """Return (body, media type, file name) for a JSON or PNG card."""
        view = self.get(user_id, companion_id)
        stem = "".join(c for c in view.profile.name if c.isalnum() or c in "-_ ").strip() or "card"
        if fmt == "json":
            return cards.card_json_bytes(view.profile), "application/json", f"{stem}.json"
        if fmt == "png":
            return cards.card_png(view.profile), "image/png", f"{stem}.png"
        raise InvalidInput("format must be 'json' or 'png'")
