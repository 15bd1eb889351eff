"""Companions: starters, create/edit/delete, Character Card V2 import and export."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, File, UploadFile, status
from fastapi.responses import Response

from confide.companions.cards import MAX_CARD_BYTES
from confide.companions.service import profile_from, starters
from confide.errors import PayloadTooLarge
from confide.web.deps import IdentityDep, ServicesDep
from confide.web.schemas import (
    CompanionFromStarterIn,
    CompanionIn,
    CompanionOut,
    CompanionPatch,
    StarterOut,
)

router = APIRouter(prefix="/api/companions", tags=["companions"])


@router.get("/starters", response_model=list[StarterOut])
def list_starters(who: IdentityDep) -> list[StarterOut]:
    return [
        StarterOut(
            key=s.key,
            name=s.profile.name,
            gender=s.profile.gender,
            persona=s.profile.persona,
            greeting=s.profile.greeting,
        )
        for s in starters()
    ]


@router.get("", response_model=list[CompanionOut])
def list_companions(who: IdentityDep, services: ServicesDep) -> list[CompanionOut]:
    return [CompanionOut.of(c) for c in services.companions.list(who.user_id)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CompanionOut)
def create_companion(body: CompanionIn, who: IdentityDep, services: ServicesDep) -> CompanionOut:
    profile = profile_from(body.model_dump())
    return CompanionOut.of(services.companions.create(who.user_id, profile))


@router.post("/from-starter", status_code=status.HTTP_201_CREATED, response_model=CompanionOut)
def create_from_starter(
    body: CompanionFromStarterIn, who: IdentityDep, services: ServicesDep
) -> CompanionOut:
    return CompanionOut.of(services.companions.create_from_starter(who.user_id, body.starter))


@router.post("/import", status_code=status.HTTP_201_CREATED, response_model=CompanionOut)
async def import_card(
    who: IdentityDep, services: ServicesDep, file: UploadFile = File(...)
) -> CompanionOut:
    """Import a SillyTavern Character Card V2 (JSON, or PNG with a `chara` chunk)."""
    data = await file.read(MAX_CARD_BYTES + 1)
    if len(data) > MAX_CARD_BYTES:
        raise PayloadTooLarge(f"a card may be at most {MAX_CARD_BYTES} bytes")
    view = services.companions.import_card(
        who.user_id, data, filename=file.filename, content_type=file.content_type
    )
    return CompanionOut.of(view)


@router.get("/{companion_id}", response_model=CompanionOut)
def get_companion(companion_id: str, who: IdentityDep, services: ServicesDep) -> CompanionOut:
    return CompanionOut.of(services.companions.get(who.user_id, companion_id))


@router.patch("/{companion_id}", response_model=CompanionOut)
def update_companion(
    companion_id: str, body: CompanionPatch, who: IdentityDep, services: ServicesDep
) -> CompanionOut:
    return CompanionOut.of(services.companions.update(who.user_id, companion_id, body.changes()))


@router.delete("/{companion_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_companion(companion_id: str, who: IdentityDep, services: ServicesDep) -> None:
    services.erasure.delete_companion(who.user_id, companion_id)


@router.get(
    "/{companion_id}/export",
    responses={200: {"content": {"application/json": {}, "image/png": {}}}},
    response_class=Response,
)
def export_card(
    companion_id: str,
    who: IdentityDep,
    services: ServicesDep,
    format: Literal["json", "png"] = "json",
) -> Response:
    body, media_type, filename = services.companions.export_card(who.user_id, companion_id, format)
    safe = filename.encode("ascii", "ignore").decode() or "card"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )
