"""The companion gallery and one companion's page with its conversations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from confide.companions.service import starters
from confide.web.deps import ServicesDep
from confide.web.pages.common import FormUserDep, ViewerDep, render, see_other, to_login

router = APIRouter(include_in_schema=False)


# --- companions --------------------------------------------------------------------------------
@router.get("/companions", response_class=HTMLResponse)
def companions_page(request: Request, who: ViewerDep, services: ServicesDep) -> Response:
    if who is None:
        return to_login()
    mine = services.companions.list(who.user_id)
    return render(request, "companions.html", who=who, starters=starters(), companions=mine)


@router.post("/companions/from-starter")
def companion_from_starter(
    who: FormUserDep, services: ServicesDep, starter: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    view = services.companions.create_from_starter(who.user_id, starter)
    return see_other(f"/companions/{view.id}")


@router.get("/companions/{companion_id}", response_class=HTMLResponse)
def companion_page(
    companion_id: str, request: Request, who: ViewerDep, services: ServicesDep
) -> Response:
    if who is None:
        return to_login()
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
    return see_other(f"/chat/{view.id}")
