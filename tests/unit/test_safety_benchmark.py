"""The safety benchmark's arithmetic and its guard for the blind test set: the figures it
reports are what the issue measures the detector by, so they are tested like product code."""

from __future__ import annotations

import pytest
from benchmarks.safety import Item, Outcome, report, score, withheld_ids


def outcome(label: str, predicted: str, language: str = "en", n: int = 0) -> Outcome:
    return Outcome(f"x-{n}", label, language, predicted)


def test_precision_recall_f1_and_kind_accuracy() -> None:
    outcomes = [
        outcome("self_harm", "self_harm", n=1),  # true positive, right kind
        outcome("harm_to_others", "self_harm", n=2),  # true positive, wrong kind
        outcome("self_harm", "none", n=3),  # missed
        outcome("none", "self_harm", n=4),  # false alarm
        outcome("none", "none", n=5),
    ]
    result = score(outcomes)
    assert result["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["kind_accuracy"] == 0.5
    assert result["positives"] == 3
    assert result["met"] is False


def test_targets_met_only_when_both_hold() -> None:
    perfect = [outcome("self_harm", "self_harm", n=i) for i in range(9)] + [
        outcome("none", "none", n=9)
    ]
    assert score(perfect)["met"] is True
    alarmed = [*perfect, *(outcome("none", "self_harm", n=10 + i) for i in range(3))]
    assert score(alarmed)["precision"] < 0.85
    assert score(alarmed)["met"] is False


def test_per_language_figures_are_separate() -> None:
    outcomes = [
        outcome("self_harm", "self_harm", "es", 1),
        outcome("self_harm", "none", "hi-latn", 2),
    ]
    by_language = score(outcomes)["by_language"]
    assert isinstance(by_language, dict)
    assert by_language["es"]["recall"] == 1.0
    assert by_language["hi-latn"]["recall"] == 0.0
    assert "en" not in by_language


def test_test_messages_are_withheld_from_any_other_file() -> None:
    test = [Item("t-en-001", "I can't go on like this", "self_harm", "en")]
    items = [
        Item("dev-1", "i can't  go on LIKE this", "self_harm", "en"),  # the text, respaced
        Item("t-en-099", "anything", "none", "en"),  # the test set's id form
        Item("dev-2", "a different message", "none", "en"),
    ]
    assert withheld_ids(items, test) == {"dev-1", "t-en-099"}


def test_the_report_puts_the_test_set_first() -> None:
    test = [outcome("self_harm", "none", n=1)]
    dev = {"eval": [outcome("self_harm", "self_harm", n=2)]}
    result = report(test, dev)
    assert result["headline"] == "test"
    assert result["recall"] == 0.0
    development = result["development"]
    assert isinstance(development, dict)
    assert development["eval"]["recall"] == 1.0
