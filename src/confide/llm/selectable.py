"""A provider whose model the instance owner can change while the server runs.

``SelectableProvider`` offers a fixed menu of ``ModelChoice`` entries (for the local provider:
the bundled models) and delegates every call to the chosen one. Switching builds the new
provider lazily (a local model loads on its first reply) and never interrupts a reply in
flight: a stream keeps the provider it started with, and the old one is closed once nothing
uses it (its last reference goes).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from confide.errors import InvalidInput
from confide.llm.base import ChatMessage, Completion, GenerationOptions, Provider

__all__ = ["ModelChoice", "SelectableProvider"]


@dataclass(frozen=True, slots=True)
class ModelChoice:
    key: str  # what is stored and submitted, e.g. "default"
    title: str  # what people read, e.g. "Qwen2.5-Coder-1.5B-Instruct Q4_K_M"
    description: str
    available: bool = True
    unavailable_reason: str = ""  # e.g. how to install it


class SelectableProvider:
    """Delegates to the provider of the current choice; ``select`` switches it."""

    def __init__(
        self,
        choices: Sequence[ModelChoice],
        build: Callable[[str], Provider],
        initial: str,
    ) -> None:
        self.choices = {c.key: c for c in choices}
        if initial not in self.choices:
            raise InvalidInput(f"no such model choice: {initial}")
        self._build = build
        self._lock = threading.Lock()
        self._key = initial
        self._current = build(initial)

    @property
    def choice(self) -> str:
        return self._key

    @property
    def current(self) -> Provider:
        return self._current

    def select(self, key: str) -> bool:
        """Switch to ``key``; False when it was already the choice. Raises on an unknown or
        unavailable choice (and keeps the current one)."""
        choice = self.choices.get(key)
        if choice is None:
            raise InvalidInput("no such model", code="unknown_model")
        if not choice.available:
            raise InvalidInput(
                f"{choice.title} is not installed: {choice.unavailable_reason}",
                code="model_not_installed",
            )
        with self._lock:
            if key == self._key:
                return False
            self._current = self._build(key)
            self._key = key
        return True

    # --- the Provider interface, delegated ------------------------------------------------
    @property
    def name(self) -> str:
        return self._current.name

    @property
    def model(self) -> str:
        return self._current.model

    @property
    def is_remote(self) -> bool:
        return self._current.is_remote

    @property
    def context_size(self) -> int:
        return self._current.context_size

    def count_tokens(self, text: str) -> int:
        return self._current.count_tokens(text)

    def message_overhead(self) -> int:
        return self._current.message_overhead()

    def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> AsyncIterator[str]:
        return self._current.stream(messages, options)

    async def complete(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Completion:
        return await self._current.complete(messages, options)

    def load(self) -> Any:
        """Warm the current model up (``confide serve`` calls this before listening)."""
        load = getattr(self._current, "load", None)
        return load() if callable(load) else None

    async def aclose(self) -> None:
        await self._current.aclose()
