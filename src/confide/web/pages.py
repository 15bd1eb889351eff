"""The web app: server-rendered pages (Jinja2) over the same services as the JSON API.

Every page works without JavaScript; ``static/chat.js`` only streams replies in place. Handlers
stay thin: read the form, call one service, render or redirect (POST, then 303 to a page).

Threats handled:
- Forged form posts (CSRF): every POST checks the form's ``csrf_token`` (``web.csrf``) before
  anything else runs, and refuses with 403.
- Script injection: templates autoescape everything; the CSP allows scripts from this server
  only, so the templates carry no inline script or event handler.
- Leaking content through caches: every page is ``Cache-Control: no-store``.
- Leaking internals: service errors are shown as their message on the page, never a trace.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from confide import __version__
from confide.accounts.service import Identity
from confide.companions.service import starters
from confide.errors import AuthenticationFailed, ConfideError, Forbidden, InvalidInput
from confide.web.csrf import CsrfGuard
from confide.web.deps import SESSION_COOKIE, ClientDep, ServicesDep, get_services
from confide.web.routes.auth import client_label, set_session_cookie

__all__ = ["STATIC_DIR", "TEMPLATE_DIR", "error_page", "router", "templates"]

TEMPLATE_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")
_CHAT_PAGE_SIZE = 100

router = APIRouter(include_in_schema=False)


def templates() -> Jinja2Templates:
    env = Jinja2Templates(directory=TEMPLATE_DIR)
    env.env.filters["sentence"] = _sentence
    return env


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


def _guard(request: Request) -> CsrfGuard:
    guard: CsrfGuard = request.app.state.csrf
    return guard


def form_identity(request: Request, csrf_token: Annotated[str, Form()] = "") -> Identity:
    """The signed-in user behind a form post whose CSRF token matches their session."""
    who = page_identity(request)
    if who is None:
        raise AuthenticationFailed("you are not signed in; sign in and try again")
    if not _guard(request).is_valid_for_session(who.session_id, csrf_token):
        raise _csrf_refused()
    return who


def _csrf_refused() -> Forbidden:
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
    services = get_services(request)
    provider = services.provider
    if csrf_token is None:
        csrf_token = _guard(request).for_session(who.session_id) if who else ""
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
            **context,
        },
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: Request, status: int, message: str) -> Response:
    """Any error on a page, as a page (installed into the app's error handlers)."""
    return render(
        request, "error.html", who=None, status=status, message=message, status_code=status
    )


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _to_login() -> RedirectResponse:
    return _see_other("/login")


def _pre_session_form(
    request: Request, name: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """The log-in and sign-up forms: their CSRF token is bound to a cookie, not a session."""
    guard = _guard(request)
    seed, is_new = guard.pre_session_seed(request)
    response = render(
        request, name, who=None, status=status, csrf_token=guard.for_seed(seed), **context
    )
    if is_new:
        guard.set_seed_cookie(response, seed)
    return response


# --- landing, sign-up, log-in, log-out ---------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def landing(request: Request, who: ViewerDep) -> Response:
    return render(request, "landing.html", who=who)


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, who: ViewerDep, services: ServicesDep) -> Response:
    if who is not None:
        return _see_other("/companions")
    return _pre_session_form(
        request, "signup.html", form={}, min_age=services.settings.min_age, error=None
    )


@router.post("/signup", response_class=HTMLResponse)
def signup_submit(
    request: Request,
    services: ServicesDep,
    client: ClientDep,
    username: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=2048)] = "",
    date_of_birth: Annotated[str, Form(max_length=20)] = "",
    memory: Annotated[str, Form(max_length=10)] = "on",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not _guard(request).is_valid_pre_session(request, csrf_token):
        raise _csrf_refused()
    form = {"username": username, "email": email, "date_of_birth": date_of_birth, "memory": memory}
    try:
        new = services.accounts.sign_up(
            username=username,
            email=email,
            password=password,
            date_of_birth=_parse_date(date_of_birth),
            client=client,
            client_label=client_label(request),
            memory=memory != "off",
        )
    except ConfideError as exc:
        return _pre_session_form(
            request,
            "signup.html",
            status=exc.status,
            form=form,
            min_age=services.settings.min_age,
            error=exc,
        )
    response = _see_other("/companions")
    set_session_cookie(response, services.settings, new)
    return response


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput("enter your date of birth as a date (YYYY-MM-DD)") from exc


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, who: ViewerDep) -> Response:
    if who is not None:
        return _see_other("/companions")
    return _pre_session_form(request, "login.html", username="", error=None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    services: ServicesDep,
    client: ClientDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=2048)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not _guard(request).is_valid_pre_session(request, csrf_token):
        raise _csrf_refused()
    try:
        new = services.accounts.log_in(
            username=username, password=password, client=client, client_label=client_label(request)
        )
    except ConfideError as exc:
        return _pre_session_form(
            request, "login.html", status=exc.status, username=username, error=exc
        )
    response = _see_other("/companions")
    set_session_cookie(response, services.settings, new)
    return response


