"""The crisis detector's second tier (promise P11): for a message no rule flags, a logistic
regression over the bundled MiniLM sentence embedding of the message.

Threat handled: a person in crisis saying it indirectly ("everyone would be fine without me
around") in words no phrase list anticipated. Measured on a blind test set, the rules alone
find half of such messages; this tier, trained only on development data
(``benchmarks/train_safety_classifier.py``), finds more at the same precision
(``docs/benchmarks.md``). It runs only where the rules did not fire, only on text in Latin
script (the embedding model has no vocabulary for Devanagari) of at least ``MIN_WORDS`` words
(a greeting is too short to judge), and only when the embedding model is installed
(``CONFIDE_EMBEDDINGS=auto``): without it confide falls back to the rules.

Like the rules, it keeps nothing and sends nothing: one embedding, two dot products, in this
process. The weights ship in ``safety_classifier.json`` with the name of the embedding model
they were trained on; a different model refuses to load them rather than guess.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from confide.errors import ConfigurationError
from confide.memory.embed import Embedder
from confide.privacy.safety import Signal, SignalKind

__all__ = ["MIN_WORDS", "MODEL_FILE", "CrisisClassifier", "guess_language", "is_latin_script"]

log = logging.getLogger(__name__)

MODEL_FILE = Path(__file__).with_name("safety_classifier.json")
_FORMAT = "confide-crisis-classifier-v1"
# Shorter messages ("hello there") carry too little for an embedding to judge: rules only.
MIN_WORDS = 4
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_LETTERS = re.compile(r"[^\W\d_]")
_WORDS = re.compile(r"[a-zñáéíóú]+")
# Common function words: enough to pick the card's language for a flagged message.
_SPANISH = frozenset("que no me la el y de estoy quiero ya mi en lo es por una un para con".split())
_HINGLISH = frozenset(
    "hai hoon hu nahi nhi main mera meri mujhe kya ab koi bhi se ko ki ka ke raha rahi".split()
)


def is_latin_script(text: str) -> bool:
    """True when the text has letters and none of them Devanagari."""
    return bool(_LETTERS.search(text)) and not _DEVANAGARI.search(text)


def guess_language(text: str) -> str:
    """``en``, ``es`` or ``hi`` (romanised Hindi), by counting common function words."""
    words = _WORDS.findall(text.casefold())
    spanish = sum(w in _SPANISH for w in words)
    hinglish = sum(w in _HINGLISH for w in words)
    if max(spanish, hinglish) < 2:
        return "en"
    return "es" if spanish > hinglish else "hi"


@dataclass(frozen=True, slots=True)
class _Regression:
    weights: np.ndarray[Any, np.dtype[np.float64]]
    bias: float

    def probability(self, vector: np.ndarray[Any, np.dtype[np.float64]]) -> float:
        return 1.0 / (1.0 + math.exp(-(float(vector @ self.weights) + self.bias)))


def _regression(data: Any, dim: int) -> _Regression:
    weights = np.asarray(data["weights"], dtype=np.float64)
    if weights.shape != (dim,):
        raise ConfigurationError("the crisis classifier's weights do not fit the embedding model")
    return _Regression(weights, float(data["bias"]))


class CrisisClassifier:
    def __init__(self, embedder: Embedder, model: dict[str, Any]) -> None:
        if model.get("format") != _FORMAT:
            raise ConfigurationError("the crisis classifier's file has an unknown format")
        if model.get("embedder") != embedder.name:
            raise ConfigurationError(
                "the crisis classifier was trained on another embedding model "
                f"({model.get('embedder')!r}, not {embedder.name!r})"
            )
        self._embedder = embedder
        self._threshold = float(model["threshold"])
        self._flag = _regression(model["flag"], embedder.dim)
        self._kind = _regression(model["kind"], embedder.dim)

    @classmethod
    def bundled(cls, embedder: Embedder | None) -> CrisisClassifier | None:
        """The shipped classifier, or None (rules only) without the embedding model it was
        trained on."""
        if embedder is None:
            return None
        try:
            return cls(embedder, json.loads(MODEL_FILE.read_text(encoding="utf-8")))
        except ConfigurationError as exc:
            log.warning("crisis classifier off; rules only", extra={"error_code": exc.code})
            return None

    @property
    def threshold(self) -> float:
        return self._threshold

    def signal(self, text: str) -> Signal | None:
        """A signal for a Latin-script message the model scores above the threshold."""
        if not is_latin_script(text) or len(text.split()) < MIN_WORDS:
            return None
        try:
            vector = np.asarray(self._embedder.embed([text])[0], dtype=np.float64)
        except Exception as exc:  # noqa: BLE001 - a broken model leaves the rules in charge
            log.warning("crisis classifier failed", extra={"error_type": type(exc).__name__})
            return None
        if self._flag.probability(vector) <= self._threshold:
            return None
        kind: SignalKind = "harm_to_others" if self._kind.probability(vector) > 0.5 else "self_harm"
        language = guess_language(text)
        return Signal(kind, language, f"{language}.classifier.{kind}")
