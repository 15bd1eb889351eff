"""The prompt builder: message order, placeholders, the token budget, and the stride-aligned
history start that keeps the prompt's prefix identical from one turn to the next (KV cache)."""

from __future__ import annotations

import math
import random

import pytest

from confide.chat.prompt import (
    HISTORY_STRIDE,
    HistoryItem,
    Prompt,
    PromptInputs,
    build_prompt,
    stride_start,
)
from confide.companions.profile import CompanionProfile
from confide.errors import InvalidInput
from confide.llm.base import ChatMessage
from confide.llm.fake import FakeProvider

PROFILE = CompanionProfile(
    name="Mira",
    gender="female",
    persona="A lighthouse keeper who collects sea glass.",
    tone="Warm and dry.",
    example_dialogue="{{user}}: Hi\n{{char}}: Oh, hello.",
)
REPLY_TOKENS = 100


def cost(message: ChatMessage) -> int:
    return math.ceil(len(message.content) / 4) + 4


def total(prompt: Prompt) -> int:
    return sum(cost(m) for m in prompt.messages)


def history(
    n: int, *, start: int = 1, chars: int = 36, seed: int | None = None
) -> list[HistoryItem]:
    """``n`` alternating user/assistant items with seqs ``start..start+n-1``."""
    rng = random.Random(seed)
    out = []
    for seq in range(start, start + n):
        length = chars if seed is None else rng.randint(chars // 3, chars * 2)
        role = "user" if seq % 2 else "assistant"
        out.append(HistoryItem(seq, role, f"m{seq} " + "x" * length))
    return out


def build(
    items: list[HistoryItem],
    *,
    context: int = 4096,
    new: str = "and now?",
    profile: CompanionProfile = PROFILE,
    summary: str | None = None,
    memories: list[str] | None = None,
    safety_card: str | None = None,
) -> Prompt:
    inputs = PromptInputs(
        profile=profile,
        user_name="alice",
        new_message=new,
        history=items,
        summary=summary,
        memories=memories or [],
        safety_card=safety_card,
    )
    return build_prompt(inputs, FakeProvider(context_size=context), reply_tokens=REPLY_TOKENS)


def as_messages(items: list[HistoryItem]) -> list[ChatMessage]:
    return [ChatMessage(h.role, h.text) for h in items]


# --- order and content ----------------------------------------------------------------------


def test_build_prompt_no_history_system_then_user() -> None:
    prompt = build([])
    assert [m.role for m in prompt.messages] == ["system", "user"]
    assert prompt.messages[-1] == ChatMessage("user", "and now?")
    assert prompt.history_used == []
    assert prompt.truncated is False


def test_build_prompt_system_has_profile_fields() -> None:
    system = build([]).messages[0].content
    for text in ("Mira", "alice", "female", PROFILE.persona, PROFILE.tone):
        assert text in system


def test_build_prompt_history_fits_kept_whole_in_order() -> None:
    items = history(10)
    prompt = build(items)
    assert prompt.messages[1:-1] == as_messages(items)
    assert prompt.history_used == list(range(1, 11))
    assert prompt.truncated is False


def test_build_prompt_untruncated_history_not_stride_aligned() -> None:
    items = history(6, start=5)  # e.g. older messages deleted or summarised
    prompt = build(items)
    assert prompt.history_used == [5, 6, 7, 8, 9, 10]


def test_build_prompt_memories_and_safety_card_after_history_before_user() -> None:
    items = history(4)
    prompt = build(items, memories=["likes tea", "has a dog"], safety_card="SAFETY CARD")
    roles = [m.role for m in prompt.messages]
    assert roles == ["system", "user", "assistant", "user", "assistant", "system", "user"]
    context = prompt.messages[-2].content
    assert "- likes tea" in context
    assert "- has a dog" in context
    assert "SAFETY CARD" in context
    assert "likes tea" not in prompt.messages[0].content
    assert prompt.messages[1:-2] == as_messages(items)


@pytest.mark.parametrize(
    ("memories", "card"), [(["likes tea"], None), ([], "SAFETY CARD")], ids=["mem", "card"]
)
def test_build_prompt_either_context_part_alone_gives_context_message(
    memories: list[str], card: str | None
) -> None:
    prompt = build(history(2), memories=memories, safety_card=card)
    assert [m.role for m in prompt.messages] == ["system", "user", "assistant", "system", "user"]


def test_build_prompt_without_memories_or_card_no_context_message() -> None:
    prompt = build(history(2), memories=[], safety_card=None)
    assert [m.role for m in prompt.messages] == ["system", "user", "assistant", "user"]


def test_build_prompt_summary_in_first_system_message_only() -> None:
    prompt = build(history(2), summary="They talked about boats.")
    assert "They talked about boats." in prompt.messages[0].content
    assert all("boats" not in m.content for m in prompt.messages[1:])
    assert "boats" not in build(history(2)).messages[0].content


def test_build_prompt_placeholders_in_persona_filled() -> None:
    profile = CompanionProfile(
        name="Sol",
        persona="{{char}} is {{user}}'s oldest friend. {{char}} remembers.",
        tone="{{char}} teases {{user}} gently.",
        example_dialogue="{{user}}: hey\n{{char}}: hey yourself",
    )
    system = build([], profile=profile).messages[0].content
    assert "Sol is alice's oldest friend. Sol remembers." in system
    assert "Sol teases alice gently." in system
    assert "alice: hey\nSol: hey yourself" in system
    assert "{{" not in system


def test_build_prompt_tokens_counts_every_message() -> None:
    prompt = build(history(30, seed=3), context=900, memories=["a memory"])
    assert prompt.tokens == total(prompt)


# --- the budget and truncation --------------------------------------------------------------


@pytest.mark.parametrize("context", [600, 800, 1000, 1500])
def test_build_prompt_truncated_within_budget_drops_oldest(context: int) -> None:
    items = history(120, seed=context)
    prompt = build(items, context=context)
    assert prompt.truncated is True
    assert total(prompt) <= context - REPLY_TOKENS
    kept = prompt.history_used
    assert kept, "some history fits"
    assert kept == list(range(kept[0], 121)), "a contiguous run ending at the newest message"
    assert prompt.messages[0].role == "system"
    assert prompt.messages[-1] == ChatMessage("user", "and now?")
    assert prompt.messages[1:-1] == as_messages(items[kept[0] - 1 :])


@pytest.mark.parametrize("n", [40, 41, 47, 50, 63, 64, 90])
def test_build_prompt_truncated_start_is_stride_aligned(n: int) -> None:
    prompt = build(history(n), context=700)
    assert prompt.truncated is True
    assert prompt.history_used[0] % HISTORY_STRIDE == 1


def test_build_prompt_truncated_with_context_message_still_within_budget() -> None:
    memories = ["m" * 200, "n" * 200]
    prompt = build(history(80), context=900, memories=memories, safety_card="c" * 100)
    assert prompt.truncated is True
    assert total(prompt) <= 900 - REPLY_TOKENS
    assert prompt.messages[-2].role == "system"
    assert prompt.messages[-1].role == "user"


def test_build_prompt_new_message_alone_over_budget_message_too_long() -> None:
    with pytest.raises(InvalidInput) as info:
        build(history(4), context=600, new="w" * 4000)
    assert info.value.code == "message_too_long"
    assert info.value.status == 422
    assert "w" * 20 not in info.value.message


def test_build_prompt_new_message_plus_memories_over_budget_message_too_long() -> None:
    with pytest.raises(InvalidInput) as info:
        build([], context=600, new="w" * 1000, memories=["r" * 1000])
    assert info.value.code == "message_too_long"


def longest_fitting_message(context: int) -> int:
    """The longest new message (in chars) that build_prompt accepts with no history."""
    low, high = 0, context * 4
    while low < high:
        mid = (low + high + 1) // 2
        try:
            build([], context=context, new="w" * mid)
        except InvalidInput:
            high = mid - 1
        else:
            low = mid
    return low


def test_build_prompt_new_message_just_fits_keeps_no_history() -> None:
    longest = longest_fitting_message(1000)
    assert longest > 0
    prompt = build(history(10), context=1000, new="w" * longest)
    assert prompt.history_used == []
    assert prompt.truncated is True
    assert [m.role for m in prompt.messages] == ["system", "user"]
    assert total(prompt) <= 1000 - REPLY_TOKENS
    with pytest.raises(InvalidInput):
        build(history(10), context=1000, new="w" * (longest + 4))


# --- stride alignment keeps the prefix stable (KV cache) -------------------------------------


def simulate(turns: int, *, context: int, seed: int) -> list[tuple[list[HistoryItem], Prompt]]:
    """One prompt per turn; each turn adds the user's message and the reply to the history."""
    rng = random.Random(seed)
    items: list[HistoryItem] = []
    out = []
    for turn in range(turns):
        text = f"turn {turn} " + "y" * rng.randint(10, 80)
        prompt = build(list(items), context=context, new=text)
        out.append((list(items), prompt))
        seq = len(items) + 1
        items.append(HistoryItem(seq, "user", text))
        items.append(HistoryItem(seq + 1, "assistant", f"reply {seq} " + "z" * rng.randint(10, 80)))
    return out


def test_build_prompt_consecutive_turns_share_identical_prefix() -> None:
    runs = simulate(120, context=1200, seed=11)
    stable = 0
    for (_, before), (_, after) in zip(runs, runs[1:], strict=False):
        if before.history_used[:1] != after.history_used[:1]:
            continue
        stable += 1
        prefix = before.messages[:-1]  # system + history: everything but the new message
        assert after.messages[: len(prefix)] == prefix
    assert stable > 100


def test_build_prompt_history_start_moves_only_when_budget_forces_it() -> None:
    runs = simulate(150, context=1200, seed=5)
    starts = [p.history_used[0] for _, p in runs if p.truncated]
    assert starts, "the window was exceeded at some point"
    jumps = 0
    previous: int | None = None
    for items, prompt in runs:
        if not prompt.truncated:
            assert prompt.history_used == [h.seq for h in items]
            continue
        start = prompt.history_used[0]
        assert start % HISTORY_STRIDE == 1
        assert total(prompt) <= 1200 - REPLY_TOKENS
        if previous is not None and start != previous:
            jumps += 1
            assert start > previous
            # The old start no longer fits: keeping everything from it overflows the budget.
            from_old = [h for h in items if h.seq >= previous]
            assert build(from_old, context=1200, new=prompt.messages[-1].content).truncated
        previous = start
    assert jumps >= 3
    assert len(set(starts)) == jumps + 1


def test_build_prompt_fewer_than_stride_fit_still_keeps_newest_history() -> None:
    items = history(30)  # seqs 1..30; about 10 fit in this window
    prompt = build(items, context=400)
    assert prompt.truncated is True
    assert prompt.history_used, "the newest messages fit and must be kept"
    assert prompt.history_used[-1] == 30


# --- stride_start ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_fitting", "expected"),
    [(1, 1), (2, 17), (16, 17), (17, 17), (18, 33), (32, 33), (33, 33), (100, 113)],
)
def test_stride_start_rounds_up_to_aligned_seq(first_fitting: int, expected: int) -> None:
    assert HISTORY_STRIDE == 16
    assert stride_start(first_fitting) == expected


def test_stride_start_every_value_aligned_and_not_earlier() -> None:
    for seq in range(1, 200):
        start = stride_start(seq)
        assert start % HISTORY_STRIDE == 1
        assert seq <= start < seq + HISTORY_STRIDE
