"""Erasure (P3): scoped deletions, account deletion with a grace period, crypto-shredding."""

from __future__ import annotations

from collections.abc import Callable

from confide.chat.conversations import ConversationService
from confide.clock import Clock
from confide.memory.service import MemoryService
from confide.privacy.audit import AuditLog
from confide.privacy.keys import KeyStore
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database

__all__ = ["ErasureService"]


class ErasureService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        keys: KeyStore,
        vault: Vault,
        clock: Clock,
        audit: AuditLog,
        memory: MemoryService,
        conversations: ConversationService,
        forget_user: Callable[[str], None],
    ) -> None:
        self._settings = settings
        self._db = db
        self._keys = keys
        self._vault = vault
        self._clock = clock
        self._audit = audit
        self._memory = memory
        self._conversations = conversations
        self._forget_user = forget_user
