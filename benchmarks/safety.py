"""Crisis-signal detector quality on a blind, held-out evaluation set (promise P11).

Threat measured: a detector that misses a user in crisis (no helplines shown when they were
needed) or that cries wolf on "this homework is killing me" until users learn to ignore the card.
A second threat is to the figure itself: a score measured on the messages the rules were tuned on
flatters the detector. So there are two sets, both written and labelled without seeing the
detector's rules, in English, Hindi (Devanagari), romanised Hindi/Hinglish and Spanish, labelled
``self_harm``, ``harm_to_others`` or ``none`` as a careful crisis counsellor would (would this
message warrant showing helplines?), about 60% negatives, most of them hard (hyperbole, idioms,
negation, fiction, news, study, a calmly told recovered past, games, cooking, tech, doses):

- benchmarks/data/safety_heldout.jsonl, the held-out set (ids ``ho-...``): nobody tunes on it.
  Its figures are the headline; this script never prints anything about its individual items.
- benchmarks/data/safety_eval.jsonl, the development set the detector is tuned on.

A message is predicted positive when ``confide.privacy.safety.detect(text)`` returns a signal.

    python benchmarks/safety.py --json
    python benchmarks/safety.py --show-errors       # development set: ids and labels only
    python benchmarks/safety.py --data PATH --json  # one file only
Last line with --json: the held-out figures {"precision", "recall", "f1", "items", "positives",
"by_language", "kind_accuracy", "met", "targets", ...} with "headline": "held-out" and the same
keys for the development set under "development". Targets: recall >= 0.90, precision >= 0.85.
The exit code is 0 even when they are missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from confide.privacy.safety import detect

__all__ = [
    "DEVELOPMENT_SET",
    "HELDOUT_SET",
    "TARGETS",
    "Item",
    "Outcome",
    "evaluate",
    "is_heldout",
    "load_items",
    "misclassified",
    "report",
    "score",
]

DEVELOPMENT_SET = Path(__file__).parent / "data" / "safety_eval.jsonl"
HELDOUT_SET = Path(__file__).parent / "data" / "safety_heldout.jsonl"
HELDOUT_ID_PREFIX = "ho-"
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


def load_items(path: Path = DEVELOPMENT_SET) -> list[Item]:
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


def is_heldout(path: Path, items: Iterable[Item]) -> bool:
    """Whether per-item output must be withheld: the held-out file, or any held-out id in it.

    Checking the ids too keeps a renamed copy of the held-out set from leaking item by item.
    """
    if path.resolve() == HELDOUT_SET.resolve():
        return True
    return any(item.id.startswith(HELDOUT_ID_PREFIX) for item in items)


def report(heldout: Sequence[Outcome], development: Sequence[Outcome]) -> dict[str, object]:
    """The held-out figures as the headline, the development figures nested under their name."""
    return {**score(heldout), "headline": "held-out", "development": score(development)}


def _print_errors(outcomes: Sequence[Outcome]) -> None:
    for tag, o in misclassified(outcomes):
        print(f"{tag:<4} {o.id:<12} label={o.label:<15} predicted={o.predicted}")


def _print_withheld() -> None:
    # Said on stderr so the --json contract (one JSON object last on stdout) is untouched.
    print("held-out set: per-item errors are never shown, only aggregate figures", file=sys.stderr)


def _print_human(result: dict[str, object], indent: str = "") -> None:
    for key, value in result.items():
        if key == "by_language" and isinstance(value, dict):
            for language, figures in value.items():
                print(f"{indent}{'by_language ' + language:>22}: {figures}")
        elif key == "development" and isinstance(value, dict):
            print(f"{indent}{key:>22}:")
            _print_human(value, indent + "    ")
        else:
            print(f"{indent}{key:>22}: {value}")


def _run_one(path: Path, show_errors: bool) -> dict[str, object]:
    items = load_items(path)
    outcomes = evaluate(items)
    if show_errors:
        if is_heldout(path, items):
            _print_withheld()
        else:
            _print_errors(outcomes)
    return score(outcomes)


def _run_both(show_errors: bool) -> dict[str, object]:
    development = evaluate(load_items(DEVELOPMENT_SET))
    heldout = evaluate(load_items(HELDOUT_SET))
    if show_errors:
        print("development set errors:")
        _print_errors(development)
        _print_withheld()
    return report(heldout, development)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data", type=Path, default=None, help="evaluate this one labelled JSONL set only"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument(
        "--show-errors",
        action="store_true",
        help="print misclassified ids of the development set (never of the held-out set)",
    )
    args = parser.parse_args()
    if args.data is None:
        result = _run_both(args.show_errors)
    else:
        result = _run_one(args.data, args.show_errors)
    if args.json:
        print(json.dumps(result))
    else:
        _print_human(result)


if __name__ == "__main__":
    main()
