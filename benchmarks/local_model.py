"""Time to first token and generation speed of the bundled model, at turn 1 and turn 20.

Runs one conversation through the real chat service (``ChatService.turn``) with the bundled
Qwen2.5-Coder-1.5B-Instruct model. Because the prompt keeps its stable parts first, llama.cpp
re-evaluates only the new tokens each turn; to show that, turn 20 is also measured with the
KV cache cleared first (``ttft_turn20_cold_s``).

    python benchmarks/local_model.py --json
Last line: {"ttft_turn1_s", "ttft_turn20_s", "tokens_per_s", ...}.
Target: ttft_turn20_s <= 1.5 x ttft_turn1_s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from confide.llm.bundled import BUNDLED_MODELS, assemble
from confide.llm.llamacpp import LlamaCppProvider
from confide.privacy.keys import FileMasterKeyring
from confide.services import build_services
from confide.settings import Settings

USER_LINES = [
    "Hi! I just moved to Lisbon for a new job.",
    "I work as a nurse at a children's hospital.",
    "My cat Pixel hates the new flat, she hides under the bed.",
    "Do you have tips for making friends in a new city?",
    "I used to play volleyball at university.",
    "My sister Ana is visiting next month.",
    "I'm a bit nervous about learning Portuguese.",
    "Yesterday I found a tiny bakery with amazing pastel de nata.",
]


async def timed_turn(chat, uid: str, conv: str, text: str, count) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    first = None
    reply = ""
    async for event in chat.turn(uid, "bench", conv, text):
        if event.kind == "delta" and first is None:
            first = time.perf_counter() - t0
        if event.kind == "reply":
            reply = event.data["message"].content
        if event.kind == "error":
            raise RuntimeError(event.data["message"])
    total = time.perf_counter() - t0
    assert first is not None
    return first, total, count(reply)


async def run(turns: int, reply_tokens: int, model_dir: Path) -> dict[str, object]:
    bundled = BUNDLED_MODELS["default"]
    path = assemble(bundled, model_dir)
    provider = LlamaCppProvider(
        path, n_ctx=4096, n_threads=os.cpu_count() or 2, title=bundled.title
    )
    provider.load()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            provider="local",
            max_reply_tokens=reply_tokens,
            argon2_time_cost=1,
            argon2_memory_kib=8,
            argon2_parallelism=1,
        )
        FileMasterKeyring.create(settings.resolved_master_key_file)
        services = build_services(settings, provider=provider)
        new = services.accounts.sign_up(
            username="bench",
            email="bench@example.org",
            password="benchmark password",
            date_of_birth=date(1990, 1, 1),
            client="bench",
        )
        uid = new.identity.user_id
        comp = services.companions.create_from_starter(uid, "mira")
        conv = services.conversations.create(uid, comp.id, None, user_name="bench").id
        rows = []
        for i in range(turns):
            text = USER_LINES[i % len(USER_LINES)]
            if i == turns - 1:
                # Same turn twice: once from a cold cache (everything re-evaluated) ...
                provider.load().reset()
                cold = await timed_turn(services.chat, uid, conv, text, provider.count_tokens)
            rows.append(await timed_turn(services.chat, uid, conv, text, provider.count_tokens))
        prompt_tokens = services.chat.prepare(uid, "bench", conv, "one more").prompt.tokens
        services.close()
    await provider.aclose()
    speeds = [n / (total - first) for first, total, n in rows if n > 1 and total > first]
    ttft1, ttft20 = rows[0][0], rows[-1][0]
    return {
        "benchmark": "local_model",
        "model": bundled.title,
        "turns": turns,
        "threads": os.cpu_count(),
        "ttft_turn1_s": round(ttft1, 3),
        "ttft_turn20_s": round(ttft20, 3),
        "ttft_turn20_cold_s": round(cold[0], 3),
        "ttft_ratio_20_over_1": round(ttft20 / ttft1, 2),
        "ttft_median_s": round(statistics.median(r[0] for r in rows), 3),
        "tokens_per_s": round(statistics.median(speeds), 2),
        "prompt_tokens_at_end": prompt_tokens,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--reply-tokens", type=int, default=64)
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=Path(os.environ.get("CONFIDE_TEST_MODEL_DIR", ".cache/models")),
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    args = parser.parse_args()
    result = asyncio.run(run(args.turns, args.reply_tokens, args.model_dir))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
