"""Who is acting on a staff request: a staff session from a bearer token (API and CLI clients)
or the ``confide_staff`` cookie (the staff pages under ``/staff``).

Threats handled: a user session reaching staff routes (staff tokens live in their own table;
a user token is never a staff token), and forged cross-site posts with the staff cookie (the
cookie is SameSite=Strict and scoped to ``/staff``; state-changing cookie requests must carry
the CSRF header or a same-origin Origin, as for users).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from confide.accounts.staff import SESSION_HOURS, StaffIdentity, StaffNewSession
from confide.errors import AuthenticationFailed, Forbidden
from confide.settings import Settings
from confide.web.csrf import CSRF_HEADER, CsrfGuard
from confide.web.deps import get_services

__all__ = ["STAFF_COOKIE", "StaffDep", "get_staff", "set_staff_cookie"]

STAFF_COOKIE = "confide_staff"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def set_staff_cookie(response: Response, settings: Settings, new: StaffNewSession) -> None:
    response.set_cookie(
        STAFF_COOKIE,
        new.token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=settings.is_https,
        path="/staff",
    )


def get_staff(request: Request) -> StaffIdentity:
    services = get_services(request)
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return services.staff.authenticate(auth[7:].strip())
    token = request.cookies.get(STAFF_COOKIE)
    if not token:
        raise AuthenticationFailed("not signed in as staff")
    who = services.staff.authenticate(token)
    if request.method not in _SAFE_METHODS:
        guard: CsrfGuard = request.app.state.csrf
        origin = request.headers.get("origin")
        expected = services.settings.public_url or str(request.base_url)
        same_origin = bool(origin) and str(origin).rstrip("/") == expected.rstrip("/")
        if not (
            guard.is_valid_for_session(who.session_id, request.headers.get(CSRF_HEADER))
            or same_origin
        ):
            raise Forbidden("cross-site request refused", code="cross_site_request")
    return who


StaffDep = Annotated[StaffIdentity, Depends(get_staff)]