@router.post("/logout")
def logout(who: FormUserDep, services: ServicesDep) -> Response:
    services.accounts.log_out(who)
    response = _see_other("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- companions --------------------------------------------------------------------------------
@router.get("/companions", response_class=HTMLResponse)
def companions_page(request: Request, who: ViewerDep, services: ServicesDep) -> Response:
    if who is None:
        return _to_login()
    mine = services.companions.list(who.user_id)
    return render(request, "companions.html", who=who, starters=starters(), companions=mine)


@router.post("/companions/from-starter")
def companion_from_starter(
    who: FormUserDep, services: ServicesDep, starter: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    view = services.companions.create_from_starter(who.user_id, starter)
    return _see_other(f"/companions/{view.id}")


@router.get("/companions/{companion_id}", response_class=HTMLResponse)
def companion_page(
    companion_id: str, request: Request, who: ViewerDep, services: ServicesDep
) -> Response:
    if who is None:
        return _to_login()
    companion = services.companions.get(who.user_id, companion_id)
    conversations = services.conversations.list(
        who.user_id, companion_id=companion_id, limit=200, offset=0
    )
    return render(
        request, "companion.html", who=who, companion=companion, conversations=conversations
    )


@router.post("/companions/{companion_id}/conversations")
def conversation_start(
    companion_id: str,
    who: FormUserDep,
    services: ServicesDep,
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    view = services.conversations.create(
        who.user_id, companion_id, title or None, user_name=who.username
    )
    return _see_other(f"/chat/{view.id}")


# --- chat --------------------------------------------------------------------------------------
def _chat_page(
    request: Request,
    who: Identity,
    conversation_id: str,
    *,
    before: int | None = None,
    status: int = 200,
    error: ConfideError | None = None,
    draft: str = "",
) -> HTMLResponse:
    services = get_services(request)
    conversation = services.conversations.get(who.user_id, conversation_id)
    companion = services.companions.get(who.user_id, conversation.companion_id)
    page = services.conversations.messages(
        who.user_id, conversation_id, before=before, limit=_CHAT_PAGE_SIZE
    )
    return render(
        request,
        "chat.html",
        who=who,
        status=status,
        conversation=conversation,
        companion=companion,
        messages=page.items,
        older=page.next_before,
        error=error,
        draft=draft,
        max_chars=services.settings.max_message_chars,
    )


@router.get("/chat/{conversation_id}", response_class=HTMLResponse)
def chat_page(
    conversation_id: str, request: Request, who: ViewerDep, before: int | None = None
) -> Response:
    if who is None:
        return _to_login()
    return _chat_page(request, who, conversation_id, before=before)


@router.post("/chat/{conversation_id}/send")
async def chat_send(
    conversation_id: str,
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    content: Annotated[str, Form(max_length=64_000)] = "",
) -> Response:
    """The send form without JavaScript: the whole reply, then back to the conversation."""
    try:
        await services.chat.complete_turn(who.user_id, who.username, conversation_id, content)
    except ConfideError as exc:
        # A message that was refused is offered again; one that was stored is on the page.
        draft = content if exc.status < 500 else ""
        return await run_in_threadpool(
            _chat_page, request, who, conversation_id, status=exc.status, error=exc, draft=draft
        )
    return _see_other(f"/chat/{conversation_id}#latest")


@router.post("/messages/{message_id}/delete")
def message_delete(message_id: str, who: FormUserDep, services: ServicesDep) -> Response:
    erased = services.erasure.delete_message(who.user_id, message_id)
    return _see_other(f"/chat/{erased.conversation_id}")
