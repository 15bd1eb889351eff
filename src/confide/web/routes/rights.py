"""The privacy policy in force and its notice (P14), data-rights requests and the nominee.

Thin: parse, call one service method, render. Details, resolutions and the nominee's contact
details are the user's own words: they are returned only to that user and never logged.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict

from confide.privacy.policy import PolicyVersionView
from confide.privacy.rights import NomineeView, RequestView
from confide.services import Services
from confide.web.deps import IdentityDep, ServicesDep

router = APIRouter(prefix="/api/privacy", tags=["privacy"])


# --- policy ---------------------------------------------------------------------------------


class PolicyChangeOut(BaseModel):
    version: str
    published_at: datetime | None
    summary: str | None


class AcknowledgementOut(BaseModel):
    version: str
    at: datetime


class PolicyOut(BaseModel):
    version: str
    published_at: datetime | None
    material: bool
    summary: str | None
    notice_pending: bool
    notice: list[PolicyChangeOut]  # the material changes to show, oldest first
    acknowledged: bool  # the user acknowledged the version in force
    acknowledgements: list[AcknowledgementOut]


class AcknowledgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str


def _change(v: PolicyVersionView) -> PolicyChangeOut:
    return PolicyChangeOut(version=v.version, published_at=v.published_at, summary=v.summary)


def _policy(services: Services, user_id: str) -> PolicyOut:
    current = services.policy.current()
    notice = services.policy.notice_for(user_id)
    acks = services.policy.acknowledgements(user_id)
    return PolicyOut(
        version=current.version,
        published_at=current.published_at,
        material=current.material,
        summary=current.summary,
        notice_pending=bool(notice),
        notice=[_change(v) for v in notice],
        acknowledged=any(a.version == current.version for a in acks),
        acknowledgements=[AcknowledgementOut(version=a.version, at=a.at) for a in acks],
    )


@router.get("/policy", response_model=PolicyOut)
def policy(who: IdentityDep, services: ServicesDep) -> PolicyOut:
    """The policy version in force, and the material changes this user has yet to see."""
    return _policy(services, who.user_id)


@router.post("/policy/acknowledge", response_model=PolicyOut)
def acknowledge_policy(body: AcknowledgeIn, who: IdentityDep, services: ServicesDep) -> PolicyOut:
    services.policy.acknowledge(who.user_id, body.version)
    return _policy(services, who.user_id)


# --- data-rights requests -------------------------------------------------------------------


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    details: str


class RequestOut(BaseModel):
    id: str
    kind: str
    status: str
    filed_by: str
    details: str
    resolution: str | None
    filed_at: datetime
    due_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, v: RequestView) -> RequestOut:
        return cls(
            id=v.id,
            kind=v.kind,
            status=v.status,
            filed_by=v.filed_by,
            details=v.details,
            resolution=v.resolution,
            filed_at=v.filed_at,
            due_at=v.due_at,
            closed_at=v.closed_at,
        )


@router.post("/requests", status_code=status.HTTP_201_CREATED, response_model=RequestOut)
def file_request(body: RequestIn, who: IdentityDep, services: ServicesDep) -> RequestOut:
    return RequestOut.of(services.rights.file(who.user_id, body.kind, body.details))


@router.get("/requests", response_model=list[RequestOut])
def list_requests(who: IdentityDep, services: ServicesDep) -> list[RequestOut]:
    return [RequestOut.of(v) for v in services.rights.list_mine(who.user_id)]


@router.get("/requests/{request_id}", response_model=RequestOut)
def get_request(request_id: str, who: IdentityDep, services: ServicesDep) -> RequestOut:
    return RequestOut.of(services.rights.get_mine(who.user_id, request_id))


@router.post("/requests/{request_id}/withdraw", response_model=RequestOut)
def withdraw_request(request_id: str, who: IdentityDep, services: ServicesDep) -> RequestOut:
    return RequestOut.of(services.rights.withdraw(who.user_id, request_id))


# --- nominee --------------------------------------------------------------------------------


class NomineeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    contact: str
    relationship: str


class NomineeOut(BaseModel):
    name: str
    contact: str
    relationship: str
    updated_at: datetime

    @classmethod
    def of(cls, v: NomineeView) -> NomineeOut:
        return cls(
            name=v.name, contact=v.contact, relationship=v.relationship, updated_at=v.updated_at
        )


class NomineeStateOut(BaseModel):
    nominee: NomineeOut | None


@router.get("/nominee", response_model=NomineeStateOut)
def get_nominee(who: IdentityDep, services: ServicesDep) -> NomineeStateOut:
    found = services.rights.get_nominee(who.user_id)
    return NomineeStateOut(nominee=None if found is None else NomineeOut.of(found))


@router.put("/nominee", response_model=NomineeStateOut)
def set_nominee(body: NomineeIn, who: IdentityDep, services: ServicesDep) -> NomineeStateOut:
    view = services.rights.set_nominee(
        who.user_id, name=body.name, contact=body.contact, relationship=body.relationship
    )
    return NomineeStateOut(nominee=NomineeOut.of(view))


@router.delete("/nominee", status_code=status.HTTP_204_NO_CONTENT)
def remove_nominee(who: IdentityDep, services: ServicesDep) -> Response:
    services.rights.remove_nominee(who.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
