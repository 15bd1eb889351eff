"""Typed memory events. Every change to a user's memory emits one; the privacy center (audit
log) subscribes. Events carry ids and counts, never content."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = ["EventBus", "MemoryEvent", "MemoryEventType"]

log = logging.getLogger(__name__)

MemoryEventType = Literal[
    "memory.created",
    "memory.extracted",
    "memory.updated",
    "memory.deleted",
    "memory.pinned",
    "memory.unpinned",
    "memory.approved",
    "memory.rejected",
    "memory.forgotten",
    "memory.cleared",
    "memory.summary_updated",
    "memory.mode_changed",
]


@dataclass(frozen=True, slots=True)
class MemoryEvent:
    type: MemoryEventType
    user_id: str
    at: datetime
    actor: Literal["user", "extraction", "summary", "chat"]
    companion_id: str | None = None
    memory_ids: tuple[str, ...] = ()
    message_ids: tuple[str, ...] = ()
    detail: dict[str, str | int] = field(default_factory=dict)  # never content


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Callable[[MemoryEvent], None]] = []

    def subscribe(self, fn: Callable[[MemoryEvent], None]) -> None:
        self._subscribers.append(fn)

    def emit(self, event: MemoryEvent) -> None:
        for fn in self._subscribers:
            try:
                fn(event)
            except Exception:  # a subscriber's failure must not undo the user's change
                log.exception("memory event subscriber failed", extra={"event": event.type})
