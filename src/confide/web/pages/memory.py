"""The memory page: everything the companions remember about the user (promise P4).

``/memory`` lists the user's memories grouped by kind, searchable and filtered by companion,
with the review queue on top, and the forms to add a memory, forget everything about a phrase,
clear all memories and set each companion's memory mode. ``/memory/{id}`` shows one memory
with its full history and where it came from, and edits, pins or deletes it.

Threats handled:
- Destroying memories by a slip: deleting one, clearing all and forgetting by phrase each need
  an explicit confirmation (a ticked box, or a second page that shows exactly what will go).
- Reflecting text from the URL: after a post the page shows a fixed notice chosen by a key
  (``?done=deleted``) and counts parsed as integers, never text taken from the URL.
- Open redirects: a form's ``next`` is followed only when it is a path under ``/memory``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from confide.accounts.service import Identity
from confide.chat.conversations import MessageView
from confide.errors import ConfideError, ConfirmationRequired, InvalidInput, NotFound
from confide.memory.service import KINDS, USER_KINDS, MemoryView
from confide.memory.text import content_words
from confide.services import Services
from confide.web.deps import ServicesDep, get_services
from confide.web.pages.common import FormUserDep, ViewerDep, render, see_other, to_login

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PER_GROUP = 20  # items per kind on the overview; "show all" pages through one kind
PAGE_SIZE = 50
PENDING_LIMIT = 50
FORGET_PREVIEW = 100

KIND_GROUPS = {
    "fact": "Facts",
    "preference": "Preferences",
    "event": "Events",
    "relationship": "Relationships",
    "summary": "Conversation summaries",
}
KIND_NAMES = {
    "fact": "Fact",
    "preference": "Preference",
    "event": "Event",
    "relationship": "Relationship",
    "summary": "Conversation summary",
}
ORIGINS = {"user": "written by you", "extracted": "extracted", "edited": "extracted, edited by you"}
ACTORS = {
    "user": "you",
    "extraction": "found in a conversation",
    "summary": "conversation summary",
    "chat": "chat",
}
REVIEWS = {
    "extracted": "found in your conversation, waiting for your approval",
    "source_deleted": "some messages it came from were deleted",
}
MODE_HELP = {
    "on": "Remembers what matters from your conversations and recalls it when it helps.",
    "review": "Finds memories in your conversations, but each waits here for your approval.",
    "off": "Remembers nothing new and recalls nothing; what is stored stays until you delete it.",
}
NOTICES = {
    "added": "Memory added.",
    "saved": "Changes saved.",
    "pinned": "Pinned: your companion always keeps this memory in mind.",
    "unpinned": "Unpinned.",
    "deleted": "Memory deleted.",
    "approved": "Approved: your companion can now use this memory.",
    "rejected": "Rejected: the memory was deleted.",
    "mode": "Memory setting saved.",
}
_NOTICE_PARAMS = ("done", "m", "n")

Next = Annotated[str, Form(max_length=1000)]
Confirm = Annotated[str, Form(max_length=10)]
CompanionField = Annotated[str, Form(max_length=64)]


@dataclass(frozen=True, slots=True)
class Group:
    kind: str
    title: str
    items: list[MemoryView]
    total: int


@dataclass(frozen=True, slots=True)
class Source:
    message: MessageView
    excerpt: str


# --- helpers -----------------------------------------------------------------------------------
def _memories(n: int) -> str:
    return "1 memory" if n == 1 else f"{n} memories"


def _messages(n: int) -> str:
    return "1 message" if n == 1 else f"{n} messages"


def _count(value: str | None) -> int | None:
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 9:
        return None
    return int(value)


def _notice(done: str | None, m: str | None, n: str | None) -> str | None:
    """The fixed notice for a ``done`` key; the only values taken from the URL are counts."""
    memories, messages = _count(m), _count(n)
    if done == "forgotten" and memories is not None:
        also = f" and {_messages(messages)}" if messages else ""
        return f"Forgotten: {_memories(memories)}{also} deleted."
    if done == "cleared" and memories is not None:
        return f"Cleared: {_memories(memories)} deleted."
    return NOTICES.get(done or "")


def _back(next_url: str, default: str, done: str, **counts: int) -> Response:
    """303 to ``next_url`` if it is a memory page (else ``default``) with the notice key."""
    parts = urlsplit(next_url.strip())
    is_memory_page = parts.path == "/memory" or parts.path.startswith("/memory/")
    if parts.scheme or parts.netloc or not is_memory_page or "\\" in next_url:
        parts = urlsplit(default)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in _NOTICE_PARAMS]
    query += [("done", done), *((k, str(v)) for k, v in counts.items())]
    return see_other(f"{parts.path}?{urlencode(query)}")


def _here(request: Request) -> str:
    """This page's address without the notice, for forms that come back here."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in _NOTICE_PARAMS]
    return request.url.path + (f"?{urlencode(query)}" if query else "")


