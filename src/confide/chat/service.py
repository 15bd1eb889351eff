"""One chat turn, readable top to bottom (DESIGN.md, "One chat turn").

``ChatService.turn()`` is an async generator of :class:`TurnEvent`. The web layer renders it as
server-sent events or collects it into one JSON reply. Guarantees:

- The user's message is sealed and committed before the model is called: a model failure
  never loses it.
- A model failure ends the turn with an explicit ``error`` event; no reply is stored.
- A client that stops reading (disconnect, stop button) cancels generation; whatever was
  generated is stored with status ``interrupted``, never as a complete reply.
- Every reply is stored as the companion's (``role=assistant``) and labelled AI-generated.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
from sqlalchemy.orm import Session

from confide.chat.conversations import ConversationService, MessageView
from confide.chat.history import HistoryCache
from confide.chat.prompt import HistoryItem, Prompt, PromptInputs, build_prompt
from confide.clock import Clock
from confide.companions.service import CompanionService
from confide.errors import ConfideError, InvalidInput, ModelUnavailable, NotFound
from confide.llm.base import GenerationOptions, Provider
from confide.memory.service import MemoryService, RecallResult
from confide.memory.worker import JobKind, MemoryWorker, TurnActivity
from confide.privacy import safety
from confide.privacy.audit import AuditLog
from confide.privacy.consent import ConsentLedger
from confide.privacy.outbound import OutboundPolicy
from confide.privacy.safety_classifier import CrisisClassifier
from confide.privacy.shield import ShieldFailed
from confide.storage.db import Database
from confide.storage.repositories import (
    CompanionRepo,
    ConversationRepo,
    MemoryRepo,
    MessageRepo,
    UserRepo,
)
from confide.storage.tables import Message

__all__ = ["ChatService", "TurnEvent", "TurnResult"]

log = logging.getLogger(__name__)

_PAGE = 64

SENSITIVE_WORDS = {
    "AADHAAR": "an Aadhaar number",
    "BANK_ACCOUNT": "a bank account number",
    "CARD": "a card number",
    "ES_NIE": "a NIE",
    "ES_NIF": "a NIF",
    "ES_PASSPORT": "a passport number",
    "IBAN": "a bank account number (IBAN)",
    "IN_PASSPORT": "a passport number",
    "IN_VOTER_ID": "a voter ID number",
    "PAN": "a PAN",
    "PASSWORD": "what looks like a password",
    "UK_DRIVING_LICENCE": "a driving licence number",
    "UK_NHS": "an NHS number",
    "UK_NINO": "a National Insurance number",
    "UK_PASSPORT": "a passport number",
    "US_ITIN": "a taxpayer ID number",
    "US_PASSPORT": "a passport number",
    "US_SSN": "a social security number",
}


@dataclass(frozen=True, slots=True)
class TurnEvent:
    """``safety`` (a crisis signal: the card with helplines) and ``warning`` (a highly
    sensitive identifier in the user's message) come right after ``user_message``."""

    kind: Literal["user_message", "safety", "warning", "delta", "reply", "error"]
    data: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"TurnEvent(kind={self.kind!r})"


@dataclass(frozen=True, slots=True)
class TurnResult:
    user_message: MessageView
    reply: MessageView
    safety: dict[str, Any] | None = None
    warning: dict[str, Any] | None = None


@dataclass(slots=True)
class _Prepared:
    user_id: str
    conversation_id: str
    user_message: MessageView
    prompt: Prompt
    provider: Provider
    companion_id: str = ""
    memory_mode: str = "off"
    recalled: RecallResult = field(default_factory=RecallResult)
    summary_id: str | None = None
    summary_through_seq: int = 0
    queued: bool = False  # memory jobs queued for this turn
    safety: dict[str, Any] | None = None  # the safety card shown for this message
    warning: dict[str, Any] | None = None  # sensitive identifiers the user just shared


class ChatService:
    def __init__(
        self,
        db: Database,
        conversations: ConversationService,
        companions: CompanionService,
        provider: Provider,
        clock: Clock,
        history_cache: HistoryCache,
        *,
        memory: MemoryService,
        worker: MemoryWorker,
        activity: TurnActivity,
        audit: AuditLog,
        consents: ConsentLedger,
        outbound: OutboundPolicy,
        helplines: safety.Helplines,
        default_country: str | None,
        crisis_classifier: CrisisClassifier | None,
        max_message_chars: int,
        reply_tokens: int,
        temperature: float,
        memory_top_k: int,
        memory_prompt_tokens: int,
    ) -> None:
        self._memory = memory
        self._outbound = outbound
        self._helplines = helplines
        self._classifier = crisis_classifier
        self._default_country = default_country
        self._audit = audit
        self._consents = consents
        self._worker = worker
        self._activity = activity
        self._top_k = memory_top_k
        self._memory_tokens = memory_prompt_tokens
        self._db = db
        self._conversations = conversations
        self._companions = companions
        self._provider = provider
        self._clock = clock
        self._cache = history_cache
        # Enough history to fill the window even with one-token messages, measured in chars.
        self._history_chars = provider.context_size * 4
        self._max_chars = max_message_chars
        self._reply_tokens = reply_tokens
        self._temperature = temperature

    @property
    def provider(self) -> Provider:
        return self._provider

    def helplines_for(self, user_id: str, country: str | None = None) -> safety.HelplineSet:
        """The helplines a safety card shows this user: their country, else the instance's."""
        if country is None:
            with self._db.reader(user_id) as s:
                user = UserRepo(s).get(user_id)
                country = user.country if user is not None else None
        return self._helplines.for_country(country or self._default_country or None)

    def helpline_countries(self) -> list[tuple[str, str]]:
        """(code, name) of every country with its own helplines, by name."""
        found = [
            (c, self._helplines.for_country(c).country_name) for c in self._helplines.countries()
        ]
        return sorted(found, key=lambda item: item[1])

    def crisis_signal(self, text: str) -> safety.Signal | None:
        """The rules first; for what they miss, the classifier over the message's embedding
        (when the embedding model is installed)."""
        signal = safety.detect(text)
        if signal is None and self._classifier is not None:
            signal = self._classifier.signal(text)
        return signal

    def cards_shown(self, user_id: str, messages: Sequence[MessageView]) -> dict[str, Any]:
        """The safety cards shown for these messages, by message id, as recorded in the
        user's audit log when they were sent (the chat page shows them again). Where retention
        dropped an entry's details, the rules are asked again."""
        user_messages = [m for m in messages if not m.ai_generated]
        shown = self._audit.entries_about(
            user_id, "safety.card_shown", [m.id for m in user_messages]
        )
        if not shown:
            return {}
        helplines = self.helplines_for(user_id)
        cards: dict[str, Any] = {}
        for m in user_messages:
            entry = shown.get(m.id)
            if entry is None:
                continue
            details = entry.details or {}
            signal = (
                safety.Signal(details["kind"], details["language"], details["rule"])
                if {"kind", "language", "rule"} <= details.keys()
                else safety.detect(m.content)
            )
            if signal is not None:
                cards[m.id] = safety.card(signal, helplines)
        return cards

    def sensitive_warning(self, text: str, message_id: str) -> dict[str, Any] | None:
        """Warn once, as the message is sent, about a government id, card number, bank
        account or password in it, and offer to delete the message."""
        try:
            kinds = self._outbound.shield.sensitive(text)
        except ShieldFailed:
            log.warning("sensitive-identifier check failed")
            return None
        if not kinds:
            return None
        return {
            "code": "sensitive_identifier",
            "kinds": kinds,
            "message_id": message_id,
            "message": "Your message contains "
            + ", ".join(SENSITIVE_WORDS.get(k, k.replace("_", " ").lower()) for k in kinds)
            + ". It is stored encrypted, but you may want to delete it.",
        }

    # --- steps 1-4: validate, store the user's message, build the prompt ---------------------
    def prepare(self, user_id: str, username: str, conversation_id: str, text: str) -> _Prepared:
        text = text.strip()
        if not text:
            raise InvalidInput("message must not be empty")
        if len(text) > self._max_chars:
            raise InvalidInput(f"message must be at most {self._max_chars} characters")
        with self._db.reader(user_id) as s:
            conv = ConversationRepo(s).get(user_id, conversation_id)
            if conv is None:
                raise NotFound("no such conversation")
            user = UserRepo(s).get(user_id)
            country = user.country if user is not None else None
            companion = CompanionRepo(s).get(user_id, conv.companion_id)
            memory_mode = companion.memory_mode if companion is not None else "off"
            summary_row = MemoryRepo(s).summary_for(user_id, conversation_id)
        # Without the user's consent to memory, nothing is recalled or extracted (P6).
        if not self._consents.granted(user_id, "memory"):
            memory_mode = "off"
            summary_row = None
        profile = self._companions.get(user_id, conv.companion_id).profile
        summary = self._memory.view(user_id, summary_row) if summary_row is not None else None
        summary_through = conv.summary_through_seq if summary is not None else 0
        summary_text = summary.text if summary is not None else None
        # A crisis signal brings up helplines and steers the reply (P11). Nothing is sent to
        # anyone: the card is shown to the user and recorded in their own audit log.
        signal = self.crisis_signal(text)
        card = steering = None
        if signal is not None:
            helplines = self.helplines_for(user_id, country)
            card = safety.card(signal, helplines)
            steering = safety.steering_note(signal, helplines)
        # Refuse a message that cannot fit the window before it is stored (nothing is kept).
        # If it fits only without the running summary, the summary stays out of this turn.
        try:
            build_prompt(
                PromptInputs(profile, username, text, summary=summary_text, safety_card=steering),
                self._provider,
                reply_tokens=self._reply_tokens,
            )
        except InvalidInput:
            build_prompt(
                PromptInputs(
                    profile=profile, user_name=username, new_message=text, safety_card=steering
                ),
                self._provider,
                reply_tokens=self._reply_tokens,
            )
            summary_text = None
        now = self._clock()
        with self._db.transaction(user_id) as s:
            conversations = ConversationRepo(s)
            conv = conversations.get(user_id, conversation_id)
            if conv is None:
                raise NotFound("no such conversation")
            revision = conv.revision
            row = self._conversations.store_message(
                s, user_id, conversation_id, "user", text, now=now, model=None
            )
            new_revision = conversations.revision(user_id, conversation_id)
            if signal is not None and card is not None:
                self._audit.append(
                    s,
                    actor="ai-pipeline",
                    action="safety.card_shown",
                    subject_user_id=user_id,
                    object_ref=row.id,
                    purpose="crisis_support",
                    details={
                        "kind": signal.kind,
                        "language": signal.language,
                        "rule": signal.rule,
                        "country": card["country"],
                    },
                )
        user_message = self._conversations.message_view(user_id, row)
        history = self._cache.get(user_id, conversation_id, revision)
        if history is None:
            history = self._recent_history(user_id, conversation_id, before_seq=row.seq)
            self._cache.put(
                user_id, conversation_id, revision, history, max_chars=self._history_chars
            )
        self._remember(user_id, conversation_id, revision, new_revision, row.seq, "user", text)
        inputs = PromptInputs(
            profile=profile,
            user_name=username,
            new_message=text,
            # What the summary covers is in the summary; the rest follows word for word.
            history=[h for h in history if h.seq > summary_through],
            summary=summary_text,
            safety_card=steering,
        )
        prompt = build_prompt(inputs, self._provider, reply_tokens=self._reply_tokens)
        recalled = RecallResult()
        # Memories may take at most half of what the window leaves after the fixed parts, so
        # history keeps room and the prompt always fits.
        memory_tokens = min(self._memory_tokens, (prompt.budget - prompt.fixed_tokens) // 2 - 32)
        if memory_mode != "off" and memory_tokens > 0:
            # Recall from everything older than what the prompt already carries word for word.
            window_start = prompt.history_used[0] if prompt.history_used else row.seq
            recalled = self._memory.recall(
                user_id,
                conv.companion_id,
                text,
                k=self._top_k,
                token_budget=memory_tokens,
                today=now.date(),
                skip_conversation=conversation_id,
                skip_from_seq=window_start,
            )
            if recalled.hits or recalled.pinned:
                inputs.memories = recalled.lines()
                try:
                    prompt = build_prompt(inputs, self._provider, reply_tokens=self._reply_tokens)
                except InvalidInput:  # pinned memories alone overflow a tiny window
                    inputs.memories = []
                    recalled = RecallResult()
        return _Prepared(
            user_id,
            conversation_id,
            user_message,
            prompt,
            # The PII shield wraps a remote provider; the user's name is replaced too (P7).
            self._outbound.for_user(user_id, known={username: "PERSON"}),
            companion_id=conv.companion_id,
            memory_mode=memory_mode,
            recalled=recalled,
            summary_id=summary.id if summary is not None else None,
            summary_through_seq=summary_through,
            safety=card,
            warning=self.sensitive_warning(text, row.id),
        )

    def _recent_history(
        self, user_id: str, conversation_id: str, *, before_seq: int
    ) -> list[HistoryItem]:
        """Newest messages first, page by page, until they surely fill the context window."""
        budget_chars = self._history_chars
        items: list[HistoryItem] = []
        chars = 0
        cursor: int | None = before_seq
        with self._db.reader(user_id) as s:
            repo = MessageRepo(s)
            while cursor is not None and chars < budget_chars:
                rows = repo.page(user_id, conversation_id, before_seq=cursor, limit=_PAGE)
                for r in rows:
                    view = self._conversations.message_view(user_id, r)
                    role: Literal["user", "assistant"] = (
                        "assistant" if r.role == "assistant" else "user"
                    )
                    items.append(HistoryItem(r.seq, role, view.content))
                    chars += len(view.content)
                cursor = rows[-1].seq if len(rows) == _PAGE else None
        items.reverse()
        return items

    # --- steps 5-6: call the model, stream, store the reply ----------------------------------
    async def turn(
        self, user_id: str, username: str, conversation_id: str, text: str
    ) -> AsyncIterator[TurnEvent]:
        prepared = await anyio.to_thread.run_sync(
            self.prepare, user_id, username, conversation_id, text
        )
        yield TurnEvent("user_message", {"message": prepared.user_message})
        if prepared.safety is not None:
            yield TurnEvent("safety", prepared.safety)
        if prepared.warning is not None:
            yield TurnEvent("warning", prepared.warning)
        options = GenerationOptions(max_tokens=self._reply_tokens, temperature=self._temperature)
        pieces: list[str] = []
        finished = failed = False
        started = time.perf_counter()
        stream = prepared.provider.stream(prepared.prompt.messages, options)
        self._activity.begin()
        try:
            try:
                async for piece in stream:
                    pieces.append(piece)
                    yield TurnEvent("delta", {"text": piece})
            except ModelUnavailable as exc:
                failed = True
                log.warning(
                    "model call failed",
                    extra={"provider": self._provider.name, "error_code": exc.code},
                )
                yield TurnEvent("error", {"code": exc.code, "message": exc.message})
                return
            reply = "".join(pieces).strip()
            if not reply:
                yield TurnEvent(
                    "error", {"code": "empty_reply", "message": "the model returned no text"}
                )
                return
            stored = await anyio.to_thread.run_sync(self._store_reply, prepared, reply, "complete")
            finished = True
            log.info(
                "turn complete",
                extra={
                    "provider": self._provider.name,
                    "prompt_tokens": prepared.prompt.tokens,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            yield TurnEvent("reply", {"message": stored})
        finally:
            self._activity.end()
            if not finished:
                # Cancelled (client gone) or failed: free the model, keep what was said so far
                # as an interrupted reply. Shielded: the surrounding scope may be cancelled.
                with anyio.CancelScope(shield=True):
                    aclose = getattr(stream, "aclose", None)
                    if aclose is not None:
                        await aclose()
                partial = "".join(pieces).strip()
                if partial and not failed:
                    try:
                        self._store_reply(prepared, partial, "interrupted")
                    except ConfideError:
                        log.warning("interrupted reply not stored: conversation gone")
            self._after_turn(prepared)

    def _after_turn(self, prepared: _Prepared) -> None:
        """Queue the memory work for a turn that stored no reply (the model failed)."""
        if prepared.queued or not prepared.companion_id:
            return
        try:
            with self._db.transaction(prepared.user_id) as s:
                self._queue_memory_jobs(s, prepared, prepared.user_message.seq)
        except ConfideError:
            log.warning("memory jobs not queued")

    def _queue_memory_jobs(self, s: Session, prepared: _Prepared, through_seq: int) -> None:
        """Audit the model call and queue the background memory work, in the caller's
        transaction; the work runs off the reply's path."""
        prepared.queued = True
        self._audit.model_call(
            s,
            actor="ai-pipeline",
            user_id=prepared.user_id,
            object_ref=prepared.conversation_id,
            purpose="chat_reply",
            provider=prepared.provider,
            prompt_tokens=prepared.prompt.tokens,
            memory_ids=prepared.recalled.memory_ids,
            message_ids=prepared.recalled.message_ids,
            summary_id=prepared.summary_id,
        )
        if not prepared.companion_id:
            return
        kinds: list[JobKind] = []
        if self._memory.embedder is not None:
            kinds.append("embed")
        used = prepared.prompt.history_used
        if prepared.memory_mode != "off":
            kinds.append("extract")
        self._worker.enqueue(
            prepared.user_id,
            prepared.companion_id,
            prepared.conversation_id,
            kinds,
            through_seq,
            session=s,
        )
        # The window dropped older messages the summary does not yet cover: fold them in.
        # A summary is a memory: none while memory is off for this companion.
        if (
            prepared.memory_mode != "off"
            and prepared.prompt.truncated
            and used
            and used[0] - 1 > prepared.summary_through_seq
        ):
            self._worker.enqueue(
                prepared.user_id,
                prepared.companion_id,
                prepared.conversation_id,
                ["summarise"],
                used[0] - 1,
                session=s,
            )

    def _store_reply(self, prepared: _Prepared, text: str, status: str) -> MessageView:
        now = self._clock()
        with self._db.transaction(prepared.user_id) as s:
            conversations = ConversationRepo(s)
            conv = conversations.get(prepared.user_id, prepared.conversation_id)
            if conv is None:
                raise NotFound("the conversation was deleted during the reply")
            revision = conv.revision
            row: Message = self._conversations.store_message(
                s,
                prepared.user_id,
                prepared.conversation_id,
                "assistant",
                text,
                now=now,
                model=f"{self._provider.name}:{self._provider.model}",
                status=status,
            )
            self._memory.record_sources(
                s, prepared.user_id, row.id, prepared.recalled, prepared.summary_id
            )
            self._queue_memory_jobs(s, prepared, row.seq)
            new_revision = conversations.revision(prepared.user_id, prepared.conversation_id)
        self._remember(
            prepared.user_id,
            prepared.conversation_id,
            revision,
            new_revision,
            row.seq,
            "assistant",
            text,
        )
        return self._conversations.message_view(prepared.user_id, row)

    def _remember(
        self,
        user_id: str,
        conversation_id: str,
        revision: int,
        new_revision: int | None,
        seq: int,
        role: Literal["user", "assistant"],
        text: str,
    ) -> None:
        """Add a message just stored to the cache, unless another writer slipped in between."""
        if new_revision != revision + 1:
            self._cache.forget_conversation(conversation_id)
            return
        self._cache.append(
            user_id,
            conversation_id,
            expected_revision=revision,
            new_revision=new_revision,
            item=HistoryItem(seq, role, text),
            max_chars=self._history_chars,
        )

    async def complete_turn(
        self, user_id: str, username: str, conversation_id: str, text: str
    ) -> tuple[MessageView, MessageView]:
        """The non-streaming form: (user message, reply) or the turn's error."""
        result = await self.run_turn(user_id, username, conversation_id, text)
        return result.user_message, result.reply

    async def run_turn(
        self, user_id: str, username: str, conversation_id: str, text: str
    ) -> TurnResult:
        """The non-streaming form with the safety card and warning, or the turn's error."""
        user_message: MessageView | None = None
        extra: dict[str, dict[str, Any]] = {}
        async for event in self.turn(user_id, username, conversation_id, text):
            if event.kind == "user_message":
                user_message = event.data["message"]
            elif event.kind in ("safety", "warning"):
                extra[event.kind] = event.data
            elif event.kind == "reply" and user_message is not None:
                return TurnResult(
                    user_message, event.data["message"], extra.get("safety"), extra.get("warning")
                )
            elif event.kind == "error":
                if event.data["code"] in ("empty_reply", "pii_shield_failed"):
                    raise ModelUnavailable(event.data["message"], code=event.data["code"])
                raise ModelUnavailable(event.data["message"])
        raise ConfideError("the turn ended without a reply")
