"""The benchmarks stay runnable: each runs at a tiny size and prints its JSON line.

Timings are not asserted here (machines are noisy); the figures live in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _last_json_line(script: str, *args: str) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603 - our own scripts, run with this interpreter
        [sys.executable, str(BENCHMARKS / script), *args, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("script", "args", "keys"),
    [
        (
            "export_erase.py",
            ("--messages", "300", "--repeats", "1"),
            {"export_100k_s", "erase_ms", "erase_small_ms", "archive_bytes"},
        ),
        ("turn_overhead.py", ("--turns", "5", "--warmup", "1", "--stored", "200"), {"p50_ms"}),
        ("safety.py", (), {"precision", "recall", "items", "headline", "development"}),
    ],
)
def test_benchmark_runs_and_reports(script: str, args: tuple[str, ...], keys: set[str]) -> None:
    result = _last_json_line(script, *args)
    assert keys <= set(result)
    assert all(result[k] is not None for k in keys)


def test_pii_shield_benchmark_at_a_small_size_leaks_nothing() -> None:
    """The real pipeline with a recording remote fake: no identifier reaches it (P7)."""
    result = _last_json_line("pii_shield.py", "--items", "40", "--seed", "3")
    assert result["items"] == 40
    assert result["leaked"] == 0
    assert result["restored_ok"] == 1.0


@pytest.mark.skipif(
    not any(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
    reason="needs Debian's postgresql package (initdb) for a throwaway server",
)
def test_multi_node_benchmark_at_a_small_size_has_no_errors() -> None:
    """Two `confide serve` processes on one PostgreSQL; each user's turns alternate nodes."""
    result = _last_json_line("multi_node.py", "--users", "2", "--turns", "2")
    assert result["errors"] == 0
    for phase in ("one_node", "two_nodes"):
        figures = result[phase]
        assert isinstance(figures, dict)
        assert figures["errors"] == 0, figures["error_kinds"]
        assert figures["turns"] == 4