def _parse_date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("enter the date as YYYY-MM-DD") from exc


def _companion_names(services: Services, user_id: str) -> dict[str, str]:
    return {c.id: c.profile.name for c in services.companions.list(user_id)}


def _replaced_texts(services: Services, user_id: str, items: list[MemoryView]) -> dict[str, str]:
    """For pending items that would update another memory: that memory's current text."""
    texts = {}
    for m in items:
        if m.replaces:
            try:
                texts[m.id] = services.memory.get(user_id, m.replaces).text
            except NotFound:
                continue
    return texts


# --- the list ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Filters:
    companion: str
    q: str
    kind: str
    page: int

    def url(self, **changes: Any) -> str:
        values = {"companion": self.companion, "q": self.q, "kind": self.kind, "page": self.page}
        values.update(changes)
        query = [(k, str(v)) for k, v in values.items() if v and not (k == "page" and v == 1)]
        return "/memory" + (f"?{urlencode(query)}" if query else "")


def _groups(services: Services, user_id: str, f: Filters) -> tuple[list[Group], int]:
    """The active memories by kind: one kind a page at a time, or the first few of each."""
    common: dict[str, Any] = {
        "companion_id": f.companion or None,
        "status": "active",
        "query": f.q or None,
    }
    if f.kind:
        items, total = services.memory.list(
            user_id, kind=f.kind, limit=PAGE_SIZE, offset=(f.page - 1) * PAGE_SIZE, **common
        )
        return [Group(f.kind, KIND_GROUPS[f.kind], items, total)], total
    groups = []
    for kind in KINDS:
        items, total = services.memory.list(user_id, kind=kind, limit=PER_GROUP, **common)
        groups.append(Group(kind, KIND_GROUPS[kind], items, total))
    return groups, sum(g.total for g in groups)


def _list_page(
    request: Request,
    who: Identity,
    f: Filters,
    *,
    status: int = 200,
    notice: str | None = None,
    error: ConfideError | None = None,
    error_in: str = "",
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    services = get_services(request)
    names = _companion_names(services, who.user_id)
    if f.companion and f.companion not in names:
        raise NotFound("no such companion")
    if f.kind and f.kind not in KINDS:
        raise InvalidInput(f"kind must be one of: {', '.join(KINDS)}")
    groups, total = _groups(services, who.user_id, f)
    pending, pending_total = services.memory.list(
        who.user_id, companion_id=f.companion or None, status="pending", limit=PENDING_LIMIT
    )
    return render(
        request,
        "memory.html",
        who=who,
        status=status,
        filters=f,
        groups=groups,
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)) if f.kind else 1,
        pending=pending,
        pending_total=pending_total,
        replaced=_replaced_texts(services, who.user_id, pending),
        companions=names,
        modes={cid: services.memory.mode(who.user_id, cid) for cid in names},
        has_consent=services.consents.granted(who.user_id, "memory"),
        here=_here(request),
        notice=notice,
        error=error,
        error_in=error_in,
        form=form or {},
        **_labels(),
    )


def _labels() -> dict[str, Any]:
    return {
        "kind_names": KIND_NAMES,
        "user_kinds": USER_KINDS,
        "origins": ORIGINS,
        "actors": ACTORS,
        "reviews": REVIEWS,
        "modes_help": MODE_HELP,
        "mode_names": tuple(MODE_HELP),  # on, review, off: least to most private
    }


