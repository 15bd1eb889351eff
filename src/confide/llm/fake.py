"""A scripted provider for tests and benchmarks. Never a default: it must be chosen by name.

It records every request it receives (so tests can check what a prompt contained, and that a
deleted thing never reaches a model) with its options, and can be told to fail before or during
a reply. A ``structured`` callback answers requests that ask for JSON matching a schema.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

from confide.errors import ModelUnavailable
from confide.llm.base import ChatMessage, Completion, GenerationOptions

__all__ = ["FakeProvider"]


def _default_reply(messages: Sequence[ChatMessage]) -> str:
    last = next((m.content for m in reversed(messages) if m.role == "user"), "")
    return f"I hear you. You said {len(last.split())} words. Tell me more?"


class FakeProvider:
    def __init__(
        self,
        *,
        reply: Callable[[Sequence[ChatMessage]], str] = _default_reply,
        context_size: int = 4096,
        piece_delay_s: float = 0.0,
        fail_before: bool = False,
        fail_after_pieces: int | None = None,
        remote: bool = False,
        structured: Callable[[Sequence[ChatMessage], Mapping[str, Any]], str] | None = None,
        model: str = "fake-model",
    ) -> None:
        self._model = model
        self._reply = reply
        self._structured = structured
        self._context_size = context_size
        self.piece_delay_s = piece_delay_s
        self.fail_before = fail_before
        self.fail_after_pieces = fail_after_pieces
        self._remote = remote
        self.requests: list[list[ChatMessage]] = []
        self.options: list[GenerationOptions] = []
        self.cancelled = 0

    @property
    def name(self) -> str:
        return "fake"

    @property
    def model(self) -> str:
        return self._model

    @property
    def is_remote(self) -> bool:
        return self._remote

    @property
    def context_size(self) -> int:
        return self._context_size

    def count_tokens(self, text: str) -> int:
        return math.ceil(len(text) / 4)

    def message_overhead(self) -> int:
        return 4

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> AsyncIterator[str]:
        self.requests.append(list(messages))
        self.options.append(options)
        if self.fail_before:
            raise ModelUnavailable("the fake model is configured to fail")
        if options.json_schema is not None and self._structured is not None:
            text = self._structured(messages, options.json_schema)
        else:
            text = self._reply(messages)
        words = text.split(" ")
        finished = False
        try:
            for i, word in enumerate(words[: max(1, options.max_tokens)]):
                if self.fail_after_pieces is not None and i >= self.fail_after_pieces:
                    raise ModelUnavailable("the fake model failed mid-reply")
                if self.piece_delay_s:
                    await asyncio.sleep(self.piece_delay_s)
                yield word if i == 0 else " " + word
            finished = True
        finally:
            if not finished:
                self.cancelled += 1

    async def complete(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Completion:
        text = "".join([p async for p in self.stream(messages, options)])
        return Completion(text, "stop")

    async def aclose(self) -> None:
        return None
