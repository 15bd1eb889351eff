"""`confide memory ...` against a running server: list, add, edit, delete, forget, clear, mode;
confirmation prompts, one-line errors, and no session left behind."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from confide import cli
from confide.cli import app
from confide.errors import NotFound
from confide.services import Services
from tests.conftest import CANARY_PREFIX
from tests.factories import PASSWORD, admin_db, free_port, make_services, make_settings, running

runner = CliRunner()
MISSING_ID = "0" * 32


@dataclass
class Server:
    url: str
    services: Services
    user_id: str
    companion_id: str
    other_companion_id: str

    def run(self, *args: str, answers: str = "") -> Any:
        """``confide memory <args> --url URL --password-stdin`` as frank."""
        return runner.invoke(
            app,
            ["memory", *args, "--url", self.url, "--password-stdin"],
            input=f"{PASSWORD}\n{answers}",
        )

    def memories(self, **filters: Any) -> list[Any]:
        items, _ = self.services.memory.list(self.user_id, **filters)
        return items

    def add(self, text: str, *, companion_id: str | None = None, **kw: Any) -> str:
        view = self.services.memory.create(
            self.user_id, companion_id or self.companion_id, kind="fact", text=text, **kw
        )
        return view.id


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    # Lexical recall only: the CLI is under test here, and the server shares its stderr.
    settings = make_settings(tmp_path / "srv", embeddings="off")
    services = make_services(settings)
    new = services.accounts.sign_up(
        username="frank",
        email="f@example.org",
        password=PASSWORD,
        date_of_birth=datetime.date(1985, 6, 1),
        client="t",
    )
    user_id = new.identity.user_id
    services.accounts.log_out(new.identity)
    mira = services.companions.create_from_starter(user_id, "mira")
    sol = services.companions.create_from_starter(user_id, "sol")
    with running(settings, services) as url:
        yield Server(url, services, user_id, mira.id, sol.id)
    services.close()


def _one_line_error(result: Any, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("confide: ")]
    assert len(errors) == 1


# --- add, list ------------------------------------------------------------------------------


def test_add_then_list_json_lines(server: Server) -> None:
    result = server.run("add", "frank", server.companion_id, "fact", "Frank keeps honeybees.")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("added memory ")
    new_id = result.output.split()[-1]
    args = ["add", "frank", server.other_companion_id, "event", "Frank ran a 10k."]
    result = server.run(*args, "--pin", "--date", "2026-04-05")
    assert result.exit_code == 0, result.output

    result = server.run("list", "frank", "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 2
    by_text = {m["text"]: m for m in lines}
    bees = by_text["Frank keeps honeybees."]
    assert bees["id"] == new_id
    assert bees["kind"] == "fact"
    assert bees["origin"] == "user"
    assert bees["companion_id"] == server.companion_id
    run = by_text["Frank ran a 10k."]
    assert run["pinned"] is True
    assert run["event_date"] == "2026-04-05"


def test_list_table_shows_ids_names_and_text(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.out, "width", 160)
    item = server.add("Frank's boat is the [bold]Heron[/bold].")
    result = server.run("list", "frank")
    assert result.exit_code == 0, result.output
    assert item in result.output
    assert "Mira" in result.output
    assert "[bold]Heron" in result.output  # shown as written, not as markup


def test_list_empty(server: Server) -> None:
    result = server.run("list", "frank")
    assert result.exit_code == 0, result.output
    assert "no memories" in result.output


def test_list_filters(server: Server) -> None:
    mira_fact = server.add("Frank likes sourdough.")
    sol_fact = server.add("Frank likes rye bread.", companion_id=server.other_companion_id)
    with admin_db(server.services).transaction() as s:
        row = server.services.memory.add(
            s,
            server.user_id,
            server.companion_id,
            kind="preference",
            text="Frank prefers mornings.",
            origin="extracted",
            status="pending",
            actor="extraction",
        )
        pending_id = row.id

    def listed(*args: str) -> set[str]:
        result = server.run("list", "frank", "--json", *args)
        assert result.exit_code == 0, result.output
        return {json.loads(line)["id"] for line in result.output.splitlines() if line.strip()}

    assert listed() == {mira_fact, sol_fact, pending_id}
    assert listed("--companion", server.other_companion_id) == {sol_fact}
    assert listed("--pending") == {pending_id}
    assert listed("--kind", "preference") == {pending_id}
    assert listed("--search", "sourdough") == {mira_fact}


def test_list_pages_past_the_api_limit(server: Server) -> None:
    for i in range(205):
        server.add(f"Frank fact number {i}.")
    result = server.run("list", "frank", "--json")
    assert result.exit_code == 0
    assert len([line for line in result.output.splitlines() if line.strip()]) == 205


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "frank", "CID", "opinion", "text"], "KIND must be one of"),
        (["add", "frank", "CID", "summary", "text"], "KIND must be one of"),
        (["add", "frank", "CID", "fact", "   "], "memory text must not be empty"),
        (["add", "frank", "CID", "fact", "x" * 1001], "text"),
        (["add", "frank", "CID", "fact", "ok", "--date", "5 May"], "--date must be a date"),
        (["add", "frank", MISSING_ID, "fact", "ok"], "no such companion"),
        (["list", "frank", "--kind", "opinion"], "--kind must be one of"),
        (["edit", "frank", MISSING_ID, "--text", "x"], "no such memory"),
        (["edit", "frank", MISSING_ID], "nothing to change"),
        (["delete", "frank", MISSING_ID], "no such memory"),
        (["mode", "frank", "CID", "sometimes"], "MODE must be one of"),
        (["mode", "frank", MISSING_ID, "off"], "no such companion"),
        (["forget", "frank", "the", "--yes"], "say what to forget"),
    ],
    ids=[
        "bad-kind",
        "summary-kind",
        "blank-text",
        "long-text",
        "bad-date",
        "unknown-companion",
        "list-bad-kind",
        "edit-missing",
        "edit-nothing",
        "delete-missing",
        "bad-mode",
        "mode-missing-companion",
        "forget-stopword",
    ],
)
def test_bad_input_one_line_exit_1(server: Server, args: list[str], message: str) -> None:
    args = [server.companion_id if a == "CID" else a for a in args]
    _one_line_error(server.run(*args), message)
    assert server.memories() == []


# --- edit, delete ---------------------------------------------------------------------------


def test_edit_text_and_pin_unpin(server: Server) -> None:
    item = server.add("Frank has a sister.")
    result = server.run("edit", "frank", item, "--text", "Frank has two sisters.")
    assert result.exit_code == 0, result.output
    assert "version 2" in result.output
    assert server.services.memory.get(server.user_id, item).text == "Frank has two sisters."
    assert server.run("edit", "frank", item, "--pin").exit_code == 0
    assert server.services.memory.get(server.user_id, item).pinned is True
    assert server.run("edit", "frank", item, "--unpin").exit_code == 0
    assert server.services.memory.get(server.user_id, item).pinned is False
    history = server.services.memory.history(server.user_id, item)
    assert [(v.old_text, v.new_text, v.actor) for v in history] == [
        (None, "Frank has a sister.", "user"),
        ("Frank has a sister.", "Frank has two sisters.", "user"),
    ]


def test_edit_empty_text_refused_unchanged(server: Server) -> None:
    item = server.add("Frank likes maps.")
    _one_line_error(server.run("edit", "frank", item, "--text", " "), "must not be empty")
    assert server.services.memory.get(server.user_id, item).text == "Frank likes maps."


def test_delete(server: Server) -> None:
    item = server.add("Frank broke his wrist once.")
    keep = server.add("Frank is left-handed.")
    result = server.run("delete", "frank", item)
    assert result.exit_code == 0, result.output
    assert f"deleted memory {item}" in result.output
    assert [m.id for m in server.memories()] == [keep]


# --- forget, clear: confirmation ------------------------------------------------------------


def _conversation_with_source(server: Server, said: str, memory: str) -> tuple[str, str]:
    conv = server.services.conversations.create(
        server.user_id, server.companion_id, None, user_name="frank"
    )
    with httpx.Client(base_url=server.url) as client:
        token = client.post(
            "/api/auth/login", json={"username": "frank", "password": PASSWORD}
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        turn = client.post(
            f"/api/conversations/{conv.id}/messages", json={"content": said}, headers=headers
        ).json()
        client.post("/api/auth/logout", headers=headers)
    message_id = str(turn["user_message"]["id"])
    with admin_db(server.services).transaction() as s:
        row = server.services.memory.add(
            s,
            server.user_id,
            server.companion_id,
            kind="fact",
            text=memory,
            origin="extracted",
            sources=[message_id],
            actor="extraction",
        )
        item_id = row.id
    return message_id, item_id


def test_forget_asks_and_no_cancels(server: Server) -> None:
    item = server.add("Frank's old flame was called Rosalind.")
    result = server.run("forget", "frank", "Rosalind", answers="n\n")
    _one_line_error(result, "cancelled")
    assert "Forget every memory mentioning that?" in result.output
    assert [m.id for m in server.memories()] == [item]


def test_forget_no_answer_cancels(server: Server) -> None:
    server.add("Frank's old flame was called Rosalind.")
    _one_line_error(server.run("forget", "frank", "Rosalind"), "cancelled")
    assert len(server.memories()) == 1


def test_forget_yes_answer_deletes_keeps_messages(server: Server) -> None:
    message_id, item = _conversation_with_source(
        server, "I used to date Rosalind", "Frank's old flame was called Rosalind."
    )
    keep = server.add("Frank likes owls.")
    result = server.run("forget", "frank", "Rosalind", answers="y\n")
    assert result.exit_code == 0, result.output
    assert "forgot 1 memories" in result.output
    assert [m.id for m in server.memories()] == [keep]
    assert server.services.conversations.get_message(server.user_id, message_id).id == message_id


def test_forget_with_messages_and_yes_flag(server: Server) -> None:
    message_id, _ = _conversation_with_source(
        server, "I used to date Rosalind", "Frank's old flame was called Rosalind."
    )
    result = server.run("forget", "frank", "rosalind", "--with-messages", "--yes")
    assert result.exit_code == 0, result.output
    assert "forgot 1 memories and deleted 1 messages" in result.output
    assert server.memories() == []
    with pytest.raises(NotFound):
        server.services.conversations.get_message(server.user_id, message_id)


def test_forget_scoped_to_companion(server: Server) -> None:
    server.add("Frank's car is blue.")
    keep = server.add("Frank's bike is blue.", companion_id=server.other_companion_id)
    result = server.run("forget", "frank", "blue", "--companion", server.companion_id, "--yes")
    assert result.exit_code == 0, result.output
    assert [m.id for m in server.memories()] == [keep]


def test_clear_asks_with_count(server: Server) -> None:
    server.add("Frank one.")
    server.add("Frank two.")
    result = server.run("clear", "frank", answers="n\n")
    _one_line_error(result, "cancelled")
    assert "Delete all 2 memories of every companion?" in result.output
    assert len(server.memories()) == 2
    result = server.run("clear", "frank", answers="y\n")
    assert result.exit_code == 0, result.output
    assert "deleted 2 memories" in result.output
    assert server.memories() == []


def test_clear_one_companion_with_yes(server: Server) -> None:
    server.add("Frank one.")
    keep = server.add("Frank two.", companion_id=server.other_companion_id)
    result = server.run("clear", "frank", "--companion", server.companion_id, "--yes")
    assert result.exit_code == 0, result.output
    assert "deleted 1 memories" in result.output
    assert [m.id for m in server.memories()] == [keep]


# --- mode -----------------------------------------------------------------------------------


def test_mode_round_trip(server: Server) -> None:
    for mode in ("review", "off", "on"):
        result = server.run("mode", "frank", server.companion_id, mode)
        assert result.exit_code == 0, result.output
        assert result.output.strip().endswith(mode)
        assert server.services.memory.mode(server.user_id, server.companion_id) == mode


# --- authentication -------------------------------------------------------------------------


def test_wrong_password_one_line(server: Server) -> None:
    result = runner.invoke(
        app,
        ["memory", "list", "frank", "--url", server.url, "--password-stdin"],
        input="not the password\n",
    )
    _one_line_error(result, "wrong username or password")


def test_unreachable_server_one_line() -> None:
    result = runner.invoke(
        app,
        [
            "memory",
            "list",
            "frank",
            "--url",
            f"http://127.0.0.1:{free_port()}",
            "--password-stdin",
        ],
        input="pw\n",
    )
    _one_line_error(result, "cannot reach confide")


def test_commands_leave_no_session_behind(server: Server) -> None:
    server.add("Frank hums.")
    for args in (["list", "frank"], ["mode", "frank", server.companion_id, "review"]):
        assert server.run(*args).exit_code == 0
    # Log in fresh: that session must be the only one.
    new = server.services.accounts.log_in(username="frank", password=PASSWORD, client="t")
    assert len(server.services.accounts.list_sessions(new.identity)) == 1


def test_token_from_env_must_belong_to_the_user(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = server.services.accounts.log_in(username="frank", password=PASSWORD, client="t")
    monkeypatch.setenv("CONFIDE_TOKEN", new.token)
    server.add("Frank whistles.")
    result = runner.invoke(app, ["memory", "list", "frank", "--url", server.url, "--json"])
    assert result.exit_code == 0, result.output
    assert "Frank whistles." in result.output
    result = runner.invoke(app, ["memory", "list", "george", "--url", server.url])
    _one_line_error(result, "CONFIDE_TOKEN belongs to another user")
    # A token given by the user is theirs to keep: it still works.
    assert len(server.services.accounts.list_sessions(new.identity)) == 1


def test_memory_text_from_cli_stays_out_of_logs(
    server: Server, captured_log_lines: list[str]
) -> None:
    start = len(captured_log_lines)
    text = f"Frank's safe combination is {CANARY_PREFIX}-safe"
    result = server.run("add", "frank", server.companion_id, "fact", text)
    assert result.exit_code == 0, result.output
    item = result.output.split()[-1]
    assert server.run("list", "frank", "--json").exit_code == 0
    assert server.run("edit", "frank", item, "--text", f"{text}!").exit_code == 0
    result = server.run("forget", "frank", f"{CANARY_PREFIX}-safe", "--yes")
    assert "forgot 1 memories" in result.output
    assert not [line for line in captured_log_lines[start:] if CANARY_PREFIX in line]
