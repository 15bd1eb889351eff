"""The companion gallery, creating, editing, importing, exporting and deleting a companion, and one
companion's page with its conversations (start, rename, delete).

Every form here works without JavaScript. Deleting goes through a confirmation page that says
exactly what goes with it, then a POST; notices after a redirect are fixed messages chosen by a
key in the URL, never text taken from the URL.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from confide.accounts.service import Identity
from confide.companions.cards import MAX_CARD_BYTES
from confide.companions.profile import MAX_NAME_CHARS, MAX_TEXT_CHARS, CompanionProfile
from confide.companions.service import CompanionView, starters
from confide.errors import ConfideError, InvalidInput, PayloadTooLarge
from confide.services import Services
from confide.web.deps import ServicesDep
from confide.web.pages.common import FormUserDep, ViewerDep, render, see_other, to_login

router = APIRouter(include_in_schema=False)

# The profile fields a person edits (the same as the API's CompanionIn / CompanionPatch); the
# other Character Card fields (tags, creator, ...) are kept as they are on edit.
FIELDS: tuple[dict[str, Any], ...] = (
    {"name": "name", "label": "Name", "max": MAX_NAME_CHARS, "long": False, "required": True},
    {"name": "gender", "label": "Gender", "max": MAX_NAME_CHARS, "long": False},
    {
        "name": "persona",
        "label": "Persona",
        "max": MAX_TEXT_CHARS,
        "long": True,
        "hint": "Who the companion is: personality, backstory, interests.",
    },
    {
        "name": "tone",
        "label": "Tone and style",
        "max": MAX_TEXT_CHARS,
        "long": True,
        "hint": "How the companion writes, e.g. gentle, short replies.",
    },
    {
        "name": "greeting",
        "label": "Greeting",
        "max": MAX_TEXT_CHARS,
        "long": True,
        "hint": "The first message of every new conversation. "
        "{{user}} becomes your name, {{char}} the companion's.",
    },
    {
        "name": "example_dialogue",
        "label": "Example dialogue",
        "max": MAX_TEXT_CHARS,
        "long": True,
        "hint": "Sample lines showing how the companion talks ({{user}}: … / {{char}}: …).",
    },
)
FIELD_NAMES = tuple(f["name"] for f in FIELDS)

# Generous caps on what a form post may carry; the real limits are checked below, with
# messages next to the form (a Form(max_length) refusal would lose what was typed).
_NAME_FORM = Form(max_length=4 * MAX_NAME_CHARS)
_TEXT_FORM = Form(max_length=2 * MAX_TEXT_CHARS)

DONE = {
    "created": "Companion created.",
    "imported": "Character Card imported.",
    "saved": "Changes saved.",
    "renamed": "Conversation renamed.",
}


def _profile_form(
    name: str, gender: str, persona: str, tone: str, greeting: str, example_dialogue: str
) -> dict[str, str]:
    return {
        "name": name,
        "gender": gender,
        "persona": persona,
        "tone": tone,
        "greeting": greeting,
        "example_dialogue": example_dialogue,
    }


def _field_errors(form: dict[str, str]) -> dict[str, str]:
    """Each field's problem in words, as the service would refuse it (empty when valid)."""
    try:
        CompanionProfile(**form)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "name"
            if err["type"] == "string_too_short":
                errors[field] = "enter a name"
            elif err["type"] == "string_too_long":
                errors[field] = f"use at most {err['ctx']['max_length']} characters"
            else:
                errors[field] = str(err["msg"])
        return errors
    return {}


def _form_page(
    request: Request,
    who: Identity,
    *,
    form: dict[str, str],
    companion: CompanionView | None = None,
    errors: dict[str, str] | None = None,
    error: ConfideError | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "companion_form.html",
        who=who,
        status=status,
        fields=FIELDS,
        form=form,
        companion=companion,
        errors=errors or {},
        error=error,
    )


def _gallery(
    request: Request,
    who: Identity,
    services: Services,
    *,
    notice: str | None = None,
    import_error: ConfideError | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "companions.html",
        who=who,
        status=status,
        starters=starters(),
        companions=services.companions.list(who.user_id),
        notice=notice,
        import_error=import_error,
        max_card_bytes=MAX_CARD_BYTES,
    )


