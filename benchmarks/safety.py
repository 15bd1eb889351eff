"""Crisis-signal detector quality on a blind test set (promise P11).

Threat measured: a detector that misses a user in crisis (no helplines shown when they were
needed) or that cries wolf on "this homework is killing me" until users learn to ignore the card.
A second threat is to the figure itself: a score measured on messages the rules were tuned on
flatters the detector, and a set whose misses are printed one by one soon becomes a set the rules
are tuned on. So there are three sets, all written and labelled without seeing the detector's
rules, in English, Hindi (Devanagari), romanised Hindi/Hinglish and Spanish, labelled
``self_harm``, ``harm_to_others`` or ``none`` as a careful crisis counsellor would (would this
message warrant showing helplines?), about 60% negatives, most of them hard (hyperbole, idioms,
negation, fiction, news, study, a calmly told recovered past, games, cooking, tech, doses):

- benchmarks/data/safety_test.jsonl, the test set (ids ``t-<language>-<n>``): nobody tunes on it.
  Its figures are the headline; this script never prints anything about its individual items.
  An item of any other file that shares an id or a text with it (a copy, a subset, a repeat)
  is left out of that file's figures and errors, so they cannot give single verdicts away.
- benchmarks/data/safety_eval.jsonl and benchmarks/data/safety_heldout.jsonl, the two
  development sets the detector is tuned on; their misclassified ids may be shown.

A message is predicted positive when ``confide.privacy.safety.detect(text)`` returns a signal.

    python benchmarks/safety.py --json
    python benchmarks/safety.py --show-errors       # development sets: ids and labels only
    python benchmarks/safety.py --data PATH --json  # one file only
Last line with --json: the test figures {"precision", "recall", "f1", "items", "positives",
"by_language", "kind_accuracy", "met", "targets", ...} with "headline": "test" and the same keys
for each development set under "development": {"eval": {...}, "heldout": {...}}.
Targets: recall >= 0.90, precision >= 0.85. The exit code is 0 even when they are missed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from confide.privacy.safety import detect

__all__ = [
    "DEVELOPMENT_SETS",
    "EVAL_SET",
    "HELDOUT_SET",
    "TARGETS",
    "TEST_SET",
    "Item",
    "Outcome",
    "evaluate",
    "load_items",
    "misclassified",
    "report",
    "score",
    "withheld_ids",
]

DATA = Path(__file__).parent / "data"
EVAL_SET = DATA / "safety_eval.jsonl"
HELDOUT_SET = DATA / "safety_heldout.jsonl"
TEST_SET = DATA / "safety_test.jsonl"
DEVELOPMENT_SETS: Mapping[str, Path] = {"eval": EVAL_SET, "heldout": HELDOUT_SET}
# The test set's id form; an id of that form is withheld even in a copy whose texts were edited.
TEST_ID = re.compile(r"t-(?:en|hi|hi-latn|es)-\d+")
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


def load_items(path: Path) -> list[Item]:
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


Detector = Callable[[str], object]


def full_detector() -> Detector:
    """What a chat turn asks: the rules, then the classifier tier when the embedding model is
    installed (the same order as ``ChatService.crisis_signal``)."""
    from confide.memory.embed import load_embedder
    from confide.privacy.safety_classifier import CrisisClassifier

    classifier = CrisisClassifier.bundled(load_embedder("auto"))
    if classifier is None:
        return detect
    tier = classifier

    def both(text: str) -> object:
        return detect(text) or tier.signal(text)

    return both


def evaluate(items: Iterable[Item], detector: Detector = detect) -> list[Outcome]:
    """Run the detector once on every item."""
    outcomes = []
    for item in items:
        signal = detector(item.text)
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


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def withheld_ids(items: Iterable[Item], test_items: Iterable[Item]) -> frozenset[str]:
    """Ids of the items whose per-item outcome would tell something about the test set.

    An item is withheld when its id has the test set's form or is a test id, or when its text
    is a test text (up to case and spacing): a renamed, trimmed or merged copy of the test set,
    or a development item that happens to repeat a test message, would otherwise leak the
    detector's verdict on a test message one line at a time.
    """
    test_ids: set[str] = set()
    test_texts: set[str] = set()
    for test_item in test_items:
        test_ids.add(test_item.id)
        test_texts.add(_normalised(test_item.text))
    return frozenset(
        item.id
        for item in items
        if TEST_ID.fullmatch(item.id) or item.id in test_ids or _normalised(item.text) in test_texts
    )


def report(
    test: Sequence[Outcome], development: Mapping[str, Sequence[Outcome]]
) -> dict[str, object]:
    """The test figures as the headline, each development set's figures nested under its name."""
    return {
        **score(test),
        "headline": "test",
        "development": {name: score(outcomes) for name, outcomes in development.items()},
    }


