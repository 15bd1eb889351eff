"""A conversation: its messages, sending (streamed by ``static/chat.js``, or a plain form post
without JavaScript), deleting a message, and "why did you say that?" for a companion's reply
(the memories and earlier messages recalled into its prompt, P4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from confide.accounts.service import Identity
from confide.chat.conversations import ConversationView, MessageView
from confide.errors import ConfideError, NotFound
from confide.memory.service import MemoryView
from confide.services import Services
from confide.web.deps import ServicesDep, get_services
from confide.web.pages.common import FormUserDep, ViewerDep, render, see_other, to_login

router = APIRouter(include_in_schema=False)
_CHAT_PAGE_SIZE = 100


# --- chat --------------------------------------------------------------------------------------
def _chat_page(
    request: Request,
    who: Identity,
    conversation_id: str,
    *,
    before: int | None = None,
    status: int = 200,
    error: ConfideError | None = None,
    draft: str = "",
    warned: str | None = None,
) -> HTMLResponse:
    services = get_services(request)
    conversation = services.conversations.get(who.user_id, conversation_id)
    companion = services.companions.get(who.user_id, conversation.companion_id)
    page = services.conversations.messages(
        who.user_id, conversation_id, before=before, limit=_CHAT_PAGE_SIZE
    )
    # Safety cards are shown again beside the messages that brought them up (from the user's
    # own audit log); the sensitive-identifier warning only right after sending (once).
    cards = services.chat.cards_shown(who.user_id, page.items)
    warning = next(
        (
            services.chat.sensitive_warning(m.content, m.id)
            for m in page.items
            if m.id == warned and not m.ai_generated
        ),
        None,
    )
    return render(
        request,
        "chat.html",
        who=who,
        status=status,
        conversation=conversation,
        companion=companion,
        messages=page.items,
        older=page.next_before,
        error=error,
        draft=draft,
        max_chars=services.settings.max_message_chars,
        cards=cards,
        warning=warning,
    )


@router.get("/chat/{conversation_id}", response_class=HTMLResponse)
def chat_page(
    conversation_id: str,
    request: Request,
    who: ViewerDep,
    before: int | None = None,
    warned: str | None = None,
) -> Response:
    if who is None:
        return to_login()
    return _chat_page(request, who, conversation_id, before=before, warned=warned)


@router.post("/chat/{conversation_id}/send")
async def chat_send(
    conversation_id: str,
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    content: Annotated[str, Form(max_length=64_000)] = "",
) -> Response:
    """The send form without JavaScript: the whole reply, then back to the conversation."""
    try:
        result = await services.chat.run_turn(who.user_id, who.username, conversation_id, content)
    except ConfideError as exc:
        # A message that was refused is offered again; one that was stored is on the page.
        draft = content if exc.status < 500 else ""
        return await run_in_threadpool(
            _chat_page, request, who, conversation_id, status=exc.status, error=exc, draft=draft
        )
    if result.warning is not None:
        return see_other(f"/chat/{conversation_id}?warned={result.warning['message_id']}#latest")
    return see_other(f"/chat/{conversation_id}#latest")


@router.post("/messages/{message_id}/delete")
def message_delete(message_id: str, who: FormUserDep, services: ServicesDep) -> Response:
    erased = services.erasure.delete_message(who.user_id, message_id)
    return see_other(f"/chat/{erased.conversation_id}")


# --- why did you say that? ---------------------------------------------------------------------
@router.get("/messages/{message_id}/why", response_class=HTMLResponse)
def message_why(
    message_id: str, request: Request, who: ViewerDep, services: ServicesDep
) -> Response:
    """The memories, summary and earlier messages a reply was given, as they are now (deleted
    ones are counted, not shown). Another user's message is a 404 like a missing one."""
    if who is None:
        return to_login()
    sources = services.memory.sources(who.user_id, message_id)  # NotFound unless theirs
    message = services.conversations.get_message(who.user_id, message_id)
    conversation = services.conversations.get(who.user_id, message.conversation_id)
    companion = services.companions.get(who.user_id, conversation.companion_id)
    memories = [_memory_or_none(services, who.user_id, mid) for mid in sources.memory_ids]
    recalled = [_message_or_none(services, who.user_id, mid) for mid in sources.message_ids]
    used = [m for m in recalled if m is not None]
    summary = (
        _memory_or_none(services, who.user_id, sources.summary_id) if sources.summary_id else None
    )
    return render(
        request,
        "why.html",
        who=who,
        message=message,
        conversation=conversation,
        companion=companion,
        memories=[m for m in memories if m is not None],
        deleted_memories=sum(1 for m in memories if m is None),
        messages=used,
        deleted_messages=len(recalled) - len(used),
        summary=summary,
        conversations=_conversations_of(services, who.user_id, used, conversation),
    )


def _memory_or_none(services: Services, user_id: str, memory_id: str) -> MemoryView | None:
    try:
        return services.memory.get(user_id, memory_id)
    except NotFound:
        return None


def _message_or_none(services: Services, user_id: str, message_id: str) -> MessageView | None:
    try:
        return services.conversations.get_message(user_id, message_id)
    except NotFound:
        return None


def _conversations_of(
    services: Services, user_id: str, messages: list[MessageView], current: ConversationView
) -> dict[str, ConversationView]:
    """The conversations the recalled messages are in, by id (for their titles and links)."""
    found = {current.id: current}
    for m in messages:
        if m.conversation_id not in found:
            found[m.conversation_id] = services.conversations.get(user_id, m.conversation_id)
    return found
