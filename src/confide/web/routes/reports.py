"""Abuse reports (a user session), account notices (the affected user), and the safety review
queue (a staff session, ``StaffDep``) — promises P8 and P12; see docs/reports.md.

Thin: parse, call one service method, render. A report's messages and note, and a decision's
reason, are returned only to the reporter and to the safety role, and never logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from confide.privacy.reports import (
    MAX_NOTE_CHARS,
    MAX_REPORT_MESSAGES,
    MAX_SUSPENSION_DAYS,
)
from confide.web.deps import IdentityDep, ServicesDep
from confide.web.staff_deps import StaffDep

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["reports"])


# --- the reporter ---------------------------------------------------------------------------


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversation_id: str = Field(max_length=64)
    # Emptiness is the service's check (422 ``no_messages_selected``), so the code is stable.
    message_ids: list[Annotated[str, Field(max_length=64)]] = Field(
        max_length=MAX_REPORT_MESSAGES,
        description="Ids of messages of that conversation: only these are disclosed.",
    )
    category: str = Field(max_length=40)
    note: str = Field(default="", max_length=MAX_NOTE_CHARS + 100)


class _ViewOut(BaseModel):
    """Built straight from a service view (a dataclass with the same field names)."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, view: object) -> Self:
        return cls.model_validate(view)


class ReportFiledOut(_ViewOut):
    id: str
    status: str
    category: str
    message_count: int
    created_at: datetime


class ReportOut(_ViewOut):
    id: str
    category: str
    status: str
    message_count: int
    created_at: datetime
    outcome: str | None
    decided_at: datetime | None
    reason: str | None


@router.post("/reports", status_code=status.HTTP_201_CREATED, response_model=ReportFiledOut)
def file_report(body: ReportIn, who: IdentityDep, services: ServicesDep) -> ReportFiledOut:
    """Report messages of one of your conversations; only the selected ones are disclosed."""
    v = services.reports.file(
        who.user_id, body.conversation_id, body.message_ids, body.category, body.note
    )
    return ReportFiledOut.of(v)


@router.get("/reports", response_model=list[ReportOut])
def list_reports(who: IdentityDep, services: ServicesDep) -> list[ReportOut]:
    return [ReportOut.of(v) for v in services.reports.list_mine(who.user_id)]


# --- the affected user ----------------------------------------------------------------------


class NoticeOut(_ViewOut):
    id: str
    action: str
    reason: str
    until: datetime | None
    created_at: datetime
    report_id: str | None
    seen_at: datetime | None
    is_new: bool


@router.get("/account/notices", response_model=list[NoticeOut])
def list_notices(who: IdentityDep, services: ServicesDep) -> list[NoticeOut]:
    """Enforcement actions on your account, newest first; reading them marks them seen."""
    return [NoticeOut.of(v) for v in services.reports.notices(who.user_id)]


@router.post("/account/notices/{notice_id}/seen", response_model=NoticeOut)
def mark_notice_seen(notice_id: str, who: IdentityDep, services: ServicesDep) -> NoticeOut:
    return NoticeOut.of(services.reports.mark_seen(who.user_id, notice_id))


# --- the safety team ------------------------------------------------------------------------


class QueueRowOut(_ViewOut):
    id: str
    category: str
    status: str
    message_count: int
    created_at: datetime
    username: str
    outcome: str | None
    decided_at: datetime | None


class DisclosedMessageOut(_ViewOut):
    role: str
    text: str
    at: datetime


class StaffReportOut(_ViewOut):
    id: str
    user_id: str
    username: str
    category: str
    status: str
    created_at: datetime
    messages: list[DisclosedMessageOut]
    note: str
    outcome: str | None
    decided_at: datetime | None
    reason: str | None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str = Field(max_length=40)
    # Length is the service's check (422 ``reason_required``), so the code is stable.
    reason: str = Field(max_length=10_000)
    days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_SUSPENSION_DAYS,
        description="Suspensions only: how many days; omit to suspend until lifted.",
    )


class DecisionOut(_ViewOut):
    report_id: str
    user_id: str
    outcome: str
    action_id: str | None
    until: datetime | None
    decided_at: datetime


class LiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=10_000)


@router.get("/staff/reports", response_model=list[QueueRowOut])
def staff_queue(
    who: StaffDep,
    services: ServicesDep,
    status: Annotated[str, Query(pattern="^(open|decided|all)$")] = "open",
) -> list[QueueRowOut]:
    """The review queue (safety or admin role): metadata only, nothing decrypted."""
    rows = services.reports.queue(who, status=None if status == "all" else status)
    return [QueueRowOut.of(r) for r in rows]


@router.get("/staff/reports/{report_id}", response_model=StaffReportOut)
def staff_report(report_id: str, who: StaffDep, services: ServicesDep) -> StaffReportOut:
    """A report's disclosed messages (safety role); audited in the reporter's own log."""
    return StaffReportOut.of(services.reports.show(who, report_id))


@router.post("/staff/reports/{report_id}/decision", response_model=DecisionOut)
def staff_decide(
    report_id: str, body: DecisionIn, who: StaffDep, services: ServicesDep
) -> DecisionOut:
    """Decide a report (safety role) with a reason the affected user reads."""
    view = services.reports.decide(
        who,
        report_id,
        body.outcome,
        body.reason,
        days=body.days,
        min_age=services.accounts.min_age(),
    )
    return DecisionOut.of(view)


@router.post("/staff/accounts/{user_id}/lift-suspension", response_model=NoticeOut)
def staff_lift_suspension(
    user_id: str, body: LiftIn, who: StaffDep, services: ServicesDep
) -> NoticeOut:
    return NoticeOut.of(services.reports.lift_suspension(who, user_id, body.reason))
