"""The user's own audit log (P5): every access to and change of their data, newest first, and
the latest signed checkpoint, to keep and later check the log against."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from confide.errors import InvalidInput, NotFound
from confide.privacy.audit import ACTIONS
from confide.web.deps import IdentityDep, ServicesDep
from confide.web.schemas import MAX_INT64, IsoDateTime

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    object_ref: str | None
    purpose: str | None
    details: dict[str, Any] | None
    entry_hash: str


class AuditPageOut(BaseModel):
    items: list[AuditEntryOut]
    next_before: int | None


class CheckpointOut(BaseModel):
    size: int
    head_hash: str
    at: datetime
    signature: str
    public_key: str


@router.get("", response_model=AuditPageOut)
def my_audit_log(
    who: IdentityDep,
    services: ServicesDep,
    action: Annotated[str | None, Query(max_length=40)] = None,
    since: IsoDateTime | None = None,
    until: IsoDateTime | None = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_INT64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPageOut:
    if action is not None and action not in ACTIONS:
        raise InvalidInput(f"unknown action; one of: {', '.join(ACTIONS)}")
    entries = services.audit.entries_for(
        who.user_id, action=action, since=since, until=until, before_seq=before, limit=limit + 1
    )
    more = len(entries) > limit
    entries = entries[:limit]
    return AuditPageOut(
        items=[
            AuditEntryOut(
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                object_ref=e.object_ref,
                purpose=e.purpose,
                details=e.details,
                entry_hash=e.entry_hash,
            )
            for e in entries
        ],
        next_before=entries[-1].seq if more and entries else None,
    )


@router.get("/checkpoint", response_model=CheckpointOut)
def latest_checkpoint(_who: IdentityDep, services: ServicesDep) -> CheckpointOut:
    cp = services.audit.latest_checkpoint()
    if cp is None:
        raise NotFound("no checkpoint has been signed yet")
    return CheckpointOut(**cp.to_json(), public_key=services.audit.key.public_pem())
