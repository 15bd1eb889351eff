"""A user's in-memory recall index over one companion's memories and messages.

Built from decrypted rows on first use, changed in place as messages and memories come and go,
and dropped on sign-out, erasure, companion deletion and idle timeout: plaintext never goes to
disk. ``revision`` mirrors ``companions.memory_revision`` so any node can tell whether the
index it holds is exactly what is stored.

Search (hybrid, fused by rank):
- four ranked lists: BM25 over each document's text, BM25 over it with its neighbours
  (the message before and after), and, when dense vectors exist, cosine similarity of the
  text alone and of the text with the message before it;
- reciprocal-rank fusion (k=10) of those lists, plus one more list when the query names a
  time ("last week", "in May"): the documents dated inside that span;
- memories come back as they are; a message comes back as an *episode*: the message and,
  while the token budget allows, its neighbours in the same conversation, so the context
  that makes a message meaningful travels with it. Every hit lists exactly the message ids
  its text came from.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import numpy as np
import numpy.typing as npt

from confide.memory.dates import DateRange, format_day
from confide.memory.text import BM25Index

__all__ = ["Doc", "Hit", "IndexCache", "RecallIndex", "SearchOptions"]

RRF_K = 10.0
_MAX_GROW_ROUNDS = 3
_DENSE_CANDIDATES = 200


@dataclass(slots=True)
class Doc:
    key: int
    kind: Literal["message", "memory"]
    ref: str  # message id or memory id
    text: str  # the line shown: "Speaker: text" for messages, the memory's text otherwise
    when: datetime | None
    conversation_id: str | None = None
    seq: int = 0
    memory_kind: str | None = None
    event_day: date | None = None
    tokens: int = 0

    def __repr__(self) -> str:
        return f"Doc(key={self.key}, kind={self.kind!r}, ref={self.ref!r}, text=<hidden>)"

    @property
    def day(self) -> date | None:
        if self.event_day is not None:
            return self.event_day
        return self.when.date() if self.when is not None else None


@dataclass(slots=True)
class Hit:
    kind: Literal["memory", "episode"]
    ref: str  # memory id, or the id of the message that matched
    text: str
    message_ids: list[str]  # provenance: exactly the messages this text came from
    tokens: int
    score: float
    day: date | None = None
    memory_kind: str | None = None
    conversation_id: str | None = None

    def __repr__(self) -> str:
        return f"Hit(kind={self.kind!r}, ref={self.ref!r}, messages={len(self.message_ids)})"


@dataclass(slots=True)
class SearchOptions:
    k: int = 10
    token_budget: int = 1500
    date_range: DateRange | None = None
    # Messages of this conversation at or after this seq are already in the prompt.
    skip_conversation: str | None = None
    skip_from_seq: int = 0
    skip_memories: frozenset[str] = frozenset()


def _header(day: date | None) -> str:
    return f"[{format_day(day)}] " if day is not None else ""


def _rank_into(
    fused: npt.NDArray[np.float64], ordered: npt.NDArray[np.int64], weight: float = 1.0
) -> None:
    """Reciprocal-rank fusion: the document at rank r (0-based) gains weight / (K + r)."""
    fused[ordered] += weight / (RRF_K + np.arange(len(ordered)))


def _by_score(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Keys with a positive score, best first (ties: lower key first, i.e. older)."""
    keys = np.flatnonzero(scores > 0)
    return keys[np.argsort(-scores[keys], kind="stable")]


