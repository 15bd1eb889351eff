"""Memory the user can see and control (promise P4).

Items (facts, preferences, events, relationship details, conversation summaries) are sealed
under the user's key: text, provenance and dates in ``detail_ct``, the embedding in
``embedding_ct``, every old and new text in ``memory_versions``. Each change:

1. is written in one transaction that also bumps ``companions.memory_revision``;
2. after commit, is applied to this node's in-memory index if that index was exactly one
   revision behind, otherwise the index is dropped and rebuilt on next use; other nodes see
   the revision moved and rebuild. So a deleted memory is gone from recall at once, everywhere;
3. emits a typed :class:`MemoryEvent` (ids and counts only).
"""

from __future__ import annotations

import builtins
import json
import logging
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from confide.clock import Clock, as_utc
from confide.companions.profile import CompanionProfile
from confide.errors import ConfigurationError, InvalidInput, NotFound
from confide.ids import new_id
from confide.memory.dates import find_date_range
from confide.memory.embed import Embedder, pack, unpack
from confide.memory.events import EventBus, MemoryEvent, MemoryEventType
from confide.memory.index import Hit, IndexCache, RecallIndex, SearchOptions
from confide.memory.text import content_words
from confide.privacy.vault import Vault
from confide.storage.db import Database, after_commit
from confide.storage.repositories import (
    CompanionRepo,
    ConversationRepo,
    MemoryRepo,
    MessageRepo,
    UserRepo,
)
from confide.storage.tables import (
    MemoryItem,
    MemoryVersion,
    Message,
    MessageEmbedding,
    ReplySources,
)

__all__ = [
    "KINDS",
    "MODES",
    "MemoryService",
    "MemoryView",
    "RecallResult",
    "ReplySourcesView",
    "SourceCleanup",
    "VersionView",
]

log = logging.getLogger(__name__)

KINDS = ("fact", "preference", "event", "relationship", "summary")
USER_KINDS = ("fact", "preference", "event", "relationship")
MODES = ("on", "off", "review")
MAX_TEXT_CHARS = 1000
MAX_SUMMARY_CHARS = 6000

Actor = Literal["user", "extraction", "summary", "chat"]


@dataclass(frozen=True, slots=True)
class MemoryView:
    id: str
    companion_id: str
    conversation_id: str | None
    kind: str
    status: str
    origin: str
    pinned: bool
    text: str
    sources: list[str]
    event_date: date | None
    version: int
    created_at: datetime
    updated_at: datetime
    replaces: str | None = None
    through_seq: int | None = None
    # Why a pending item waits: "extracted" (review mode) or "source_deleted" (some of the
    # messages it came from were deleted; approve to keep it as it is, reject to drop it).
    review: str | None = None

    def __repr__(self) -> str:
        return f"MemoryView(id={self.id!r}, kind={self.kind!r}, text=<hidden>)"


@dataclass(frozen=True, slots=True)
class VersionView:
    version: int
    old_text: str | None
    new_text: str
    actor: str
    at: datetime


@dataclass(slots=True)
class RecallResult:
    hits: list[Hit] = field(default_factory=list)
    pinned: list[MemoryView] = field(default_factory=list)

    @property
    def memory_ids(self) -> list[str]:
        return [m.id for m in self.pinned] + [h.ref for h in self.hits if h.kind == "memory"]

    @property
    def message_ids(self) -> list[str]:
        return [mid for h in self.hits for mid in h.message_ids]

    def lines(self) -> list[str]:
        """What goes into the prompt: pinned memories first, then hits in rank order."""
        return [m.text for m in self.pinned] + [h.text for h in self.hits]


@dataclass(frozen=True, slots=True)
class SourceCleanup:
    """What happened to memories whose provenance pointed at deleted messages."""

    deleted: list[str] = field(default_factory=list)  # extracted, no source left
    for_review: list[str] = field(default_factory=list)  # extracted, some sources left: pending
    trimmed: list[str] = field(default_factory=list)  # user-written or edited: text kept
    summaries: list[str] = field(default_factory=list)  # summaries deleted (to be rebuilt)

    def counts(self) -> dict[str, int]:
        return {
            "memories_deleted": len(self.deleted),
            "memories_for_review": len(self.for_review),
            "memories_trimmed": len(self.trimmed),
            "summaries_reset": len(self.summaries),
        }


@dataclass(frozen=True, slots=True)
class ReplySourcesView:
    message_id: str
    memory_ids: list[str]
    message_ids: list[str]
    summary_id: str | None


