"""The staff API (promise P8): sign-in, account metadata, access grants, reads under a grant.

Thin: parse, call one service method, render. Staff are authenticated by ``StaffDep`` (a staff
session's bearer token, or the ``confide_staff`` cookie of the staff pages); a user's token is
never a staff token. No route here returns content without an active grant of the caller's
own, and there is no route that lists or exports chats in bulk: the read routes return one
grant's scope, a page at a time, and each call is an ``access.read`` entry in the user's log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict

from confide.chat.conversations import MessageView
from confide.memory.service import MemoryView
from confide.privacy.access import DEFAULT_HOURS, AccountMetadata, GrantView
from confide.web.deps import ClientDep, ServicesDep
from confide.web.schemas import MAX_INT64, ConversationOut
from confide.web.staff_deps import STAFF_COOKIE, StaffDep, set_staff_cookie

router = APIRouter(prefix="/api/staff", tags=["staff"])


# --- sign-in ---------------------------------------------------------------------------------


class StaffLoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str
    password: str

    def __repr__(self) -> str:
        return "StaffLoginIn(<hidden>)"


class StaffTokenOut(BaseModel):
    token: str
    expires_at: datetime
    staff_id: str
    role: str


class StaffMeOut(BaseModel):
    staff_id: str
    username: str
    role: str


@router.post("/login", response_model=StaffTokenOut)
def staff_login(
    body: StaffLoginIn, response: Response, services: ServicesDep, client: ClientDep
) -> StaffTokenOut:
    new = services.staff.log_in(body.username, body.password, client)
    set_staff_cookie(response, services.settings, new)
    return StaffTokenOut(
        token=new.token,
        expires_at=new.expires_at,
        staff_id=new.identity.staff_id,
        role=new.identity.role,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def staff_logout(who: StaffDep, services: ServicesDep, response: Response) -> None:
    services.staff.log_out(who)
    response.delete_cookie(STAFF_COOKIE, path="/staff")


@router.get("/me", response_model=StaffMeOut)
def staff_me(who: StaffDep) -> StaffMeOut:
    return StaffMeOut(staff_id=who.staff_id, username=who.username, role=who.role)


# --- account metadata ------------------------------------------------------------------------


class AccountMetadataOut(BaseModel):
    id: str
    username: str
    created_at: datetime
    status: str
    suspended: bool
    suspended_until: datetime | None
    companions: int
    conversations: int
    messages: int
    memories: int

    @classmethod
    def of(cls, m: AccountMetadata) -> AccountMetadataOut:
        return cls(
            id=m.id,
            username=m.username,
            created_at=m.created_at,
            status=m.status,
            suspended=m.is_suspended,
            suspended_until=m.suspended_until,
            companions=m.companions,
            conversations=m.conversations,
            messages=m.messages,
            memories=m.memories,
        )


@router.get("/users", response_model=AccountMetadataOut)
def staff_lookup_user(
    who: StaffDep,
    services: ServicesDep,
    username: Annotated[str, Query(min_length=1, max_length=100)],
) -> AccountMetadataOut:
    """One account's metadata by username: dates, status and counts, never content."""
    return AccountMetadataOut.of(services.access.lookup_user(who, username))


# --- access grants ---------------------------------------------------------------------------


class AccessRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str | None = None
    user_id: str | None = None
    case_ref: str
    reason: str
    scope: str
    hours: int = DEFAULT_HOURS


class GrantOut(BaseModel):
    id: str
    user_id: str
    username: str
    staff_id: str
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
    reads: int

    @classmethod
    def of(cls, g: GrantView) -> GrantOut:
        return cls.model_validate(g, from_attributes=True)


@router.post("/access", status_code=status.HTTP_201_CREATED, response_model=GrantOut)
def staff_request_access(body: AccessRequestIn, who: StaffDep, services: ServicesDep) -> GrantOut:
    """Ask to read one user's content: pending for support (the user decides), active at once
    for safety and admin; recorded in the user's audit log either way."""
    return GrantOut.of(
        services.access.request(
            who,
            username=body.username,
            user_id=body.user_id,
            case_ref=body.case_ref,
            reason=body.reason,
            scope=body.scope,
            hours=body.hours,
        )
    )


@router.get("/access", response_model=list[GrantOut])
def staff_list_access(who: StaffDep, services: ServicesDep) -> list[GrantOut]:
    return [GrantOut.of(g) for g in services.access.list_for_staff(who)]


@router.delete("/access/{grant_id}", response_model=GrantOut)
def staff_end_access(grant_id: str, who: StaffDep, services: ServicesDep) -> GrantOut:
    """End one of your own grants (or withdraw a pending request) early."""
    return GrantOut.of(services.access.end(who, grant_id))


# --- reading under a grant -------------------------------------------------------------------


class GrantMessageOut(BaseModel):
    id: str
    seq: int
    role: str
    ai_generated: bool
    content: str
    created_at: datetime

    @classmethod
    def of(cls, m: MessageView) -> GrantMessageOut:
        return cls(
            id=m.id,
            seq=m.seq,
            role=m.role,
            ai_generated=m.ai_generated,
            content=m.content,
            created_at=m.created_at,
        )


class GrantMessagePageOut(BaseModel):
    items: list[GrantMessageOut]
    next_before: int | None


class GrantMemoryOut(BaseModel):
    id: str
    companion_id: str
    kind: str
    status: str
    text: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, m: MemoryView) -> GrantMemoryOut:
        return cls(
            id=m.id,
            companion_id=m.companion_id,
            kind=m.kind,
            status=m.status,
            text=m.text,
            created_at=m.created_at,
            updated_at=m.updated_at,
        )


class GrantMemoryPageOut(BaseModel):
    items: list[GrantMemoryOut]
    total: int


@router.get("/access/{grant_id}/conversations", response_model=list[ConversationOut])
def staff_read_conversations(
    grant_id: str,
    who: StaffDep,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ConversationOut]:
    views = services.access.read_conversations(who, grant_id, limit=limit, offset=offset)
    return [ConversationOut.of(c) for c in views]


@router.get(
    "/access/{grant_id}/conversations/{conversation_id}/messages",
    response_model=GrantMessagePageOut,
)
def staff_read_messages(
    grant_id: str,
    conversation_id: str,
    who: StaffDep,
    services: ServicesDep,
    before: Annotated[int | None, Query(ge=1, le=MAX_INT64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> GrantMessagePageOut:
    page = services.access.read_messages(who, grant_id, conversation_id, before=before, limit=limit)
    return GrantMessagePageOut(
        items=[GrantMessageOut.of(m) for m in page.items], next_before=page.next_before
    )


@router.get("/access/{grant_id}/memories", response_model=GrantMemoryPageOut)
def staff_read_memories(
    grant_id: str,
    who: StaffDep,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> GrantMemoryPageOut:
    items, total = services.access.read_memories(who, grant_id, limit=limit, offset=offset)
    return GrantMemoryPageOut(items=[GrantMemoryOut.of(m) for m in items], total=total)
