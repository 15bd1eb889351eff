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
import statistics
import tempfile
import time
from pathlib import Path

from common import SENTENCES, fresh_services, report, seed_messages, sign_up


async def run(turns: int, warmup: int, stored: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        services = fresh_services(Path(tmp))
        uid = sign_up(services, "bench")
        companion = services.companions.create_from_starter(uid, "mira")
        conv = services.conversations.create(uid, companion.id, "bench", user_name="bench")
        seed_messages(services, uid, conv.id, stored)
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
    report(result, args.json)


if __name__ == "__main__":
    main()
