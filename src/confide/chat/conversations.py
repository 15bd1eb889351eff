"""Conversations and their messages: create, list, rename, delete, paginated history.

Titles and messages are sealed under the owner's key. A conversation starts with the
companion's greeting, written by whoever wrote the persona, and labelled as the companion's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.chat.history import HistoryCache
from confide.chat.prompt import fill_placeholders
from confide.clock import Clock, as_utc
from confide.companions.service import CompanionService
from confide.errors import InvalidInput, NotFound
from confide.ids import new_id
from confide.memory.service import MemoryService, SourceCleanup
from confide.privacy.vault import Vault
from confide.storage.db import Database, after_commit
from confide.storage.repositories import ConversationRepo, ErasureRepo, MessageRepo
from confide.storage.tables import Conversation, Message

__all__ = [
    "ConversationService",
    "ConversationView",
    "ConversationsErased",
    "MessageErased",
    "MessagePage",
    "MessageView",
]

MAX_TITLE_CHARS = 100


@dataclass(frozen=True, slots=True)
class ConversationView:
    id: str
    companion_id: str
    title: str | None
    message_count: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class MessageView:
    id: str
    conversation_id: str
    seq: int
    role: str
    content: str
    status: str
    model: str | None
    created_at: datetime

    @property
    def ai_generated(self) -> bool:
        return self.role == "assistant"

    def __repr__(self) -> str:
        return f"MessageView(id={self.id!r}, seq={self.seq}, role={self.role!r}, content=<hidden>)"


@dataclass(frozen=True, slots=True)
class ConversationsErased:
    conversation_ids: list[str]
    messages: int
    memories: SourceCleanup


@dataclass(frozen=True, slots=True)
class MessageErased:
    message_id: str
    conversation_id: str
    companion_id: str
    memories: SourceCleanup


@dataclass(frozen=True, slots=True)
class MessagePage:
    items: list[MessageView]  # oldest first
    next_before: int | None  # pass as ``before`` to get older messages; None when no more


def check_title(title: str | None) -> str | None:
    if title is None:
        return None
    title = title.strip()
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidInput(f"title must be at most {MAX_TITLE_CHARS} characters")
    return title or None


class ConversationService:
    def __init__(
        self,
        db: Database,
        vault: Vault,
        companions: CompanionService,
        clock: Clock,
        history_cache: HistoryCache,
        memory: MemoryService,
    ) -> None:
        self._memory = memory
        self._cache = history_cache
        self._db = db
        self._vault = vault
        self._companions = companions
        self._clock = clock

    def message_view(self, user_id: str, row: Message) -> MessageView:
        return MessageView(
            id=row.id,
            conversation_id=row.conversation_id,
            seq=row.seq,
            role=row.role,
            content=self._vault.open_text(
                user_id, "messages", "content_ct", row.id, row.content_ct
            ),
            status=row.status,
            model=row.model,
            created_at=as_utc(row.created_at),
        )

    def _view(self, user_id: str, row: Conversation, count: int) -> ConversationView:
        return ConversationView(
            id=row.id,
            companion_id=row.companion_id,
            title=self._vault.open_optional(
                user_id, "conversations", "title_ct", row.id, row.title_ct
            ),
            message_count=count,
            created_at=as_utc(row.created_at),
            updated_at=as_utc(row.updated_at),
        )

    def create(
        self, user_id: str, companion_id: str, title: str | None, *, user_name: str
    ) -> ConversationView:
        title = check_title(title)
        companion = self._companions.get(user_id, companion_id)  # NotFound if not theirs
        now = self._clock()
        cid = new_id()
        greeting = fill_placeholders(companion.profile.greeting, companion.profile.name, user_name)
        with self._db.transaction(user_id) as s:
            ConversationRepo(s).add(
                Conversation(
                    id=cid,
                    user_id=user_id,
                    companion_id=companion_id,
                    title_ct=(
                        self._vault.seal(user_id, "conversations", "title_ct", cid, title)
                        if title
                        else None
                    ),
                    last_seq=0,
                    summary_through_seq=0,
                    extracted_through_seq=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            s.flush()
            count = 0
            if greeting:
                self.store_message(s, user_id, cid, "assistant", greeting, now=now, model=None)
                count = 1
        with self._db.reader(user_id) as s:
            row = ConversationRepo(s).get(user_id, cid)
        assert row is not None  # noqa: S101 - just written
        return self._view(user_id, row, count)

    def store_message(
        self,
        s: Session,
        user_id: str,
        conversation_id: str,
        role: str,
        text: str,
        *,
        now: datetime,
        model: str | None,
        status: str = "complete",
    ) -> Message:
        seq = ConversationRepo(s).next_seq(user_id, conversation_id, now)
        mid = new_id()
        row = Message(
            id=mid,
            user_id=user_id,
            conversation_id=conversation_id,
            seq=seq,
            role=role,
            content_ct=self._vault.seal(user_id, "messages", "content_ct", mid, text),
            status=status,
            model=model,
            created_at=now,
        )
        MessageRepo(s).add(row)
        companion_id = s.scalar(
            select(Conversation.companion_id).where(
                Conversation.user_id == user_id, Conversation.id == conversation_id
            )
        )
        if companion_id is not None:
            s.flush()
            self._memory.on_message_stored(s, user_id, companion_id, row, text)
        return row

    def get(self, user_id: str, conversation_id: str) -> ConversationView:
        with self._db.reader(user_id) as s:
            row = ConversationRepo(s).get(user_id, conversation_id)
            if row is None:
                raise NotFound("no such conversation")
            count = MessageRepo(s).count(user_id, conversation_id)
        return self._view(user_id, row, count)

    def list(
        self, user_id: str, *, companion_id: str | None, limit: int, offset: int
    ) -> list[ConversationView]:
        with self._db.reader(user_id) as s:
            rows = ConversationRepo(s).list_for(
                user_id, companion_id=companion_id, limit=limit, offset=offset
            )
            counts = {r.id: MessageRepo(s).count(user_id, r.id) for r in rows}
        return [self._view(user_id, r, counts[r.id]) for r in rows]

    def rename(self, user_id: str, conversation_id: str, title: str | None) -> ConversationView:
        title = check_title(title)
        with self._db.transaction(user_id) as s:
            row = ConversationRepo(s).get(user_id, conversation_id)
            if row is None:
                raise NotFound("no such conversation")
            row.title_ct = (
                self._vault.seal(user_id, "conversations", "title_ct", row.id, title)
                if title
                else None
            )
            row.updated_at = self._clock()
        return self.get(user_id, conversation_id)

    def delete(self, user_id: str, conversation_id: str) -> ConversationsErased:
        """Delete one conversation (messages, summary, what memories it alone supports)."""
        with self._db.transaction(user_id) as s:
            return self.delete_in(s, user_id, [conversation_id], missing_ok=False)

    def delete_in(
        self,
        s: Session,
        user_id: str,
        conversation_ids: Sequence[str],
        *,
        missing_ok: bool = True,
    ) -> ConversationsErased:
        """Delete conversations inside the caller's transaction, keeping every store
        consistent: rows (messages, embeddings, reply sources, summaries), the recall index,
        memories whose provenance pointed at the deleted messages, and, after commit, this
        node's decrypted history cache (other nodes see the conversation gone)."""
        repo = ErasureRepo(s)
        rows = repo.conversations(user_id, list(dict.fromkeys(conversation_ids)))
        if not missing_ok and len(rows) != len(set(conversation_ids)):
            raise NotFound("no such conversation")
        ids = [r.id for r in rows]
        message_ids = repo.message_ids_in(user_id, ids)
        messages = repo.delete_conversations(user_id, ids)
        for row in rows:
            self._memory.on_conversation_deleted(s, user_id, row.companion_id, row.id)
        cleanup = self._memory.on_sources_deleted(
            s, user_id, message_ids, companion_ids={r.companion_id for r in rows}
        )

        def done() -> None:
            for cid in ids:
                self._cache.forget_conversation(cid)

        after_commit(s, done)
        return ConversationsErased(ids, messages, cleanup)

    def messages(
        self, user_id: str, conversation_id: str, *, before: int | None, limit: int
    ) -> MessagePage:
        with self._db.reader(user_id) as s:
            if ConversationRepo(s).get(user_id, conversation_id) is None:
                raise NotFound("no such conversation")
            rows = MessageRepo(s).page(user_id, conversation_id, before_seq=before, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        items = [self.message_view(user_id, r) for r in reversed(rows)]
        return MessagePage(items=items, next_before=items[0].seq if more and items else None)

    def get_message(self, user_id: str, message_id: str) -> MessageView:
        with self._db.reader(user_id) as s:
            row = MessageRepo(s).get(user_id, message_id)
        if row is None:
            raise NotFound("no such message")
        return self.message_view(user_id, row)

    def delete_message(self, user_id: str, message_id: str) -> MessageErased:
        with self._db.transaction(user_id) as s:
            return self.delete_message_in(s, user_id, message_id)

    def delete_message_in(self, s: Session, user_id: str, message_id: str) -> MessageErased:
        """Delete one message inside the caller's transaction (index, memories whose
        provenance pointed at it, and, after commit, this node's history cache)."""
        row = MessageRepo(s).get(user_id, message_id)
        conv = ConversationRepo(s).get(user_id, row.conversation_id) if row else None
        conversation_id = MessageRepo(s).delete(user_id, message_id)
        if conversation_id is None or conv is None:
            raise NotFound("no such message")
        self._memory.on_messages_deleted(s, user_id, conv.companion_id, [message_id])
        cleanup = self._memory.on_sources_deleted(
            s, user_id, [message_id], companion_ids={conv.companion_id}
        )
        # Other nodes see the bumped revision; this one drops its copy at once.
        after_commit(s, lambda: self._cache.forget_conversation(conversation_id))
        return MessageErased(message_id, conversation_id, conv.companion_id, cleanup)

    def forget_cached(self, conversation_ids: set[str]) -> None:
        """Drop this node's decrypted history of these conversations."""
        for cid in conversation_ids:
            self._cache.forget_conversation(cid)
