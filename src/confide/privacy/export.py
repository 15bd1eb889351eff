"""Exports of everything about a user (P9)."""

from __future__ import annotations

from datetime import datetime

from confide.clock import Clock
from confide.privacy.audit import AuditLog
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database

__all__ = ["ExportService"]


class ExportService:
    def __init__(
        self, settings: Settings, db: Database, vault: Vault, clock: Clock, audit: AuditLog
    ) -> None:
        self._settings = settings
        self._db = db
        self._vault = vault
        self._clock = clock
        self._audit = audit

    def run_pending(self) -> int:
        """Build queued exports (any node). Returns how many were built."""
        return 0

    def expire(self, now: datetime) -> int:
        """Delete archives past their expiry (retention). Returns how many."""
        return 0
