"""Memory extraction and running summaries, with the configured model, off the reply's path.

Extraction asks the model for JSON constrained by :data:`SCHEMA` (a llama.cpp grammar locally,
``response_format`` remotely), then trusts none of it blindly:

- only the user's own messages are offered as sources; the companion's lines are context;
- an item must cite at least one of those messages and share a content word with them
  (grounding), which keeps the system prompt, the persona and the companion's speculation
  out: they are never a source;
- an item about the companion (its text starts with the companion's name) is dropped;
- a new item that says nearly what an existing one says updates it (with history) instead
  of adding a duplicate; the model may also name the memory it updates.

Malformed output is discarded and counted (``stats``); it never raises into a turn.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from confide.llm.base import ChatMessage, GenerationOptions, Provider
from confide.memory.dates import find_date_range
from confide.memory.service import MemoryService, MemoryView
from confide.memory.text import content_words
from confide.storage.repositories import MemoryRepo

__all__ = [
    "SCHEMA",
    "Candidate",
    "ExtractionInput",
    "SourceMessage",
    "build_extraction_prompt",
    "build_summary_prompt",
    "parse_candidates",
]

log = logging.getLogger(__name__)

EXTRACT_KINDS = ("fact", "preference", "event", "relationship")
MAX_ITEMS = 5
MAX_ITEM_CHARS = 300
DUPLICATE_JACCARD = 0.6

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["memories"],
    "properties": {
        "memories": {
            "type": "array",
            "maxItems": MAX_ITEMS,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "text", "date", "sources", "replaces"],
                "properties": {
                    "kind": {"type": "string", "enum": list(EXTRACT_KINDS)},
                    "text": {"type": "string"},
                    "date": {"type": "string"},
                    "sources": {"type": "array", "items": {"type": "integer"}},
                    "replaces": {"type": "integer"},
                },
            },
        }
    },
}


@dataclass(frozen=True, slots=True)
class SourceMessage:
    id: str
    role: str  # user | assistant
    text: str
    day: date

    def __repr__(self) -> str:
        return f"SourceMessage(id={self.id!r}, role={self.role!r}, text=<hidden>)"


@dataclass(frozen=True, slots=True)
class ExtractionInput:
    user_name: str
    companion_name: str
    today: date
    messages: Sequence[SourceMessage]  # oldest first, user and companion
    known: Sequence[MemoryView]  # existing memories the model may update


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: str
    text: str
    event_date: date | None
    sources: tuple[str, ...]  # message ids
    replaces: str | None  # memory id

    def __repr__(self) -> str:
        return f"Candidate(kind={self.kind!r}, sources={len(self.sources)}, text=<hidden>)"


def _numbered(inp: ExtractionInput) -> tuple[str, dict[int, SourceMessage]]:
    lines = []
    numbers: dict[int, SourceMessage] = {}
    for m in inp.messages:
        if m.role == "user":
            n = len(numbers) + 1
            numbers[n] = m
            lines.append(f"({n}) {inp.user_name}: {m.text}")
        else:
            lines.append(f"{inp.companion_name} (AI, context only): {m.text}")
    return "\n".join(lines), numbers


def build_extraction_prompt(inp: ExtractionInput) -> tuple[list[ChatMessage], dict[str, Any]]:
    """The messages for the model, and what its numbers refer to (messages and memories)."""
    user, ai = inp.user_name, inp.companion_name
    system = (
        f"You keep the long-term memory of a chat app about its user, {user}. "
        f"From {user}'s numbered messages, list what is worth remembering about {user} for "
        "future conversations: facts (job, home, health, plans), preferences (likes, "
        f"dislikes), events (what happened or will happen, with its date as YYYY-MM-DD "
        f'if known, else ""), and relationships (the people and pets in {user}\'s life).\n'
        f"Rules: use only what {user} said. Never record anything {ai} (the AI) said about "
        "itself, its persona or guesses. Each memory is one short sentence in the third "
        f'person starting with "{user}". sources: the numbers of the messages it comes '
        "from. replaces: the number of the known memory it corrects or updates, else 0. "
        'Small talk gives nothing: return {"memories": []}.'
    )
    convo, numbers = _numbered(inp)
    known_lines = [f"[{i}] {m.text}" for i, m in enumerate(inp.known, start=1)]
    known = "\n".join(known_lines) if known_lines else "(none)"
    user_msg = (
        f"Today is {inp.today.isoformat()}.\n\nKnown memories:\n{known}\n\n"
        f"Conversation:\n{convo}\n\nReturn JSON only."
    )
    refs: dict[str, Any] = {"messages": numbers, "known": dict(enumerate(inp.known, start=1))}
    return [ChatMessage("system", system), ChatMessage("user", user_msg)], refs


def parse_candidates(
    raw: str, inp: ExtractionInput, refs: dict[str, Any], stats: Counter[str]
) -> list[Candidate]:
    """Validate the model's output; malformed output yields [] and counts ``malformed``."""
    try:
        data = json.loads(raw)
        items = data["memories"]
        if not isinstance(items, list):
            raise TypeError("memories is not a list")
    except (ValueError, KeyError, TypeError):
        stats["malformed"] += 1
        return []
    numbers: dict[int, SourceMessage] = refs["messages"]
    known: dict[int, MemoryView] = refs["known"]
    ai_name = inp.companion_name.lower()
    user_words = content_words(inp.user_name)
    out: list[Candidate] = []
    for item in items[:MAX_ITEMS]:
        if not isinstance(item, dict):
            stats["malformed"] += 1
            continue
        kind = item.get("kind")
        text = item.get("text")
        if kind not in EXTRACT_KINDS or not isinstance(text, str):
            stats["malformed"] += 1
            continue
        text = " ".join(text.split())
        if len(text) < 3 or len(text) > MAX_ITEM_CHARS:
            stats["dropped_length"] += 1
            continue
        raw_sources = item.get("sources")
        if not isinstance(raw_sources, list):
            raw_sources = []
        picked = dict.fromkeys(
            n for n in raw_sources if isinstance(n, int) and not isinstance(n, bool)
        )
        sources = [numbers[n] for n in picked if n in numbers]
        if not sources and len(numbers) == 1:
            sources = list(numbers.values())
        if not sources:
            stats["dropped_unsourced"] += 1
            continue
        source_words = set().union(*(content_words(m.text) for m in sources)) - user_words
        if not (content_words(text) - user_words) & source_words:
            stats["dropped_ungrounded"] += 1
            continue
        lowered = text.lower()
        if (
            re.match(re.escape(ai_name) + r"\b", lowered)
            and not lowered.startswith(inp.user_name.lower())
            and not any(
                re.search(r"\b" + re.escape(ai_name) + r"\b", m.text.lower()) for m in sources
            )
        ):
            stats["dropped_about_companion"] += 1
            continue
        event_date = _event_date(item.get("date"), sources)
        replaces_n = item.get("replaces")
        replaces = (
            known[replaces_n].id if isinstance(replaces_n, int) and replaces_n in known else None
        )
        out.append(Candidate(kind, text, event_date, tuple(m.id for m in sources), replaces))
    return out


