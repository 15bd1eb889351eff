"""The model-provider interface every backend implements.

A provider turns a list of chat messages into a reply. It knows its own context size and can
count tokens the way its model does, so the prompt builder can fit history into the window.
Providers raise :class:`confide.errors.ModelUnavailable` for any failure to produce a reply;
they never log message content.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = ["ChatMessage", "Completion", "GenerationOptions", "Provider", "Role"]

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message sent to a model. Its text is personal data: ``repr`` hides it."""

    role: Role
    content: str

    def __repr__(self) -> str:
        return f"ChatMessage(role={self.role!r}, content=<{len(self.content)} chars>)"


@dataclass(frozen=True, slots=True)
class GenerationOptions:
    """How to sample a reply.

    ``json_schema``, when set, is a JSON Schema the reply must match: the provider constrains
    its output to JSON valid against it where the backend supports that (a GBNF grammar for
    llama.cpp; ``response_format`` with ``json_schema`` for OpenAI-compatible endpoints).
    Backends that cannot constrain output still receive the request, so callers must validate
    the reply themselves. The schema is left out of the hash (a dict is unhashable), so options
    stay hashable; treat it as read-only once passed.
    """

    max_tokens: int = 512
    temperature: float = 0.7
    top_p: float = 0.9
    stop: tuple[str, ...] = field(default_factory=tuple)
    json_schema: Mapping[str, Any] | None = field(default=None, hash=False)


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    finish_reason: str

    def __repr__(self) -> str:
        return f"Completion(text=<{len(self.text)} chars>, finish_reason={self.finish_reason!r})"


@runtime_checkable
class Provider(Protocol):
    """What the chat turn needs from a model backend."""

    @property
    def name(self) -> str:
        """Short provider kind, e.g. ``local``, ``openai``, ``fake``."""

    @property
    def model(self) -> str:
        """The model identifier shown to users and recorded with each reply."""

    @property
    def is_remote(self) -> bool:
        """True when messages leave this machine (drives the PII shield and the privacy notice)."""

    @property
    def context_size(self) -> int:
        """Total tokens the model accepts (prompt plus reply)."""

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes in this model's tokenizer (an estimate for remote models)."""

    def message_overhead(self) -> int:
        """Template tokens added around each chat message (role markers, separators)."""

    def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> AsyncIterator[str]:
        """Yield the reply's text pieces as they are generated.

        Closing the iterator early (``aclose()``) cancels generation.
        """

    async def complete(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Completion:
        """The whole reply at once."""

    async def aclose(self) -> None:
        """Release resources (HTTP clients, model memory)."""