class RecallIndex:
    def __init__(
        self,
        user_id: str,
        companion_id: str,
        revision: int,
        *,
        count_tokens: Callable[[str], int],
        dim: int | None,
        speakers: dict[str, str],
    ) -> None:
        self.speakers = speakers  # role -> name shown before each message
        self.user_id = user_id
        self.companion_id = companion_id
        self.revision = revision
        self.lock = threading.RLock()
        self.used_at = time.monotonic()
        self._count = count_tokens
        self._dim = dim
        self._docs: dict[int, Doc] = {}
        self._by_ref: dict[str, int] = {}
        self._next = 0
        self._bm_text = BM25Index()
        self._bm_ctx = BM25Index()
        self._vec_text: dict[int, npt.NDArray[np.float32]] = {}
        self._vec_ctx: dict[int, npt.NDArray[np.float32]] = {}
        self._matrix: tuple[list[int], npt.NDArray[np.float32], npt.NDArray[np.float32]] | None
        self._matrix = None
        self._threads: dict[str, list[tuple[int, int]]] = {}  # conversation -> [(seq, key)]

    def __len__(self) -> int:
        return len(self._docs)

    def __repr__(self) -> str:
        return f"RecallIndex(docs={len(self._docs)}, revision={self.revision})"

    # --- changes -----------------------------------------------------------------------------
    def _neighbours(self, doc: Doc) -> tuple[Doc | None, Doc | None]:
        thread = self._threads.get(doc.conversation_id or "", [])
        i = bisect.bisect_left(thread, (doc.seq, doc.key))
        prev = self._docs[thread[i - 1][1]] if i > 0 else None
        nxt = self._docs[thread[i + 1][1]] if i + 1 < len(thread) else None
        return prev, nxt

    def _reindex_ctx(self, doc: Doc | None) -> None:
        if doc is None:
            return
        prev, nxt = self._neighbours(doc)
        parts = [d.text for d in (prev, doc, nxt) if d is not None]
        self._bm_ctx.add(doc.key, " ".join(parts))

    def _register(self, doc: Doc) -> None:
        self._next += 1
        self._docs[doc.key] = doc
        self._by_ref[doc.ref] = doc.key

    def add_message(
        self,
        message_id: str,
        conversation_id: str,
        seq: int,
        role: str,
        text: str,
        when: datetime,
    ) -> None:
        if message_id in self._by_ref:
            return
        line = f"{self.speakers.get(role, role)}: {text}"
        doc = Doc(
            key=self._next,
            kind="message",
            ref=message_id,
            text=line,
            when=when,
            conversation_id=conversation_id,
            seq=seq,
            tokens=self._count(line),
        )
        self._register(doc)
        bisect.insort(self._threads.setdefault(conversation_id, []), (seq, doc.key))
        self._bm_text.add(doc.key, line)
        prev, nxt = self._neighbours(doc)
        for d in (prev, doc, nxt):
            self._reindex_ctx(d)

    def add_memory(
        self,
        memory_id: str,
        text: str,
        kind: str,
        when: datetime,
        event_day: date | None,
        vector: npt.NDArray[np.float32] | None,
    ) -> None:
        self.remove(memory_id)
        doc = Doc(
            key=self._next,
            kind="memory",
            ref=memory_id,
            text=text,
            when=when,
            memory_kind=kind,
            event_day=event_day,
            tokens=self._count(text),
        )
        self._register(doc)
        self._bm_text.add(doc.key, text)
        self._bm_ctx.add(doc.key, text)
        if vector is not None:
            self.set_vectors(memory_id, vector, vector)

    def set_vectors(
        self, ref: str, text_vec: npt.NDArray[np.float32], ctx_vec: npt.NDArray[np.float32]
    ) -> None:
        key = self._by_ref.get(ref)
        if key is None or self._dim is None or text_vec.shape[-1] != self._dim:
            return
        self._vec_text[key] = text_vec
        self._vec_ctx[key] = ctx_vec
        self._matrix = None

    def has_dense(self) -> bool:
        return bool(self._vec_text)

    def has_vectors(self, ref: str) -> bool:
        key = self._by_ref.get(ref)
        return key is not None and key in self._vec_text

    def remove(self, ref: str) -> None:
        key = self._by_ref.pop(ref, None)
        if key is None:
            return
        doc = self._docs[key]
        prev = nxt = None
        if doc.kind == "message":
            prev, nxt = self._neighbours(doc)
            thread = self._threads[doc.conversation_id or ""]
            thread.remove((doc.seq, key))
        del self._docs[key]
        self._bm_text.remove(key)
        self._bm_ctx.remove(key)
        if self._vec_text.pop(key, None) is not None:
            self._vec_ctx.pop(key, None)
            self._matrix = None
        self._reindex_ctx(prev)
        self._reindex_ctx(nxt)

    def remove_conversation(self, conversation_id: str) -> None:
        for _, key in list(self._threads.get(conversation_id, [])):
            self.remove(self._docs[key].ref)
        self._threads.pop(conversation_id, None)

    def message_ids(self) -> set[str]:
        return {d.ref for d in self._docs.values() if d.kind == "message"}

    def doc(self, ref: str) -> Doc | None:
        key = self._by_ref.get(ref)
        return self._docs.get(key) if key is not None else None

    def previous_text(self, message_id: str) -> str | None:
        doc = self.doc(message_id)
        if doc is None:
            return None
        prev, _ = self._neighbours(doc)
        return prev.text if prev is not None else None

    # --- search ------------------------------------------------------------------------------
    def _dense(self, query_vec: npt.NDArray[np.float32]) -> list[npt.NDArray[np.int64]]:
        if not self._vec_text:
            return []
        if self._matrix is None:
            keys = list(self._vec_text)
            self._matrix = (
                keys,
                np.stack([self._vec_text[k] for k in keys]),
                np.stack([self._vec_ctx[k] for k in keys]),
            )
        keys, text_m, ctx_m = self._matrix
        key_array = np.asarray(keys, dtype=np.int64)
        out = []
        for m in (text_m, ctx_m):
            sims = m @ query_vec
            n = min(_DENSE_CANDIDATES, len(keys))
            top = np.argpartition(-sims, n - 1)[:n]
            top = top[np.argsort(-sims[top], kind="stable")]
            out.append(key_array[top])
        return out

    def search(
        self, query: str, query_vec: npt.NDArray[np.float32] | None, options: SearchOptions
    ) -> list[Hit]:
        with self.lock:
            self.used_at = time.monotonic()
            return self._search(query, query_vec, options)

    def _eligible(self, doc: Doc, o: SearchOptions) -> bool:
        if doc.kind == "memory":
            return doc.ref not in o.skip_memories
        return not (doc.conversation_id == o.skip_conversation and doc.seq >= o.skip_from_seq)

    def _search(
        self, query: str, query_vec: npt.NDArray[np.float32] | None, o: SearchOptions
    ) -> list[Hit]:
        size = self._next
        fused = np.zeros(size, dtype=np.float64)
        for bm in (self._bm_text, self._bm_ctx):
            _rank_into(fused, _by_score(bm.score_array(query, size)))
        if query_vec is not None:
            for ordered in self._dense(query_vec):
                _rank_into(fused, ordered)
        if o.date_range is not None:
            r = o.date_range
            inside = np.asarray(
                [
                    k
                    for k in np.flatnonzero(fused)
                    if (day := self._docs[int(k)].day) is not None and r.start <= day <= r.end
                ],
                dtype=np.int64,
            )
            if len(inside):
                _rank_into(fused, inside[np.argsort(-fused[inside], kind="stable")], weight=2.0)
        order = [int(k) for k in _by_score(fused)]

        picked: list[tuple[Doc, list[Doc]]] = []  # (matched doc, its episode's messages)
        used: set[int] = set()
        spent = 0
        for key in order:
            if len(picked) >= o.k:
                break
            doc = self._docs[key]
            if key in used or not self._eligible(doc, o):
                continue
            cost = doc.tokens + 8
            if spent + cost > o.token_budget:
                continue
            used.add(key)
            spent += cost
            picked.append((doc, [doc] if doc.kind == "message" else []))
        # Grow episodes around their message, nearest neighbours first, while budget lasts.
        for _ in range(_MAX_GROW_ROUNDS):
            grew = False
            for _doc, episode in picked:
                if not episode:
                    continue
                for side in (0, -1):
                    prev, nxt = self._neighbours(episode[side])
                    cand = prev if side == 0 else nxt
                    if (
                        cand is None
                        or cand.key in used
                        or not self._eligible(cand, o)
                        or spent + cand.tokens > o.token_budget
                    ):
                        continue
                    used.add(cand.key)
                    spent += cand.tokens
                    if side == 0:
                        episode.insert(0, cand)
                    else:
                        episode.append(cand)
                    grew = True
            if not grew:
                break
        hits = [self._render(doc, episode, float(fused[doc.key])) for doc, episode in picked]
        # Per-document counts are estimates of the rendered text (joins and headers tokenise
        # differently): measure the real thing and shrink until the budget holds exactly.
        while hits and sum(h.tokens for h in hits) > o.token_budget:
            shrinkable = [i for i, (_d, ep) in enumerate(picked) if len(ep) > 1]
            if not shrinkable:
                hits.pop()
                picked.pop()
                continue
            i = max(shrinkable, key=lambda j: len(picked[j][1]))
            doc, episode = picked[i]
            at = episode.index(doc)
            episode.pop(0 if at >= len(episode) - 1 - at else len(episode) - 1)
            hits[i] = self._render(doc, episode, hits[i].score)
        return hits

    def _render(self, doc: Doc, episode: list[Doc], score: float) -> Hit:
        if doc.kind == "memory":
            text = _header(doc.event_day) + doc.text
            return Hit(
                "memory",
                doc.ref,
                text,
                [],
                self._count(text),
                score,
                doc.event_day,
                doc.memory_kind,
            )
        text = _header(doc.day) + "\n".join(d.text for d in episode)
        return Hit(
            "episode",
            doc.ref,
            text,
            [d.ref for d in episode],
            self._count(text),
            score,
            doc.day,
            None,
            doc.conversation_id,
        )


