"""Server-side cost of one chat turn, with an instant fake provider.

A user with 10,000 stored messages (in the conversation being continued, the worst case for
history loading) sends turns through ``ChatService.complete_turn``: validation, sealing and
storing the user's message, loading and decrypting recent history, fitting the prompt in the
context window, the (instant) model call, sealing and storing the reply. Real SQLite on disk.

    python benchmarks/turn_overhead.py --json
Last line: {"p50_ms", "p99_ms", "turns_per_s", ...}. Targets: p50 <= 5 ms, p99 <= 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from confide.clock import utcnow
from confide.ids import new_id
from confide.llm.fake import FakeProvider
from confide.privacy.keys import FileMasterKeyring
from confide.services import build_services
from confide.settings import Settings
from confide.storage.tables import Message

SENTENCES = [
    "I went for a long walk by the river today and saw two herons.",
    "Work was stressful, my manager moved the deadline again.",
    "That sounds lovely! What did the herons look like up close?",
    "I'm thinking about learning to bake sourdough this winter.",
    "Do you remember what I told you about my sister's wedding?",
    "Of course. How are the preparations going?",
]


def seed(services, user_id: str, conversation_id: str, count: int) -> None:  # type: ignore[no-untyped-def]
    vault = services.vault
    start = utcnow() - timedelta(days=365)
    with services.db.transaction() as s:
        for i in range(count):
            mid = new_id()
            text = SENTENCES[i % len(SENTENCES)] + f" ({i})"
            s.add(
                Message(
                    id=mid,
                    user_id=user_id,
                    conversation_id=conversation_id,
                    seq=i + 2,
                    role="user" if i % 2 == 0 else "assistant",
                    content_ct=vault.seal(user_id, "messages", "content_ct", mid, text),
                    status="complete",
                    model=None if i % 2 == 0 else "fake:fake-model",
                    created_at=start + timedelta(minutes=i),
                )
            )
        from sqlalchemy import update

        from confide.storage.tables import Conversation

        s.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(last_seq=count + 1)
        )


async def run(turns: int, warmup: int, stored: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            provider="fake",
            argon2_time_cost=1,
            argon2_memory_kib=8,
            argon2_parallelism=1,
        )
        FileMasterKeyring.create(settings.resolved_master_key_file)
        services = build_services(settings, provider=FakeProvider())
        new = services.accounts.sign_up(
            username="bench",
            email="bench@example.org",
            password="benchmark password",
            date_of_birth=date(1990, 1, 1),
            client="bench",
        )
        uid = new.identity.user_id
        companion = services.companions.create_from_starter(uid, "mira")
        conv = services.conversations.create(uid, companion.id, "bench", user_name="bench")
        seed(services, uid, conv.id, stored)
        chat = services.chat
        latencies = []
        for i in range(warmup + turns):
            text = SENTENCES[i % len(SENTENCES)]
            t0 = time.perf_counter()
            await chat.complete_turn(uid, "bench", conv.id, text)
            if i >= warmup:
                latencies.append((time.perf_counter() - t0) * 1000)
        services.close()
    latencies.sort()
    p99_index = min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))
    return {
        "benchmark": "turn_overhead",
        "stored_messages": stored,
        "turns": turns,
        "p50_ms": round(statistics.median(latencies), 3),
        "p99_ms": round(latencies[p99_index], 3),
        "mean_ms": round(statistics.fmean(latencies), 3),
        "turns_per_s": round(1000 / statistics.fmean(latencies), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--stored", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    args = parser.parse_args()
    result = asyncio.run(run(args.turns, args.warmup, args.stored))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>16}: {value}")


if __name__ == "__main__":
    main()
