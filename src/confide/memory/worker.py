"""The background memory worker: embeddings, extraction and running summaries.

Jobs live in the ``memory_jobs`` table (ids and counters, never content), so they survive a
restart and several nodes can share them (a job is claimed with a lease). A failed job is
retried with exponential backoff up to ``max_attempts``; malformed model output is not a
failure, it is discarded and counted. With a local model, extraction and summaries wait until
no chat turn has been active for ``idle_before_s``, so they never slow a reply down.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Literal

import anyio
from sqlalchemy.orm import Session

from confide.clock import Clock, as_utc
from confide.companions.profile import CompanionProfile
from confide.errors import ConfideError
from confide.ids import new_id
from confide.llm.base import GenerationOptions, Provider
from confide.memory.extraction import (
    ExtractionInput,
    SourceMessage,
    apply_candidates,
    build_summary_prompt,
    jaccard,
    run_extraction,
)
from confide.memory.service import MAX_SUMMARY_CHARS, MemoryService
from confide.privacy.audit import AuditLog
from confide.privacy.consent import ConsentLedger
from confide.storage.db import Database, after_commit
from confide.storage.repositories import (
    CompanionRepo,
    ConversationRepo,
    MemoryJobRepo,
    MemoryRepo,
    MessageRepo,
    UserRepo,
)
from confide.storage.tables import MemoryJob

__all__ = ["JobKind", "MemoryWorker", "TurnActivity"]

log = logging.getLogger(__name__)

JobKind = Literal["embed", "extract", "summarise"]
_LEASE_S = 300
_USER_MESSAGES_PER_CALL = 6
_KNOWN_PER_CALL = 8
_SUMMARY_REPLY_TOKENS = 350


class TurnActivity:
    """How busy the chat is: background model work waits for a quiet moment."""

    def __init__(self) -> None:
        self._active = 0
        self._last = 0.0
        self._lock = threading.Lock()

    def begin(self) -> None:
        with self._lock:
            self._active += 1
            self._last = time.monotonic()

    def end(self) -> None:
        with self._lock:
            self._active = max(0, self._active - 1)
            self._last = time.monotonic()

    def idle_for(self) -> float:
        with self._lock:
            return 0.0 if self._active else time.monotonic() - self._last


class MemoryWorker:
    def __init__(
        self,
        db: Database,
        memory: MemoryService,
        provider: Provider,
        clock: Clock,
        activity: TurnActivity,
        audit: AuditLog,
        consents: ConsentLedger,
        *,
        max_attempts: int = 5,
        idle_before_s: float = 2.0,
        outbound: Callable[[str, Mapping[str, str]], Provider] | None = None,
    ) -> None:
        # Which provider a user's job may call: the PII shield around a remote one (P7).
        self._outbound = outbound or (lambda user_id, known: provider)
        self._db = db
        self._memory = memory
        self._provider = provider
        self._clock = clock
        self._activity = activity
        self._audit = audit
        self._consents = consents
        self._max_attempts = max_attempts
        self._idle_before_s = idle_before_s
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop run_forever runs on
        self.stats: Counter[str] = Counter()

    # --- queueing ----------------------------------------------------------------------------
    def enqueue(
        self,
        user_id: str,
        companion_id: str,
        conversation_id: str,
        kinds: list[JobKind],
        through_seq: int,
        *,
        session: Session | None = None,
    ) -> None:
        """Queue jobs (in ``session``'s transaction if given); the worker wakes on commit."""
        if not kinds:
            return
        now = self._clock()
        if session is None:
            with self._db.transaction(user_id) as s:
                self.enqueue(user_id, companion_id, conversation_id, kinds, through_seq, session=s)
            return
        repo = MemoryJobRepo(session)
        for kind in kinds:
            repo.enqueue(new_id(), user_id, companion_id, conversation_id, kind, through_seq, now)
        after_commit(session, self.wake)

    def wake(self) -> None:
        """Wake the worker; safe from any thread (turns store replies in worker threads)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    def pending(self, user_id: str | None = None) -> int:
        with self._db.reader(user_id) as s:
            return MemoryJobRepo(s).pending(user_id)

    # --- running -----------------------------------------------------------------------------
    async def run_forever(self, poll_s: float = 5.0) -> None:
        self._loop = asyncio.get_running_loop()
        embedder = self._memory.embedder
        if embedder is not None:
            # Load (and checksum) the embedding model now, not in the first user's turn.
            await anyio.to_thread.run_sync(self._memory.warm_up)
        while True:
            try:
                await self.drain()
            except Exception:  # keep the worker alive; the job itself was rescheduled
                log.exception("memory worker loop failed")
            self._wake.clear()
            with anyio.move_on_after(poll_s):
                await self._wake.wait()

    def _model_work_allowed(self, wait_idle: bool) -> bool:
        if not wait_idle or self._provider.is_remote:
            return True
        return self._activity.idle_for() >= self._idle_before_s

    async def drain(self, *, wait_idle: bool = True) -> int:
        """Run due jobs until none is left (or only model work while the chat is busy)."""
        done = 0
        while True:
            kinds: list[str] = ["embed"]
            if self._model_work_allowed(wait_idle):
                kinds += ["extract", "summarise"]
            now = self._clock()
            with self._db.transaction(scope="jobs") as s:
                job = MemoryJobRepo(s).claim(now, now + timedelta(seconds=_LEASE_S), kinds)
                if job is not None:
                    s.expunge(job)
            if job is None:
                return done
            await self._run(job)
            done += 1

    async def _run(self, job: MemoryJob) -> None:
        started = time.perf_counter()
        try:
            if job.kind == "embed":
                await anyio.to_thread.run_sync(
                    self._memory.embed_messages, job.user_id, job.conversation_id, job.through_seq
                )
            elif job.kind == "extract":
                await self._extract(job)
            elif job.kind == "summarise":
                await self._summarise(job)
        except Exception as exc:
            code = exc.code if isinstance(exc, ConfideError) else type(exc).__name__
            self._failed(job, code[:60])
            return
        with self._db.transaction(job.user_id) as s:
            repo = MemoryJobRepo(s)
            current = repo.get(job.id)
            if current is not None:
                if current.through_seq == job.through_seq:
                    repo.delete(job.id)
                else:  # more arrived while it ran: run again soon
                    current.claimed_until = None
                    current.attempts = 0
        self.stats[f"{job.kind}_done"] += 1
        log.info(
            "memory job done",
            extra={"job": job.kind, "duration_ms": round((time.perf_counter() - started) * 1000)},
        )

    def _failed(self, job: MemoryJob, code: str) -> None:
        self.stats[f"{job.kind}_failed"] += 1
        with self._db.transaction(job.user_id) as s:
            repo = MemoryJobRepo(s)
            current = repo.get(job.id)
            if current is None:
                return
            current.attempts += 1
            if current.attempts >= self._max_attempts:
                repo.delete(job.id)
                log.warning("memory job abandoned", extra={"job": job.kind, "error_code": code})
                return
            delay = min(600.0, 5.0 * 2 ** (current.attempts - 1))
            current.run_after = self._clock() + timedelta(seconds=delay)
            current.claimed_until = None
            current.last_error = code
        log.warning("memory job failed; will retry", extra={"job": job.kind, "error_code": code})

    # --- the jobs ----------------------------------------------------------------------------
    def _load(
        self, job: MemoryJob, after_seq_field: Literal["extracted", "summary"]
    ) -> tuple[str, str, str, list[SourceMessage], int, dict[str, int]] | None:
        """(mode, user name, companion name, messages after the job's progress, progress,
        seq of each message id)."""
        vault = self._memory.vault
        with self._db.reader(job.user_id) as s:
            conv = ConversationRepo(s).get(job.user_id, job.conversation_id)
            companion = CompanionRepo(s).get(job.user_id, job.companion_id)
            user = UserRepo(s).get(job.user_id)
            if conv is None or companion is None or user is None:
                return None
            progress = (
                conv.extracted_through_seq
                if after_seq_field == "extracted"
                else conv.summary_through_seq
            )
            rows = MessageRepo(s).in_conversation(
                job.user_id,
                job.conversation_id,
                after_seq=max(0, progress - (1 if after_seq_field == "extracted" else 0)),
                through_seq=job.through_seq,
            )
            profile = CompanionProfile.model_validate_json(
                vault.open_text(
                    job.user_id, "companions", "profile_ct", companion.id, companion.profile_ct
                )
            )
            messages = [
                SourceMessage(
                    m.id,
                    m.role,
                    vault.open_text(job.user_id, "messages", "content_ct", m.id, m.content_ct),
                    as_utc(m.created_at).date(),
                )
                for m in rows
            ]
            seqs = {m.id: m.seq for m in rows}
        return companion.memory_mode, user.username, profile.name, messages, progress, seqs

    async def _extract(self, job: MemoryJob) -> None:
        loaded = await anyio.to_thread.run_sync(self._load, job, "extracted")
        if loaded is None:
            return
        mode, user_name, ai_name, messages, progress, seqs = loaded
        if mode == "off" or not self._consents.granted(job.user_id, "memory"):
            await anyio.to_thread.run_sync(self._set_progress, job, "extracted", job.through_seq)
            return
        # Batches of a few user messages, each with the companion lines around them.
        batch: list[SourceMessage] = []
        users = 0
        for i, m in enumerate(messages):
            batch.append(m)
            users += m.role == "user" and seqs[m.id] > progress
            last = i == len(messages) - 1
            if users >= _USER_MESSAGES_PER_CALL or last:
                if users:
                    await self._extract_batch(job, mode, user_name, ai_name, batch, seqs, progress)
                await anyio.to_thread.run_sync(
                    self._set_progress, job, "extracted", seqs[batch[-1].id]
                )
                batch = [batch[-1]] if batch[-1].role == "assistant" else []
                users = 0

    async def _extract_batch(
        self,
        job: MemoryJob,
        mode: str,
        user_name: str,
        ai_name: str,
        batch: list[SourceMessage],
        seqs: dict[str, int],
        progress: int,
    ) -> None:
        # Only messages after the progress mark are offered as sources.
        offered = [
            m
            if seqs[m.id] > progress or m.role == "assistant"
            else SourceMessage(m.id, "assistant", m.text, m.day)
            for m in batch
        ]
        text = " ".join(m.text for m in offered if m.role == "user")
        known = await anyio.to_thread.run_sync(self._known, job, text)
        inp = ExtractionInput(user_name, ai_name, offered[-1].day, offered, known)
        provider = await anyio.to_thread.run_sync(
            self._outbound, job.user_id, {user_name: "PERSON"}
        )
        await anyio.to_thread.run_sync(
            self._audit_model_call, job, "memory_extraction", [m.id for m in offered], provider
        )
        candidates = await run_extraction(provider, inp, self.stats)
        if not candidates:
            return
        touched = await anyio.to_thread.run_sync(
            lambda: apply_candidates(
                self._memory,
                job.user_id,
                job.companion_id,
                candidates,
                review=mode == "review",
                stats=self.stats,
            )
        )
        if touched:
            self._memory.emit(
                "memory.extracted",
                job.user_id,
                "extraction",
                job.companion_id,
                touched,
                [mid for c in candidates for mid in c.sources],
            )

    def _audit_model_call(
        self, job: MemoryJob, purpose: str, message_ids: list[str], provider: Provider
    ) -> None:
        self._audit.model_call(
            None,
            actor="extraction" if purpose == "memory_extraction" else "summary",
            user_id=job.user_id,
            object_ref=job.conversation_id,
            purpose=purpose,
            provider=provider,
            message_ids=message_ids,
        )

    def _known(self, job: MemoryJob, text: str) -> list:  # type: ignore[type-arg]
        with self._db.reader(job.user_id) as s:
            rows = MemoryRepo(s).list_for(
                job.user_id, companion_id=job.companion_id, status="active"
            )
            views = [self._memory.view(job.user_id, r) for r in rows if r.kind != "summary"]
        views.sort(key=lambda v: jaccard(text, v.text), reverse=True)
        return views[:_KNOWN_PER_CALL]

    def _set_progress(
        self, job: MemoryJob, which: Literal["extracted", "summary"], seq: int
    ) -> None:
        with self._db.transaction(job.user_id) as s:
            conv = ConversationRepo(s).get(job.user_id, job.conversation_id)
            if conv is None:
                return
            if which == "extracted":
                conv.extracted_through_seq = max(conv.extracted_through_seq, seq)
            else:
                conv.summary_through_seq = max(conv.summary_through_seq, seq)

    async def _summarise(self, job: MemoryJob) -> None:
        loaded = await anyio.to_thread.run_sync(self._load, job, "summary")
        if loaded is None:
            return
        mode, user_name, ai_name, messages, _progress, seqs = loaded
        if not messages or mode == "off" or not self._consents.granted(job.user_id, "memory"):
            return
        budget = max(200, self._provider.context_size - _SUMMARY_REPLY_TOKENS - 600)
        chunk: list[SourceMessage] = []
        used = 0
        for i, m in enumerate(messages):
            cost = self._provider.count_tokens(m.text) + 8
            if chunk and used + cost > budget:
                await self._summarise_chunk(job, user_name, ai_name, chunk, seqs)
                chunk, used = [], 0
            chunk.append(m)
            used += cost
            if i == len(messages) - 1:
                await self._summarise_chunk(job, user_name, ai_name, chunk, seqs)

    async def _summarise_chunk(
        self,
        job: MemoryJob,
        user_name: str,
        ai_name: str,
        chunk: list[SourceMessage],
        seqs: dict[str, int],
    ) -> None:
        def previous() -> str | None:
            with self._db.reader(job.user_id) as s:
                row = MemoryRepo(s).summary_for(job.user_id, job.conversation_id)
                return self._memory.view(job.user_id, row).text if row else None

        prev = await anyio.to_thread.run_sync(previous)
        prompt = build_summary_prompt(user_name, ai_name, prev, chunk)
        provider = await anyio.to_thread.run_sync(
            self._outbound, job.user_id, {user_name: "PERSON"}
        )
        await anyio.to_thread.run_sync(
            self._audit_model_call, job, "memory_summary", [m.id for m in chunk], provider
        )
        completion = await provider.complete(
            prompt, GenerationOptions(max_tokens=_SUMMARY_REPLY_TOKENS, temperature=0.3)
        )
        text = " ".join(completion.text.split())[:MAX_SUMMARY_CHARS]
        if not text:
            self.stats["summary_empty"] += 1
            return
        through = seqs[chunk[-1].id]

        def store() -> str:
            with self._db.transaction(job.user_id) as s:
                row = MemoryRepo(s).summary_for(job.user_id, job.conversation_id)
                ids = [m.id for m in chunk]
                if row is None:
                    row = self._memory.add(
                        s,
                        job.user_id,
                        job.companion_id,
                        kind="summary",
                        text=text,
                        origin="extracted",
                        sources=ids,
                        conversation_id=job.conversation_id,
                        through_seq=through,
                        actor="summary",
                    )
                else:
                    self._memory.update(
                        s,
                        job.user_id,
                        row,
                        text=text,
                        add_sources=ids,
                        through_seq=through,
                        actor="summary",
                    )
                conv = ConversationRepo(s).get(job.user_id, job.conversation_id)
                if conv is not None:
                    conv.summary_through_seq = max(conv.summary_through_seq, through)
                return row.id

        item_id = await anyio.to_thread.run_sync(store)
        self._memory.emit(
            "memory.summary_updated",
            job.user_id,
            "summary",
            job.companion_id,
            [item_id],
            [m.id for m in chunk],
        )
