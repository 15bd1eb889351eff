"""Privacy-policy versions and users' acknowledgements of material changes (P6, P14).

Threat handled: a policy changed behind users' backs. The operator publishes every version
(``confide policy publish``); a *material* one is shown to each user who signed up before it,
at their next visit, until they acknowledge it, and each acknowledgement is recorded and
audited. The consent ledger stamps every grant and withdrawal with :meth:`current_version`, so
what a user agreed to can always be matched with the policy text they were shown.

Before the operator publishes anything, ``settings.privacy_policy_version`` is the implicit
first version: in force, never material, never needing an acknowledgement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from confide.clock import Clock, as_utc
from confide.errors import Conflict, InvalidInput, NotFound
from confide.privacy.audit import AuditLog
from confide.settings import Settings
from confide.storage.db import Database
from confide.storage.tables import PolicyAck, PolicyVersion, User

__all__ = [
    "MAX_SUMMARY_CHARS",
    "Acknowledgement",
    "PolicyService",
    "PolicyVersionView",
    "UnknownPolicyVersion",
]

MAX_SUMMARY_CHARS = 4000
# Versions appear in URLs, logs and audit object refs: a short, plain token only.
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


class UnknownPolicyVersion(InvalidInput):
    """An acknowledgement of a version that was never published (HTTP 400)."""

    code = "unknown_policy_version"
    status = 400


@dataclass(frozen=True, slots=True)
class PolicyVersionView:
    version: str
    published_at: datetime | None  # None for the implicit first version (from settings)
    material: bool
    summary: str | None  # the operator's words: what changed
    acknowledgements: int = 0  # how many users acknowledged it (operator listings only)

    @property
    def is_implicit(self) -> bool:
        return self.published_at is None


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    version: str
    at: datetime


def _view(row: PolicyVersion, acks: int = 0) -> PolicyVersionView:
    return PolicyVersionView(row.version, as_utc(row.published_at), row.material, row.summary, acks)


def check_version(version: str) -> str:
    version = version.strip()
    if not _VERSION.match(version):
        raise InvalidInput(
            "a policy version is 1 to 40 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit",
            code="invalid_policy_version",
        )
    return version


class PolicyService:
    """Publish policy versions (operator), tell users about material changes, record their
    acknowledgements."""

    def __init__(self, settings: Settings, db: Database, clock: Clock, audit: AuditLog) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self._audit = audit

    # --- the operator ----------------------------------------------------------------------
    def publish(self, version: str, summary: str, *, material: bool) -> PolicyVersionView:
        """Publish a new version; from now on it is the one in force."""
        version = check_version(version)
        summary = summary.strip()
        if not summary:
            raise InvalidInput("the summary of changes must not be empty", code="invalid_summary")
        if len(summary) > MAX_SUMMARY_CHARS:
            raise InvalidInput(
                f"the summary of changes must be at most {MAX_SUMMARY_CHARS} characters",
                code="invalid_summary",
            )
        now = self._clock()
        with self._db.transaction(scope="operator") as s:
            if s.get(PolicyVersion, version) is not None:
                raise Conflict(f"policy version {version} was already published")
            latest = self._latest(s)
            # "Current" is the latest by publication time: a clock running behind the latest
            # version (another node, a restored backup) would make it ambiguous.
            if latest is not None and as_utc(latest.published_at) >= now:
                raise Conflict(
                    f"policy version {latest.version} was published at or after this moment; "
                    "check the server clock"
                )
            row = PolicyVersion(
                version=version, published_at=now, material=material, summary=summary
            )
            s.add(row)
            self._audit.append(
                s,
                actor="operator",
                action="policy.published",
                subject_user_id=None,
                object_ref=version,
            )
        return _view(row)

    def published_versions(self) -> list[PolicyVersionView]:
        """Every published version, newest first, with how many users acknowledged each."""
        with self._db.reader(scope="operator") as s:
            counts = dict(
                s.execute(select(PolicyAck.version, func.count()).group_by(PolicyAck.version)).all()
            )
            rows = s.scalars(select(PolicyVersion).order_by(PolicyVersion.published_at.desc()))
            return [_view(r, int(counts.get(r.version, 0))) for r in rows]

    # --- what is in force ----------------------------------------------------------------------
    @staticmethod
    def _latest(s: Session) -> PolicyVersion | None:
        return s.scalar(select(PolicyVersion).order_by(PolicyVersion.published_at.desc()).limit(1))

    def current(self) -> PolicyVersionView:
        """The latest published version, or the implicit first one from the settings."""
        with self._db.reader() as s:
            row = self._latest(s)
        if row is None:
            return PolicyVersionView(self._settings.privacy_policy_version, None, False, None)
        return _view(row)

    def current_version(self) -> str:
        """The version in force (what the consent ledger records with each change)."""
        return self.current().version

    # --- users -----------------------------------------------------------------------------
    def notice_for(self, user_id: str) -> list[PolicyVersionView]:
        """The material changes this user has not seen: versions published after they signed
        up and after the latest version they acknowledged, oldest first (empty: no notice).

        Acknowledging the version in force covers every earlier one.
        """
        with self._db.reader(user_id) as s:
            user = s.get(User, user_id)
            if user is None:
                raise NotFound("no such user")
            since = as_utc(user.created_at)
            acked = s.scalar(
                select(func.max(PolicyVersion.published_at))
                .join(PolicyAck, PolicyAck.version == PolicyVersion.version)
                .where(PolicyAck.user_id == user_id)
            )
            if acked is not None and as_utc(acked) > since:
                since = as_utc(acked)
            rows = s.scalars(
                select(PolicyVersion)
                .where(PolicyVersion.material.is_(True), PolicyVersion.published_at > since)
                .order_by(PolicyVersion.published_at)
            ).all()
            return [_view(r) for r in rows]

    def acknowledgements(self, user_id: str) -> list[Acknowledgement]:
        with self._db.reader(user_id) as s:
            rows = s.scalars(
                select(PolicyAck).where(PolicyAck.user_id == user_id).order_by(PolicyAck.id)
            ).all()
            return [Acknowledgement(r.version, as_utc(r.at)) for r in rows]

    def acknowledge(self, user_id: str, version: str) -> Acknowledgement:
        """Record that the user acknowledged the version in force (idempotent, audited once).

        Only the current version can be acknowledged: agreeing to an older text would be
        agreeing to something no longer in force.
        """
        version = version.strip()
        current = self.current()
        if version != current.version:
            with self._db.reader(user_id) as s:
                known = s.get(PolicyVersion, version) is not None
            if known:
                raise Conflict(
                    f"policy version {version} is no longer in force; the current one is "
                    f"{current.version}",
                    code="policy_version_not_current",
                )
            raise UnknownPolicyVersion("no such policy version")
        existing = self._ack(user_id, version)
        if existing is not None:
            return existing
        now = self._clock()
        try:
            with self._db.transaction(user_id) as s:
                s.add(PolicyAck(user_id=user_id, version=version, at=now))
                s.flush()
                self._audit.append(
                    s,
                    actor="user",
                    action="policy.acknowledged",
                    subject_user_id=user_id,
                    object_ref=version,
                    details={"version": version},
                )
        except IntegrityError:  # a concurrent acknowledgement won the race: one is enough
            found = self._ack(user_id, version)
            if found is None:
                raise
            return found
        return Acknowledgement(version, now)

    def _ack(self, user_id: str, version: str) -> Acknowledgement | None:
        with self._db.reader(user_id) as s:
            row = s.scalar(
                select(PolicyAck).where(PolicyAck.user_id == user_id, PolicyAck.version == version)
            )
            return None if row is None else Acknowledgement(row.version, as_utc(row.at))
