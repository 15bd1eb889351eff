"""Privacy-policy versions and users' acknowledgements of material changes (P6)."""

from __future__ import annotations

from confide.clock import Clock
from confide.privacy.audit import AuditLog
from confide.settings import Settings
from confide.storage.db import Database

__all__ = ["PolicyService"]


class PolicyService:
    def __init__(self, settings: Settings, db: Database, clock: Clock, audit: AuditLog) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self._audit = audit
