"""Build the model's messages for one turn, within the context window, counted in tokens.

Order (stable parts first, so llama.cpp reuses its KV cache from one turn to the next):

1. system: persona, tone, example dialogue, then the conversation summary (changes rarely);
2. recent history, oldest first, starting at a *stride-aligned* message so the start only
   moves in jumps of ``HISTORY_STRIDE`` messages, not on every turn;
3. system: recalled memories and a safety card, when there are any (they change every turn,
   so they come after the history);
4. the new user message.

The window always keeps the new message; history is dropped oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from confide.companions.profile import CompanionProfile
from confide.errors import InvalidInput
from confide.llm.base import ChatMessage, Provider, Role

__all__ = [
    "HISTORY_STRIDE",
    "HistoryItem",
    "Prompt",
    "PromptInputs",
    "build_prompt",
    "fill_placeholders",
]

HISTORY_STRIDE = 16
_SAFETY_MARGIN = 16


@dataclass(frozen=True, slots=True)
class HistoryItem:
    seq: int
    role: Role
    text: str

    def __repr__(self) -> str:
        return f"HistoryItem(seq={self.seq}, role={self.role!r}, text=<{len(self.text)} chars>)"


@dataclass(slots=True)
class PromptInputs:
    profile: CompanionProfile
    user_name: str
    new_message: str
    history: Sequence[HistoryItem] = ()  # oldest first
    summary: str | None = None
    memories: Sequence[str] = ()
    safety_card: str | None = None


@dataclass(slots=True)
class Prompt:
    messages: list[ChatMessage]
    tokens: int
    history_used: list[int] = field(default_factory=list)  # seq numbers
    truncated: bool = False
    budget: int = 0  # tokens the prompt may take (window minus reply and margin)
    fixed_tokens: int = 0  # what the system messages and the new message take


def fill_placeholders(text: str, char: str, user: str) -> str:
    """Character-card placeholders: ``{{char}}`` is the companion, ``{{user}}`` the user."""
    return text.replace("{{char}}", char).replace("{{user}}", user)


def system_text(profile: CompanionProfile, user_name: str, summary: str | None) -> str:
    name = profile.name
    parts = [
        f"You are {name}, a companion in a private chat with {user_name}. "
        f"Stay in character as {name}. You are an AI and never claim to be human. "
        "Be kind and honest, keep replies short and conversational, and never invent facts "
        "about the user.",
    ]
    if profile.gender:
        parts.append(f"{name}'s gender: {profile.gender}.")
    if profile.persona:
        parts.append(f"About {name}:\n{fill_placeholders(profile.persona, name, user_name)}")
    if profile.tone:
        parts.append(f"Tone and style:\n{fill_placeholders(profile.tone, name, user_name)}")
    if profile.example_dialogue:
        example = fill_placeholders(profile.example_dialogue, name, user_name)
        parts.append(f"Example of how {name} talks:\n{example}")
    if summary:
        parts.append(f"Summary of the conversation so far:\n{summary}")
    return "\n\n".join(parts)


def context_text(memories: Sequence[str], safety_card: str | None) -> str | None:
    parts: list[str] = []
    if memories:
        parts.append(
            "Things you remember about the user (use only if relevant):\n"
            + "\n".join(f"- {m}" for m in memories)
        )
    if safety_card:
        parts.append(safety_card)
    return "\n\n".join(parts) or None


def stride_start(first_fitting_seq: int) -> int:
    """The first stride-aligned seq (1, 17, 33, ...) at or after ``first_fitting_seq``."""
    offset = (first_fitting_seq - 1) % HISTORY_STRIDE
    return first_fitting_seq if offset == 0 else first_fitting_seq + HISTORY_STRIDE - offset


def build_prompt(inputs: PromptInputs, provider: Provider, *, reply_tokens: int) -> Prompt:
    overhead = provider.message_overhead()

    def cost(text: str) -> int:
        return provider.count_tokens(text) + overhead

    system = ChatMessage("system", system_text(inputs.profile, inputs.user_name, inputs.summary))
    ctx = context_text(inputs.memories, inputs.safety_card)
    tail: list[ChatMessage] = []
    if ctx:
        tail.append(ChatMessage("system", ctx))
    tail.append(ChatMessage("user", inputs.new_message))

    budget = provider.context_size - reply_tokens - _SAFETY_MARGIN
    fixed = cost(system.content) + sum(cost(m.content) for m in tail)
    if fixed > budget:
        raise InvalidInput(
            "the message is too long for the model's context window; send a shorter one",
            code="message_too_long",
        )
    # Walk back from the newest message until the budget is spent.
    used = fixed
    first_fitting: int | None = None
    costs: dict[int, int] = {}
    for item in reversed(inputs.history):
        c = cost(item.text)
        if used + c > budget:
            break
        used += c
        costs[item.seq] = c
        first_fitting = item.seq
    kept = [h for h in inputs.history if first_fitting is not None and h.seq >= first_fitting]
    truncated = len(kept) < len(inputs.history)
    if truncated and kept:
        start = stride_start(kept[0].seq)
        if sum(1 for h in kept if h.seq >= start) < len(kept) // 2 + 1:
            # Too few messages fit for alignment to pay: keep every one that fits.
            start = kept[0].seq
        dropped = [h for h in kept if h.seq < start]
        used -= sum(costs[h.seq] for h in dropped)
        kept = [h for h in kept if h.seq >= start]
    messages = [system, *(ChatMessage(h.role, h.text) for h in kept), *tail]
    return Prompt(
        messages=messages,
        tokens=used,
        history_used=[h.seq for h in kept],
        truncated=truncated,
        budget=budget,
        fixed_tokens=fixed,
    )
