"""Health check. The landing page at ``/`` is a page like the others (``confide.web.pages``)."""

from __future__ import annotations

from fastapi import APIRouter

from confide import __version__
from confide.web.deps import ServicesDep

router = APIRouter(tags=["meta"])


@router.get("/healthz")
def health(services: ServicesDep) -> dict[str, str]:
    return {"status": "ok", "version": __version__}
