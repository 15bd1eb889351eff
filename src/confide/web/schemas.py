"""Request and response bodies of the HTTP API (they make up the OpenAPI spec)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from confide.accounts.service import SessionInfo
from confide.chat.conversations import ConversationView, MessageView
from confide.companions.profile import MAX_NAME_CHARS, MAX_TEXT_CHARS
from confide.companions.service import CompanionView

__all__ = [
    "CompanionIn",
    "CompanionOut",
    "CompanionPatch",
    "ConversationIn",
    "ConversationOut",
    "ConversationPatch",
    "LoginIn",
    "MessageIn",
    "MessageOut",
    "MessagePageOut",
    "PasswordChangeIn",
    "SessionOut",
    "SignUpIn",
    "TokenOut",
    "TurnOut",
    "UserOut",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignUpIn(_In):
    username: str = Field(min_length=3, max_length=40)
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str = Field(min_length=1, max_length=1024)
    date_of_birth: date

    def __repr__(self) -> str:
        return f"SignUpIn(username={self.username!r}, email=<hidden>, password=<hidden>)"


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)

    def __repr__(self) -> str:
        return f"LoginIn(username={self.username!r}, password=<hidden>)"


class PasswordChangeIn(_In):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)

    def __repr__(self) -> str:
        return "PasswordChangeIn(<hidden>)"


class UserOut(BaseModel):
    id: str
    username: str
    email: str
    created_at: str


class TokenOut(BaseModel):
    token: str = Field(description="Bearer token for API clients; browsers get a cookie too.")
    expires_at: datetime
    user_id: str
    username: str


class SessionOut(BaseModel):
    id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    client: str | None
    is_current: bool

    @classmethod
    def of(cls, s: SessionInfo) -> SessionOut:
        return cls(
            id=s.id,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            expires_at=s.expires_at,
            client=s.client,
            is_current=s.is_current,
        )


class CompanionIn(_In):
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    gender: str = Field(default="", max_length=MAX_NAME_CHARS)
    persona: str = Field(default="", max_length=MAX_TEXT_CHARS)
    tone: str = Field(default="", max_length=MAX_TEXT_CHARS)
    greeting: str = Field(default="", max_length=MAX_TEXT_CHARS)
    example_dialogue: str = Field(default="", max_length=MAX_TEXT_CHARS)


class CompanionFromStarterIn(_In):
    starter: str = Field(min_length=1, max_length=40)


class CompanionPatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_CHARS)
    gender: str | None = Field(default=None, max_length=MAX_NAME_CHARS)
    persona: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    tone: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    greeting: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    example_dialogue: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class CompanionOut(BaseModel):
    id: str
    name: str
    gender: str
    persona: str
    tone: str
    greeting: str
    example_dialogue: str
    tags: list[str]
    starter: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, c: CompanionView) -> CompanionOut:
        p = c.profile
        return cls(
            id=c.id,
            name=p.name,
            gender=p.gender,
            persona=p.persona,
            tone=p.tone,
            greeting=p.greeting,
            example_dialogue=p.example_dialogue,
            tags=p.tags,
            starter=c.starter_key,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )


class StarterOut(BaseModel):
    key: str
    name: str
    gender: str
    persona: str
    greeting: str


class ConversationIn(_In):
    title: str | None = Field(default=None, max_length=100)


class ConversationPatch(_In):
    title: str | None = Field(default=None, max_length=100)


class ConversationOut(BaseModel):
    id: str
    companion_id: str
    title: str | None
    message_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, c: ConversationView) -> ConversationOut:
        return cls(
            id=c.id,
            companion_id=c.companion_id,
            title=c.title,
            message_count=c.message_count,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )


class MessageIn(_In):
    content: str = Field(min_length=1, max_length=16_000)
    stream: bool = Field(
        default=False, description="Stream the reply as server-sent events (or send Accept)."
    )


class MessageOut(BaseModel):
    id: str
    conversation_id: str
    seq: int
    role: Literal["user", "assistant"]
    sender: Literal["user", "companion"]
    ai_generated: bool = Field(description="True for every message the companion wrote (P14).")
    content: str
    status: Literal["complete", "interrupted"]
    model: str | None
    created_at: datetime

    @classmethod
    def of(cls, m: MessageView) -> MessageOut:
        role: Literal["user", "assistant"] = "assistant" if m.role == "assistant" else "user"
        status: Literal["complete", "interrupted"] = (
            "interrupted" if m.status == "interrupted" else "complete"
        )
        return cls(
            id=m.id,
            conversation_id=m.conversation_id,
            seq=m.seq,
            role=role,
            sender="companion" if role == "assistant" else "user",
            ai_generated=m.ai_generated,
            content=m.content,
            status=status,
            model=m.model,
            created_at=m.created_at,
        )


class MessagePageOut(BaseModel):
    items: list[MessageOut]
    next_before: int | None = Field(
        description="Pass as `before` to fetch older messages; null when there are none."
    )


class TurnOut(BaseModel):
    user_message: MessageOut
    reply: MessageOut
