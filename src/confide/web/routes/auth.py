"""Sign-up, log-in, log-out, sessions, password change."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from confide.accounts.service import NewSession
from confide.settings import Settings
from confide.web.deps import SESSION_COOKIE, ClientDep, IdentityDep, ServicesDep
from confide.web.schemas import (
    LoginIn,
    PasswordChangeIn,
    SessionOut,
    SignUpIn,
    TokenOut,
    UserOut,
)

router = APIRouter(prefix="/api", tags=["accounts"])


def client_label(request: Request) -> str | None:
    agent = request.headers.get("user-agent")
    return agent[:200] if agent else None


def set_session_cookie(response: Response, settings: Settings, new: NewSession) -> None:
    """The browser's session: HttpOnly, SameSite=Strict, Secure when served over HTTPS."""
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=settings.session_ttl_days * 86400,
        httponly=True,
        samesite="strict",
        secure=settings.is_https,
        path="/",
    )


def issue_session(response: Response, services: ServicesDep, new: NewSession) -> TokenOut:
    set_session_cookie(response, services.settings, new)
    return TokenOut(
        token=new.token,
        expires_at=new.expires_at,
        user_id=new.identity.user_id,
        username=new.identity.username,
    )


@router.post("/auth/signup", status_code=status.HTTP_201_CREATED, response_model=TokenOut)
def sign_up(
    body: SignUpIn, request: Request, response: Response, services: ServicesDep, client: ClientDep
) -> TokenOut:
    new = services.accounts.sign_up(
        username=body.username,
        email=body.email,
        password=body.password,
        date_of_birth=body.date_of_birth,
        client=client,
        client_label=client_label(request),
        memory=body.memory,
    )
    return issue_session(response, services, new)


@router.post("/auth/login", response_model=TokenOut)
def log_in(
    body: LoginIn, request: Request, response: Response, services: ServicesDep, client: ClientDep
) -> TokenOut:
    new = services.accounts.log_in(
        username=body.username,
        password=body.password,
        client=client,
        client_label=client_label(request),
    )
    return issue_session(response, services, new)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def log_out(who: IdentityDep, services: ServicesDep, response: Response) -> None:
    services.accounts.log_out(who)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.post("/auth/logout-all", status_code=status.HTTP_204_NO_CONTENT)
def log_out_everywhere(who: IdentityDep, services: ServicesDep, response: Response) -> None:
    services.accounts.log_out_everywhere(who)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/auth/sessions", response_model=list[SessionOut])
def list_sessions(who: IdentityDep, services: ServicesDep) -> list[SessionOut]:
    return [SessionOut.of(s) for s in services.accounts.list_sessions(who)]


@router.delete("/auth/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_session(session_id: str, who: IdentityDep, services: ServicesDep) -> None:
    services.accounts.revoke_session(who, session_id)


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChangeIn, who: IdentityDep, services: ServicesDep) -> None:
    services.accounts.change_password(who, current=body.current_password, new=body.new_password)


@router.get("/me", response_model=UserOut)
def me(who: IdentityDep, services: ServicesDep) -> UserOut:
    return UserOut(**services.accounts.profile(who))
