"""Memory extraction quality: the real extraction prompt, schema and validation on labelled
dialogues (benchmarks/data/extraction_cases.json, written for this benchmark).

For each case, the model proposes memories about the user; after validation we score:
- recall: the share of expected facts (each a set of alternative keywords) that some kept
  item mentions; precision: the share of kept items that mention an expected fact;
- leaks: kept items mentioning a forbidden word (persona details, the companion's guesses);
- malformed: outputs that were not valid JSON of the schema; seconds per call (median).

    python benchmarks/extraction.py --json                   # the bundled local model
    python benchmarks/extraction.py --record tests/data/extraction_recorded.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from confide.llm.base import GenerationOptions
from confide.memory.extraction import (
    SCHEMA,
    ExtractionInput,
    SourceMessage,
    build_extraction_prompt,
    parse_candidates,
)
from confide.settings import Settings

CASES = Path(__file__).parent / "data" / "extraction_cases.json"


def inputs(case: dict[str, Any]) -> ExtractionInput:
    msgs = [
        SourceMessage(f"m{i}", role, text, date(2026, 11, 20))
        for i, (role, text) in enumerate(case["messages"])
    ]
    return ExtractionInput(case["user"], case["companion"], date(2026, 11, 20), msgs, [])


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from confide.llm.factory import build_provider

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            provider="local",
            local_model=args.model,
            model_dir=Path(args.model_dir) if args.model_dir else None,
        )
        provider = build_provider(settings)
        cases = json.loads(CASES.read_text())
        stats: Counter[str] = Counter()
        expected = found = kept = correct = leaks = 0
        seconds: list[float] = []
        recorded = []
        for case in cases:
            inp = inputs(case)
            messages, refs = build_extraction_prompt(inp)
            # The persona is part of what the model sees in chat; show it here too, so a
            # model that copies it is caught.
            messages[0] = type(messages[0])(
                "system", messages[0].content + f"\n(Companion persona: {case['persona']})"
            )
            t0 = time.perf_counter()
            completion = await provider.complete(
                messages, GenerationOptions(max_tokens=400, temperature=0.0, json_schema=SCHEMA)
            )
            seconds.append(time.perf_counter() - t0)
            stats["calls"] += 1
            recorded.append({"case": case["messages"], "output": completion.text})
            items = parse_candidates(completion.text, inp, refs, stats)
            texts = [c.text.lower() for c in items]
            kept += len(texts)
            expected += len(case["expect"])
            found += sum(any(any(k in t for k in alts) for t in texts) for alts in case["expect"])
            correct += sum(any(any(k in t for k in alts) for alts in case["expect"]) for t in texts)
            leaks += sum(any(f in t for f in case["forbid"]) for t in texts)
        await provider.aclose()
    if args.record:
        Path(args.record).write_text(json.dumps(recorded, indent=1) + "\n")
    return {
        "benchmark": "extraction",
        "model": f"{provider.name}:{provider.model}",
        "cases": len(cases),
        "recall": round(found / expected, 3) if expected else None,
        "precision": round(correct / kept, 3) if kept else None,
        "items_kept": kept,
        "leaks": leaks,
        "malformed": stats["malformed"],
        "dropped": {k: v for k, v in stats.items() if k.startswith("dropped")},
        "seconds_per_call_p50": round(statistics.median(seconds), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--model", default="default", choices=["default", "small"])
    parser.add_argument("--model-dir", help="where the bundled model is (or is assembled)")
    parser.add_argument("--record", help="write the raw model outputs here (test fixtures)")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
