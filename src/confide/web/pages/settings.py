"""Settings: change the password (which ends every other session); the country whose
helplines a safety card shows; a correction of the date of birth (under the minimum age, the
account is closed and erased at once, P12); and, for the instance owner, the minimum age for
new accounts and the model replies come from. Everyone else sees the values in force and who
may change them."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, Response

from confide.accounts.instance import MAX_MIN_AGE
from confide.accounts.service import Identity
from confide.errors import ConfideError, InvalidInput
from confide.settings import MIN_AGE_FLOOR
from confide.web.deps import SESSION_COOKIE, ServicesDep, get_services
from confide.web.pages.common import FormUserDep, ViewerDep, render, see_other, to_login

router = APIRouter(include_in_schema=False)

# What a finished change says on the page (fixed texts: nothing from the URL is shown).
_DONE = {
    "password": "Your password was changed. Every other session was signed out.",
    "min_age": "The minimum age for new accounts was changed.",
    "model": "The model was changed. New replies come from it.",
    "country": "Your country was saved. Safety cards show its helplines.",
    "dob": "Your date of birth was corrected.",
}


def _page(
    request: Request,
    who: Identity,
    *,
    status: int = 200,
    done: str | None = None,
    error: ConfideError | None = None,
    error_form: str | None = None,
) -> HTMLResponse:
    services = get_services(request)
    return render(
        request,
        "settings.html",
        who=who,
        status=status,
        done=_DONE.get(done or ""),
        error=error,
        error_form=error_form,
        is_owner=services.instance.is_owner(who.user_id),
        min_age=services.instance.min_age(),
        min_age_floor=MIN_AGE_FLOOR,
        max_min_age=MAX_MIN_AGE,
        menu=services.instance.models(),
        country=services.accounts.country(who.user_id),
        countries=services.chat.helpline_countries(),
        default_helplines=services.chat.helplines_for(who.user_id, ""),
    )


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, who: ViewerDep, done: str | None = None) -> Response:
    if who is None:
        return to_login()
    return _page(request, who, done=done)


@router.post("/settings/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    current_password: Annotated[str, Form(max_length=2048)] = "",
    new_password: Annotated[str, Form(max_length=2048)] = "",
    confirm_password: Annotated[str, Form(max_length=2048)] = "",
) -> Response:
    try:
        if new_password != confirm_password:
            raise InvalidInput("the new password and its confirmation differ")
        services.accounts.change_password(who, current=current_password, new=new_password)
    except ConfideError as exc:
        return _page(request, who, status=exc.status, error=exc, error_form="password")
    return see_other("/settings?done=password")


@router.post("/settings/min-age", response_class=HTMLResponse)
def change_min_age(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    min_age: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    try:
        try:
            age = int(min_age.strip())
        except ValueError as exc:
            raise InvalidInput("enter the minimum age as a whole number of years") from exc
        services.instance.set_min_age(who.user_id, age)
    except ConfideError as exc:
        return _page(request, who, status=exc.status, error=exc, error_form="min_age")
    return see_other("/settings?done=min_age")


@router.post("/settings/model", response_class=HTMLResponse)
def change_model(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    model: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        services.instance.set_model(who.user_id, model)
    except ConfideError as exc:
        return _page(request, who, status=exc.status, error=exc, error_form="model")
    return see_other("/settings?done=model")


@router.post("/settings/country", response_class=HTMLResponse)
def change_country(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    country: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    try:
        services.accounts.set_country(who, country or None)
    except ConfideError as exc:
        return _page(request, who, status=exc.status, error=exc, error_form="country")
    return see_other("/settings?done=country")


@router.post("/settings/date-of-birth", response_class=HTMLResponse)
def correct_date_of_birth(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    background: BackgroundTasks,
    date_of_birth: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Under the minimum age, the account is closed and erased at once (P12)."""
    try:
        try:
            dob = date.fromisoformat(date_of_birth.strip())
        except ValueError as exc:
            raise InvalidInput("enter the date of birth as YYYY-MM-DD") from exc
        if services.accounts.correct_date_of_birth(who, dob):
            return see_other("/settings?done=dob")
    except ConfideError as exc:
        return _page(request, who, status=exc.status, error=exc, error_form="dob")
    receipt = services.erasure.close_under_age(
        who.user_id, actor="user", details={"min_age": services.accounts.min_age()}
    )
    background.add_task(services.erasure.purge_user, who.user_id)
    response = render(
        request,
        "privacy_deleted.html",
        who=None,
        receipt=receipt,
        receipt_json=json.dumps(receipt.to_json(), indent=2, sort_keys=True),
        under_age=services.accounts.min_age(),
    )
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
