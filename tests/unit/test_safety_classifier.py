"""The crisis detector's classifier tier: what it flags beyond the rules, what it never
looks at (short messages, Devanagari), and that it refuses weights of another model."""

from __future__ import annotations

import json

import pytest

from confide.errors import ConfigurationError
from confide.memory.embed import Embedder, load_embedder
from confide.privacy.safety import detect
from confide.privacy.safety_classifier import (
    MODEL_FILE,
    CrisisClassifier,
    guess_language,
    is_latin_script,
)

THREAT = "he keeps humiliating me at work and one day he will get exactly what is coming to him"


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    found = load_embedder("auto")
    if found is None:
        pytest.skip("the bundled embedding model is not installed")
    return found


@pytest.fixture(scope="module")
def classifier(embedder: Embedder) -> CrisisClassifier:
    bundled = CrisisClassifier.bundled(embedder)
    assert bundled is not None
    return bundled


def test_it_finds_a_veiled_threat_the_rules_miss(classifier: CrisisClassifier) -> None:
    assert detect(THREAT) is None
    signal = classifier.signal(THREAT)
    assert signal is not None
    assert signal.kind == "harm_to_others"
    assert signal.rule == "en.classifier.harm_to_others"
    assert THREAT not in repr(signal)


@pytest.mark.parametrize(
    "text",
    [
        "I finished the draft of my novel today and I am happy",
        "what should I cook for dinner with leftover rice and eggs?",
        "this homework is killing me but the deadline is friday",
        "can you recommend a good documentary about suicide prevention work?",
    ],
)
def test_everyday_messages_pass(classifier: CrisisClassifier, text: str) -> None:
    assert classifier.signal(text) is None


@pytest.mark.parametrize(
    "text", ["hello there", "i am done", "मैं अब और नहीं जीना चाहता, सब खत्म करना है"]
)
def test_short_and_devanagari_messages_are_left_to_the_rules(
    classifier: CrisisClassifier, text: str
) -> None:
    assert classifier.signal(text) is None


def test_weights_of_another_model_are_refused(embedder: Embedder) -> None:
    model = json.loads(MODEL_FILE.read_text())
    model["embedder"] = "some-other-model"
    with pytest.raises(ConfigurationError, match="another embedding model"):
        CrisisClassifier(embedder, model)
    model = json.loads(MODEL_FILE.read_text())
    model["flag"]["weights"] = model["flag"]["weights"][:10]
    with pytest.raises(ConfigurationError, match="do not fit"):
        CrisisClassifier(embedder, model)


def test_without_the_embedding_model_there_is_no_classifier() -> None:
    assert CrisisClassifier.bundled(None) is None


class _OtherModel:
    name = "some-other-model"
    dim = 384

    def embed(self, texts: object) -> object:
        raise RuntimeError("the model file is damaged")

    def count_tokens(self, text: str) -> int:
        return 0


def test_another_or_broken_model_leaves_the_rules_in_charge(embedder: Embedder) -> None:
    assert CrisisClassifier.bundled(_OtherModel()) is None  # type: ignore[arg-type]
    model = json.loads(MODEL_FILE.read_text())
    model["embedder"] = _OtherModel.name
    broken = CrisisClassifier(_OtherModel(), model)  # type: ignore[arg-type]
    assert broken.signal(THREAT) is None


def test_the_shipped_file_records_how_it_was_trained() -> None:
    model = json.loads(MODEL_FILE.read_text())
    assert model["threshold"] > 0.5
    assert model["cross_validated"]["precision"] >= 0.9
    assert model["training"]["items"] > 1000


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("nobody would care if I was gone", "en"),
        ("ya no quiero estar aquí, no le importo a nadie", "es"),
        ("mujhe ab kuch achha nahi lagta, koi fayda nahi hai", "hi"),
    ],
)
def test_the_cards_language_is_guessed_from_function_words(text: str, language: str) -> None:
    assert guess_language(text) == language


def test_script_check() -> None:
    assert is_latin_script("hola")
    assert not is_latin_script("नमस्ते")
    assert not is_latin_script("😔 123")


def test_the_turns_second_embedding_of_a_message_is_not_computed_again(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The classifier embeds the new message; recall then asks for the same vector."""
    calls: list[int] = []
    real = embedder._embed  # type: ignore[attr-defined]

    def counted(texts: list[str]) -> object:
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(embedder, "_embed", counted)
    first = embedder.embed([THREAT])
    again = embedder.embed([THREAT])
    assert calls == [1]
    assert (first == again).all()
    again[0][0] = 9.0  # callers get a copy, never the remembered vector
    assert embedder.embed([THREAT])[0][0] != 9.0
    embedder.embed(["another message entirely, for the memory index"])
    assert calls == [1, 1]
