"""An in-memory cache of each conversation's recent, decrypted history.

Why: continuing a long conversation needs a context window's worth of history every turn;
decrypting it afresh each time costs ~10 ms. Threats handled:
- Plaintext never touches disk: the cache lives in process memory only, is bounded, entries
  expire after ``idle_s`` without use, and a user's entries are dropped at sign-out.
- Staleness across nodes: an entry is used only if the conversation's ``revision`` in the
  database (bumped by every insert or delete of its messages, on any node) equals the revision
  the entry was built at. A deleted message therefore never comes back from a cache.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from confide.chat.prompt import HistoryItem

__all__ = ["HistoryCache"]


@dataclass(slots=True)
class _Entry:
    user_id: str
    revision: int
    items: list[HistoryItem]  # oldest first
    chars: int
    used_at: float = field(default=0.0)


class HistoryCache:
    def __init__(
        self,
        *,
        max_conversations: int = 512,
        idle_s: float = 900.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._max = max_conversations
        self._idle_s = idle_s
        self._now = monotonic
        self._lock = threading.Lock()

    def get(self, user_id: str, conversation_id: str, revision: int) -> list[HistoryItem] | None:
        with self._lock:
            entry = self._entries.get(conversation_id)
            now = self._now()
            if entry is None:
                return None
            if (
                entry.user_id != user_id
                or entry.revision != revision
                or now - entry.used_at > self._idle_s
            ):
                del self._entries[conversation_id]
                return None
            entry.used_at = now
            self._entries.move_to_end(conversation_id)
            return list(entry.items)

    def put(
        self,
        user_id: str,
        conversation_id: str,
        revision: int,
        items: list[HistoryItem],
        *,
        max_chars: int,
    ) -> None:
        entry = _Entry(user_id, revision, list(items), sum(len(i.text) for i in items))
        _trim(entry, max_chars)
        entry.used_at = self._now()
        with self._lock:
            self._entries[conversation_id] = entry
            self._entries.move_to_end(conversation_id)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def append(
        self,
        user_id: str,
        conversation_id: str,
        *,
        expected_revision: int,
        new_revision: int,
        item: HistoryItem,
        max_chars: int,
    ) -> None:
        """Extend an entry with a message this node just stored, if nothing else changed."""
        with self._lock:
            entry = self._entries.get(conversation_id)
            if entry is None:
                return
            if entry.user_id != user_id or entry.revision != expected_revision:
                del self._entries[conversation_id]
                return
            entry.items.append(item)
            entry.chars += len(item.text)
            entry.revision = new_revision
            _trim(entry, max_chars)

    def forget_conversation(self, conversation_id: str) -> None:
        with self._lock:
            self._entries.pop(conversation_id, None)

    def forget_user(self, user_id: str) -> None:
        with self._lock:
            for cid in [c for c, e in self._entries.items() if e.user_id == user_id]:
                del self._entries[cid]

    def __len__(self) -> int:
        return len(self._entries)


def _trim(entry: _Entry, max_chars: int) -> None:
    """Drop the oldest items while what remains still covers ``max_chars``."""
    drop = 0
    chars = entry.chars
    while drop < len(entry.items) - 1 and chars - len(entry.items[drop].text) >= max_chars:
        chars -= len(entry.items[drop].text)
        drop += 1
    if drop:
        del entry.items[:drop]
        entry.chars = chars
