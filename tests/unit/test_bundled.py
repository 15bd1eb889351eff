"""The bundled model: chunk lookup and checksum verification (without the 1 GB file)."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from confide.errors import ConfigurationError, ModelChecksumMismatch
from confide.llm.bundled import BUNDLED_MODELS, assemble, chunk_paths


def _parts(tmp_path: Path, *chunks: bytes) -> list[Path]:
    paths = []
    for i, chunk in enumerate(chunks, 1):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(chunk)
        paths.append(p)
    return paths


def _model(data: bytes) -> object:
    return dataclasses.replace(
        BUNDLED_MODELS["small"], size=len(data), sha256=hashlib.sha256(data).hexdigest(), parts=2
    )


def test_assemble_matching_chunks_writes_verified_file(tmp_path: Path) -> None:
    model = _model(b"hello world")
    out = assemble(model, tmp_path / "m", sources=_parts(tmp_path, b"hello ", b"world"))  # type: ignore[arg-type]
    assert out.read_bytes() == b"hello world"
    assert [p.name for p in (tmp_path / "m").iterdir()] == [out.name]


def test_assemble_tampered_chunk_refused_and_nothing_left(tmp_path: Path) -> None:
    model = _model(b"hello world")
    with pytest.raises(ModelChecksumMismatch, match="sha256"):
        assemble(model, tmp_path / "m", sources=_parts(tmp_path, b"hello ", b"w0rld"))  # type: ignore[arg-type]
    assert list((tmp_path / "m").iterdir()) == []


def test_assemble_truncated_chunk_refused(tmp_path: Path) -> None:
    model = _model(b"hello world")
    with pytest.raises(ModelChecksumMismatch):
        assemble(model, tmp_path / "m", sources=_parts(tmp_path, b"hello ", b"wor"))  # type: ignore[arg-type]


def test_chunk_paths_missing_package_names_the_extra() -> None:
    missing = dataclasses.replace(BUNDLED_MODELS["default"], package_prefix="no_such_pkg_part")
    with pytest.raises(ConfigurationError, match=r"confide\[local\]"):
        chunk_paths(missing)


def test_chunk_paths_default_model_installed_in_order() -> None:
    paths = chunk_paths(BUNDLED_MODELS["default"])
    assert len(paths) == 22
    assert [p.name for p in paths] == [f"part{i:02d}.bin" for i in range(1, 23)]
    assert sum(p.stat().st_size for p in paths) == BUNDLED_MODELS["default"].size