def _event_date(raw: object, sources: Sequence[SourceMessage]) -> date | None:
    """A date only where the user's words support one: small models invent dates.

    The time the user named (parsed relative to the day they said it) wins when it is one day;
    the model's date is kept only if it falls inside the span the user named."""
    named = None
    for m in sources:
        named = find_date_range(m.text, m.day)
        if named is not None:
            break
    if named is None:
        return None
    if named.start == named.end:
        return named.start
    if isinstance(raw, str) and raw.strip():
        try:
            proposed = date.fromisoformat(raw.strip()[:10])
        except ValueError:
            return None
        return proposed if named.contains(proposed) else None
    return None


def jaccard(a: str, b: str) -> float:
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def near_duplicate(text: str, existing: Sequence[MemoryView]) -> MemoryView | None:
    best: tuple[float, MemoryView | None] = (0.0, None)
    for m in existing:
        if m.kind == "summary":
            continue
        score = jaccard(text, m.text)
        if score > best[0]:
            best = (score, m)
    return best[1] if best[0] >= DUPLICATE_JACCARD else None


def build_summary_prompt(
    user_name: str,
    companion_name: str,
    previous: str | None,
    messages: Sequence[SourceMessage],
) -> list[ChatMessage]:
    lines = [f"{user_name if m.role == 'user' else companion_name}: {m.text}" for m in messages]
    system = (
        f"You write the running summary of a long conversation between {user_name} and "
        f"{companion_name} (an AI companion). Fold the new messages into the previous summary. "
        f"Keep what matters later: facts about {user_name}, events with their dates, feelings, "
        "plans and open threads. Third person, plain prose, at most 200 words. Reply with the "
        "summary only."
    )
    user = f"Previous summary:\n{previous or '(none)'}\n\nNew messages:\n" + "\n".join(lines)
    return [ChatMessage("system", system), ChatMessage("user", user)]


async def run_extraction(
    provider: Provider,
    inp: ExtractionInput,
    stats: Counter[str],
    *,
    max_tokens: int = 400,
) -> list[Candidate]:
    messages, refs = build_extraction_prompt(inp)
    options = GenerationOptions(max_tokens=max_tokens, temperature=0.0, json_schema=SCHEMA)
    completion = await provider.complete(messages, options)
    stats["calls"] += 1
    return parse_candidates(completion.text, inp, refs, stats)


def apply_candidates(
    memory: MemoryService,
    user_id: str,
    companion_id: str,
    candidates: Sequence[Candidate],
    *,
    review: bool,
    stats: Counter[str],
) -> list[str]:
    """Merge candidates into the user's memory (one transaction). Returns touched item ids."""
    touched: list[str] = []
    with memory.db.transaction(user_id) as s:
        repo = MemoryRepo(s)
        rows = repo.list_for(user_id, companion_id=companion_id, status="active")
        existing = [memory.view(user_id, r) for r in rows]
        by_id = {r.id: r for r in rows}
        for c in candidates:
            target_id = c.replaces
            if target_id is None:
                dup = near_duplicate(c.text, existing)
                target_id = dup.id if dup is not None else None
            if review:
                row = memory.add(
                    s,
                    user_id,
                    companion_id,
                    kind=c.kind,
                    text=c.text,
                    origin="extracted",
                    status="pending",
                    sources=c.sources,
                    event_date=c.event_date,
                    replaces=target_id,
                    actor="extraction",
                )
                stats["pending"] += 1
                touched.append(row.id)
            elif target_id is not None and target_id in by_id:
                target = by_id[target_id]
                if memory.update(
                    s,
                    user_id,
                    target,
                    text=c.text,
                    add_sources=c.sources,
                    event_date=c.event_date if c.event_date else "keep",
                    actor="extraction",
                ):
                    stats["updated"] += 1
                    touched.append(target.id)
            else:
                row = memory.add(
                    s,
                    user_id,
                    companion_id,
                    kind=c.kind,
                    text=c.text,
                    origin="extracted",
                    sources=c.sources,
                    event_date=c.event_date,
                    actor="extraction",
                )
                by_id[row.id] = row
                existing.append(memory.view(user_id, row))
                stats["added"] += 1
                touched.append(row.id)
    return touched
