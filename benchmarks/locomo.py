"""Long-term memory recall on LoCoMo-format data, through confide's real memory layer.

Each conversation becomes one user on a fresh instance (real SQLite, sealed rows): the
companion is ``speaker_b``, ``speaker_a`` is the user, every session is one conversation
stored in order at its date, a shared photo is its caption. Then every question of categories
1-4 is asked of ``MemoryService.recall`` and its top-k items are scored:

- evidence recall@5/10/20: the share of a question's evidence dia_ids covered by the top k
  items. An item is credited only with the messages it was built from (its provenance);
- session recall@10; answer containment@10 (the normalised answer occurs in the top-10 text);
- recall latency p50/p95 (ms, k=10, the whole ``recall()`` call: query embedding included);
- memory tokens per query: tokens of the top-10 items' text (budget: 150 tokens per item,
  so at most 1,500 for 10).

    python benchmarks/locomo.py --data ../shared/benchmarks/locomo-dev.json --json [--baseline]
    python benchmarks/locomo.py --data ... --extract 600   # plus extraction, local model, 600 s

``--extract 0`` (the default) recalls over messages (episodes) only, with no model; a positive
budget runs the extraction jobs with the bundled model for at most that many seconds per
conversation and recalls over messages plus the memories extracted in time. The JSON says
which ran (``extraction``). ``--baseline`` adds BM25 over single turns, scored the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import statistics
import string
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from confide.companions.profile import CompanionProfile
from confide.llm.fake import FakeProvider
from confide.memory.embed import load_embedder
from confide.privacy.keys import FileMasterKeyring
from confide.services import Services, build_services
from confide.settings import Settings

EVIDENCE = re.compile(r"D:?(\d+):(\d+)")
SESSION_DATE = re.compile(r"(\d{1,2}):(\d{2})\s*([ap]m)\s+on\s+(\d{1,2})\s+(\w+),?\s+(\d{4})", re.I)
MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
TOKENS_PER_ITEM = 150


def parse_session_date(text: str) -> datetime:
    m = SESSION_DATE.search(text)
    if m is None:
        raise ValueError(f"unrecognised session date: {text!r}")
    hour, minute, ampm, day, month, year = m.groups()
    h = int(hour) % 12 + (12 if ampm.lower() == "pm" else 0)
    return datetime(int(year), MONTHS[month.lower()], int(day), h, int(minute), tzinfo=UTC)


def dia(raw: str) -> list[str]:
    return [f"D{int(a)}:{int(b)}" for a, b in EVIDENCE.findall(raw)]


def normalise(text: str) -> str:
    text = text.lower().translate(str.maketrans("", "", string.punctuation))
    return " ".join(w for w in text.split() if w not in {"a", "an", "the", "and"})


def sessions(conv: dict[str, Any]) -> list[tuple[int, datetime, list[dict[str, Any]]]]:
    keys = [k for k in conv if re.fullmatch(r"session_\d+", k)]
    out = []
    for k in sorted(keys, key=lambda k: int(k.split("_")[1])):
        n = int(k.split("_")[1])
        out.append((n, parse_session_date(conv[f"{k}_date_time"]), conv[k]))
    return out


def turn_text(turn: dict[str, Any]) -> str:
    text = str(turn.get("text", ""))
    if turn.get("blip_caption"):
        text += f" [shares a photo: {turn['blip_caption']}]"
    return text


class CountingFake(FakeProvider):
    """No model is called without --extract; tokens are counted with a real tokenizer."""

    def __init__(self, count: Any) -> None:
        super().__init__()
        self._count = count

    def count_tokens(self, text: str) -> int:
        return int(self._count(text))


def make_services(tmp: Path, provider: Any, embedder: Any) -> Services:
    settings = Settings(
        data_dir=tmp,
        provider="fake",
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
    )
    FileMasterKeyring.create(settings.resolved_master_key_file)
    return build_services(settings, provider=provider, embedder=embedder)


def feed(services: Services, sample: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    """Store the conversation; return (user id, companion id, message id -> dia_id)."""
    conv = sample["conversation"]
    user_name = re.sub(r"[^a-z0-9_]", "", conv["speaker_a"].lower()) or "user"
    new = services.accounts.sign_up(
        username=user_name,
        email=f"{user_name}@example.org",
        password="benchmark password",
        date_of_birth=date(1990, 1, 1),
        client="bench",
    )
    uid = new.identity.user_id
    profile = CompanionProfile(name=conv["speaker_b"], greeting="")
    companion = services.companions.create(uid, profile)
    dia_of: dict[str, str] = {}
    for _n, when, turns in sessions(conv):
        c = services.conversations.create(uid, companion.id, None, user_name=user_name)
        with services.db.transaction() as s:
            for i, turn in enumerate(turns):
                ids = dia(turn["dia_id"])
                role = "user" if turn["speaker"] == conv["speaker_a"] else "assistant"
                row = services.conversations.store_message(
                    s,
                    uid,
                    c.id,
                    role,
                    turn_text(turn),
                    now=when + timedelta(seconds=i),
                    model=None,
                )
                if ids:
                    dia_of[row.id] = ids[0]
        services.memory.embed_messages(uid, c.id, 10**9)
    return uid, companion.id, dia_of


async def extract(services: Services, uid: str, budget_s: float) -> dict[str, Any]:
    from confide.storage.repositories import ConversationRepo

    with services.db.reader() as s:
        convs = ConversationRepo(s).list_for(uid, limit=10_000, offset=0)
    for c in sorted(convs, key=lambda c: c.created_at):
        services.memory_worker.enqueue(uid, c.companion_id, c.id, ["extract"], c.last_seq)
    started = time.monotonic()
    with_timeout = asyncio.timeout(budget_s)
    try:
        async with with_timeout:
            await services.memory_worker.drain(wait_idle=False)
        finished = True
    except TimeoutError:
        finished = False
    items, total = services.memory.list(uid, status="active", limit=1)
    return {
        "seconds": round(time.monotonic() - started, 1),
        "finished": finished,
        "items": total,
        "stats": dict(services.memory_worker.stats),
    }


class TurnBM25:
    """The reference: Okapi BM25 over single turns, plain word tokens."""

    def __init__(self, docs: list[str]) -> None:
        self.docs = [re.findall(r"\w+", d.lower()) for d in docs]
        self.n = len(docs)
        self.avg = sum(map(len, self.docs)) / max(1, self.n)
        self.df: Counter[str] = Counter(w for d in self.docs for w in set(d))
        self.tf = [Counter(d) for d in self.docs]

    def top(self, query: str, k: int) -> list[int]:
        q = set(re.findall(r"\w+", query.lower()))
        scores = []
        for i, tf in enumerate(self.tf):
            s = 0.0
            for w in q:
                if w in tf:
                    idf = math.log(1 + (self.n - self.df[w] + 0.5) / (self.df[w] + 0.5))
                    f = tf[w]
                    s += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * len(self.docs[i]) / self.avg))
            scores.append(s)
        return sorted(range(self.n), key=lambda i: -scores[i])[:k]


def score(
    hits: list[tuple[set[str], str]], evidence: set[str], answer: str
) -> tuple[float, float, bool]:
    covered = set().union(*(h[0] for h in hits)) if hits else set()
    rec = len(covered & evidence) / len(evidence)
    sess = {e.split(":")[0] for e in evidence}
    covered_sess = {c.split(":")[0] for c in covered}
    sess_rec = len(covered_sess & sess) / len(sess)
    contains = normalise(answer) in normalise(" ".join(h[1] for h in hits))
    return rec, sess_rec, contains


def mean(xs: list[float]) -> float:
    return round(statistics.fmean(xs), 4) if xs else 0.0


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(p * len(xs)) - 1))]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    data = json.loads(Path(args.data).read_text())
    embedder = load_embedder("off" if args.lexical_only else "auto")
    if embedder is not None:
        count = embedder.count_tokens
        counter_name = f"{embedder.name} tokenizer"
    else:

        def count(t: str) -> int:
            return math.ceil(len(t) / 4)

        counter_name = "chars/4"
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    latencies: list[float] = []
    tokens: list[int] = []
    extraction: list[dict[str, Any]] = []
    turns_total = 0
    for sample in data:
        with tempfile.TemporaryDirectory() as tmp:
            if args.extract > 0:
                from confide.llm.factory import build_provider

                provider = build_provider(Settings(data_dir=Path(tmp) / "m", provider="local"))
                count = provider.count_tokens
                counter_name = "local model tokenizer"
            else:
                provider = CountingFake(count)
            services = make_services(Path(tmp), provider, embedder)
            t0 = time.perf_counter()
            uid, companion_id, dia_of = feed(services, sample)
            feed_s = time.perf_counter() - t0
            turns_total += len(dia_of)
            if args.extract > 0:
                extraction.append(await extract(services, uid, args.extract))
            baseline = None
            if args.baseline:
                turn_ids = list(dia_of.values())
                texts = [
                    f"{t['speaker']}: {turn_text(t)}"
                    for _n, _w, ts in sessions(sample["conversation"])
                    for t in ts
                ]
                baseline = (TurnBM25(texts), turn_ids, texts)
            services.memory.recall(uid, companion_id, "warm up", k=10, token_budget=1500)
            for qa in sample["qa"]:
                if qa.get("category") == 5 or "answer" not in qa:
                    continue
                evidence = {d for e in qa.get("evidence", []) for d in dia(e)}
                if not evidence:
                    continue
                question, answer = qa["question"], str(qa["answer"])
                cat = str(qa["category"])
                for k in (5, 10, 20):
                    t0 = time.perf_counter()
                    result = services.memory.recall(
                        uid, companion_id, question, k=k, token_budget=TOKENS_PER_ITEM * k
                    )
                    elapsed = (time.perf_counter() - t0) * 1000
                    hits = [
                        ({dia_of[m] for m in _provenance(services, uid, h) if m in dia_of}, h.text)
                        for h in result.hits[:k]
                    ]
                    rec, sess_rec, contains = score(hits, evidence, answer)
                    for key in ("all", cat):
                        per[key][f"recall_at_{k}"].append(rec)
                        if k == 10:
                            per[key]["session_recall_at_10"].append(sess_rec)
                            per[key]["answer_contains_at_10"].append(float(contains))
                    if k == 10:
                        latencies.append(elapsed)
                        tokens.append(sum(count(h.text) for h in result.hits[:k]))
                if baseline is not None:
                    bm, turn_ids, texts = baseline
                    top = bm.top(question, 10)
                    b_rec, _, b_contains = score(
                        [({turn_ids[i]}, texts[i]) for i in top], evidence, answer
                    )
                    for key in ("all", cat):
                        per[key]["baseline_recall_at_10"].append(b_rec)
                        per[key]["baseline_answer_contains_at_10"].append(float(b_contains))
            print(
                f"{sample.get('sample_id')}: {len(dia_of)} turns fed in {feed_s:.1f}s",
                file=sys.stderr,
            )
            services.close()
    allm = per.pop("all")
    out: dict[str, Any] = {
        "benchmark": "locomo",
        "data": Path(args.data).name,
        "conversations": len(data),
        "turns": turns_total,
        "questions": len(allm["recall_at_10"]),
        "recall_at_5": mean(allm["recall_at_5"]),
        "recall_at_10": mean(allm["recall_at_10"]),
        "recall_at_20": mean(allm["recall_at_20"]),
        "session_recall_at_10": mean(allm["session_recall_at_10"]),
        "answer_contains_at_10": mean(allm["answer_contains_at_10"]),
        "search_p50_ms": round(statistics.median(latencies), 2),
        "search_p95_ms": round(percentile(latencies, 0.95), 2),
        "memory_tokens_per_query": round(statistics.fmean(tokens), 1),
        "memory_tokens_max": max(tokens),
        "token_counter": counter_name,
        "dense": embedder is not None,
        "extraction": (
            {"mode": "none (recall over messages only)"}
            if args.extract <= 0
            else {
                "mode": f"local model, {args.extract:.0f} s budget per conversation",
                "runs": extraction,
            }
        ),
        "per_category": {
            cat: {k: mean(v) for k, v in sorted(m.items())} for cat, m in sorted(per.items())
        },
    }
    if args.baseline:
        out["baseline_bm25_turns_recall_at_10"] = mean(allm["baseline_recall_at_10"])
        out["baseline_answer_contains_at_10"] = mean(allm["baseline_answer_contains_at_10"])
    return out


def _provenance(services: Services, uid: str, hit: Any) -> list[str]:
    """The messages a hit was derived from: its own list for episodes, the memory's sources."""
    if hit.kind == "episode":
        return list(hit.message_ids)
    return services.memory.get(uid, hit.ref).sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="a LoCoMo-format JSON file")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--baseline", action="store_true", help="also BM25 over single turns")
    parser.add_argument(
        "--extract", type=float, default=0.0, help="seconds of extraction per conversation"
    )
    parser.add_argument(
        "--lexical-only", action="store_true", help="no dense embeddings (minimal install)"
    )
    args = parser.parse_args()
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
