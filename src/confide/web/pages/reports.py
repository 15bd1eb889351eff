"""Abuse-report pages (promises P8 and P12; see docs/reports.md).

The user's side: ``/reports/new`` (tick the messages of one of your conversations to report;
the one you chose is ticked already), ``POST /reports``, and ``/reports`` (your reports, their
decisions, and the enforcement notices on your account). The safety team's side, with the
staff cookie (``confide_staff``, path ``/staff``): ``/staff/reports`` (the queue) and
``/staff/reports/{id}`` (the disclosed messages and the decision form).

Threats handled:
- Disclosing more than the user meant: the form lists the user's own messages only, nothing is
  ticked but the message they chose, and only the ticked ones are copied into the report.
- Forged form posts: user forms carry the session's CSRF token (``FormUserDep``); staff forms
  carry a token bound to the staff session (``StaffFormDep`` from ``pages/staff.py``), checked
  before anything runs.
- Staff reading content by accident: opening a report needs the safety role and is recorded in
  the reporter's own audit log; the queue shows no content.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from confide.accounts.service import Identity
from confide.accounts.staff import StaffIdentity
from confide.errors import ConfideError, InvalidInput
from confide.privacy.reports import (
    CATEGORIES,
    MAX_NOTE_CHARS,
    MAX_REASON_CHARS,
    MAX_REPORT_MESSAGES,
    MAX_SUSPENSION_DAYS,
    MIN_REASON_CHARS,
    OUTCOMES,
)
from confide.services import Services
from confide.web.deps import ServicesDep
from confide.web.pages.common import FormUserDep, ViewerDep, render, see_other, to_login
from confide.web.pages.staff import LOGIN, StaffFormDep, StaffViewerDep, render_staff

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

CATEGORY_WORDS = {
    "harmful_reply": "A harmful or abusive reply",
    "sexual_content": "Sexual content",
    "self_harm_encouragement": "Encouraging self-harm or suicide",
    "hate": "Hate or harassment",
    "other": "Something else",
}
OUTCOME_WORDS = {
    "dismiss": "Dismissed: nothing changes on the account",
    "warn": "Warn the account",
    "suspend": "Suspend the account (signed out everywhere)",
    "close": "Close the account (erased like a deletion)",
    "close_under_age": "Close as under age (erased at once)",
}
NOTICE_WORDS = {
    "warn": "Warning",
    "suspend": "Your account was suspended",
    "lift": "Your suspension was lifted",
    "close": "Your account was closed",
    "close_under_age": "Your account was closed (under the minimum age)",
}
# What a redirect after a form may announce: fixed sentences only, nothing from the URL.
NOTICES = {
    "filed": "Your report was sent to the safety team, with only the messages you ticked.",
    "decided": "The decision was recorded and shown to the account's owner.",
}


def _words() -> dict[str, Any]:
    return {
        "category_words": CATEGORY_WORDS,
        "outcome_words": OUTCOME_WORDS,
        "notice_words": NOTICE_WORDS,
    }


# --- the user ----------------------------------------------------------------------------------
def _report_form(
    request: Request,
    who: Identity,
    services: Services,
    conversation: str,
    *,
    around: str | None,
    ticked: set[str],
    status: int = 200,
    error: ConfideError | None = None,
    **kept: str,
) -> HTMLResponse:
    messages = services.reports.selectable(who.user_id, conversation, around=around)
    return render(
        request,
        "report_new.html",
        who=who,
        status=status,
        error=error,
        conversation_id=conversation,
        messages=messages,
        ticked=ticked,
        categories=CATEGORIES,
        max_messages=MAX_REPORT_MESSAGES,
        max_note=MAX_NOTE_CHARS,
        category=kept.get("category", ""),
        note=kept.get("note", ""),
        **_words(),
    )


@router.get("/reports/new", response_class=HTMLResponse)
def new_report(
    request: Request,
    who: ViewerDep,
    services: ServicesDep,
    conversation: Annotated[str, Query(max_length=64)],
    message: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """Tick the messages to report (the chosen one is ticked), pick a category, add a note."""
    if who is None:
        return to_login()
    ticked = {message} if message else set()
    return _report_form(request, who, services, conversation, around=message or None, ticked=ticked)


@router.post("/reports", response_class=HTMLResponse)
def file_report(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    conversation_id: Annotated[str, Form(max_length=64)],
    category: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=MAX_NOTE_CHARS + 100)] = "",
    message_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    ticked = list(message_ids or [])
    try:
        services.reports.file(who.user_id, conversation_id, ticked, category, note)
    except InvalidInput as exc:
        return _report_form(
            request,
            who,
            services,
            conversation_id,
            around=ticked[0] if ticked else None,
            ticked=set(ticked),
            status=exc.status,
            error=exc,
            category=category,
            note=note,
        )
    return see_other("/reports?done=filed")


@router.get("/reports", response_class=HTMLResponse)
def my_reports(
    request: Request,
    who: ViewerDep,
    services: ServicesDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Your reports and their decisions, and the notices on your account (now marked seen)."""
    if who is None:
        return to_login()
    return render(
        request,
        "report_list.html",
        who=who,
        notice=NOTICES.get(done),
        reports=services.reports.list_mine(who.user_id),
        notices=services.reports.notices(who.user_id),
        **_words(),
    )


