"""Data-rights requests (access, correction, erasure, grievance) and nominees."""

from __future__ import annotations

from confide.clock import Clock
from confide.privacy.audit import AuditLog
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database

__all__ = ["RightsService"]


class RightsService:
    def __init__(
        self, settings: Settings, db: Database, vault: Vault, clock: Clock, audit: AuditLog
    ) -> None:
        self._settings = settings
        self._db = db
        self._vault = vault
        self._clock = clock
        self._audit = audit
