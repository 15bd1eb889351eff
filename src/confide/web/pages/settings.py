"""Settings: password change; minimum age and model choice for the instance owner."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
