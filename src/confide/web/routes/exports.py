"""Export and import (P9): request an export, follow its progress, mint a single-use link,
download it once, discard it; import an archive as a new account."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter, BackgroundTasks, Request, Response, status
from pydantic import BaseModel, Field
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from confide.errors import InvalidInput
from confide.privacy.export import ExportView
from confide.web.deps import ClientDep, IdentityDep, ServicesDep
from confide.web.routes.auth import client_label, issue_session
from confide.web.schemas import TokenOut

router = APIRouter(prefix="/api", tags=["export"])


class ExportOut(BaseModel):
    id: str
    status: str = Field(description="queued, running, ready, downloaded, expired or failed.")
    done: int = Field(description="Items written so far (messages, memories, ...).")
    total: int = Field(description="Items to write; 0 until the job has started.")
    size_bytes: int
    error: str | None = Field(description="For a failed export: an error code.")
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="When a ready archive will be deleted.")
    has_link: bool = Field(description="A download link was minted and not used yet.")

    @classmethod
    def of(cls, view: ExportView) -> ExportOut:
        return cls(
            id=view.id,
            status=view.status,
            done=view.done,
            total=view.total,
            size_bytes=view.size_bytes,
            error=view.error,
            created_at=view.created_at,
            finished_at=view.finished_at,
            expires_at=view.expires_at,
            has_link=view.has_link,
        )


class ExportLinkOut(BaseModel):
    url: str = Field(description="Works once, without a session, until expires_at.")
    expires_at: datetime


class ImportOut(TokenOut):
    imported: dict[str, int] = Field(description="Counts of what was imported.")


@router.post("/exports", status_code=status.HTTP_202_ACCEPTED, response_model=ExportOut)
def request_export(
    who: IdentityDep, services: ServicesDep, background: BackgroundTasks
) -> ExportOut:
    """Queue an export of everything about the user (409 `export_in_progress` while one is
    being prepared). It starts at once; the export loop picks up whatever is left."""
    view = services.exports.request(who.user_id)
    background.add_task(services.exports.run_pending)
    return ExportOut.of(view)


@router.get("/exports", response_model=list[ExportOut])
def list_exports(who: IdentityDep, services: ServicesDep) -> list[ExportOut]:
    return [ExportOut.of(v) for v in services.exports.list(who.user_id)]


@router.get("/exports/download/{token}")
def download_export(token: str, services: ServicesDep) -> Response:
    """The archive, once. The token is the credential; no session is needed."""
    archive, filename = services.exports.download(token)
    return Response(
        archive,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/exports/{export_id}", response_model=ExportOut)
def get_export(export_id: str, who: IdentityDep, services: ServicesDep) -> ExportOut:
    return ExportOut.of(services.exports.get(who.user_id, export_id))


@router.post("/exports/{export_id}/link", response_model=ExportLinkOut)
def mint_link(
    export_id: str, request: Request, who: IdentityDep, services: ServicesDep
) -> ExportLinkOut:
    token, expires_at = services.exports.create_link(who.user_id, export_id)
    base = services.settings.public_url or str(request.base_url)
    return ExportLinkOut(
        url=f"{base.rstrip('/')}/api/exports/download/{token}", expires_at=expires_at
    )


@router.delete("/exports/{export_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_export(export_id: str, who: IdentityDep, services: ServicesDep) -> None:
    services.exports.delete(who.user_id, export_id)


_IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "username", "password"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "username": {"type": "string"},
                        "password": {"type": "string", "format": "password"},
                    },
                }
            }
        },
    }
}


async def _read_form(request: Request, max_bytes: int) -> FormData:
    """Parse the multipart body in memory: an export archive is personal data in the clear
    and must not be spooled to a temporary file on disk (P3)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("send multipart/form-data with the fields file, username, password")
    parser = MultiPartParser(
        request.headers, request.stream(), max_files=1, max_fields=2, max_part_size=4096
    )
    parser.spool_max_size = max_bytes + 1  # never rolls over to disk (the body is capped)
    try:
        return await parser.parse()
    except MultiPartException:
        raise InvalidInput("the upload is not a valid multipart form") from None


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportOut,
    openapi_extra=_IMPORT_BODY,
)
async def import_account(
    request: Request, response: Response, services: ServicesDep, client: ClientDep
) -> ImportOut:
    """Create a new account from an export archive and sign it in (like sign-up)."""
    form = await _read_form(request, services.settings.max_import_bytes)
    try:
        upload, username, password = form.get("file"), form.get("username"), form.get("password")
        if not (
            isinstance(upload, UploadFile)
            and isinstance(username, str)
            and isinstance(password, str)
        ):
            raise InvalidInput("the fields file, username and password are required")
        data = await upload.read()
    finally:
        await form.close()
    result = await anyio.to_thread.run_sync(
        partial(
            services.imports.import_archive,
            data,
            username=username,
            password=password,
            client=client,
            actor="user",
            client_label=client_label(request),
        )
    )
    token = issue_session(response, services, result.session)
    return ImportOut(**token.model_dump(), imported=result.counts)
