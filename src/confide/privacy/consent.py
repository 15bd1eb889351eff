"""The consent ledger (promise P6): what each user agreed to, for which purpose, when, under
which privacy-policy version.

Append-only: a grant or a withdrawal adds a record; the state of a purpose is its latest
record, and ``granted(user, purpose, at=...)`` answers for any moment, so a training export
can include only what was written while the grant was in force. Every purpose is off until
the user turns it on, except memory, which the user chooses at sign-up. Withdrawing is one
call, exactly like granting, and is audited the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.clock import Clock, as_utc
from confide.errors import InvalidInput
from confide.privacy.audit import AuditLog
from confide.storage.db import Database
from confide.storage.tables import ConsentRecord

__all__ = ["PURPOSES", "ConsentLedger", "ConsentState", "Purpose"]

Purpose = Literal["memory", "model_improvement", "analytics", "marketing"]
PURPOSES: tuple[Purpose, ...] = ("memory", "model_improvement", "analytics", "marketing")


@dataclass(frozen=True, slots=True)
class ConsentState:
    purpose: str
    granted: bool
    since: datetime | None  # when the latest record was made (None: never asked)
    policy_version: str | None


class ConsentLedger:
    def __init__(self, db: Database, clock: Clock, audit: AuditLog, policy_version: str) -> None:
        self._db = db
        self._clock = clock
        self._audit = audit
        self.policy_version = policy_version

    @staticmethod
    def check_purpose(purpose: str) -> Purpose:
        for p in PURPOSES:
            if p == purpose:
                return p
        raise InvalidInput(f"purpose must be one of: {', '.join(PURPOSES)}")

    def record(self, s: Session, user_id: str, purpose: str, granted: bool) -> ConsentState:
        """Append a grant or withdrawal inside the caller's transaction (audited there too)."""
        purpose = self.check_purpose(purpose)
        now = self._clock()
        s.add(
            ConsentRecord(
                user_id=user_id,
                purpose=purpose,
                granted=granted,
                policy_version=self.policy_version,
                at=now,
            )
        )
        self._audit.append(
            s,
            actor="user",
            action="consent.granted" if granted else "consent.withdrawn",
            subject_user_id=user_id,
            object_ref=purpose,
            purpose=purpose,
            details={"policy_version": self.policy_version},
        )
        return ConsentState(purpose, granted, now, self.policy_version)

    def set(self, user_id: str, purpose: str, granted: bool) -> ConsentState:
        """Grant or withdraw; a call that changes nothing records nothing."""
        purpose = self.check_purpose(purpose)
        current = self.state(user_id)[purpose]
        if current.granted == granted and current.since is not None:
            return current
        with self._db.transaction() as s:
            return self.record(s, user_id, purpose, granted)

    def history(self, user_id: str) -> list[ConsentRecord]:
        with self._db.reader() as s:
            return list(
                s.scalars(
                    select(ConsentRecord)
                    .where(ConsentRecord.user_id == user_id)
                    .order_by(ConsentRecord.id)
                ).all()
            )

    def state(self, user_id: str, *, at: datetime | None = None) -> dict[str, ConsentState]:
        """Each purpose's state now (or at ``at``): its latest record, off when none."""
        out: dict[str, ConsentState] = {p: ConsentState(p, False, None, None) for p in PURPOSES}
        for r in self.history(user_id):
            when = as_utc(r.at)
            if at is not None and when > as_utc(at):
                break
            out[r.purpose] = ConsentState(r.purpose, r.granted, when, r.policy_version)
        return out

    def granted(self, user_id: str, purpose: str, *, at: datetime | None = None) -> bool:
        return self.state(user_id, at=at)[self.check_purpose(purpose)].granted
