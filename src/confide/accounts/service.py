"""Accounts: sign-up with an age gate, Argon2id passwords, sessions, rate-limited log-in.

Threats handled (promises P12 and P13):
- Minors signing up: the date of birth is checked before anything is written; a refused
  sign-up stores nothing about the person and logs nothing about them.
- Password cracking after a leak: Argon2id at or above OWASP's minimum, rehashed at log-in
  when the parameters are raised.
- Username enumeration by timing: unknown usernames are verified against a dummy hash.
- Stolen session tables: tokens are 256-bit random, only their SHA-256 is stored.
- Guessing: per-account failure limits and per-client attempt limits, shared by all nodes.
- Session theft after a password change: other sessions end.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from confide.accounts.instance import InstanceSettings
from confide.accounts.login import MAX_PASSWORD_CHARS, LoginGuard, password_hasher
from confide.accounts.ratelimit import RateLimiter
from confide.clock import Clock, as_utc
from confide.errors import (
    AgeRequirementNotMet,
    AuthenticationFailed,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
)
from confide.ids import new_id
from confide.privacy.audit import AuditLog
from confide.privacy.consent import ConsentLedger
from confide.privacy.keys import KeyStore
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database
from confide.storage.repositories import ErasureRepo, SessionRepo, UserRepo
from confide.storage.tables import SessionRow, User

__all__ = ["AccountService", "Identity", "NewSession", "SessionInfo", "age_on", "is_suspended"]

MIN_PASSWORD_CHARS = 10


def age_on(dob: date, today: date) -> int:
    """Whole years between ``dob`` and ``today`` (a 29 February birthday counts on 1 March)."""
    years = today.year - dob.year
    if (today.month, today.day) < (dob.month, dob.day):
        years -= 1
    return years


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is acting on this request. ``session_id`` identifies the session in use."""

    user_id: str
    username: str
    session_id: str


@dataclass(frozen=True, slots=True)
class NewSession:
    identity: Identity
    token: str
    expires_at: datetime

    def __repr__(self) -> str:
        return f"NewSession(identity={self.identity!r}, token=<hidden>)"


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    client: str | None
    is_current: bool


