"""The user's page of staff access (promise P8): every request to read their content, every
grant, how often staff read under it, and the buttons that decide: approve or deny a support
request, end an active grant now.

Threats handled:
- Access the user never hears of: every request and grant on the account is listed here,
  with the staff member's username and role, the case, the reason and the reads so far.
- A forged approval: each button is a form with the session's CSRF token (``FormUserDep``),
  and every id is looked up under the signed-in user (404 otherwise).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from confide.accounts.service import Identity
from confide.errors import ConfideError, Conflict
from confide.services import Services
from confide.web.deps import ServicesDep
from confide.web.pages.common import FormUserDep, ViewerDep, render, see_other, to_login

router = APIRouter(include_in_schema=False)

STATUS_WORDS = {
    "pending": "Waiting for your answer",
    "active": "Active",
    "denied": "Refused by you",
    "revoked": "Ended early",
    "expired": "Expired",
}

SCOPE_WORDS = {"conversations": "All your conversations", "memories": "Your memories"}

# What a redirect may announce: fixed sentences only, never anything from the URL.
NOTICES = {
    "approved": "You approved the request. It is active now and ends on its own at the time shown.",
    "denied": "You refused the request. Nothing of yours can be read under it.",
    "revoked": "You ended the grant. Nothing more can be read under it.",
}


def scope_words(scope: str) -> str:
    if scope.startswith("conversation:"):
        return "One conversation"
    return SCOPE_WORDS.get(scope, scope)


def _page(
    request: Request,
    who: Identity,
    services: Services,
    *,
    status: int = 200,
    error: ConfideError | None = None,
    notice: str | None = None,
) -> Response:
    return render(
        request,
        "access_requests.html",
        who=who,
        status=status,
        error=error,
        notice=notice,
        grants=services.access.list_for_user(who.user_id),
        status_words=STATUS_WORDS,
        scope_words=scope_words,
    )


@router.get("/privacy/access", response_class=HTMLResponse)
def access_page(
    request: Request,
    who: ViewerDep,
    services: ServicesDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    if who is None:
        return to_login()
    return _page(request, who, services, notice=NOTICES.get(done or ""))


def _decide(
    request: Request, who: Identity, services: Services, grant_id: str, action: str
) -> Response:
    """Approve, deny or revoke; a request that changed meanwhile (expired, already decided)
    shows the page again with why."""
    decide = {
        "approved": services.access.approve,
        "denied": services.access.deny,
        "revoked": services.access.revoke,
    }[action]
    try:
        decide(who.user_id, grant_id)
    except Conflict as exc:
        return _page(request, who, services, status=exc.status, error=exc)
    return see_other(f"/privacy/access?done={action}")


@router.post("/privacy/access/{grant_id}/approve", response_class=HTMLResponse)
def access_approve(
    grant_id: str, request: Request, who: FormUserDep, services: ServicesDep
) -> Response:
    return _decide(request, who, services, grant_id, "approved")


@router.post("/privacy/access/{grant_id}/deny", response_class=HTMLResponse)
def access_deny(
    grant_id: str, request: Request, who: FormUserDep, services: ServicesDep
) -> Response:
    return _decide(request, who, services, grant_id, "denied")


@router.post("/privacy/access/{grant_id}/revoke", response_class=HTMLResponse)
def access_revoke(
    grant_id: str, request: Request, who: FormUserDep, services: ServicesDep
) -> Response:
    return _decide(request, who, services, grant_id, "revoked")
