"""Conversations, their messages, and the chat turn (JSON or server-sent events)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import StreamingResponse

from confide.chat.conversations import MessageView
from confide.chat.service import TurnEvent
from confide.web.deps import IdentityDep, ServicesDep
from confide.web.schemas import (
    MAX_INT64,
    ConversationIn,
    ConversationOut,
    ConversationPatch,
    MessageIn,
    MessageOut,
    MessagePageOut,
    SafetyCardOut,
    SensitiveWarningOut,
    TurnOut,
)

router = APIRouter(prefix="/api", tags=["conversations"])

_SSE_DOC = (
    "With `stream: true` or `Accept: text/event-stream` the reply streams as server-sent events: "
    "`user_message` (the stored message); `safety` (a safety card with helplines, when the "
    "message carried a crisis signal) and `warning` (a highly sensitive identifier in the "
    "message), when they apply; `delta` (`{text}`, many), then `reply` (the stored reply) or "
    "`error` (`{code, message}`; `pii_shield_failed` when identifiers could not be checked "
    "before a remote model call: nothing was sent). Closing the connection cancels generation; any "
    "partial reply is kept with status `interrupted`."
)


@router.post(
    "/companions/{companion_id}/conversations",
    status_code=status.HTTP_201_CREATED,
    response_model=ConversationOut,
    tags=["conversations"],
)
def create_conversation(
    companion_id: str, body: ConversationIn, who: IdentityDep, services: ServicesDep
) -> ConversationOut:
    view = services.conversations.create(
        who.user_id, companion_id, body.title, user_name=who.username
    )
    return ConversationOut.of(view)


@router.get("/conversations", response_model=list[ConversationOut])
def list_conversations(
    who: IdentityDep,
    services: ServicesDep,
    companion_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[ConversationOut]:
    views = services.conversations.list(
        who.user_id, companion_id=companion_id, limit=limit, offset=offset
    )
    return [ConversationOut.of(v) for v in views]


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
def get_conversation(
    conversation_id: str, who: IdentityDep, services: ServicesDep
) -> ConversationOut:
    return ConversationOut.of(services.conversations.get(who.user_id, conversation_id))


@router.patch("/conversations/{conversation_id}", response_model=ConversationOut)
def rename_conversation(
    conversation_id: str, body: ConversationPatch, who: IdentityDep, services: ServicesDep
) -> ConversationOut:
    view = services.conversations.rename(who.user_id, conversation_id, body.title)
    return ConversationOut.of(view)


@router.delete("/conversations/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_conversation(conversation_id: str, who: IdentityDep, services: ServicesDep) -> None:
    services.erasure.delete_conversation(who.user_id, conversation_id)


@router.get("/conversations/{conversation_id}/messages", response_model=MessagePageOut)
def list_messages(
    conversation_id: str,
    who: IdentityDep,
    services: ServicesDep,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_INT64, description="Only messages older than this seq")
    ] = (None),
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagePageOut:
    page = services.conversations.messages(who.user_id, conversation_id, before=before, limit=limit)
    return MessagePageOut(
        items=[MessageOut.of(m) for m in page.items], next_before=page.next_before
    )


@router.get("/messages/{message_id}", response_model=MessageOut)
def get_message(message_id: str, who: IdentityDep, services: ServicesDep) -> MessageOut:
    return MessageOut.of(services.conversations.get_message(who.user_id, message_id))


@router.delete("/messages/{message_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_message(message_id: str, who: IdentityDep, services: ServicesDep) -> None:
    services.erasure.delete_message(who.user_id, message_id)


def _event_data(event: TurnEvent) -> dict[str, Any]:
    message = event.data.get("message")
    if isinstance(message, MessageView):
        return MessageOut.of(message).model_dump(mode="json")
    return event.data


async def _sse(events: AsyncIterator[TurnEvent]) -> AsyncIterator[bytes]:
    async for event in events:
        payload = json.dumps(_event_data(event), ensure_ascii=False)
        yield f"event: {event.kind}\ndata: {payload}\n\n".encode()


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=TurnOut,
    description=_SSE_DOC,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def send_message(
    conversation_id: str,
    body: MessageIn,
    request: Request,
    who: IdentityDep,
    services: ServicesDep,
) -> Any:
    wants_stream = body.stream or "text/event-stream" in request.headers.get("accept", "")
    if wants_stream:
        # Validate and store the user's message before the stream starts, so input errors are
        # a plain 4xx rather than an event inside a 200 stream.
        events = services.chat.turn(who.user_id, who.username, conversation_id, body.content)
        first = await anext(events)
        return StreamingResponse(
            _sse(_prepend(first, events)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    result = await services.chat.run_turn(who.user_id, who.username, conversation_id, body.content)
    return TurnOut(
        user_message=MessageOut.of(result.user_message),
        reply=MessageOut.of(result.reply),
        safety=SafetyCardOut.model_validate(result.safety) if result.safety else None,
        warning=SensitiveWarningOut.model_validate(result.warning) if result.warning else None,
    )


async def _prepend(first: TurnEvent, rest: AsyncIterator[TurnEvent]) -> AsyncIterator[TurnEvent]:
    yield first
    try:
        async for event in rest:
            yield event
    finally:
        aclose = getattr(rest, "aclose", None)
        if aclose is not None:
            await aclose()
