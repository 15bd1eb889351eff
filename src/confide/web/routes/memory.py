"""Memory the user can see and control: list, search, add, edit, pin, delete, approve or reject,
forget, clear, per-companion memory mode, and "why did you say that?" (a reply's sources)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from confide.chat.conversations import MessageView
from confide.errors import ConfirmationRequired, NotFound
from confide.memory.service import MemoryView
from confide.services import Services
from confide.web.deps import IdentityDep, ServicesDep
from confide.web.schemas import (
    ForgetIn,
    ForgetOut,
    Kind,
    MemoriesClearedOut,
    MemoryDetailOut,
    MemoryIn,
    MemoryOut,
    MemoryPageOut,
    MemoryPatch,
    MemorySettingsIn,
    MemorySettingsOut,
    MessageOut,
    ReplySourcesOut,
)

router = APIRouter(prefix="/api", tags=["memory"])


@router.get("/memories", response_model=MemoryPageOut)
def list_memories(
    who: IdentityDep,
    services: ServicesDep,
    companion_id: Annotated[str | None, Query(max_length=64)] = None,
    kind: Kind | None = None,
    status: Literal["active", "pending"] | None = None,
    pinned: bool | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Only memories mentioning this.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> MemoryPageOut:
    items, total = services.memory.list(
        who.user_id,
        companion_id=companion_id,
        kind=kind,
        status=status,
        pinned=pinned,
        query=q,
        limit=limit,
        offset=offset,
    )
    return MemoryPageOut(items=[MemoryOut.of(m) for m in items], total=total)


@router.post("/memories", status_code=status.HTTP_201_CREATED, response_model=MemoryOut)
def create_memory(body: MemoryIn, who: IdentityDep, services: ServicesDep) -> MemoryOut:
    view = services.memory.create(
        who.user_id,
        body.companion_id,
        kind=body.kind,
        text=body.text,
        pinned=body.pinned,
        event_date=body.event_date,
    )
    return MemoryOut.of(view)


@router.delete("/memories", response_model=MemoriesClearedOut)
def clear_memories(
    who: IdentityDep,
    services: ServicesDep,
    companion_id: Annotated[str | None, Query(max_length=64)] = None,
    confirm: Annotated[bool, Query(description="Must be true: this cannot be undone.")] = False,
) -> MemoriesClearedOut:
    if not confirm:
        raise ConfirmationRequired("deleting every memory needs confirm=true")
    return MemoriesClearedOut(deleted=services.memory.clear(who.user_id, companion_id=companion_id))


@router.post("/memories/forget", response_model=ForgetOut)
def forget(body: ForgetIn, who: IdentityDep, services: ServicesDep) -> ForgetOut:
    """Delete every memory mentioning `about` and, with `delete_messages`, the messages they
    came from."""
    memories, messages = services.memory.forget(
        who.user_id,
        body.about,
        companion_id=body.companion_id,
        delete_messages=body.delete_messages,
    )
    return ForgetOut(memories_deleted=memories, messages_deleted=messages)


@router.get("/memories/{memory_id}", response_model=MemoryDetailOut)
def get_memory(memory_id: str, who: IdentityDep, services: ServicesDep) -> MemoryDetailOut:
    view = services.memory.get(who.user_id, memory_id)
    history = services.memory.history(who.user_id, memory_id)
    return MemoryDetailOut.with_history(view, history)


@router.patch("/memories/{memory_id}", response_model=MemoryOut)
def edit_memory(
    memory_id: str, body: MemoryPatch, who: IdentityDep, services: ServicesDep
) -> MemoryOut:
    event_date: date | None | Literal["keep"] = (
        body.event_date if "event_date" in body.model_fields_set else "keep"
    )
    view = services.memory.edit(
        who.user_id,
        memory_id,
        text=body.text,
        kind=body.kind,
        pinned=body.pinned,
        event_date=event_date,
    )
    return MemoryOut.of(view)


@router.delete("/memories/{memory_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_memory(memory_id: str, who: IdentityDep, services: ServicesDep) -> None:
    services.memory.delete(who.user_id, memory_id)


@router.post("/memories/{memory_id}/approve", response_model=MemoryOut)
def approve_memory(memory_id: str, who: IdentityDep, services: ServicesDep) -> MemoryOut:
    """Approve a pending memory. If it replaces another, that one is updated and returned."""
    view = services.memory.decide(who.user_id, memory_id, approve=True)
    if view is None:  # the service always returns the surviving item when approving
        raise NotFound("no such memory")
    return MemoryOut.of(view)


@router.post("/memories/{memory_id}/reject", status_code=status.HTTP_204_NO_CONTENT)
def reject_memory(memory_id: str, who: IdentityDep, services: ServicesDep) -> None:
    services.memory.decide(who.user_id, memory_id, approve=False)


@router.get("/companions/{companion_id}/memory-settings", response_model=MemorySettingsOut)
def get_memory_settings(
    companion_id: str, who: IdentityDep, services: ServicesDep
) -> MemorySettingsOut:
    return MemorySettingsOut.model_validate(
        {"mode": services.memory.mode(who.user_id, companion_id)}
    )


@router.put("/companions/{companion_id}/memory-settings", response_model=MemorySettingsOut)
def set_memory_settings(
    companion_id: str, body: MemorySettingsIn, who: IdentityDep, services: ServicesDep
) -> MemorySettingsOut:
    mode = services.memory.set_mode(who.user_id, companion_id, body.mode)
    return MemorySettingsOut.model_validate({"mode": mode})


def _existing_memory(services: Services, user_id: str, memory_id: str) -> MemoryView | None:
    try:
        return services.memory.get(user_id, memory_id)
    except NotFound:
        return None


def _existing_message(services: Services, user_id: str, message_id: str) -> MessageView | None:
    try:
        return services.conversations.get_message(user_id, message_id)
    except NotFound:
        return None


@router.get("/messages/{message_id}/sources", response_model=ReplySourcesOut)
def message_sources(message_id: str, who: IdentityDep, services: ServicesDep) -> ReplySourcesOut:
    """Why did you say that: the memories and messages recalled into this reply's prompt."""
    sources = services.memory.sources(who.user_id, message_id)
    memories = [_existing_memory(services, who.user_id, mid) for mid in sources.memory_ids]
    messages = [_existing_message(services, who.user_id, mid) for mid in sources.message_ids]
    summary = (
        _existing_memory(services, who.user_id, sources.summary_id) if sources.summary_id else None
    )
    return ReplySourcesOut(
        message_id=sources.message_id,
        memories=[MemoryOut.of(m) for m in memories if m is not None],
        deleted_memories=sum(1 for m in memories if m is None),
        messages=[MessageOut.of(m) for m in messages if m is not None],
        summary=MemoryOut.of(summary) if summary is not None else None,
    )
