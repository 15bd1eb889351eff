"""Retention (promise P10): one job applies the policy of every data class.

Threat handled: data kept longer than it is needed. Each class has a documented retention
(docs/privacy.md, docs/settings.md); this job, run by ``confide serve`` every
``retention_interval_s`` and by ``confide retention run``, removes what is past it:

- closed accounts past their grace period: crypto-shredded (if not yet) and purged;
- sessions past their expiry or idle longer than ``session_idle_days``;
- rate-limit counters whose window closed (older than the longest window);
- the sealed details of audit entries older than ``retention_audit_details_days`` (the entry
  itself stays: the hash chain covers only the details' digest);
- export archives past their expiry (``ExportService.expire``);
- abuse reports decided more than ``retention_abuse_reports_days`` ago (open reports stay
  until a person decides them);
- staff access grants past their expiry (marked ``expired``; the row stays as the user's
  record of who asked) and staff sessions past theirs.

The clock is injected: tests move time instead of sleeping.
"""

from __future__ import annotations

from datetime import timedelta

from confide.clock import Clock
from confide.privacy.audit import AuditLog
from confide.privacy.erasure import ErasureService
from confide.privacy.export import ExportService
from confide.settings import Settings
from confide.storage.db import Database
from confide.storage.repositories import ErasureRepo, SessionRepo

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
        st = self._settings
        now = self._clock()
        counts: dict[str, int] = {"accounts_purged": self._erasure.purge_due(now)}
        longest_window = max(st.login_window_s, st.signup_window_s)
        with self._db.transaction(scope="retention") as s:
            repo = ErasureRepo(s)
            expired = SessionRepo(s).delete_expired(now)
            idle = repo.delete_idle_sessions(now - timedelta(days=st.session_idle_days))
            counts["sessions"] = expired + idle
            cutoff = int(now.timestamp()) - longest_window
            counts["rate_limit_counters"] = repo.delete_rate_limits_before(cutoff)
            counts["audit_details"] = (
                repo.drop_audit_details_before(
                    now - timedelta(days=st.retention_audit_details_days)
                )
                if st.retention_audit_details_days > 0
                else 0
            )
            counts["abuse_reports"] = repo.delete_decided_reports_before(
                now - timedelta(days=st.retention_abuse_reports_days)
            )
            counts["access_grants_expired"] = repo.expire_access_grants(now)
            counts["staff_sessions"] = repo.delete_expired_staff_sessions(now)
        counts["exports"] = self._exports.expire(now)
        self._audit.record(
            actor="system",
            action="retention.run",
            subject_user_id=None,
            object_ref=_compact(counts),
        )
        return counts


def _compact(counts: dict[str, int]) -> str:
    """Counts in at most 80 characters (the column's width), e.g. ``a=1,s=0,r=3,d=0,e=0``."""
    short = {
        "accounts_purged": "a",
        "sessions": "s",
        "rate_limit_counters": "r",
        "audit_details": "d",
        "exports": "e",
        "abuse_reports": "ab",
        "access_grants_expired": "g",
        "staff_sessions": "ss",
    }
    return ",".join(f"{short.get(k, k)}={v}" for k, v in counts.items())[:80]
