"""The staff pages under ``/staff`` (promise P8): sign-in, the staff member's own grants, a form
to ask for access, account lookup (metadata only), and the content one active grant allows.

Threats handled:
- Staff browsing chats: nothing here shows content except ``/staff/access/{id}``, and only
  under the staff member's own active grant, within its scope; each view is an
  ``access.read`` entry in the user's own audit log (``privacy/access.py``).
- Forged form posts: every POST carries the staff session's CSRF token (the staff cookie is
  SameSite=Strict and scoped to ``/staff``); the sign-in form uses the pre-session token.
- A user session reaching staff pages: only the ``confide_staff`` cookie counts here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from confide.accounts.staff import StaffIdentity
from confide.errors import AuthenticationFailed, ConfideError, InvalidInput, NotFound
from confide.privacy.access import DEFAULT_HOURS, MAX_HOURS, AccountMetadata, GrantView
from confide.services import Services
from confide.web.deps import ClientDep, ServicesDep, get_services
from confide.web.pages.common import csrf_refused, guard, pre_session_form, render, see_other
from confide.web.staff_deps import STAFF_COOKIE, set_staff_cookie

router = APIRouter(include_in_schema=False)

LOGIN = "/staff/login"

# What a redirect may announce: fixed sentences only, never anything from the URL.
NOTICES = {
    "requested": "Request sent. A support request waits for the user's approval.",
    "granted": "Access granted. The user sees it, and every read, in their own audit log.",
    "ended": "The grant is ended. Nothing more can be read under it.",
}

STATUS_WORDS = {
    "pending": "Waiting for the user",
    "active": "Active",
    "denied": "Refused by the user",
    "revoked": "Ended early",
    "expired": "Expired",
}


# --- who is asking -----------------------------------------------------------------------------
def staff_viewer(request: Request) -> StaffIdentity | None:
    """The signed-in staff member from the staff cookie, or None (user cookies never count)."""
    token = request.cookies.get(STAFF_COOKIE)
    if not token:
        return None
    try:
        return get_services(request).staff.authenticate(token)
    except AuthenticationFailed:
        return None


def staff_form(request: Request, csrf_token: Annotated[str, Form()] = "") -> StaffIdentity:
    """The staff member behind a form post whose CSRF token matches their staff session."""
    who = staff_viewer(request)
    if who is None:
        raise AuthenticationFailed("you are not signed in as staff; sign in and try again")
    if not guard(request).is_valid_for_session(who.session_id, csrf_token):
        raise csrf_refused()
    return who


StaffViewerDep = Annotated[StaffIdentity | None, Depends(staff_viewer)]
StaffFormDep = Annotated[StaffIdentity, Depends(staff_form)]


def render_staff(
    request: Request, name: str, staff: StaffIdentity, *, status: int = 200, **context: Any
) -> HTMLResponse:
    token = guard(request).for_session(staff.session_id)
    return render(request, name, who=None, csrf_token=token, status=status, staff=staff, **context)


# --- sign-in -----------------------------------------------------------------------------------
@router.get("/staff/login", response_class=HTMLResponse)
def staff_login_page(request: Request, who: StaffViewerDep) -> Response:
    if who is not None:
        return see_other("/staff")
    return pre_session_form(request, "staff_login.html", username="")


@router.post("/staff/login", response_class=HTMLResponse)
def staff_login(
    request: Request,
    services: ServicesDep,
    client: ClientDep,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not guard(request).is_valid_pre_session(request, csrf_token):
        raise csrf_refused()
    try:
        new = services.staff.log_in(username, password, client)
    except ConfideError as exc:
        return pre_session_form(
            request, "staff_login.html", status=exc.status, username=username, error=exc
        )
    response = see_other("/staff")
    set_staff_cookie(response, services.settings, new)
    return response


@router.post("/staff/logout")
def staff_logout(who: StaffFormDep, services: ServicesDep) -> Response:
    services.staff.log_out(who)
    response = see_other(LOGIN)
    response.delete_cookie(STAFF_COOKIE, path="/staff")
    return response


# --- home: own grants, request form, lookup ----------------------------------------------------
def _home(
    request: Request,
    staff: StaffIdentity,
    services: Services,
    *,
    lookup: str | None = None,
    status: int = 200,
    error: ConfideError | None = None,
    notice: str | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    found: AccountMetadata | None = None
    lookup_error: ConfideError | None = None
    if lookup:
        try:
            found = services.access.lookup_user(staff, lookup)
        except NotFound as exc:
            lookup_error = exc
    return render_staff(
        request,
        "staff_home.html",
        staff,
        status=status,
        error=error,
        notice=notice,
        grants=services.access.list_for_staff(staff),
        status_words=STATUS_WORDS,
        lookup=lookup or "",
        found=found,
        lookup_error=lookup_error,
        form=form or {"username": lookup or "", "hours": DEFAULT_HOURS},
        max_hours=MAX_HOURS,
    )


@router.get("/staff", response_class=HTMLResponse)
def staff_home(
    request: Request,
    who: StaffViewerDep,
    services: ServicesDep,
    username: Annotated[str | None, Query(max_length=100)] = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    if who is None:
        return see_other(LOGIN)
    return _home(request, who, services, lookup=username, notice=NOTICES.get(done or ""))


@router.post("/staff/access", response_class=HTMLResponse)
def staff_request_access(
    request: Request,
    who: StaffFormDep,
    services: ServicesDep,
    username: Annotated[str, Form(max_length=100)] = "",
    case_ref: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    scope: Annotated[str, Form(max_length=100)] = "conversations",
    hours: Annotated[str, Form(max_length=5)] = str(DEFAULT_HOURS),
) -> Response:
    try:
        if not hours.strip().isdigit():
            raise InvalidInput(f"hours must be 1 to {MAX_HOURS}", code="invalid_hours")
        grant = services.access.request(
            who,
            username=username,
            case_ref=case_ref,
            reason=reason,
            scope=scope,
            hours=int(hours),
        )
    except ConfideError as exc:
        form = {"username": username, "case_ref": case_ref, "reason": reason}
        form |= {"scope": scope, "hours": hours}
        return _home(request, who, services, status=exc.status, error=exc, form=form)
    return see_other(f"/staff?done={'requested' if grant.status == 'pending' else 'granted'}")


@router.post("/staff/access/{grant_id}/end")
def staff_end_access(grant_id: str, who: StaffFormDep, services: ServicesDep) -> Response:
    services.access.end(who, grant_id)
    return see_other("/staff?done=ended")


# --- reading under a grant ---------------------------------------------------------------------
def _content(
    services: Services,
    staff: StaffIdentity,
    grant: GrantView,
    conversation: str | None,
    before: int | None,
) -> dict[str, Any]:
    """What the grant allows, read through the service (each read audited)."""
    if grant.status != "active":
        return {}
    if grant.scope == "memories":
        items, total = services.access.read_memories(staff, grant.id, limit=200)
        return {"memories": items, "memory_total": total}
    if conversation is None and grant.scope.startswith("conversation:"):
        conversation = grant.scope.split(":", 1)[1]
    if conversation is not None:
        page = services.access.read_messages(
            staff, grant.id, conversation, before=before, limit=200
        )
        return {
            "messages": page.items,
            "conversation_id": conversation,
            "next_before": page.next_before,
        }
    return {"conversations": services.access.read_conversations(staff, grant.id, limit=200)}


@router.get("/staff/access/{grant_id}", response_class=HTMLResponse)
def staff_grant_page(
    grant_id: str,
    request: Request,
    who: StaffViewerDep,
    services: ServicesDep,
    conversation: Annotated[str | None, Query(max_length=64)] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    if who is None:
        return see_other(LOGIN)
    grant = services.access.get_for_staff(who, grant_id)
    return render_staff(
        request,
        "staff_grant.html",
        who,
        grant=grant,
        status_words=STATUS_WORDS,
        **_content(services, who, grant, conversation, before),
    )