# --- the gallery, starters, import -------------------------------------------------------------
@router.get("/companions", response_class=HTMLResponse)
def companions_page(
    request: Request,
    who: ViewerDep,
    services: ServicesDep,
    done: Annotated[str, Query(max_length=40)] = "",
    conversations: Annotated[int, Query(ge=0)] = 0,
    messages: Annotated[int, Query(ge=0)] = 0,
    memories: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    if who is None:
        return to_login()
    notice = None
    if done == "deleted":
        notice = (
            f"The companion was deleted, with {_count(conversations, 'conversation')}, "
            f"{_count(messages, 'message')} and {_count(memories, 'memory', 'memories')}."
        )
    return _gallery(request, who, services, notice=notice)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _conversation_deleted(messages: int, memories: int, review: int) -> str:
    text = (
        f"The conversation was deleted, with {_count(messages, 'message')}. "
        f"Memories learned only from it: {memories} deleted."
    )
    if review:
        text += f" Memories learned partly from it: {review} now waiting for your review."
    return text


@router.post("/companions/from-starter")
def companion_from_starter(
    who: FormUserDep, services: ServicesDep, starter: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    view = services.companions.create_from_starter(who.user_id, starter)
    return see_other(f"/companions/{view.id}")


@router.post("/companions/import", response_class=HTMLResponse)
async def companion_import(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A Character Card V2 upload (JSON, or PNG with the card in a text chunk)."""
    try:
        if file is None or not file.filename:
            raise InvalidInput("choose a Character Card file (.json or .png) to import")
        data = await file.read(MAX_CARD_BYTES + 1)
        if len(data) > MAX_CARD_BYTES:
            raise PayloadTooLarge(f"a card may be at most {MAX_CARD_BYTES} bytes")
        view = services.companions.import_card(
            who.user_id, data, filename=file.filename, content_type=file.content_type
        )
    except ConfideError as exc:
        return _gallery(request, who, services, import_error=exc, status=exc.status)
    return see_other(f"/companions/{view.id}?done=imported")


# --- create and edit ---------------------------------------------------------------------------
@router.get("/companions/new", response_class=HTMLResponse)
def companion_new(request: Request, who: ViewerDep) -> Response:
    if who is None:
        return to_login()
    return _form_page(request, who, form=dict.fromkeys(FIELD_NAMES, ""))


@router.post("/companions/new", response_class=HTMLResponse)
def companion_create(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    name: Annotated[str, _NAME_FORM] = "",
    gender: Annotated[str, _NAME_FORM] = "",
    persona: Annotated[str, _TEXT_FORM] = "",
    tone: Annotated[str, _TEXT_FORM] = "",
    greeting: Annotated[str, _TEXT_FORM] = "",
    example_dialogue: Annotated[str, _TEXT_FORM] = "",
) -> Response:
    form = _profile_form(name, gender, persona, tone, greeting, example_dialogue)
    errors = _field_errors(form)
    if errors:
        return _form_page(request, who, form=form, errors=errors, status=422)
    view = services.companions.create(who.user_id, CompanionProfile(**form))
    return see_other(f"/companions/{view.id}?done=created")


@router.get("/companions/{companion_id}/edit", response_class=HTMLResponse)
def companion_edit(
    companion_id: str, request: Request, who: ViewerDep, services: ServicesDep
) -> Response:
    if who is None:
        return to_login()
    companion = services.companions.get(who.user_id, companion_id)
    form = {k: str(getattr(companion.profile, k)) for k in FIELD_NAMES}
    return _form_page(request, who, form=form, companion=companion)


@router.post("/companions/{companion_id}/edit", response_class=HTMLResponse)
def companion_save(
    companion_id: str,
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    name: Annotated[str, _NAME_FORM] = "",
    gender: Annotated[str, _NAME_FORM] = "",
    persona: Annotated[str, _TEXT_FORM] = "",
    tone: Annotated[str, _TEXT_FORM] = "",
    greeting: Annotated[str, _TEXT_FORM] = "",
    example_dialogue: Annotated[str, _TEXT_FORM] = "",
) -> Response:
    companion = services.companions.get(who.user_id, companion_id)  # 404 if not theirs
    form = _profile_form(name, gender, persona, tone, greeting, example_dialogue)
    errors = _field_errors(form)
    if errors:
        return _form_page(request, who, form=form, companion=companion, errors=errors, status=422)
    services.companions.update(who.user_id, companion_id, form)
    return see_other(f"/companions/{companion_id}?done=saved")


# --- one companion: its page, export, delete ---------------------------------------------------
@router.get("/companions/{companion_id}", response_class=HTMLResponse)
def companion_page(
    companion_id: str,
    request: Request,
    who: ViewerDep,
    services: ServicesDep,
    done: Annotated[str, Query(max_length=40)] = "",
    messages: Annotated[int, Query(ge=0)] = 0,
    memories: Annotated[int, Query(ge=0)] = 0,
    review: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    if who is None:
        return to_login()
    notice = DONE.get(done)
    if done == "conversation-deleted":
        notice = _conversation_deleted(messages, memories, review)
    return _companion_page(request, who, services, companion_id, notice=notice)


def _companion_page(
    request: Request,
    who: Identity,
    services: Services,
    companion_id: str,
    *,
    notice: str | None = None,
    error: ConfideError | None = None,
    status: int = 200,
) -> HTMLResponse:
    companion = services.companions.get(who.user_id, companion_id)
    conversations = services.conversations.list(
        who.user_id, companion_id=companion_id, limit=200, offset=0
    )
    return render(
        request,
        "companion.html",
        who=who,
        status=status,
        companion=companion,
        conversations=conversations,
        notice=notice,
        error=error,
    )


@router.get("/companions/{companion_id}/export")
def companion_export(
    companion_id: str,
    who: ViewerDep,
    services: ServicesDep,
    format: Literal["json", "png"] = "json",  # noqa: A002 - the API's parameter name
) -> Response:
    """The companion as a Character Card V2 file to download."""
    if who is None:
        return to_login()
    body, media_type, filename = services.companions.export_card(who.user_id, companion_id, format)
    safe = filename.encode("ascii", "ignore").decode().replace('"', "") or f"card.{format}"
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/companions/{companion_id}/delete", response_class=HTMLResponse)
def companion_delete_confirm(
    companion_id: str, request: Request, who: ViewerDep, services: ServicesDep
) -> Response:
    if who is None:
        return to_login()
    companion = services.companions.get(who.user_id, companion_id)
    conversations = services.conversations.list(
        who.user_id, companion_id=companion_id, limit=200, offset=0
    )
    _, memories = services.memory.list(who.user_id, companion_id=companion_id, limit=1)
    return render(
        request,
        "companion_delete.html",
        who=who,
        companion=companion,
        conversations=conversations,
        messages=sum(c.message_count for c in conversations),
        memories=memories,
    )


@router.post("/companions/{companion_id}/delete")
def companion_delete(companion_id: str, who: FormUserDep, services: ServicesDep) -> Response:
    erased = services.erasure.delete_companion(who.user_id, companion_id)
    return see_other(
        f"/companions?done=deleted&conversations={erased.conversations}"
        f"&messages={erased.messages}&memories={erased.memories}"
    )


# --- conversations -----------------------------------------------------------------------------
@router.post("/companions/{companion_id}/conversations")
def conversation_start(
    companion_id: str,
    who: FormUserDep,
    services: ServicesDep,
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    view = services.conversations.create(
        who.user_id, companion_id, title or None, user_name=who.username
    )
    return see_other(f"/chat/{view.id}")


@router.post("/conversations/{conversation_id}/rename", response_class=HTMLResponse)
def conversation_rename(
    conversation_id: str,
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    title: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    conversation = services.conversations.get(who.user_id, conversation_id)
    try:
        services.conversations.rename(who.user_id, conversation_id, title)
    except ConfideError as exc:
        return _companion_page(
            request, who, services, conversation.companion_id, error=exc, status=exc.status
        )
    return see_other(f"/companions/{conversation.companion_id}?done=renamed")


@router.get("/conversations/{conversation_id}/delete", response_class=HTMLResponse)
def conversation_delete_confirm(
    conversation_id: str, request: Request, who: ViewerDep, services: ServicesDep
) -> Response:
    if who is None:
        return to_login()
    conversation = services.conversations.get(who.user_id, conversation_id)
    companion = services.companions.get(who.user_id, conversation.companion_id)
    return render(
        request,
        "companion_conversation_delete.html",
        who=who,
        conversation=conversation,
        companion=companion,
    )


@router.post("/conversations/{conversation_id}/delete")
def conversation_delete(conversation_id: str, who: FormUserDep, services: ServicesDep) -> Response:
    conversation = services.conversations.get(who.user_id, conversation_id)
    erased = services.erasure.delete_conversation(who.user_id, conversation_id)
    counts = erased.memories.counts()
    return see_other(
        f"/companions/{conversation.companion_id}?done=conversation-deleted"
        f"&messages={erased.messages}&memories={counts['memories_deleted']}"
        f"&review={counts['memories_for_review']}"
    )
