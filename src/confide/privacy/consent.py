"""The consent ledger (promise P6): what each user agreed to, for which purpose, when, under
which privacy-policy version.

Append-only: a grant or a withdrawal adds a record; the state of a purpose is its latest
record, and ``granted(user, purpose, at=...)`` answers for any moment, so a training export
can include only what was written while the grant was in force. Every purpose is off until
the user turns it on, except memory, which the user chooses at sign-up. Withdrawing is one
call, exactly like granting, and is audited the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.clock import Clock, as_utc
from confide.errors import InvalidInput
from confide.privacy.audit import AuditLog
from confide.storage.db import Database
from confide.storage.tables import ConsentRecord

__all__ = ["PURPOSES", "ConsentLedger", "ConsentState", "GrantInterval", "Purpose"]

# ``remote_unshielded``: send identifiers to a remote model as written (the PII shield off;
# privacy/outbound.py). Meaningless, and harmless, with the local model.
Purpose = Literal["memory", "model_improvement", "analytics", "marketing", "remote_unshielded"]
PURPOSES: tuple[Purpose, ...] = get_args(Purpose)


@dataclass(frozen=True, slots=True)
class ConsentState:
    purpose: str
    granted: bool
    since: datetime | None  # when the latest record was made (None: never asked)
    policy_version: str | None


@dataclass(frozen=True, slots=True)
class GrantInterval:
    """A stretch of time a purpose was granted: from its grant record until the next
    withdrawal (``end`` None: still in force)."""

    record_id: int  # the grant's ledger record
    policy_version: str  # the policy version in force when it was granted
    start: datetime
    end: datetime | None

    def covers(self, moment: datetime) -> bool:
        """Was the grant in force at ``moment``? (A record counts from its own time on, as
        in :meth:`ConsentLedger.granted`.)"""
        moment = as_utc(moment)
        return self.start <= moment and (self.end is None or moment < self.end)


class ConsentLedger:
    """The ledger. ``policy_version`` is asked at each change for the version then in force
    (``PolicyService.current_version``), so a record names the policy the user was shown."""

    def __init__(
        self, db: Database, clock: Clock, audit: AuditLog, policy_version: Callable[[], str]
    ) -> None:
        self._db = db
        self._clock = clock
        self._audit = audit
        self._policy_version = policy_version

    @property
    def policy_version(self) -> str:
        """The privacy-policy version in force now."""
        return self._policy_version()

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
        version = self.policy_version
        s.add(
            ConsentRecord(
                user_id=user_id,
                purpose=purpose,
                granted=granted,
                policy_version=version,
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
            details={"policy_version": version},
        )
        return ConsentState(purpose, granted, now, version)

    def set(self, user_id: str, purpose: str, granted: bool) -> ConsentState:
        """Grant or withdraw; a call that changes nothing records nothing."""
        purpose = self.check_purpose(purpose)
        current = self.state(user_id)[purpose]
        if current.granted == granted and current.since is not None:
            return current
        with self._db.transaction(user_id) as s:
            return self.record(s, user_id, purpose, granted)

    def history(self, user_id: str) -> list[ConsentRecord]:
        with self._db.reader(user_id) as s:
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

    def intervals(self, user_id: str, purpose: str) -> list[GrantInterval]:
        """Every stretch of time ``purpose`` was granted, oldest first, from the full history.

        A repeated grant inside an interval does not start a new one (``set`` never records
        one, but an imported ledger might hold it): the first grant is the one in force.
        """
        purpose = self.check_purpose(purpose)
        out: list[GrantInterval] = []
        open_grant: ConsentRecord | None = None
        for r in self.history(user_id):
            if r.purpose != purpose:
                continue
            if r.granted and open_grant is None:
                open_grant = r
            elif not r.granted and open_grant is not None:
                out.append(
                    GrantInterval(
                        open_grant.id,
                        open_grant.policy_version,
                        as_utc(open_grant.at),
                        as_utc(r.at),
                    )
                )
                open_grant = None
        if open_grant is not None:
            out.append(
                GrantInterval(open_grant.id, open_grant.policy_version, as_utc(open_grant.at), None)
            )
        return out
