"""The docs are tested (STYLE.md 13, like datasette's ``tests/test_docs.py``).

A setting, CLI command or HTTP route that is not documented fails the suite, and the README's
quick start stays exactly the two commands the Makefile provides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from confide.cli import app
from confide.settings import Settings
from tests.factories import make_env

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _command_names(command: Any, prefix: str) -> Iterator[str]:
    """Every command path under ``command``, e.g. "confide keys rotate".

    Duck-typed on ``.commands``: recent Typer ships its own copy of click, so an
    ``isinstance(..., click.Group)`` check would miss its groups.
    """
    yield prefix
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _command_names(sub, f"{prefix} {name}")


CLI_COMMANDS = sorted(_command_names(get_command(app), "confide"))


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_docs_settings_field_env_var_is_documented(name: str) -> None:
    assert f"`CONFIDE_{name.upper()}`" in _read(DOCS / "settings.md")


def test_docs_cli_walk_finds_every_subcommand() -> None:
    # Guards the walk itself: if it stopped recursing, the test below would check too little.
    assert {"confide db upgrade", "confide user create", "confide keys rotate"} <= set(CLI_COMMANDS)


@pytest.mark.parametrize("command", CLI_COMMANDS)
def test_docs_cli_command_is_documented(command: str) -> None:
    assert f"`{command}`" in _read(DOCS / "cli.md")


def test_docs_api_every_openapi_path_is_documented(tmp_path: Path) -> None:
    env = make_env(tmp_path / "data")
    try:
        paths = env.client.get("/openapi.json").json()["paths"]
    finally:
        env.client.close()
        env.services.close()
    assert paths, "the OpenAPI spec lists no paths"
    api_doc = _read(DOCS / "api.md")
    missing = [path for path in paths if f"`{path}`" not in api_doc]
    assert missing == []


def _quick_start_commands(readme: str) -> list[str]:
    """The lines inside code blocks of the README's "Quick start" section."""
    match = re.search(r"^## Quick start\n(.*?)(?=^## )", readme, flags=re.M | re.S)
    assert match is not None, "README has no '## Quick start' section"
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", match.group(1), flags=re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_docs_readme_quick_start_is_make_run_and_make_test() -> None:
    assert _quick_start_commands(_read(ROOT / "README.md")) == ["make run", "make test"]


@pytest.mark.parametrize("target", ["run", "test"])
def test_docs_readme_quick_start_target_exists_in_makefile(target: str) -> None:
    assert re.search(rf"^{target}:", _read(ROOT / "Makefile"), flags=re.M)


def test_every_audit_action_is_documented() -> None:
    from confide.memory.events import MemoryEventType
    from confide.privacy.audit import ACTIONS

    text = _read(DOCS / "audit-events.md")
    missing = [a for a in ACTIONS if f"`{a}`" not in text]
    assert missing == []
    # Every memory event type can reach the log, so each must be an action.
    assert set(MemoryEventType.__args__) <= set(ACTIONS)