# --- the safety team ---------------------------------------------------------------------------
def _staff_page(
    request: Request, name: str, staff: StaffIdentity, status: int = 200, **context: Any
) -> HTMLResponse:
    """A staff page: no user is signed in; forms carry the staff session's CSRF token."""
    return render_staff(request, name, staff, status=status, **_words(), **context)


@router.get("/staff/reports", response_class=HTMLResponse)
def staff_queue(
    request: Request,
    staff: StaffViewerDep,
    services: ServicesDep,
    status: Annotated[str, Query(pattern="^(open|decided|all)$")] = "open",
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    if staff is None:
        return see_other(LOGIN)
    rows = services.reports.queue(staff, status=None if status == "all" else status)
    return _staff_page(
        request, "report_queue.html", staff, rows=rows, shown=status, notice=NOTICES.get(done)
    )


def _review(
    request: Request,
    staff: StaffIdentity,
    services: Services,
    report_id: str,
    *,
    status: int = 200,
    error: ConfideError | None = None,
    **kept: str,
) -> HTMLResponse:
    report = services.reports.show(staff, report_id)
    return _staff_page(
        request,
        "report_review.html",
        staff,
        status=status,
        report=report,
        error=error,
        outcomes=OUTCOMES,
        min_reason=MIN_REASON_CHARS,
        max_reason=MAX_REASON_CHARS,
        max_days=MAX_SUSPENSION_DAYS,
        outcome=kept.get("outcome", ""),
        reason=kept.get("reason", ""),
        days=kept.get("days", ""),
    )


@router.get("/staff/reports/{report_id}", response_class=HTMLResponse)
def staff_report(
    request: Request, report_id: str, staff: StaffViewerDep, services: ServicesDep
) -> Response:
    """The disclosed messages (safety role; recorded in the reporter's audit log)."""
    if staff is None:
        return see_other(LOGIN)
    return _review(request, staff, services, report_id)


def _days(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("days must be a whole number", code="invalid_days")
    return int(value)


@router.post("/staff/reports/{report_id}/decision", response_class=HTMLResponse)
def staff_decide(
    request: Request,
    report_id: str,
    services: ServicesDep,
    staff: StaffFormDep,
    outcome: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=MAX_REASON_CHARS + 100)] = "",
    days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    try:
        services.reports.decide(
            staff,
            report_id,
            outcome,
            reason,
            days=_days(days),
            min_age=services.accounts.min_age(),
        )
    except InvalidInput as exc:
        return _review(
            request,
            staff,
            services,
            report_id,
            status=exc.status,
            error=exc,
            outcome=outcome,
            reason=reason,
            days=days,
        )
    return see_other("/staff/reports?done=decided")
