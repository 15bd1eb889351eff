"""Operator accounts (promise P8): admin, support and safety staff, separate from users.

Threats handled:
- Staff browsing chats: a staff account is not a user account and holds no data key; no role
  reads content by itself. Reading one user's content needs an access grant
  (``privacy/access.py``); deciding reports needs the safety role (``privacy/reports.py``).
- Staff accounts made through the web: they are created only by the CLI, on the server.
- Stolen staff tokens: 256-bit random, stored as SHA-256, valid for hours, not days; a
  disabled account's sessions end at once.
- Guessing: log-in failures are rate-limited per account and per client, as for users.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from sqlalchemy.exc import IntegrityError

from confide.accounts.login import LoginGuard, password_hasher
from confide.accounts.ratelimit import RateLimiter
from confide.accounts.service import check_password_strength
from confide.clock import Clock, as_utc
from confide.errors import AuthenticationFailed, Conflict, Forbidden, InvalidInput, NotFound
from confide.ids import new_id
from confide.privacy.audit import AuditLog
from confide.settings import Settings
from confide.storage.db import Database
from confide.storage.repositories import StaffRepo
from confide.storage.tables import StaffMember, StaffSession

__all__ = ["ROLES", "Role", "StaffIdentity", "StaffNewSession", "StaffService", "StaffView"]

Role = Literal["admin", "support", "safety"]
ROLES: tuple[Role, ...] = get_args(Role)
SESSION_HOURS = 12


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StaffIdentity:
    """The staff member acting on a request."""

    staff_id: str
    username: str
    role: Role
    session_id: str

    def audit_details(self) -> dict[str, str]:
        """Who acted, for the details of an audit entry the affected user reads."""
        return {"staff_id": self.staff_id, "staff_username": self.username, "staff_role": self.role}

    def require(self, *roles: Role) -> None:
        """Forbidden unless this member holds one of ``roles``."""
        if self.role not in roles:
            raise Forbidden(f"this needs the {' or '.join(roles)} role", code="staff_role_required")


@dataclass(frozen=True, slots=True)
class StaffNewSession:
    identity: StaffIdentity
    token: str
    expires_at: datetime

    def __repr__(self) -> str:
        return f"StaffNewSession(identity={self.identity!r}, token=<hidden>)"


@dataclass(frozen=True, slots=True)
class StaffView:
    id: str
    username: str
    role: Role
    created_at: datetime
    disabled_at: datetime | None


def check_role(role: str) -> Role:
    for r in ROLES:
        if r == role:
            return r
    raise InvalidInput(f"role must be one of: {', '.join(ROLES)}")


def _view(row: StaffMember) -> StaffView:
    return StaffView(row.id, row.username, check_role(row.role), row.created_at, row.disabled_at)


class StaffService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        limiter: RateLimiter,
        clock: Clock,
        audit: AuditLog,
    ) -> None:
        self._settings = settings
        self._db = db
        self._limiter = limiter
        self._clock = clock
        self._audit = audit
        self._hasher = password_hasher(settings)
        self._guard = LoginGuard(settings, db, limiter, self._hasher, purpose="staff-login")

    # --- the CLI: create, list, disable ---------------------------------------------------
    def create(self, username: str, role: str, password: str) -> StaffView:
        username = username.strip().lower()
        if not username or len(username) > 100 or not username.replace("-", "").isalnum():
            raise InvalidInput("staff username: 1-100 letters, digits or '-'")
        checked = check_role(role)
        check_password_strength(password, username)
        now = self._clock()
        row = StaffMember(
            id=new_id(),
            username=username,
            password_hash=self._hasher.hash(password),
            role=checked,
            created_at=now,
        )
        try:
            with self._db.transaction() as s:
                StaffRepo(s).add(row)
                self._audit.append(
                    s,
                    actor="operator",
                    action="staff.created",
                    subject_user_id=None,
                    object_ref=row.id,
                    purpose=checked,
                )
        except IntegrityError:
            raise Conflict("that staff username is taken", code="staff_username_taken") from None
        return _view(row)

    def list(self) -> list[StaffView]:
        with self._db.reader() as s:
            return [_view(r) for r in StaffRepo(s).list_all()]

    def get(self, staff_id: str) -> StaffView:
        with self._db.reader() as s:
            row = StaffRepo(s).get(staff_id)
        if row is None:
            raise NotFound("no such staff member")
        return _view(row)

    def by_username(self, username: str) -> StaffView:
        with self._db.reader() as s:
            row = StaffRepo(s).by_username(username.strip().lower())
        if row is None:
            raise NotFound("no such staff member")
        return _view(row)

    def disable(self, username: str) -> StaffView:
        """Disable the account and end its sessions at once."""
        now = self._clock()
        with self._db.transaction() as s:
            repo = StaffRepo(s)
            row = repo.by_username(username.strip().lower())
            if row is None:
                raise NotFound("no such staff member")
            if row.disabled_at is None:
                row.disabled_at = now
                repo.delete_sessions(row.id)
                self._audit.append(
                    s,
                    actor="operator",
                    action="staff.disabled",
                    subject_user_id=None,
                    object_ref=row.id,
                )
            return _view(row)

    # --- log-in and sessions ---------------------------------------------------------------
    def verify_password(self, username: str, password: str, client: str) -> StaffView:
        """The staff member whose password this is (rate-limited; unknown names are as slow
        as known ones), or AuthenticationFailed."""
        username = username.strip().lower()
        now = self._clock()
        self._guard.attempt(username, client, now)
        with self._db.reader() as s:
            row = StaffRepo(s).by_username(username)
        ok = self._guard.verify(row.password_hash if row is not None else None, password)
        if not ok or row is None or row.disabled_at is not None:
            self._guard.count_failure(username, now)
            raise AuthenticationFailed("wrong staff username or password")
        return _view(row)

    def log_in(self, username: str, password: str, client: str) -> StaffNewSession:
        member = self.verify_password(username, password, client)
        now = self._clock()
        token = secrets.token_urlsafe(32)
        session_id = new_id()
        expires = now + timedelta(hours=SESSION_HOURS)
        with self._db.transaction() as s:
            StaffRepo(s).add_session(
                StaffSession(
                    id=session_id,
                    staff_id=member.id,
                    token_hash=_token_hash(token),
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                )
            )
            self._audit.append(
                s,
                actor="staff",
                action="staff.logged_in",
                subject_user_id=None,
                object_ref=member.id,
            )
        identity = StaffIdentity(member.id, member.username, member.role, session_id)
        return StaffNewSession(identity, token, expires)

    def authenticate(self, token: str) -> StaffIdentity:
        if not token or len(token) > 256:
            raise AuthenticationFailed("not signed in as staff")
        now = self._clock()
        with self._db.reader() as s:
            repo = StaffRepo(s)
            session = repo.session_by_token_hash(_token_hash(token))
            member = repo.get(session.staff_id) if session is not None else None
        if session is None or member is None or member.disabled_at is not None:
            raise AuthenticationFailed("not signed in as staff")
        if as_utc(session.expires_at) <= now:
            with self._db.transaction() as s:
                StaffRepo(s).delete_session(session.id)
            raise AuthenticationFailed("your staff session has expired; sign in again")
        return StaffIdentity(member.id, member.username, check_role(member.role), session.id)

    def log_out(self, who: StaffIdentity) -> None:
        with self._db.transaction() as s:
            StaffRepo(s).delete_session(who.session_id)

    def identity_for_cli(self, username: str, password: str) -> StaffIdentity:
        """A staff identity for one CLI command, after checking the password (no session)."""
        member = self.verify_password(username, password, "cli")
        return StaffIdentity(member.id, member.username, member.role, "cli")
