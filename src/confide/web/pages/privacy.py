"""The privacy center: what is stored, consents, export, erasure, audit, sessions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