@router.get("/memory", response_class=HTMLResponse)
def memory_page(
    request: Request,
    who: ViewerDep,
    companion: Annotated[str, Query(max_length=64)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    done: Annotated[str | None, Query(max_length=20)] = None,
    m: Annotated[str | None, Query(max_length=10)] = None,
    n: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    if who is None:
        return to_login()
    filters = Filters(companion.strip(), q.strip(), kind.strip(), page)
    return _list_page(request, who, filters, notice=_notice(done, m, n))


def _form_failed(
    request: Request, who: Identity, exc: ConfideError, where: str, form: dict[str, str]
) -> HTMLResponse:
    """The list page again with the error next to the form that failed, input kept."""
    return _list_page(
        request,
        who,
        Filters("", "", "", 1),
        status=exc.status,
        error=exc,
        error_in=where,
        form=form,
    )


@router.post("/memory/add", response_class=HTMLResponse)
def memory_add(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    companion_id: CompanionField = "",
    kind: Annotated[str, Form(max_length=20)] = "fact",
    text: Annotated[str, Form(max_length=2000)] = "",
    event_date: Annotated[str, Form(max_length=20)] = "",
    pinned: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    form = {"companion_id": companion_id, "kind": kind, "text": text, "event_date": event_date}
    try:
        view = services.memory.create(
            who.user_id,
            companion_id,
            kind=kind,
            text=text,
            pinned=pinned == "yes",
            event_date=_parse_date(event_date),
        )
    except ConfideError as exc:
        return _form_failed(request, who, exc, "add", form)
    return see_other(f"/memory/{view.id}?done=added")


# --- forget, clear, modes ----------------------------------------------------------------------
@router.post("/memory/forget", response_class=HTMLResponse)
def memory_forget(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    about: Annotated[str, Form(max_length=200)] = "",
    companion_id: CompanionField = "",
    delete_messages: Annotated[str, Form(max_length=10)] = "",
    confirm: Confirm = "",
) -> Response:
    """First post: what would go, with a button to confirm. Second (``confirm=yes``): gone."""
    form = {"about": about, "forget_companion": companion_id, "delete_messages": delete_messages}
    with_messages = delete_messages == "yes"
    names = _companion_names(services, who.user_id)
    try:
        if not content_words(about):
            raise InvalidInput("say what to forget (a word or phrase)")
        if companion_id and companion_id not in names:
            raise NotFound("no such companion")
        if confirm == "yes":
            memories, messages = services.memory.forget(
                who.user_id,
                about,
                companion_id=companion_id or None,
                delete_messages=with_messages,
            )
            return _back("/memory", "/memory", "forgotten", m=memories, n=messages)
    except ConfideError as exc:
        return _form_failed(request, who, exc, "forget", form)
    items, total = services.memory.list(
        who.user_id, companion_id=companion_id or None, query=about, limit=10_000
    )
    sources = {s for m in items for s in m.sources}
    return render(
        request,
        "memory_forget.html",
        who=who,
        about=about.strip(),
        companion_id=companion_id,
        companions=names,
        items=items[:FORGET_PREVIEW],
        total=total,
        with_messages=with_messages,
        message_count=len(sources),
        **_labels(),
    )


@router.post("/memory/clear", response_class=HTMLResponse)
def memory_clear(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    companion_id: CompanionField = "",
    confirm: Confirm = "",
) -> Response:
    try:
        if confirm != "yes":
            raise ConfirmationRequired(
                "tick the box to confirm: clearing memories cannot be undone"
            )
        deleted = services.memory.clear(who.user_id, companion_id=companion_id or None)
    except ConfideError as exc:
        return _form_failed(request, who, exc, "clear", {"clear_companion": companion_id})
    return _back("/memory", "/memory", "cleared", m=deleted)


@router.post("/memory/mode/{companion_id}", response_class=HTMLResponse)
def memory_mode(
    companion_id: str,
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    mode: Annotated[str, Form(max_length=10)] = "",
    next: Next = "/memory",  # noqa: A002
) -> Response:
    try:
        services.memory.set_mode(who.user_id, companion_id, mode)
    except InvalidInput as exc:
        return _form_failed(request, who, exc, f"mode-{companion_id}", {})
    return _back(next, "/memory", "mode")


# --- one memory --------------------------------------------------------------------------------
def _sources(services: Services, user_id: str, m: MemoryView) -> tuple[list[Source], int]:
    """The messages a memory came from that still exist, and how many were deleted."""
    found: list[Source] = []
    for message_id in m.sources:
        try:
            message = services.conversations.get_message(user_id, message_id)
        except NotFound:
            continue
        text = message.content
        found.append(Source(message, text if len(text) <= 200 else text[:199] + "…"))
    return found, len(m.sources) - len(found)


def _item_page(
    request: Request,
    who: Identity,
    memory_id: str,
    *,
    status: int = 200,
    notice: str | None = None,
    error: ConfideError | None = None,
    error_in: str = "",
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    services = get_services(request)
    item = services.memory.get(who.user_id, memory_id)
    sources, deleted_sources = _sources(services, who.user_id, item)
    companion = services.companions.get(who.user_id, item.companion_id)
    return render(
        request,
        "memory_item.html",
        who=who,
        status=status,
        item=item,
        companion=companion,
        companions={companion.id: companion.profile.name},
        history=services.memory.history(who.user_id, memory_id),
        sources=sources,
        deleted_sources=deleted_sources,
        replaced=_replaced_texts(services, who.user_id, [item]).get(item.id),
        here=_here(request),
        notice=notice,
        error=error,
        error_in=error_in,
        form=form or {},
        **_labels(),
    )


@router.get("/memory/{memory_id}", response_class=HTMLResponse)
def memory_item_page(
    memory_id: str,
    request: Request,
    who: ViewerDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    if who is None:
        return to_login()
    return _item_page(request, who, memory_id, notice=_notice(done, None, None))


@router.post("/memory/{memory_id}/edit", response_class=HTMLResponse)
def memory_edit(
    memory_id: str,
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    text: Annotated[str, Form(max_length=8000)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    event_date: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    item = services.memory.get(who.user_id, memory_id)  # another user's id: 404 page
    try:
        services.memory.edit(
            who.user_id,
            memory_id,
            text=text,
            kind=kind or None,
            event_date=_parse_date(event_date) if item.kind != "summary" else "keep",
        )
    except ConfideError as exc:
        form = {"text": text, "kind": kind, "event_date": event_date}
        return _item_page(
            request, who, memory_id, status=exc.status, error=exc, error_in="edit", form=form
        )
    return see_other(f"/memory/{memory_id}?done=saved")


@router.post("/memory/{memory_id}/pin")
def memory_pin(
    memory_id: str,
    who: FormUserDep,
    services: ServicesDep,
    pinned: Annotated[str, Form(max_length=10)] = "yes",
    next: Next = "",  # noqa: A002
) -> Response:
    is_pinned = pinned == "yes"
    services.memory.edit(who.user_id, memory_id, pinned=is_pinned)
    return _back(next, f"/memory/{memory_id}", "pinned" if is_pinned else "unpinned")


@router.post("/memory/{memory_id}/delete", response_class=HTMLResponse)
def memory_delete(
    memory_id: str,
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    confirm: Confirm = "",
) -> Response:
    services.memory.get(who.user_id, memory_id)  # another user's id: 404 page
    if confirm != "yes":
        exc = ConfirmationRequired("tick the box to confirm: deleting cannot be undone")
        return _item_page(request, who, memory_id, status=exc.status, error=exc, error_in="delete")
    services.memory.delete(who.user_id, memory_id)
    return see_other("/memory?done=deleted")


@router.post("/memory/{memory_id}/approve", response_class=HTMLResponse)
def memory_approve(
    memory_id: str,
    request: Request,
    who: FormUserDep,
    next: Next = "",  # noqa: A002
) -> Response:
    return _decide(request, who, memory_id, next, approve=True)


@router.post("/memory/{memory_id}/reject", response_class=HTMLResponse)
def memory_reject(
    memory_id: str,
    request: Request,
    who: FormUserDep,
    next: Next = "",  # noqa: A002
) -> Response:
    return _decide(request, who, memory_id, next, approve=False)


def _decide(
    request: Request, who: Identity, memory_id: str, next_url: str, *, approve: bool
) -> Response:
    """Approve or reject a pending memory; from its own page, go to what is left of it."""
    services = get_services(request)
    try:
        kept = services.memory.decide(who.user_id, memory_id, approve=approve)
    except InvalidInput as exc:  # not pending (any more): say so on its page
        return _item_page(request, who, memory_id, status=exc.status, error=exc, error_in="review")
    own_page = urlsplit(next_url).path == f"/memory/{memory_id}"
    if kept is not None and own_page:
        return see_other(f"/memory/{kept.id}?done=approved")
    back = "/memory" if own_page else next_url
    return _back(back, "/memory", "approved" if approve else "rejected")