def _print_errors(outcomes: Sequence[Outcome]) -> None:
    for tag, o in misclassified(outcomes):
        print(f"{tag:<4} {o.id:<14} label={o.label:<15} predicted={o.predicted}")


def _print_withheld(items: int, how: str) -> None:
    # Said on stderr so the --json contract (one JSON object last on stdout) is untouched.
    # Only a count of items: never how many of them were misclassified, which on a small
    # file would give away single verdicts.
    print(
        f"{items} test-set item(s) {how}: per-item results on the test set are never shown, "
        "only aggregate figures",
        file=sys.stderr,
    )


def _print_human(result: Mapping[str, object], indent: str = "") -> None:
    for key, value in result.items():
        if key == "by_language" and isinstance(value, dict):
            for language, figures in value.items():
                print(f"{indent}{'by_language ' + language:>22}: {figures}")
        elif key != "targets" and isinstance(value, dict):
            print(f"{indent}{key:>22}:")
            _print_human(value, indent + "    ")
        else:
            print(f"{indent}{key:>22}: {value}")


def _without_test_items(items: list[Item], test_items: list[Item]) -> list[Item]:
    # A file other than the test set is scored and shown without its test-set items: else the
    # figures or error list of a small file holding a few test messages give verdicts away.
    withheld = withheld_ids(items, test_items)
    if withheld:
        _print_withheld(len(withheld), "left out of this file's figures and errors")
    return [item for item in items if item.id not in withheld]


def _run_one(path: Path, show_errors: bool, detector: Detector) -> dict[str, object]:
    items = load_items(path)
    is_test_set = path.resolve() == TEST_SET.resolve()
    if not is_test_set:
        items = _without_test_items(items, load_items(TEST_SET))
    outcomes = evaluate(items, detector)
    if show_errors:
        if is_test_set:
            _print_withheld(len(items), "not shown")
        else:
            _print_errors(outcomes)
    return score(outcomes)


def _run_all(show_errors: bool, detector: Detector) -> dict[str, object]:
    test_items = load_items(TEST_SET)
    development: dict[str, list[Outcome]] = {}
    for name, path in DEVELOPMENT_SETS.items():
        development[name] = evaluate(_without_test_items(load_items(path), test_items), detector)
        if show_errors:
            print(f"development set errors ({name}):")
            _print_errors(development[name])
    test = evaluate(test_items, detector)
    if show_errors:
        _print_withheld(len(test_items), "not shown")
    return report(test, development)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data", type=Path, default=None, help="evaluate this one labelled JSONL set only"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument(
        "--show-errors",
        action="store_true",
        help="print misclassified ids of the development sets (never of the test set)",
    )
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="the rules alone, without the classifier tier over sentence embeddings",
    )
    args = parser.parse_args()
    detector = detect if args.rules_only else full_detector()
    if args.data is None:
        result = _run_all(args.show_errors, detector)
    else:
        result = _run_one(args.data, args.show_errors, detector)
    result["detector"] = "rules" if detector is detect else "rules+classifier"
    if args.json:
        print(json.dumps(result))
    else:
        _print_human(result)


if __name__ == "__main__":
    main()
