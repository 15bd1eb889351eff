"""The user's side of staff access (promise P8): every request and grant on my account, and
the decisions that are mine: approve or deny a support request, end an active grant early.

Thin: parse, call one service method, render. Every id is looked up under the signed-in user
(404 otherwise); each decision is an audit entry in the user's own log.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from confide.privacy.access import GrantView
from confide.web.deps import IdentityDep, ServicesDep

router = APIRouter(prefix="/api", tags=["access"])


class AccessRequestOut(BaseModel):
    id: str
    staff_username: str
    staff_role: str
    case_ref: str
    reason: str
    scope: str
    status: str
    needs_approval: bool
    created_at: datetime
    decided_at: datetime | None
    expires_at: datetime
    ended_at: datetime | None
    reads: int  # how many times staff read content under it

    @classmethod
    def of(cls, g: GrantView) -> AccessRequestOut:
        return cls.model_validate(g, from_attributes=True)


@router.get("/access-requests", response_model=list[AccessRequestOut])
def list_access_requests(who: IdentityDep, services: ServicesDep) -> list[AccessRequestOut]:
    """Every staff request and grant on my account, newest first."""
    return [AccessRequestOut.of(g) for g in services.access.list_for_user(who.user_id)]


@router.post("/access-requests/{grant_id}/approve", response_model=AccessRequestOut)
def approve_access_request(
    grant_id: str, who: IdentityDep, services: ServicesDep
) -> AccessRequestOut:
    return AccessRequestOut.of(services.access.approve(who.user_id, grant_id))


@router.post("/access-requests/{grant_id}/deny", response_model=AccessRequestOut)
def deny_access_request(grant_id: str, who: IdentityDep, services: ServicesDep) -> AccessRequestOut:
    return AccessRequestOut.of(services.access.deny(who.user_id, grant_id))


@router.post("/access-requests/{grant_id}/revoke", response_model=AccessRequestOut)
def revoke_access_grant(grant_id: str, who: IdentityDep, services: ServicesDep) -> AccessRequestOut:
    return AccessRequestOut.of(services.access.revoke(who.user_id, grant_id))