class AccountService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        keys: KeyStore,
        vault: Vault,
        limiter: RateLimiter,
        clock: Clock,
        on_sign_out: Callable[[str], None] = lambda user_id: None,
        audit: AuditLog | None = None,
        consents: ConsentLedger | None = None,
        instance: InstanceSettings | None = None,
    ) -> None:
        self._instance = instance  # the owner's minimum age; the first account's ownership
        self._consents = consents
        self._on_sign_out = on_sign_out  # drops the user's cached plaintext
        self._audit = audit
        self._settings = settings
        self._db = db
        self._keys = keys
        self._vault = vault
        self._limiter = limiter
        self._clock = clock
        self._hasher = password_hasher(settings)
        self._guard = LoginGuard(settings, db, limiter, self._hasher, purpose="login")

    # --- sign-up ----------------------------------------------------------------------
    def min_age(self) -> int:
        """The minimum age for new accounts in force now (the instance owner may change it)."""
        return self._instance.min_age() if self._instance else self._settings.min_age

    def sign_up(
        self,
        *,
        username: str,
        email: str,
        password: str,
        date_of_birth: date,
        client: str,
        client_label: str | None = None,
        memory: bool = True,
    ) -> NewSession:
        """Create an account. ``memory`` is the user's sign-up choice for the memory purpose
        (recorded in the consent ledger); every other purpose starts off."""
        now = self._clock()
        # The age gate runs first: a refused minor leaves no trace (no row, no counter, no log).
        if date_of_birth > now.date():
            raise InvalidInput("date_of_birth is in the future")
        min_age = self.min_age()
        if age_on(date_of_birth, now.date()) < min_age:
            raise AgeRequirementNotMet(
                f"you must be at least {min_age} years old to use this service"
            )
        username = normalise_username(username)
        check_password_strength(password, username)
        with self._db.transaction() as s:
            self._limiter.hit(
                s,
                "signup-client",
                client,
                limit=self._settings.signup_max_per_client,
                window_s=self._settings.signup_window_s,
                now=now,
            )
        password_hash = self._hasher.hash(password)
        user_id = new_id()
        try:
            return self._create_user(
                user_id, username, email, password_hash, date_of_birth, client_label, now, memory
            )
        except IntegrityError as exc:  # two sign-ups raced for one username
            self._keys.destroy(user_id, now=now)
            raise Conflict("that username is taken", code="username_taken") from exc

    def _create_user(
        self,
        user_id: str,
        username: str,
        email: str,
        password_hash: str,
        date_of_birth: date,
        client_label: str | None,
        now: datetime,
        memory: bool,
    ) -> NewSession:
        # "auth": the new account's transaction may see whether a username is taken
        with self._db.transaction(user_id, scope="auth") as s:
            users = UserRepo(s)
            if users.username_taken(username):
                raise Conflict("that username is taken", code="username_taken")
            self._keys.create(user_id, now=now)
            user = User(
                id=user_id,
                username=username,
                email_ct=self._vault.seal(user_id, "users", "email_ct", user_id, email),
                date_of_birth_ct=self._vault.seal(
                    user_id, "users", "date_of_birth_ct", user_id, date_of_birth.isoformat()
                ),
                password_hash=password_hash,
                status="active",
                created_at=now,
                password_changed_at=now,
            )
            if self._instance is not None:
                self._instance.first_user_becomes_owner(s, user)
            users.add(user)
            s.flush()  # the user row must exist before its session row
            new = self.open_session(s, user_id, username, client_label, now)
            self._record(s, "account.created", user_id, {"session_id": new.identity.session_id})
            if self._consents is not None:
                self._consents.record(s, user_id, "memory", memory)
            return new

    # --- log-in -------------------------------------------------------------------------
    def log_in(
        self, *, username: str, password: str, client: str, client_label: str | None = None
    ) -> NewSession:
        now = self._clock()
        username = username.strip().lower()
        user = self._verified_user(username, password, client, now, audit_failure=True)
        if user.status == "deleting" and _closed_at_once(user):
            # Erased without a grace period (the user's choice, an under-age account, or a
            # safety decision): there is nothing to cancel any more.
            raise AuthenticationFailed(
                "this account was closed and its data erased", code="account_closed"
            )
        if user.status == "deleting":
            # Only someone who knows the password learns this; they may cancel instead.
            raise AuthenticationFailed(
                "this account is being deleted; cancel the deletion to sign in again",
                code="account_deleting",
            )
        if user.status != "active":
            self._count_failure(username, user, now)
            raise AuthenticationFailed("wrong username or password")
        self._refuse_if_suspended(user, now)
        with self._db.transaction(user.id) as s:
            if self._hasher.check_needs_rehash(user.password_hash):
                fresh = UserRepo(s).get(user.id)
                if fresh is not None:
                    fresh.password_hash = self._hasher.hash(password)
            self._guard.reset(s, username)
            new = self.open_session(s, user.id, user.username, client_label, now)
            self._record(s, "account.logged_in", user.id, {"session_id": new.identity.session_id})
            return new

    def _verified_user(
        self, username: str, password: str, client: str, now: datetime, *, audit_failure: bool
    ) -> User:
        """The user whose password this is, checked under the log-in limits (shared by log-in
        and cancelling a deletion, so neither is a side door for guessing). Unknown usernames
        are as slow as known ones. A failure spends the account's budget and raises."""
        self._guard.attempt(username, client, now)
        with self._db.reader(scope="auth") as s:
            user = UserRepo(s).by_username(username)
        # Verified even for an unknown name (against a dummy hash): as slow as a real one.
        ok = self._guard.verify(user.password_hash if user is not None else None, password)
        if user is None or not ok:
            self._count_failure(username, user if audit_failure else None, now)
            raise AuthenticationFailed("wrong username or password")
        return user

    def _count_failure(self, username: str, user: User | None, now: datetime) -> None:
        """Spend one of the account's failed-log-in budget (and audit it when ``user``)."""
        if user is None:
            self._guard.count_failure(username, now)
            return
        user_id = user.id
        self._guard.count_failure(
            username, now, also=lambda s: self._record(s, "account.login_failed", user_id, {})
        )

    def open_session(
        self, s: Session, user_id: str, username: str, client_label: str | None, now: datetime
    ) -> NewSession:
        """A new session for ``user_id`` inside the caller's transaction (sign-up, log-in,
        cancelling a deletion, importing an account)."""
        token = secrets.token_urlsafe(32)  # 256 bits
        session_id = new_id()
        expires = now + timedelta(days=self._settings.session_ttl_days)
        label_ct = (
            self._vault.seal(user_id, "sessions", "client_label_ct", session_id, client_label[:200])
            if client_label
            else None
        )
        SessionRepo(s).add(
            SessionRow(
                id=session_id,
                user_id=user_id,
                token_hash=_token_hash(token),
                client_label_ct=label_ct,
                created_at=now,
                last_seen_at=now,
                expires_at=expires,
            )
        )
        return NewSession(Identity(user_id, username, session_id), token, expires)

    # --- sessions ---------------------------------------------------------------------------
    def authenticate(self, token: str) -> Identity:
        """The identity behind a session token, or AuthenticationFailed."""
        if not token or len(token) > 256:
            raise AuthenticationFailed("not signed in")
        now = self._clock()
        idle = timedelta(days=self._settings.session_idle_days)
        with self._db.reader(scope="auth") as s:
            row = SessionRepo(s).by_token_hash(_token_hash(token))
            user = UserRepo(s).get(row.user_id) if row is not None else None
        if row is None or user is None or user.status != "active" or is_suspended(user, now):
            raise AuthenticationFailed("not signed in")
        if as_utc(row.expires_at) <= now or as_utc(row.last_seen_at) + idle <= now:
            with self._db.transaction(row.user_id) as s:
                SessionRepo(s).delete_one(row.user_id, row.id)
            raise AuthenticationFailed("your session has expired; sign in again")
        if now - as_utc(row.last_seen_at) > timedelta(minutes=5):
            # Coarse last-seen updates: one write per five minutes, not per request.
            with self._db.transaction(row.user_id) as s:
                fresh = SessionRepo(s).by_token_hash(row.token_hash)
                if fresh is not None:
                    fresh.last_seen_at = now
        return Identity(user.id, user.username, row.id)

    def _record(self, s: Session, action: str, user_id: str, details: dict[str, Any]) -> None:
        if self._audit is not None:
            self._audit.append(
                s, actor="user", action=action, subject_user_id=user_id, details=details
            )

    def log_out(self, who: Identity) -> None:
        with self._db.transaction(who.user_id) as s:
            SessionRepo(s).delete_one(who.user_id, who.session_id)
            self._record(s, "account.logged_out", who.user_id, {"session_id": who.session_id})
        self._on_sign_out(who.user_id)

    def log_out_everywhere(self, who: Identity) -> int:
        with self._db.transaction(who.user_id) as s:
            count = SessionRepo(s).delete_all(who.user_id)
            self._record(s, "account.logged_out_everywhere", who.user_id, {"sessions": count})
        self._on_sign_out(who.user_id)
        return count

    def list_sessions(self, who: Identity) -> list[SessionInfo]:
        now = self._clock()
        idle = timedelta(days=self._settings.session_idle_days)
        with self._db.reader(who.user_id) as s:
            rows = [
                r
                for r in SessionRepo(s).list_for(who.user_id)
                if as_utc(r.expires_at) > now and as_utc(r.last_seen_at) + idle > now
            ]
        return [
            SessionInfo(
                id=r.id,
                created_at=as_utc(r.created_at),
                last_seen_at=as_utc(r.last_seen_at),
                expires_at=as_utc(r.expires_at),
                client=self._vault.open_optional(
                    who.user_id, "sessions", "client_label_ct", r.id, r.client_label_ct
                ),
                is_current=r.id == who.session_id,
            )
            for r in rows
        ]

    def revoke_session(self, who: Identity, session_id: str) -> None:
        with self._db.transaction(who.user_id) as s:
            if not SessionRepo(s).delete_one(who.user_id, session_id):
                raise NotFound("no such session")
            self._record(s, "account.session_revoked", who.user_id, {"session_id": session_id})

    def change_password(self, who: Identity, *, current: str, new: str) -> None:
        """Change the password and end every other session (a thief's included)."""
        check_password_strength(new, who.username)
        now = self._clock()
        self.check_password(who, current, code="wrong_password")
        new_hash = self._hasher.hash(new)
        with self._db.transaction(who.user_id) as s:
            fresh = UserRepo(s).get(who.user_id)
            if fresh is None:
                raise AuthenticationFailed("not signed in")
            fresh.password_hash = new_hash
            fresh.password_changed_at = now
            ended = SessionRepo(s).delete_all(who.user_id, except_id=who.session_id)
            self._record(s, "account.password_changed", who.user_id, {"sessions_ended": ended})

    def check_password(self, who: Identity, password: str, *, code: str) -> None:
        """Re-check the signed-in user's password before a sensitive action (a password
        change, account deletion). Failures count against the log-in budget, so a stolen
        session is not an unlimited password-guessing oracle."""
        now = self._clock()
        self._guard.attempt(who.username, None, now)
        with self._db.reader(who.user_id) as s:
            user = UserRepo(s).get(who.user_id)
        if user is None:
            raise AuthenticationFailed("not signed in")
        if not self._guard.verify(user.password_hash, password):
            self._guard.count_failure(who.username, now)
            raise AuthenticationFailed("the current password is wrong", code=code)

    # --- account deletion (the request itself is ErasureService.delete_account) ---------------
    def cancel_deletion(
        self, *, username: str, password: str, client: str, client_label: str | None = None
    ) -> NewSession:
        """Cancel a pending account deletion during its grace period and sign in.

        Rate-limited exactly like log-in (same buckets), and as slow for unknown usernames,
        so it is no side door for guessing passwords or probing usernames. Once the data key
        has been destroyed it is too late: nothing could be read again.
        """
        now = self._clock()
        username = username.strip().lower()
        user = self._verified_user(username, password, client, now, audit_failure=False)
        if user.status != "deleting":
            raise Conflict("this account is not being deleted", code="not_deleting")
        due = user.deletion_due_at
        if due is not None and as_utc(due) <= now:
            raise Conflict(
                "too late: the grace period is over and the account is being erased",
                code="already_erased",
            )
        try:
            self._keys.get(user.id)
        except NotFound as exc:
            raise Conflict(
                "too late: this account's data key was already destroyed and its data erased",
                code="already_erased",
            ) from exc
        with self._db.transaction(user.id) as s:
            fresh = UserRepo(s).get(user.id)
            if fresh is None or fresh.status != "deleting":
                raise Conflict("this account is not being deleted", code="not_deleting")
            fresh.status = "active"
            fresh.deletion_requested_at = None
            fresh.deletion_due_at = None
            self._guard.reset(s, username)
            new = self.open_session(s, user.id, user.username, client_label, now)
            receipt_id = ErasureRepo(s).latest_deletion_receipt(user.id)
            self._record(
                s,
                "account.deletion_cancelled",
                user.id,
                {"receipt_id": receipt_id, "session_id": new.identity.session_id},
            )
            return new

    def _refuse_if_suspended(self, user: User, now: datetime) -> None:
        """A suspended account may not sign in; only someone who knows the password learns
        why (the reason is on the account's notices, sealed under its key)."""
        if not is_suspended(user, now):
            return
        until = (
            f"until {as_utc(user.suspended_until):%Y-%m-%d %H:%M} UTC"
            if user.suspended_until is not None
            else "until the safety team lifts it"
        )
        raise Forbidden(
            f"this account is suspended {until}; the reason was sent to you with the decision",
            code="account_suspended",
        )

    # --- profile: country, date-of-birth correction ---------------------------------------
    def set_country(self, who: Identity, country: str | None) -> str | None:
        """The country whose helplines the user's safety cards show (None: the default)."""
        code = None
        if country:
            code = country.strip().upper()
            if len(code) != 2 or not code.isascii() or not code.isalpha():
                raise InvalidInput("country must be a two-letter ISO 3166 code, such as IN or US")
        with self._db.transaction(who.user_id) as s:
            user = UserRepo(s).get(who.user_id)
            if user is None:
                raise AuthenticationFailed("not signed in")
            if user.country != code:
                user.country = code
                self._record(s, "account.country_changed", who.user_id, {"country": code})
        return code

    def country(self, user_id: str) -> str | None:
        with self._db.reader(user_id) as s:
            user = UserRepo(s).get(user_id)
        return user.country if user is not None else None

    def correct_date_of_birth(self, who: Identity, date_of_birth: date) -> bool:
        """Correct the stored date of birth. Returns False when the corrected date puts the
        account under the minimum age: the caller must then close and erase it (P12)."""
        today = self._clock().date()
        if date_of_birth > today:
            raise InvalidInput("date_of_birth is in the future")
        with self._db.transaction(who.user_id) as s:
            user = UserRepo(s).get(who.user_id)
            if user is None:
                raise AuthenticationFailed("not signed in")
            user.date_of_birth_ct = self._vault.seal(
                user.id, "users", "date_of_birth_ct", user.id, date_of_birth.isoformat()
            )
            self._record(s, "account.dob_corrected", who.user_id, {})
        return age_on(date_of_birth, today) >= self.min_age()

    def profile(self, who: Identity) -> dict[str, str]:
        with self._db.reader(who.user_id) as s:
            user = UserRepo(s).get(who.user_id)
        if user is None:
            raise AuthenticationFailed("not signed in")
        return {
            "id": user.id,
            "username": user.username,
            "email": self._vault.open_text(user.id, "users", "email_ct", user.id, user.email_ct),
            "created_at": as_utc(user.created_at).isoformat(),
        }


def _closed_at_once(user: User) -> bool:
    requested, due = user.deletion_requested_at, user.deletion_due_at
    return requested is not None and due is not None and as_utc(due) <= as_utc(requested)


def is_suspended(user: User, now: datetime) -> bool:
    if user.suspended_at is None:
        return False
    return user.suspended_until is None or as_utc(user.suspended_until) > now


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not 3 <= len(name) <= 40:
        raise InvalidInput("username must be 3 to 40 characters")
    if not all(c.isascii() and (c.isalnum() or c in "._-") for c in name):
        raise InvalidInput("username may contain only letters, digits, '.', '_' and '-'")
    return name


def check_password_strength(password: str, username: str) -> None:
    """OWASP ASVS V6: at least 10 characters here (ASVS asks ≥ 8), any characters, ≤ 1024."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(f"password must be at most {MAX_PASSWORD_CHARS} characters")
    if password.strip().lower() == username:
        raise InvalidInput("password must not be the username")
