"""Dependencies shared by routes: the services, the acting identity, the client address."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import Depends, Request

from confide.accounts.service import Identity
from confide.errors import AuthenticationFailed, Forbidden
from confide.services import Services
from confide.web.csrf import CSRF_HEADER, CsrfGuard

__all__ = [
    "SESSION_COOKIE",
    "ClientDep",
    "IdentityDep",
    "ServicesDep",
    "client_address",
    "get_identity",
    "get_services",
]

SESSION_COOKIE = "confide_session"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def client_address(request: Request) -> str:
    """The client's address; X-Forwarded-For is believed only from a trusted proxy."""
    services = get_services(request)
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    trusted = services.settings.trusted_proxies
    if forwarded and peer in trusted:
        # Walk from the right: entries left of the last untrusted hop are client-controlled.
        for candidate in reversed([part.strip() for part in forwarded.split(",")]):
            try:
                address = str(ipaddress.ip_address(candidate))
            except ValueError:
                return peer
            if address not in trusted:
                return address
    return peer


ClientDep = Annotated[str, Depends(client_address)]


def get_identity(request: Request) -> Identity:
    services = get_services(request)
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return services.accounts.authenticate(auth[7:].strip())
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AuthenticationFailed("not signed in")
    who = services.accounts.authenticate(token)
    if request.method not in _SAFE_METHODS and not _is_same_site(request, who, services):
        raise Forbidden("cross-site request refused", code="cross_site_request")
    return who


def _is_same_site(request: Request, who: Identity, services: Services) -> bool:
    """A state-changing request carrying the session cookie must prove it comes from our own
    pages: a valid CSRF token header (chat.js sends one), or an Origin header naming this
    server. Cookie sessions are SameSite=Strict too; this holds where that is not enough."""
    guard: CsrfGuard = request.app.state.csrf
    if guard.is_valid_for_session(who.session_id, request.headers.get(CSRF_HEADER)):
        return True
    origin = request.headers.get("origin")
    expected = services.settings.public_url or str(request.base_url)
    return bool(origin) and str(origin).rstrip("/") == expected.rstrip("/")


IdentityDep = Annotated[Identity, Depends(get_identity)]
