"""Landing, sign-up (with the age gate and the memory choice), log-in, log-out, and the
policy-change notice's acknowledgement."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from confide.errors import ConfideError, InvalidInput
from confide.web.deps import SESSION_COOKIE, ClientDep, ServicesDep
from confide.web.pages.common import (
    FormUserDep,
    ViewerDep,
    csrf_refused,
    guard,
    password_form_sign_in,
    pre_session_form,
    render,
    see_other,
)
from confide.web.routes.auth import client_label, set_session_cookie

router = APIRouter(include_in_schema=False)


# --- landing, sign-up, log-in, log-out ---------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def landing(request: Request, who: ViewerDep) -> Response:
    return render(request, "landing.html", who=who)


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, who: ViewerDep, services: ServicesDep) -> Response:
    if who is not None:
        return see_other("/companions")
    return pre_session_form(
        request, "signup.html", form={}, min_age=services.accounts.min_age(), error=None
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
    if not guard(request).is_valid_pre_session(request, csrf_token):
        raise csrf_refused()
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
        return pre_session_form(
            request,
            "signup.html",
            status=exc.status,
            form=form,
            min_age=services.accounts.min_age(),
            error=exc,
        )
    response = see_other("/companions")
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
        return see_other("/companions")
    return pre_session_form(request, "login.html", username="", error=None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    services: ServicesDep,
    client: ClientDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=2048)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    return password_form_sign_in(
        request,
        csrf_token,
        "login.html",
        username,
        lambda label: services.accounts.log_in(
            username=username, password=password, client=client, client_label=label
        ),
        then="/companions",
    )


@router.post("/logout")
def logout(who: FormUserDep, services: ServicesDep) -> Response:
    services.accounts.log_out(who)
    response = see_other("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def local_path(value: str, default: str = "/companions") -> str:
    """A redirect target from a form: a path on this site only (no open redirect)."""
    value = value.strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


@router.post("/policy/acknowledge")
def policy_acknowledge(
    who: FormUserDep,
    services: ServicesDep,
    version: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=500)] = "/companions",  # noqa: A002
) -> Response:
    """The notice's button: records the acknowledgement (audited) and returns to the page."""
    services.policy.acknowledge(who.user_id, version)
    return see_other(local_path(next))
