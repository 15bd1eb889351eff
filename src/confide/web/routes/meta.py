"""Health check and a plain landing page (no scripts, no fonts, nothing from other hosts)."""

from __future__ import annotations

import html

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from confide import __version__
from confide.web.deps import ServicesDep

router = APIRouter(tags=["meta"])

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>confide</title></head>
<body><h1>confide is running</h1>
<p>A private AI companion server. Model: <strong>{model}</strong> ({where}).</p>
<p>Chat from a terminal with <code>confide chat</code>, or use the HTTP API described in
<a href="/openapi.json">/openapi.json</a>.</p>
<p>Every companion message is AI-generated.</p>
<p><small>confide {version}</small></p></body></html>"""


@router.get("/healthz")
def health(services: ServicesDep) -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def landing(services: ServicesDep) -> HTMLResponse:
    provider = services.provider
    where = "remote provider" if provider.is_remote else "runs on this machine"
    return HTMLResponse(
        _PAGE.format(model=html.escape(provider.model), where=where, version=__version__)
    )