@dataclass(slots=True)
class _Slot:
    index: RecallIndex
    loaded_at: float = field(default_factory=time.monotonic)


class IndexCache:
    """Per (user, companion) indexes in process memory: bounded, idle-evicted, user-droppable."""

    def __init__(self, *, max_indexes: int = 256, idle_s: float = 900.0) -> None:
        self._slots: OrderedDict[tuple[str, str], _Slot] = OrderedDict()
        self._max = max_indexes
        self._idle_s = idle_s
        self._lock = threading.Lock()

    def get(self, user_id: str, companion_id: str) -> RecallIndex | None:
        with self._lock:
            self._expire()
            slot = self._slots.get((user_id, companion_id))
            if slot is None:
                return None
            self._slots.move_to_end((user_id, companion_id))
            slot.index.used_at = time.monotonic()
            return slot.index

    def put(self, index: RecallIndex) -> None:
        with self._lock:
            self._slots[(index.user_id, index.companion_id)] = _Slot(index)
            self._slots.move_to_end((index.user_id, index.companion_id))
            while len(self._slots) > self._max:
                self._slots.popitem(last=False)

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self._slots.items() if now - s.index.used_at > self._idle_s]:
            del self._slots[key]

    def forget(self, user_id: str, companion_id: str) -> None:
        with self._lock:
            self._slots.pop((user_id, companion_id), None)

    def forget_user(self, user_id: str) -> None:
        with self._lock:
            for key in [k for k in self._slots if k[0] == user_id]:
                del self._slots[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._slots)

    def holds(self, user_id: str) -> bool:
        with self._lock:
            return any(k[0] == user_id for k in self._slots)
