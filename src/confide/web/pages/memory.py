"""The memory page: everything the companions remember about the user."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
