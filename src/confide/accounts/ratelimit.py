"""Fixed-window rate limits kept in the database, so every node enforces the same budget.

Threat handled: password guessing and sign-up floods. Bucket names are HMACs of (purpose,
subject) under a key derived from the master key, so the table reveals no usernames or client
addresses.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from confide.errors import RateLimited
from confide.privacy import crypto
from confide.storage.repositories import RateLimitRepo

__all__ = ["RateLimiter"]


class RateLimiter:
    def __init__(self, bucket_key: bytes) -> None:
        self._key = bucket_key

    def _bucket(self, purpose: str, subject: str) -> str:
        return crypto.keyed_digest(self._key, f"{purpose}\x1f{subject}")[:64]

    @staticmethod
    def _window(now: datetime, window_s: int) -> tuple[int, int]:
        ts = int(now.timestamp())
        start = ts - ts % window_s
        return start, start + window_s - ts

    def check(
        self, s: Session, purpose: str, subject: str, *, limit: int, window_s: int, now: datetime
    ) -> None:
        """Raise RateLimited if the budget for this window is already spent."""
        start, retry_after = self._window(now, window_s)
        if RateLimitRepo(s).count(self._bucket(purpose, subject), start) >= limit:
            raise RateLimited("too many attempts; try again later", retry_after=retry_after)

    def hit(
        self, s: Session, purpose: str, subject: str, *, limit: int, window_s: int, now: datetime
    ) -> None:
        """Count one attempt; raise RateLimited if it goes over the budget."""
        start, retry_after = self._window(now, window_s)
        if RateLimitRepo(s).hit(self._bucket(purpose, subject), start) > limit:
            raise RateLimited("too many attempts; try again later", retry_after=retry_after)

    def reset(self, s: Session, purpose: str, subject: str) -> None:
        RateLimitRepo(s).reset(self._bucket(purpose, subject))
