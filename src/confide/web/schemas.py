"""Request and response bodies of the HTTP API (they make up the OpenAPI spec)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from confide.accounts.service import SessionInfo
from confide.chat.conversations import ConversationView, MessageView
from confide.companions.profile import MAX_NAME_CHARS, MAX_TEXT_CHARS
from confide.companions.service import CompanionView
from confide.memory.service import MAX_SUMMARY_CHARS, MemoryView, VersionView
from confide.memory.service import MAX_TEXT_CHARS as MAX_MEMORY_CHARS

__all__ = [
    "CompanionIn",
    "CompanionOut",
    "CompanionPatch",
    "ConversationIn",
    "ConversationOut",
    "ConversationPatch",
    "ForgetIn",
    "ForgetOut",
    "LoginIn",
    "MemoriesClearedOut",
    "MemoryDetailOut",
    "MemoryIn",
    "MemoryOut",
    "MemoryPageOut",
    "MemoryPatch",
    "MemorySettingsIn",
    "MemorySettingsOut",
    "MessageIn",
    "MessageOut",
    "MessagePageOut",
    "PasswordChangeIn",
    "ReplySourcesOut",
    "SessionOut",
    "SignUpIn",
    "TokenOut",
    "TurnOut",
    "UserOut",
    "VersionOut",
]


def _iso_text(kind: type, pattern: str, example: str) -> BeforeValidator:
    """Accept only ISO 8601 text (or an already parsed value, or null) for a date or
    date-time field: pydantic's lax mode would also read a bare number as a Unix time, and
    ``until=0.5`` or ``date_of_birth: 0`` is a mistake, not 1970."""
    form = re.compile(pattern)

    def check(value: object) -> object:
        if value is None or isinstance(value, kind):
            return value
        if not isinstance(value, str) or not form.fullmatch(value):
            raise ValueError(f"must be {example}")
        return value

    return BeforeValidator(check)


# ``YYYY-MM-DD`` only: no timestamps, no date-times with a time part
IsoDate = Annotated[date, _iso_text(date, r"\d{4}-\d{2}-\d{2}", "a date like 2024-05-17")]
IsoDateTime = Annotated[
    datetime,
    _iso_text(
        datetime,
        r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?",
        "a date or time like 2024-05-17 or 2024-05-17T09:30:00Z",
    ),
]
# The largest row number or sequence a query parameter may name (a signed 64-bit integer).
MAX_INT64 = 2**63 - 1


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignUpIn(_In):
    username: str = Field(min_length=3, max_length=40)
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str = Field(min_length=1, max_length=1024)
    date_of_birth: IsoDate
    # The sign-up choice for memory (the consent ledger records it either way).
    memory: bool = True

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


class HelplineOut(BaseModel):
    name: str
    phone: str | None
    sms: str | None
    url: str | None
    hours: str | None
    languages: list[str]
    source: str


class SafetyCardOut(BaseModel):
    """Shown when the user's message carried a crisis signal (P11). Nothing was sent to
    anyone; the card is recorded only in the user's own audit log."""

    kind: Literal["self_harm", "harm_to_others"]
    title: str
    message: str
    language: str = Field(description="The language the card's text is in (en, hi, es).")
    country: str
    country_name: str
    emergency: str
    helplines: list[HelplineOut]
    fallback: bool


class SensitiveWarningOut(BaseModel):
    """The user's message contains a highly sensitive identifier; shown once, at sending."""

    code: Literal["sensitive_identifier"]
    kinds: list[str]
    message_id: str = Field(description="DELETE /api/messages/{message_id} removes it.")
    message: str


class TurnOut(BaseModel):
    user_message: MessageOut
    reply: MessageOut
    safety: SafetyCardOut | None = None
    warning: SensitiveWarningOut | None = None


# --- memory ---------------------------------------------------------------------------------

MAX_FORGET_CHARS = 200
UserKind = Literal["fact", "preference", "event", "relationship"]
Kind = Literal["fact", "preference", "event", "relationship", "summary"]
Mode = Literal["on", "off", "review"]


class MemoryIn(_In):
    companion_id: str = Field(min_length=1, max_length=64)
    kind: UserKind
    text: str = Field(min_length=1, max_length=MAX_MEMORY_CHARS)
    pinned: bool = False
    event_date: IsoDate | None = None

    def __repr__(self) -> str:
        return f"MemoryIn(companion_id={self.companion_id!r}, kind={self.kind!r}, text=<hidden>)"


