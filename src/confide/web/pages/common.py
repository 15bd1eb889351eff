"""What every page shares: rendering, who is asking, the CSRF check on forms, redirects.

The web app is server-rendered pages (Jinja2) over the same services as the JSON API, one module
per area in this package. Every page works without JavaScript; small scripts under ``static/``
only stream replies and update in place. Handlers stay thin: read the form, call one service,
render or redirect (POST, then 303 to a page).

Threats handled:
- Forged form posts (CSRF): every POST checks the form's ``csrf_token`` (``web.csrf``) before
  anything else runs, and refuses with 403.
- Script injection: templates autoescape everything; the CSP allows scripts from this server
  only, so the templates carry no inline script or event handler.
- Leaking content through caches: every page is ``Cache-Control: no-store``.
- Leaking internals: service errors are shown as their message on the page, never a trace.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from confide import __version__
from confide.accounts.service import Identity, NewSession
from confide.errors import AuthenticationFailed, ConfideError, Forbidden
from confide.web.csrf import CsrfGuard
from confide.web.deps import SESSION_COOKIE, get_services
from confide.web.routes.auth import client_label, set_session_cookie

__all__ = [
    "STATIC_DIR",
    "TEMPLATE_DIR",
    "FormUserDep",
    "ViewerDep",
    "csrf_refused",
    "error_page",
    "form_identity",
    "guard",
    "page_identity",
    "password_form_sign_in",
    "pre_session_form",
    "render",
    "see_other",
    "templates",
    "to_login",
]

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
STATIC_DIR = Path(__file__).parent.parent / "static"


def templates() -> Jinja2Templates:
    env = Jinja2Templates(directory=TEMPLATE_DIR)
    env.env.filters["sentence"] = _sentence
    env.env.filters["when"] = _when
    env.env.filters["size"] = _size
    return env


def _when(value: datetime | None) -> str:
    """A timestamp as pages show it: ``2026-11-23 19:20 UTC`` (empty for None)."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _size(n: int | None) -> str:
    """A byte count for people: ``4.7 MB``."""
    if n is None:
        return ""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} bytes"


def _sentence(text: str) -> str:
    """Service messages are lower-case clauses ("no such conversation"); pages show sentences."""
    text = str(text)
    return text[:1].upper() + text[1:]


# --- who is asking, and the CSRF check ---------------------------------------------------------
def page_identity(request: Request) -> Identity | None:
    """The signed-in user from the session cookie, or None (pages never take bearer tokens)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return get_services(request).accounts.authenticate(token)
    except AuthenticationFailed:
        return None


def guard(request: Request) -> CsrfGuard:
    csrf: CsrfGuard = request.app.state.csrf
    return csrf


def form_identity(request: Request, csrf_token: Annotated[str, Form()] = "") -> Identity:
    """The signed-in user behind a form post whose CSRF token matches their session."""
    who = page_identity(request)
    if who is None:
        raise AuthenticationFailed("you are not signed in; sign in and try again")
    if not guard(request).is_valid_for_session(who.session_id, csrf_token):
        raise csrf_refused()
    return who


def csrf_refused() -> Forbidden:
    return Forbidden(
        "this form has expired or did not come from this site; reload the page and try again",
        code="csrf_failed",
    )


ViewerDep = Annotated[Identity | None, Depends(page_identity)]
FormUserDep = Annotated[Identity, Depends(form_identity)]


# --- rendering ---------------------------------------------------------------------------------
def render(
    request: Request,
    name: str,
    *,
    who: Identity | None,
    status: int = 200,
    csrf_token: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page, with what the layout needs: who is signed in, their CSRF token, the model in
    use (every page says where replies are computed), and any policy change to acknowledge."""
    services = get_services(request)
    provider = services.provider
    if csrf_token is None:
        csrf_token = guard(request).for_session(who.session_id) if who else ""
    notice = services.policy.notice_for(who.user_id) if who else []
    # Things waiting for the user: a decision of the safety team, a staff access request.
    unseen_notices = services.reports.unseen_count(who.user_id) if who else 0
    pending_access = services.access.pending_count(who.user_id) if who else 0
    env: Jinja2Templates = request.app.state.templates
    response = env.TemplateResponse(
        request,
        name,
        {
            "who": who,
            "csrf_token": csrf_token,
            "model": provider.model,
            "is_remote": provider.is_remote,
            "version": __version__,
            "policy_notice": notice,
            "policy_version": services.policy.current_version() if notice else "",
            "path": request.url.path,
            "unseen_notices": unseen_notices,
            "pending_access": pending_access,
            **context,
        },
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: Request, status: int, message: str) -> Response:
    """Any error on a page, as a page (installed into the app's error handlers). The header
    still shows who is signed in, so a 404 does not look like being logged out."""
    try:
        who = page_identity(request)
    except ConfideError:
        who = None
    return render(
        request, "error.html", who=who, status=status, message=message, status_code=status
    )


def see_other(url: str) -> RedirectResponse:
    """Answer a form post with a redirect to a page (post, redirect, get)."""
    return RedirectResponse(url, status_code=303)


def to_login() -> RedirectResponse:
    return see_other("/login")


def pre_session_form(
    request: Request, name: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """The log-in and sign-up forms: their CSRF token is bound to a cookie, not a session."""
    csrf = guard(request)
    seed, is_new = csrf.pre_session_seed(request)
    response = render(
        request, name, who=None, status=status, csrf_token=csrf.for_seed(seed), **context
    )
    if is_new:
        csrf.set_seed_cookie(response, seed)
    return response


def password_form_sign_in(
    request: Request,
    csrf_token: str,
    template: str,
    username: str,
    attempt: Callable[[str | None], NewSession],
    then: str,
) -> Response:
    """A username-and-password form that signs the browser in (log-in, cancelling a deletion):
    the pre-session CSRF check, then ``attempt(client_label)``; on failure the form again with
    the username kept (never the password), on success the session cookie and a redirect."""
    if not guard(request).is_valid_pre_session(request, csrf_token):
        raise csrf_refused()
    try:
        new = attempt(client_label(request))
    except ConfideError as exc:
        return pre_session_form(request, template, status=exc.status, username=username, error=exc)
    response = see_other(then)
    set_session_cookie(response, get_services(request).settings, new)
    return response
