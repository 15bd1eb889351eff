"""CSRF tokens for the web pages and for the JSON API when it is called with the session cookie.

Threat handled: cross-site request forgery. Another site can make a signed-in browser send a
form POST here; SameSite=Strict cookies stop most of it, and this token stops the rest (old
browsers, a same-site subdomain someone else controls). Every form carries a token that only a
page of this server can know:

- signed in: HMAC of the session id under a key derived from the master key, so it needs no
  storage and dies with the session;
- before signing in (the log-in and sign-up forms): HMAC of a random value kept in an HttpOnly
  cookie (a signed double-submit cookie), so a forged log-in into the attacker's account fails.

Bearer-token API clients are not affected: a browser never attaches a bearer token by itself.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

from confide.privacy import crypto

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "CSRF_HEADER", "CsrfGuard"]

CSRF_COOKIE = "confide_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class CsrfGuard:
    """Issues and checks tokens; the key is derived once at start-up (``crypto.derive_subkey``)."""

    def __init__(self, key: bytes, *, secure_cookie: bool) -> None:
        self._key = key
        self._secure = secure_cookie

    def __repr__(self) -> str:
        return "CsrfGuard(key=<hidden>)"

    def _mac(self, kind: str, value: str) -> str:
        return crypto.keyed_digest(self._key, f"{kind}:{value}")

    def for_session(self, session_id: str) -> str:
        return self._mac("session", session_id)

    def is_valid_for_session(self, session_id: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.for_session(session_id), str(token))

    # --- before sign-in ---------------------------------------------------------------------
    @staticmethod
    def pre_session_seed(request: Request) -> tuple[str, bool]:
        """The random value behind a log-in or sign-up form's token: (seed, is_new)."""
        seed = request.cookies.get(CSRF_COOKIE, "")
        if 20 <= len(seed) <= 100:
            return seed, False
        return secrets.token_urlsafe(32), True

    def for_seed(self, seed: str) -> str:
        return self._mac("pre", seed)

    def set_seed_cookie(self, response: Response, seed: str) -> None:
        response.set_cookie(
            CSRF_COOKIE, seed, httponly=True, samesite="strict", secure=self._secure, path="/"
        )

    def is_valid_pre_session(self, request: Request, token: str | None) -> bool:
        seed = request.cookies.get(CSRF_COOKIE, "")
        if not seed or not token:
            return False
        return hmac.compare_digest(self.for_seed(seed), str(token))
