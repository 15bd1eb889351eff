"""Password checks under log-in limits, shared by users' and staff members' log-ins.

Threats handled (P13): guessing (a failed-attempt budget per account name and an attempt
budget per client, kept in the database so every node enforces the same), and learning which
names exist from timing (an unknown name is verified against a dummy hash, as slow as a real
one). Passwords longer than ``MAX_PASSWORD_CHARS`` are refused before hashing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from confide.accounts.ratelimit import RateLimiter
from confide.settings import Settings
from confide.storage.db import Database

__all__ = ["MAX_PASSWORD_CHARS", "LoginGuard", "password_hasher"]

MAX_PASSWORD_CHARS = 1024


def password_hasher(settings: Settings) -> PasswordHasher:
    """Argon2id with the configured cost (OWASP's minimum or above by default)."""
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


class LoginGuard:
    """One kind of log-in: its rate-limit buckets (``<purpose>-account``, ``<purpose>-client``)
    and the hasher that verifies its passwords."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        limiter: RateLimiter,
        hasher: PasswordHasher,
        *,
        purpose: str,
    ) -> None:
        self._settings = settings
        self._db = db
        self._limiter = limiter
        self._hasher = hasher
        self._account = f"{purpose}-account"
        self._client = f"{purpose}-client"
        self._dummy_hash = hasher.hash(secrets.token_urlsafe(16))

    def attempt(self, name: str, client: str | None, now: datetime) -> None:
        """Refuse (RateLimited) once the name's failure budget is spent; count the client's
        attempt (``None``: a re-check within a session, no client budget). In its own
        transaction, so a failed attempt still spends budget."""
        st = self._settings
        with self._db.transaction() as s:
            self._limiter.check(
                s,
                self._account,
                name,
                limit=st.login_max_failures_per_account,
                window_s=st.login_window_s,
                now=now,
            )
            if client is None:
                return
            self._limiter.hit(
                s,
                self._client,
                client,
                limit=st.login_max_attempts_per_client,
                window_s=st.login_window_s,
                now=now,
            )

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; ``None`` (an unknown name) costs the same and fails."""
        if len(password) > MAX_PASSWORD_CHARS:
            return False
        try:
            ok = self._hasher.verify(password_hash or self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return bool(ok) and password_hash is not None

    def reset(self, s: Session, name: str) -> None:
        """A successful log-in clears the name's failure budget."""
        self._limiter.reset(s, self._account, name)

    def count_failure(
        self, name: str, now: datetime, *, also: Callable[[Session], None] | None = None
    ) -> None:
        """Spend one of the name's failed-attempt budget; ``also`` runs in the same
        transaction (an audit entry for a known account)."""
        with self._db.transaction(scope="auth") as s:
            if also is not None:
                also(s)
            self._limiter.hit(
                s,
                self._account,
                name,
                limit=self._settings.login_max_failures_per_account + 1,
                window_s=self._settings.login_window_s,
                now=now,
            )
