"""Abuse reports (a user session), account notices (the affected user), and the safety review
queue (a staff session, ``StaffDep``) — promises P8 and P12; see docs/reports.md.

Thin: parse, call one service method, render. A report's messages and note, and a decision's
reason, are returned only to the reporter and to the safety role, and never logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from confide.privacy.reports import (
    MAX_NOTE_CHARS,
    MAX_REPORT_MESSAGES,
    MAX_SUSPENSION_DAYS,
    DecisionView,
    NoticeView,
    QueueRow,
    ReportView,
    StaffReportView,
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


class ReportFiledOut(BaseModel):
    id: str
    status: str
    category: str
    message_count: int
    created_at: datetime


class ReportOut(BaseModel):
    id: str
    category: str
    status: str
    message_count: int
    created_at: datetime
    outcome: str | None
    decided_at: datetime | None
    reason: str | None

    @classmethod
    def of(cls, v: ReportView) -> ReportOut:
        return cls(
            id=v.id,
            category=v.category,
            status=v.status,
            message_count=v.message_count,
            created_at=v.created_at,
            outcome=v.outcome,
            decided_at=v.decided_at,
            reason=v.reason,
        )


@router.post("/reports", status_code=status.HTTP_201_CREATED, response_model=ReportFiledOut)
def file_report(body: ReportIn, who: IdentityDep, services: ServicesDep) -> ReportFiledOut:
    """Report messages of one of your conversations; only the selected ones are disclosed."""
    v = services.reports.file(
        who.user_id, body.conversation_id, body.message_ids, body.category, body.note
    )
    return ReportFiledOut(
        id=v.id,
        status=v.status,
        category=v.category,
        message_count=v.message_count,
        created_at=v.created_at,
    )


@router.get("/reports", response_model=list[ReportOut])
def list_reports(who: IdentityDep, services: ServicesDep) -> list[ReportOut]:
    return [ReportOut.of(v) for v in services.reports.list_mine(who.user_id)]


# --- the affected user ----------------------------------------------------------------------


class NoticeOut(BaseModel):
    id: str
    action: str
    reason: str
    until: datetime | None
    created_at: datetime
    report_id: str | None
    seen_at: datetime | None
    is_new: bool

    @classmethod
    def of(cls, v: NoticeView) -> NoticeOut:
        return cls(
            id=v.id,
            action=v.action,
            reason=v.reason,
            until=v.until,
            created_at=v.created_at,
            report_id=v.report_id,
            seen_at=v.seen_at,
            is_new=v.is_new,
        )


@router.get("/account/notices", response_model=list[NoticeOut])
def list_notices(who: IdentityDep, services: ServicesDep) -> list[NoticeOut]:
    """Enforcement actions on your account, newest first; reading them marks them seen."""
    return [NoticeOut.of(v) for v in services.reports.notices(who.user_id)]


@router.post("/account/notices/{notice_id}/seen", response_model=NoticeOut)
def mark_notice_seen(notice_id: str, who: IdentityDep, services: ServicesDep) -> NoticeOut:
    return NoticeOut.of(services.reports.mark_seen(who.user_id, notice_id))


# --- the safety team ------------------------------------------------------------------------


class QueueRowOut(BaseModel):
    id: str
    category: str
    status: str
    message_count: int
    created_at: datetime
    username: str
    outcome: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, r: QueueRow) -> QueueRowOut:
        return cls(
            id=r.id,
            category=r.category,
            status=r.status,
            message_count=r.message_count,
            created_at=r.created_at,
            username=r.username,
            outcome=r.outcome,
            decided_at=r.decided_at,
        )


class DisclosedMessageOut(BaseModel):
    role: str
    text: str
    at: datetime


class StaffReportOut(BaseModel):
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

    @classmethod
    def of(cls, v: StaffReportView) -> StaffReportOut:
        return cls(
            id=v.id,
            user_id=v.user_id,
            username=v.username,
            category=v.category,
            status=v.status,
            created_at=v.created_at,
            messages=[DisclosedMessageOut(role=m.role, text=m.text, at=m.at) for m in v.messages],
            note=v.note,
            outcome=v.outcome,
            decided_at=v.decided_at,
            reason=v.reason,
        )


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


class DecisionOut(BaseModel):
    report_id: str
    user_id: str
    outcome: str
    action_id: str | None
    until: datetime | None
    decided_at: datetime

    @classmethod
    def of(cls, v: DecisionView) -> DecisionOut:
        return cls(
            report_id=v.report_id,
            user_id=v.user_id,
            outcome=v.outcome,
            action_id=v.action_id,
            until=v.until,
            decided_at=v.decided_at,
        )


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