class MemoryPatch(_In):
    """Fields left out are unchanged; ``event_date: null`` clears the date."""

    # Summaries may be longer; the service applies the per-kind limit.
    text: str | None = Field(default=None, min_length=1, max_length=MAX_SUMMARY_CHARS)
    kind: Kind | None = None
    pinned: bool | None = None
    event_date: IsoDate | None = None

    def __repr__(self) -> str:
        return f"MemoryPatch(fields={sorted(self.model_fields_set)!r})"


class ForgetIn(_In):
    about: str = Field(min_length=1, max_length=MAX_FORGET_CHARS)
    companion_id: str | None = Field(default=None, min_length=1, max_length=64)
    delete_messages: bool = Field(
        default=False, description="Also delete the messages the forgotten memories came from."
    )

    def __repr__(self) -> str:
        return "ForgetIn(about=<hidden>)"


class ForgetOut(BaseModel):
    memories_deleted: int
    messages_deleted: int


class MemoriesClearedOut(BaseModel):
    deleted: int


class MemorySettingsIn(_In):
    mode: Mode


class MemorySettingsOut(BaseModel):
    mode: Mode


class MemoryOut(BaseModel):
    id: str
    companion_id: str
    conversation_id: str | None = Field(description="For a summary: the conversation it covers.")
    kind: str = Field(description="fact, preference, event, relationship or summary.")
    status: str = Field(description="active, or pending (waiting for the user's approval).")
    origin: str = Field(description="user, extracted, or edited (extracted, then edited).")
    pinned: bool
    text: str
    sources: list[str] = Field(description="Ids of the messages the memory came from.")
    event_date: date | None
    version: int
    created_at: datetime
    updated_at: datetime
    replaces: str | None = Field(
        description="For a pending item: the memory whose text approving it would replace."
    )
    review: str | None = Field(
        default=None,
        description="For a pending item, why it waits: `extracted` (review mode) or "
        "`source_deleted` (some messages it came from were deleted).",
    )

    @classmethod
    def fields_of(cls, m: MemoryView) -> dict[str, Any]:
        return {
            "id": m.id,
            "companion_id": m.companion_id,
            "conversation_id": m.conversation_id,
            "kind": m.kind,
            "status": m.status,
            "origin": m.origin,
            "pinned": m.pinned,
            "text": m.text,
            "sources": list(m.sources),
            "event_date": m.event_date,
            "version": m.version,
            "created_at": m.created_at,
            "updated_at": m.updated_at,
            "replaces": m.replaces,
            "review": m.review,
        }

    @classmethod
    def of(cls, m: MemoryView) -> MemoryOut:
        return cls(**cls.fields_of(m))

    def __repr__(self) -> str:
        return f"MemoryOut(id={self.id!r}, kind={self.kind!r}, text=<hidden>)"


class VersionOut(BaseModel):
    version: int
    old_text: str | None
    new_text: str
    actor: str = Field(description="user, extraction, summary or chat.")
    at: datetime

    @classmethod
    def of(cls, v: VersionView) -> VersionOut:
        return cls(
            version=v.version, old_text=v.old_text, new_text=v.new_text, actor=v.actor, at=v.at
        )

    def __repr__(self) -> str:
        return f"VersionOut(version={self.version}, actor={self.actor!r}, text=<hidden>)"


class MemoryDetailOut(MemoryOut):
    history: list[VersionOut] = Field(description="Every change to the text, oldest first.")

    @classmethod
    def with_history(cls, m: MemoryView, history: list[VersionView]) -> MemoryDetailOut:
        return cls(**cls.fields_of(m), history=[VersionOut.of(v) for v in history])


class MemoryPageOut(BaseModel):
    items: list[MemoryOut]
    total: int = Field(description="How many memories match the filters, over all pages.")


class ReplySourcesOut(BaseModel):
    message_id: str
    memories: list[MemoryOut] = Field(description="The recalled memories that still exist.")
    deleted_memories: int = Field(description="Recalled memories deleted since.")
    messages: list[MessageOut] = Field(description="Recalled messages that still exist.")
    summary: MemoryOut | None = Field(description="The conversation summary, if one was used.")
