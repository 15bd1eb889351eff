"""Import of an export archive as a new account (P9)."""

from __future__ import annotations

from confide.accounts.service import AccountService
from confide.clock import Clock
from confide.privacy.audit import AuditLog
from confide.privacy.keys import KeyStore
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database

__all__ = ["ImportService"]


class ImportService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        keys: KeyStore,
        vault: Vault,
        clock: Clock,
        audit: AuditLog,
        accounts: AccountService,
    ) -> None:
        self._settings = settings
        self._db = db
        self._keys = keys
        self._vault = vault
        self._clock = clock
        self._audit = audit
        self._accounts = accounts