def _check_text(text: str, *, limit: int = MAX_TEXT_CHARS) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("memory text must not be empty")
    if len(text) > limit:
        raise InvalidInput(f"memory text must be at most {limit} characters")
    return text


def _check_kind(kind: str, allowed: Sequence[str] = USER_KINDS) -> str:
    if kind not in allowed:
        raise InvalidInput(f"kind must be one of: {', '.join(allowed)}")
    return kind


class MemoryService:
    def __init__(
        self,
        db: Database,
        vault: Vault,
        clock: Clock,
        *,
        embedder: Embedder | None,
        cache: IndexCache,
        count_tokens: Callable[[str], int],
        events: EventBus | None = None,
    ) -> None:
        self._db = db
        self.db = db
        self._vault = vault
        self.vault = vault
        self._clock = clock
        self.embedder = embedder
        self.cache = cache
        self.count_tokens = count_tokens
        self.events = events or EventBus()
        # Called after commit with the conversations whose messages were deleted, so caches
        # of decrypted history (chat/history.py) drop them at once (ErasureService subscribes).
        self.messages_deleted_listeners: list[Callable[[set[str]], None]] = []

    # --- views -------------------------------------------------------------------------------
    def _detail(self, user_id: str, row: MemoryItem) -> dict[str, Any]:
        raw = self._vault.open_text(user_id, "memory_items", "detail_ct", row.id, row.detail_ct)
        detail: dict[str, Any] = json.loads(raw)
        return detail

    def _seal_detail(self, user_id: str, item_id: str, detail: dict[str, Any]) -> bytes:
        return self._vault.seal(
            user_id, "memory_items", "detail_ct", item_id, json.dumps(detail, sort_keys=True)
        )

    def view(self, user_id: str, row: MemoryItem) -> MemoryView:
        detail = self._detail(user_id, row)
        event_date = detail.get("event_date")
        return MemoryView(
            id=row.id,
            companion_id=row.companion_id,
            conversation_id=row.conversation_id,
            kind=row.kind,
            status=row.status,
            origin=row.origin,
            pinned=bool(row.pinned),
            text=self._vault.open_text(user_id, "memory_items", "text_ct", row.id, row.text_ct),
            sources=list(detail.get("sources", [])),
            event_date=date.fromisoformat(event_date) if event_date else None,
            review=(detail.get("review") or "extracted") if row.status == "pending" else None,
            version=row.version,
            created_at=as_utc(row.created_at),
            updated_at=as_utc(row.updated_at),
            replaces=detail.get("replaces"),
            through_seq=detail.get("through_seq"),
        )

    def emit(
        self,
        type_: MemoryEventType,
        user_id: str,
        actor: Actor,
        companion_id: str | None,
        memory_ids: Sequence[str] = (),
        message_ids: Sequence[str] = (),
        **detail: str | int,
    ) -> None:
        self.events.emit(
            MemoryEvent(
                type=type_,
                user_id=user_id,
                at=self._clock(),
                actor=actor,
                companion_id=companion_id,
                memory_ids=tuple(memory_ids),
                message_ids=tuple(message_ids),
                detail=dict(detail),
            )
        )

    # --- the index ---------------------------------------------------------------------------
    def _changed(
        self, s: Session, user_id: str, companion_id: str, apply: Callable[[RecallIndex], None]
    ) -> None:
        """Bump the companion's memory revision; after commit, apply the change to the index."""
        revision = CompanionRepo(s).bump_memory_revision(user_id, companion_id)

        def done() -> None:
            index = self.cache.get(user_id, companion_id)
            if index is None:
                return
            with index.lock:
                if index.revision == revision - 1:
                    apply(index)
                    index.revision = revision
                    return
            self.cache.forget(user_id, companion_id)

        after_commit(s, done)

    def index_for(
        self, user_id: str, companion_id: str, *, revision: int | None = None
    ) -> RecallIndex:
        """The current index (rebuilt if the stored revision moved). Pass ``revision`` when
        the caller has just read it."""
        if revision is None:
            with self._db.reader(user_id) as s:
                revision = CompanionRepo(s).memory_revision(user_id, companion_id)
            if revision is None:
                raise NotFound("no such companion")
        index = self.cache.get(user_id, companion_id)
        if index is not None and index.revision == revision:
            return index
        index = self._build(user_id, companion_id)
        self.cache.put(index)
        return index

    def _build(self, user_id: str, companion_id: str) -> RecallIndex:
        with self._db.reader(user_id) as s:
            companion = CompanionRepo(s).get(user_id, companion_id)
            user = UserRepo(s).get(user_id)
            if companion is None or user is None:
                raise NotFound("no such companion")
            revision = companion.memory_revision
            profile = CompanionProfile.model_validate_json(
                self._vault.open_text(
                    user_id, "companions", "profile_ct", companion.id, companion.profile_ct
                )
            )
            messages = MessageRepo(s).for_companion(user_id, companion_id)
            items = MemoryRepo(s).list_for(user_id, companion_id=companion_id, status="active")
            index = RecallIndex(
                user_id,
                companion_id,
                revision,
                count_tokens=self.count_tokens,
                dim=self.embedder.dim if self.embedder else None,
                speakers={"user": user.username, "assistant": profile.name},
            )
            model = self.embedder.name if self.embedder else None
            for m, emb in messages:
                self._index_message(index, user_id, m, emb if emb and emb.model == model else None)
            for item in items:
                self._index_item(index, user_id, item)
        return index

    def _index_message(
        self, index: RecallIndex, user_id: str, m: Message, emb: MessageEmbedding | None
    ) -> None:
        text = self._vault.open_text(user_id, "messages", "content_ct", m.id, m.content_ct)
        index.add_message(m.id, m.conversation_id, m.seq, m.role, text, as_utc(m.created_at))
        if emb is not None and self.embedder is not None:
            blob = self._vault.open_bytes(
                user_id, "message_embeddings", "vectors_ct", m.id, emb.vectors_ct
            )
            vectors = unpack(blob, self.embedder.dim)
            index.set_vectors(m.id, vectors[0], vectors[1])

    def _index_item(self, index: RecallIndex, user_id: str, item: MemoryItem) -> None:
        view = self.view(user_id, item)
        vector = None
        if item.embedding_ct is not None and self.embedder is not None:
            blob = self._vault.open_bytes(
                user_id, "memory_items", "embedding_ct", item.id, item.embedding_ct
            )
            vector = unpack(blob, self.embedder.dim)[0]
        index.add_memory(
            item.id, view.text, item.kind, as_utc(item.created_at), view.event_date, vector
        )

    # Hooks called by ConversationService inside its transactions.
    def on_message_stored(
        self, s: Session, user_id: str, companion_id: str, row: Message, text: str
    ) -> None:
        def apply(index: RecallIndex) -> None:
            index.add_message(
                row.id, row.conversation_id, row.seq, row.role, text, as_utc(row.created_at)
            )

        self._changed(s, user_id, companion_id, apply)

    def on_messages_deleted(
        self, s: Session, user_id: str, companion_id: str, message_ids: Sequence[str]
    ) -> None:
        def apply(index: RecallIndex) -> None:
            for mid in message_ids:
                index.remove(mid)

        self._changed(s, user_id, companion_id, apply)

    def on_conversation_deleted(
        self, s: Session, user_id: str, companion_id: str, conversation_id: str
    ) -> None:
        self._changed(s, user_id, companion_id, lambda i: i.remove_conversation(conversation_id))

    # --- embeddings --------------------------------------------------------------------------
    def embed_messages(self, user_id: str, conversation_id: str, through_seq: int) -> int:
        """Compute and store (sealed) vectors for messages that have none. Returns how many."""
        if self.embedder is None:
            return 0
        with self._db.reader(user_id) as s:
            conv = ConversationRepo(s).get(user_id, conversation_id)
            if conv is None:
                return 0
            missing = MessageRepo(s).without_embedding(user_id, conversation_id, through_seq)
            if not missing:
                return 0
            first = missing[0].seq
            context = MessageRepo(s).in_conversation(
                user_id, conversation_id, after_seq=max(0, first - 2), through_seq=through_seq
            )
        index = self.index_for(user_id, conv.companion_id)
        texts = {
            m.id: self._vault.open_text(user_id, "messages", "content_ct", m.id, m.content_ct)
            for m in context
        }
        by_seq = {m.seq: m for m in context}
        speakers = index.speakers
        own: list[str] = []
        ctx: list[str] = []
        for m in missing:
            line = f"{speakers.get(m.role, m.role)}: {texts[m.id]}"
            prev = by_seq.get(m.seq - 1)
            own.append(line)
            if prev is not None:
                prev_line = f"{speakers.get(prev.role, prev.role)}: {texts[prev.id]}"
                ctx.append(f"{prev_line}\n{line}")
            else:
                ctx.append(line)
        model_name = self.embedder.name
        vectors = self._embed_many(own + ctx)
        if vectors is None:
            return 0
        n = len(missing)
        with self._db.transaction(user_id) as s:
            repo = MessageRepo(s)
            done: list[tuple[str, Any, Any]] = []
            for i, m in enumerate(missing):
                pair = vectors[[i, n + i]]
                repo.add_embedding(
                    MessageEmbedding(
                        message_id=m.id,
                        user_id=user_id,
                        model=model_name,
                        vectors_ct=self._vault.seal(
                            user_id, "message_embeddings", "vectors_ct", m.id, pack(pair)
                        ),
                    )
                )
                done.append((m.id, pair[0], pair[1]))

            def apply(index: RecallIndex) -> None:
                for mid, v_own, v_ctx in done:
                    index.set_vectors(mid, v_own, v_ctx)

            self._changed(s, user_id, conv.companion_id, apply)
        return n

    def warm_up(self) -> None:
        """Load (and checksum) the embedding model before the first turn needs it."""
        self._embed_one("warm up")

    def _embed_many(self, texts: Sequence[str]) -> Any:
        if self.embedder is None:
            return None
        try:
            return self.embedder.embed(texts)
        except ConfigurationError as exc:
            # A broken model install must not break chat: recall goes on lexically.
            log.error("dense recall off: embedding model unusable", extra={"error_code": exc.code})
            self.embedder = None
            return None

    def _embed_one(self, text: str) -> Any:
        vectors = self._embed_many([text])
        return None if vectors is None else vectors[0]

    # --- recall ------------------------------------------------------------------------------
    def recall(
        self,
        user_id: str,
        companion_id: str,
        query: str,
        *,
        k: int,
        token_budget: int,
        today: date | None = None,
        skip_conversation: str | None = None,
        skip_from_seq: int = 0,
        include_pinned: bool = True,
    ) -> RecallResult:
        """Top-k memories and episodes for ``query`` within ``token_budget`` (pinned first)."""
        with self._db.reader(user_id) as s:
            companion = CompanionRepo(s).get(user_id, companion_id)
            if companion is None:
                raise NotFound("no such companion")
            if companion.memory_mode == "off":
                return RecallResult()
            revision = companion.memory_revision
            pinned_rows = (
                MemoryRepo(s).list_for(
                    user_id, companion_id=companion_id, status="active", pinned=True
                )
                if include_pinned
                else []
            )
            summary = (
                MemoryRepo(s).summary_for(user_id, skip_conversation) if skip_conversation else None
            )
        pinned = [self.view(user_id, r) for r in pinned_rows]
        budget = token_budget - sum(self.count_tokens(p.text) + 4 for p in pinned)
        skip = {p.id for p in pinned} | ({summary.id} if summary else set())
        index = self.index_for(user_id, companion_id, revision=revision)
        # No vectors yet (nothing embedded, or dense recall just installed): skip the ~7 ms.
        query_vec = self._embed_one(query) if index.has_dense() else None
        today = today or self._clock().date()
        options = SearchOptions(
            k=k,
            token_budget=max(0, budget),
            date_range=find_date_range(query, today),
            skip_conversation=skip_conversation,
            skip_from_seq=skip_from_seq,
            skip_memories=frozenset(skip),
        )
        hits = index.search(query, query_vec, options) if budget > 0 else []
        return RecallResult(hits=hits, pinned=pinned)

    # --- reading -----------------------------------------------------------------------------
    def get(self, user_id: str, item_id: str) -> MemoryView:
        with self._db.reader(user_id) as s:
            row = MemoryRepo(s).get(user_id, item_id)
        if row is None:
            raise NotFound("no such memory")
        return self.view(user_id, row)

    def list(
        self,
        user_id: str,
        *,
        companion_id: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        pinned: bool | None = None,
        query: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[MemoryView], int]:
        """Filtered memories, newest change first, and the total matching."""
        if kind is not None:
            _check_kind(kind, KINDS)
        if status is not None and status not in ("active", "pending"):
            raise InvalidInput("status must be active or pending")
        with self._db.reader(user_id) as s:
            rows = MemoryRepo(s).list_for(
                user_id, companion_id=companion_id, kind=kind, status=status, pinned=pinned
            )
        views = [self.view(user_id, r) for r in rows]
        if query and query.strip():
            views = [v for v in views if _matches(query, v.text)]
        return views[offset : offset + limit], len(views)

    def history(self, user_id: str, item_id: str) -> builtins.list[VersionView]:
        with self._db.reader(user_id) as s:
            if MemoryRepo(s).get(user_id, item_id) is None:
                raise NotFound("no such memory")
            rows = MemoryRepo(s).versions(user_id, item_id)
        return [
            VersionView(
                version=r.version,
                old_text=self._vault.open_optional(
                    user_id, "memory_versions", "old_ct", r.id, r.old_ct
                ),
                new_text=self._vault.open_text(
                    user_id, "memory_versions", "new_ct", r.id, r.new_ct
                ),
                actor=r.actor,
                at=as_utc(r.created_at),
            )
            for r in rows
        ]

    # --- writing -----------------------------------------------------------------------------
    def _version(
        self,
        s: Session,
        user_id: str,
        item_id: str,
        version: int,
        old: str | None,
        new: str,
        actor: Actor,
    ) -> None:
        vid = new_id()
        MemoryRepo(s).add_version(
            MemoryVersion(
                id=vid,
                item_id=item_id,
                user_id=user_id,
                version=version,
                old_ct=(
                    self._vault.seal(user_id, "memory_versions", "old_ct", vid, old)
                    if old is not None
                    else None
                ),
                new_ct=self._vault.seal(user_id, "memory_versions", "new_ct", vid, new),
                actor=actor,
                created_at=self._clock(),
            )
        )

    def add(
        self,
        s: Session,
        user_id: str,
        companion_id: str,
        *,
        kind: str,
        text: str,
        origin: str,
        status: str = "active",
        pinned: bool = False,
        sources: Sequence[str] = (),
        event_date: date | None = None,
        conversation_id: str | None = None,
        replaces: str | None = None,
        through_seq: int | None = None,
        actor: Actor,
    ) -> MemoryItem:
        """Insert one item inside the caller's transaction (index updated after commit)."""
        now = self._clock()
        item_id = new_id()
        vector = self._embed_one(text)
        detail: dict[str, Any] = {"sources": list(sources)}
        if event_date is not None:
            detail["event_date"] = event_date.isoformat()
        if replaces is not None:
            detail["replaces"] = replaces
        if through_seq is not None:
            detail["through_seq"] = through_seq
        row = MemoryItem(
            id=item_id,
            user_id=user_id,
            companion_id=companion_id,
            conversation_id=conversation_id,
            kind=kind,
            status=status,
            origin=origin,
            pinned=pinned,
            text_ct=self._vault.seal(user_id, "memory_items", "text_ct", item_id, text),
            detail_ct=self._seal_detail(user_id, item_id, detail),
            embedding_ct=(
                self._vault.seal(
                    user_id, "memory_items", "embedding_ct", item_id, pack(vector[None, :])
                )
                if vector is not None
                else None
            ),
            version=1,
            created_at=now,
            updated_at=now,
        )
        MemoryRepo(s).add(row)
        self._version(s, user_id, item_id, 1, None, text, actor)
        if status == "active":

            def apply(index: RecallIndex) -> None:
                index.add_memory(item_id, text, kind, now, event_date, vector)

            self._changed(s, user_id, companion_id, apply)
        return row

    def create(
        self,
        user_id: str,
        companion_id: str,
        *,
        kind: str,
        text: str,
        pinned: bool = False,
        event_date: date | None = None,
    ) -> MemoryView:
        """A memory written by the user."""
        kind = _check_kind(kind)
        text = _check_text(text)
        with self._db.transaction(user_id) as s:
            if CompanionRepo(s).get(user_id, companion_id) is None:
                raise NotFound("no such companion")
            row = self.add(
                s,
                user_id,
                companion_id,
                kind=kind,
                text=text,
                origin="user",
                pinned=pinned,
                event_date=event_date,
                actor="user",
            )
        self.emit("memory.created", user_id, "user", companion_id, [row.id])
        return self.get(user_id, row.id)

    def update(
        self,
        s: Session,
        user_id: str,
        row: MemoryItem,
        *,
        text: str | None = None,
        kind: str | None = None,
        pinned: bool | None = None,
        event_date: date | None | Literal["keep"] = "keep",
        add_sources: Sequence[str] = (),
        through_seq: int | None = None,
        actor: Actor,
    ) -> bool:
        """Change one item inside the caller's transaction; True if anything changed."""
        view = self.view(user_id, row)
        detail = self._detail(user_id, row)
        changed = False
        if text is not None and text != view.text:
            row.version += 1
            self._version(s, user_id, row.id, row.version, view.text, text, actor)
            row.text_ct = self._vault.seal(user_id, "memory_items", "text_ct", row.id, text)
            vector = self._embed_one(text)
            row.embedding_ct = (
                self._vault.seal(
                    user_id, "memory_items", "embedding_ct", row.id, pack(vector[None, :])
                )
                if vector is not None
                else None
            )
            if actor == "user" and row.origin == "extracted":
                row.origin = "edited"
            changed = True
        if kind is not None and kind != row.kind:
            row.kind = kind
            changed = True
        if pinned is not None and pinned != row.pinned:
            row.pinned = pinned
            changed = True
        if event_date != "keep":
            new_date = event_date.isoformat() if event_date is not None else None
            if detail.get("event_date") != new_date:
                detail["event_date"] = new_date
                changed = True
        new_sources = [x for x in add_sources if x not in detail.get("sources", [])]
        if new_sources:
            detail["sources"] = [*detail.get("sources", []), *new_sources]
            changed = True
        if through_seq is not None:
            detail["through_seq"] = through_seq
            changed = True
        if not changed:
            return False
        row.detail_ct = self._seal_detail(user_id, row.id, detail)
        row.updated_at = self._clock()
        if row.status == "active":
            s.flush()
            self._changed(s, user_id, row.companion_id, self._reindex_item(user_id, row))
        return True

    def _reindex_item(self, user_id: str, row: MemoryItem) -> Callable[[RecallIndex], None]:
        def apply(index: RecallIndex) -> None:
            self._index_item(index, user_id, row)

        return apply

    def edit(
        self,
        user_id: str,
        item_id: str,
        *,
        text: str | None = None,
        kind: str | None = None,
        pinned: bool | None = None,
        event_date: date | None | Literal["keep"] = "keep",
    ) -> MemoryView:
        with self._db.transaction(user_id) as s:
            row = MemoryRepo(s).get(user_id, item_id)
            if row is None:
                raise NotFound("no such memory")
            if text is not None:
                limit = MAX_SUMMARY_CHARS if row.kind == "summary" else MAX_TEXT_CHARS
                text = _check_text(text, limit=limit)
            if kind is not None:
                if row.kind == "summary" or kind == "summary":
                    if kind != row.kind:
                        raise InvalidInput("a summary stays a summary")
                else:
                    _check_kind(kind)
            was_pinned = row.pinned
            changed = self.update(
                s,
                user_id,
                row,
                text=text,
                kind=kind,
                pinned=pinned,
                event_date=event_date,
                actor="user",
            )
            companion_id = row.companion_id
        if changed:
            if pinned is not None and pinned != was_pinned:
                self.emit(
                    "memory.pinned" if pinned else "memory.unpinned",
                    user_id,
                    "user",
                    companion_id,
                    [item_id],
                )
            if text is not None or kind is not None or event_date != "keep":
                self.emit("memory.updated", user_id, "user", companion_id, [item_id])
        return self.get(user_id, item_id)

    def _delete_rows(self, s: Session, user_id: str, rows: Sequence[MemoryItem]) -> None:
        by_companion: dict[str, list[str]] = {}
        for r in rows:
            by_companion.setdefault(r.companion_id, []).append(r.id)
        MemoryRepo(s).delete(user_id, [r.id for r in rows])
        for companion_id, ids in by_companion.items():

            def apply(index: RecallIndex, ids: list[str] = ids) -> None:
                for i in ids:
                    index.remove(i)

            self._changed(s, user_id, companion_id, apply)

    def delete(self, user_id: str, item_id: str) -> None:
        with self._db.transaction(user_id) as s:
            row = MemoryRepo(s).get(user_id, item_id)
            if row is None:
                raise NotFound("no such memory")
            companion_id = row.companion_id
            self._delete_rows(s, user_id, [row])
        self.emit("memory.deleted", user_id, "user", companion_id, [item_id])

    def decide(self, user_id: str, item_id: str, *, approve: bool) -> MemoryView | None:
        """Approve or reject a pending item. Approving one that replaces another updates it."""
        with self._db.transaction(user_id) as s:
            repo = MemoryRepo(s)
            row = repo.get(user_id, item_id)
            if row is None:
                raise NotFound("no such memory")
            if row.status != "pending":
                raise InvalidInput("this memory is not waiting for review", code="not_pending")
            companion_id = row.companion_id
            result_id: str | None = None
            if not approve:
                self._delete_rows(s, user_id, [row])
            else:
                view = self.view(user_id, row)
                target = repo.get(user_id, view.replaces) if view.replaces else None
                if target is not None and target.status == "active":
                    self.update(
                        s,
                        user_id,
                        target,
                        text=view.text,
                        add_sources=view.sources,
                        actor="extraction",
                    )
                    self._delete_rows(s, user_id, [row])
                    result_id = target.id
                else:
                    row.status = "active"
                    row.updated_at = self._clock()
                    s.flush()
                    self._changed(s, user_id, companion_id, self._reindex_item(user_id, row))
                    result_id = row.id
        self.emit(
            "memory.approved" if approve else "memory.rejected",
            user_id,
            "user",
            companion_id,
            [item_id],
        )
        return self.get(user_id, result_id) if result_id else None

    def forget(
        self,
        user_id: str,
        about: str,
        *,
        companion_id: str | None = None,
        delete_messages: bool = False,
    ) -> tuple[int, int]:
        """Delete every memory mentioning ``about`` (and, if asked, the messages they came
        from). Returns (memories deleted, messages deleted)."""
        about = about.strip()
        if not content_words(about):
            raise InvalidInput("say what to forget (a word or phrase)")
        with self._db.transaction(user_id) as s:
            if companion_id is not None and CompanionRepo(s).get(user_id, companion_id) is None:
                raise NotFound("no such companion")
            rows = [
                r
                for r in MemoryRepo(s).list_for(user_id, companion_id=companion_id)
                if _matches(
                    about,
                    self._vault.open_text(user_id, "memory_items", "text_ct", r.id, r.text_ct),
                )
            ]
            message_ids: list[str] = []
            if delete_messages:
                for r in rows:
                    message_ids.extend(self._detail(user_id, r).get("sources", []))
                message_ids = sorted(set(message_ids))
            self._delete_rows(s, user_id, rows)
            deleted_messages = 0
            if message_ids:
                deleted_messages = self.delete_messages(s, user_id, message_ids)
        companions = sorted({r.companion_id for r in rows})
        self.emit(
            "memory.forgotten",
            user_id,
            "user",
            companion_id,
            [r.id for r in rows],
            message_ids,
            memories=len(rows),
            messages=deleted_messages,
            companions=len(companions),
        )
        return len(rows), deleted_messages

    def delete_messages(self, s: Session, user_id: str, message_ids: Sequence[str]) -> int:
        """Delete messages inside a transaction, keeping every index and cache consistent."""
        existing = [m for mid in message_ids if (m := MessageRepo(s).get(user_id, mid)) is not None]
        by_companion: dict[str, list[str]] = {}
        for m in existing:
            conv = ConversationRepo(s).get(user_id, m.conversation_id)
            if conv is not None:
                by_companion.setdefault(conv.companion_id, []).append(m.id)
        conversation_ids = MessageRepo(s).delete_many(user_id, [m.id for m in existing])
        for cid, ids in by_companion.items():
            self.on_messages_deleted(s, user_id, cid, ids)
        self.on_sources_deleted(
            s, user_id, [m.id for m in existing], companion_ids=set(by_companion)
        )
        self.notify_messages_deleted(s, conversation_ids)
        return len(existing)

    def notify_messages_deleted(self, s: Session, conversation_ids: set[str]) -> None:
        """After commit, tell listeners (history caches) these conversations lost messages."""
        if not conversation_ids:
            return

        def done() -> None:
            for listener in self.messages_deleted_listeners:
                listener(set(conversation_ids))

        after_commit(s, done)

    def on_sources_deleted(
        self,
        s: Session,
        user_id: str,
        message_ids: Sequence[str],
        *,
        companion_ids: Collection[str] | None = None,
    ) -> SourceCleanup:
        """Deal with memories whose provenance points at deleted messages (promise P3).

        Threat handled: a deleted message living on as what the AI remembers. An extracted
        memory with no remaining source is deleted; one with some sources left waits for the
        user's review (status ``pending``, never recalled, detail ``review: source_deleted``);
        a memory the user wrote or edited is theirs, so its text stays and only the deleted
        ids leave its sources; a conversation summary that covered a deleted message is
        deleted and its conversation's ``summary_through_seq`` reset, so the summary is
        rebuilt from what remains. Runs inside the caller's transaction.
        """
        cleanup = SourceCleanup()
        gone = set(message_ids)
        if not gone:
            return cleanup
        rows = MemoryRepo(s).list_for(user_id)
        doomed: list[MemoryItem] = []
        for row in rows:
            if companion_ids is not None and row.companion_id not in companion_ids:
                continue
            detail = self._detail(user_id, row)
            sources = list(detail.get("sources", []))
            remaining = [x for x in sources if x not in gone]
            if len(remaining) == len(sources):
                continue
            if row.kind == "summary":
                doomed.append(row)
                cleanup.summaries.append(row.id)
                if row.conversation_id is not None:
                    conv = ConversationRepo(s).get(user_id, row.conversation_id)
                    if conv is not None:
                        conv.summary_through_seq = 0
                continue
            if row.origin == "extracted" and not remaining:
                doomed.append(row)
                cleanup.deleted.append(row.id)
                continue
            detail["sources"] = remaining
            if row.origin == "extracted":
                detail["review"] = "source_deleted"
                cleanup.for_review.append(row.id)
            else:
                cleanup.trimmed.append(row.id)
            row.detail_ct = self._seal_detail(user_id, row.id, detail)
            if row.origin == "extracted" and row.status == "active":
                row.status = "pending"
                row.updated_at = self._clock()

                def apply(index: RecallIndex, item_id: str = row.id) -> None:
                    index.remove(item_id)

                self._changed(s, user_id, row.companion_id, apply)
        if doomed:
            self._delete_rows(s, user_id, doomed)
        return cleanup

    def clear(self, user_id: str, *, companion_id: str | None = None) -> int:
        with self._db.transaction(user_id) as s:
            if companion_id is not None and CompanionRepo(s).get(user_id, companion_id) is None:
                raise NotFound("no such companion")
            rows = MemoryRepo(s).list_for(user_id, companion_id=companion_id)
            self._delete_rows(s, user_id, rows)
        self.emit("memory.cleared", user_id, "user", companion_id, count=len(rows))
        return len(rows)

    # --- per-companion settings --------------------------------------------------------------
    def mode(self, user_id: str, companion_id: str) -> str:
        with self._db.reader(user_id) as s:
            row = CompanionRepo(s).get(user_id, companion_id)
        if row is None:
            raise NotFound("no such companion")
        return row.memory_mode

    def set_mode(self, user_id: str, companion_id: str, mode: str) -> str:
        if mode not in MODES:
            raise InvalidInput(f"memory mode must be one of: {', '.join(MODES)}")
        with self._db.transaction(user_id) as s:
            row = CompanionRepo(s).get(user_id, companion_id)
            if row is None:
                raise NotFound("no such companion")
            old = row.memory_mode
            row.memory_mode = mode
        if old != mode:
            self.emit("memory.mode_changed", user_id, "user", companion_id, mode=mode)
        return mode

    # --- "why did you say that?" -------------------------------------------------------------
    def record_sources(
        self,
        s: Session,
        user_id: str,
        message_id: str,
        result: RecallResult,
        summary_id: str | None,
    ) -> None:
        payload = {
            "memories": result.memory_ids,
            "messages": result.message_ids,
            "summary": summary_id,
        }
        MessageRepo(s).set_sources(
            ReplySources(
                message_id=message_id,
                user_id=user_id,
                sources_ct=self._vault.seal(
                    user_id, "reply_sources", "sources_ct", message_id, json.dumps(payload)
                ),
            )
        )

    def sources(self, user_id: str, message_id: str) -> ReplySourcesView:
        with self._db.reader(user_id) as s:
            message = MessageRepo(s).get(user_id, message_id)
            if message is None:
                raise NotFound("no such message")
            row = MessageRepo(s).sources(user_id, message_id)
        if row is None:
            return ReplySourcesView(message_id, [], [], None)
        payload = json.loads(
            self._vault.open_text(
                user_id, "reply_sources", "sources_ct", message_id, row.sources_ct
            )
        )
        return ReplySourcesView(
            message_id, payload["memories"], payload["messages"], payload.get("summary")
        )


def _matches(query: str, text: str) -> bool:
    """The phrase occurs in ``text`` as whole words, or every content word of ``query`` does
    (lightly stemmed): "art" matches "Art class" and "arts", never "started"."""
    phrase = query.strip()
    if phrase and re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text, re.IGNORECASE):
        return True
    wanted = content_words(query)
    return bool(wanted) and wanted <= content_words(text)
