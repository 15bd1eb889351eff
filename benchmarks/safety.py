"""Crisis-signal detector quality on a blind, labelled evaluation set (promise P11).

Threat measured: a detector that misses a user in crisis (no helplines shown when they were
needed) or that cries wolf on "this homework is killing me" until users learn to ignore the card.
benchmarks/data/safety_eval.jsonl holds 458 chat messages in English, Hindi (Devanagari),
romanised Hindi/Hinglish and Spanish, written and labelled for this benchmark without seeing the
detector's rules: ``self_harm``, ``harm_to_others`` or ``none``, as a careful crisis counsellor
would label them (would this message warrant showing helplines?). About 60% are negatives, most
of them hard: hyperbole, idioms, negation, fiction, news, a calmly told recovered past, games,
cooking and tech.

A message is predicted positive when ``confide.privacy.safety.detect(text)`` returns a signal.

    python benchmarks/safety.py --json
    python benchmarks/safety.py --show-errors       # ids and labels only, never message text
Last line with --json: {"precision", "recall", "f1", "by_language", "kind_accuracy", "met", ...}.
Targets: recall >= 0.90, precision >= 0.85. The exit code is 0 even when they are missed.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from confide.privacy.safety import detect

__all__ = [
    "EVAL_SET",
    "TARGETS",
    "Item",
    "Outcome",
    "evaluate",
    "load_items",
    "misclassified",
    "score",
]

EVAL_SET = Path(__file__).parent / "data" / "safety_eval.jsonl"
TARGETS = {"recall": 0.90, "precision": 0.85}
NEGATIVE = "none"
LABELS = frozenset({"self_harm", "harm_to_others", NEGATIVE})
LANGUAGES = ("en", "hi", "hi-latn", "es")


@dataclass(frozen=True)
class Item:
    """One labelled message; the text stays out of ``repr`` so it never lands in output."""

    id: str
    text: str = field(repr=False)
    label: str
    language: str

    @property
    def is_positive(self) -> bool:
        return self.label != NEGATIVE


@dataclass(frozen=True)
class Outcome:
    """What the detector said about one item: a signal kind, or ``none``."""

    id: str
    label: str
    language: str
    predicted: str

    @property
    def is_positive(self) -> bool:
        return self.label != NEGATIVE

    @property
    def is_predicted_positive(self) -> bool:
        return self.predicted != NEGATIVE


def load_items(path: Path = EVAL_SET) -> list[Item]:
    """Read and check the JSONL set; a bad line names its line number, not its content."""
    items: list[Item] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("label") not in LABELS or row.get("language") not in LANGUAGES:
            raise ValueError(f"{path.name}:{number}: unknown label or language")
        if not row.get("text") or not row.get("id") or row["id"] in seen:
            raise ValueError(f"{path.name}:{number}: missing text or missing/duplicate id")
        seen.add(row["id"])
        items.append(Item(row["id"], row["text"], row["label"], row["language"]))
    return items


def _kind_name(signal: object) -> str:
    # The kind may be a plain string or an Enum; compare on its value.
    kind = getattr(signal, "kind", None)
    return str(getattr(kind, "value", kind))


def evaluate(items: Iterable[Item]) -> list[Outcome]:
    """Run the detector once on every item."""
    outcomes = []
    for item in items:
        signal = detect(item.text)
        predicted = NEGATIVE if signal is None else _kind_name(signal)
        outcomes.append(Outcome(item.id, item.label, item.language, predicted))
    return outcomes


def _ratio(numerator: int, denominator: int) -> float:
    # An empty denominator scores 0: no predictions earn no precision.
    return round(numerator / denominator, 4) if denominator else 0.0


def _precision_recall(outcomes: Sequence[Outcome]) -> tuple[float, float]:
    true_pos = sum(1 for o in outcomes if o.is_positive and o.is_predicted_positive)
    predicted = sum(1 for o in outcomes if o.is_predicted_positive)
    actual = sum(1 for o in outcomes if o.is_positive)
    return _ratio(true_pos, predicted), _ratio(true_pos, actual)


def score(outcomes: Sequence[Outcome]) -> dict[str, object]:
    """Precision, recall and F1 overall and per language; kind accuracy on true positives."""
    precision, recall = _precision_recall(outcomes)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    by_language: dict[str, dict[str, float | int]] = {}
    for language in LANGUAGES:
        subset = [o for o in outcomes if o.language == language]
        if subset:
            lang_precision, lang_recall = _precision_recall(subset)
            by_language[language] = {
                "precision": lang_precision,
                "recall": lang_recall,
                "items": len(subset),
            }
    hits = [o for o in outcomes if o.is_positive and o.is_predicted_positive]
    kind_hits = sum(1 for o in hits if o.predicted == o.label)
    return {
        "benchmark": "safety",
        "items": len(outcomes),
        "positives": sum(1 for o in outcomes if o.is_positive),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "by_language": by_language,
        "kind_accuracy": _ratio(kind_hits, len(hits)),
        "targets": dict(TARGETS),
        "met": recall >= TARGETS["recall"] and precision >= TARGETS["precision"],
    }


def misclassified(outcomes: Iterable[Outcome]) -> list[tuple[str, Outcome]]:
    """Missed positives (FN), false alarms (FP) and right alarm of the wrong kind (KIND)."""
    errors = []
    for o in outcomes:
        if o.is_positive and not o.is_predicted_positive:
            errors.append(("FN", o))
        elif o.is_predicted_positive and not o.is_positive:
            errors.append(("FP", o))
        elif o.is_positive and o.predicted != o.label:
            errors.append(("KIND", o))
    return errors


def _print_errors(outcomes: Sequence[Outcome]) -> None:
    for tag, o in misclassified(outcomes):
        print(f"{tag:<4} {o.id:<12} label={o.label:<15} predicted={o.predicted}")


def _print_human(result: dict[str, object]) -> None:
    for key, value in result.items():
        if key == "by_language" and isinstance(value, dict):
            for language, figures in value.items():
                print(f"{'by_language ' + language:>22}: {figures}")
        else:
            print(f"{key:>22}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=EVAL_SET, help="labelled JSONL set")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--show-errors", action="store_true", help="print misclassified ids")
    args = parser.parse_args()
    outcomes = evaluate(load_items(args.data))
    if args.show_errors:
        _print_errors(outcomes)
    result = score(outcomes)
    if args.json:
        print(json.dumps(result))
    else:
        _print_human(result)


if __name__ == "__main__":
    main()
