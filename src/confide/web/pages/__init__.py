"""The web app's pages, one module per area; ``router`` serves them all.

``common`` holds what every page shares (rendering, the signed-in user, CSRF on forms).
"""

from __future__ import annotations

from fastapi import APIRouter

from confide.web.pages import (
    access,
    account,
    chat,
    companions,
    memory,
    privacy,
    reports,
    settings,
    staff,
)
from confide.web.pages.common import STATIC_DIR, TEMPLATE_DIR, error_page, templates

__all__ = ["STATIC_DIR", "TEMPLATE_DIR", "error_page", "router", "templates"]

router = APIRouter(include_in_schema=False)
for _area in (account, companions, chat, memory, privacy, settings, access, reports, staff):
    router.include_router(_area.router)
