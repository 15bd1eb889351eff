"""The confide CLI: init, doctor, db upgrade, user create, keys rotate, chat."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confide.cli import app
from confide.settings import Settings
from tests import pg
from tests.factories import (
    PASSWORD,
    cli_database_settings,
    cli_databases,
    free_port,
    make_services,
    make_settings,
    running,
)

runner = CliRunner()
_SQLITE_FILES = "asserts the SQLite files confide.db and keys.db in the data dir"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir and environment for CLI runs: fake provider, cheap Argon2; on PostgreSQL,
    two fresh databases (dropped by conftest's autouse fixture when the test ends)."""
    data = tmp_path / "data"
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(data))
    cli_databases(monkeypatch, None)
    monkeypatch.setenv("CONFIDE_PROVIDER", "fake")
    monkeypatch.setenv("CONFIDE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("CONFIDE_ARGON2_MEMORY_KIB", "8")
    monkeypatch.setenv("CONFIDE_ARGON2_PARALLELISM", "1")
    monkeypatch.delenv("CONFIDE_MASTER_KEY", raising=False)
    return data


def cli_settings(data: Path) -> Settings:
    """The settings the CLI runs under: its data dir and, on PostgreSQL, its databases."""
    return make_settings(data, **cli_database_settings())


def test_cli_init_creates_private_key(cli_env: Path) -> None:
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert (cli_env / "master.key").stat().st_mode & 0o777 == 0o600
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 0
    assert "existing" in again.output


@pytest.mark.skipif(pg.using_postgres(), reason=_SQLITE_FILES)
def test_cli_init_creates_sqlite_databases(cli_env: Path) -> None:
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert (cli_env / "confide.db").exists()
    assert (cli_env / "keys.db").exists()


def test_cli_init_refuses_world_readable_key_file(cli_env: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    os.chmod(cli_env / "master.key", 0o644)
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 2
    assert "accessible by other users" in result.output
    assert "Traceback" not in result.output


def test_cli_doctor_masks_secrets_and_reports(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("CONFIDE_MASTER_KEY", secret)
    monkeypatch.setenv("CONFIDE_REMOTE_API_KEY", "sk-test-very-secret")
    result = runner.invoke(app, ["doctor"])
    assert secret not in result.output
    assert "sk-test-very-secret" not in result.output
    assert "********" in result.output
    assert "database" in result.output
    # The fake provider is flagged: it is for tests only.
    assert result.exit_code == 1
    assert "tests only" in result.output


def test_cli_doctor_flags_unsafe_key_file(cli_env: Path) -> None:
    runner.invoke(app, ["init"])
    os.chmod(cli_env / "master.key", 0o640)
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "FAIL master key file" in result.output


def test_cli_bad_setting_one_line_exit_2(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFIDE_MIN_AGE", "10")
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("confide: invalid setting min_age")
    assert len(result.output.strip().splitlines()) == 1


def test_cli_user_create_then_login_works(cli_env: Path) -> None:
    runner.invoke(app, ["init"])
    result = runner.invoke(
        app,
        [
            "user",
            "create",
            "carol",
            "--email",
            "c@example.org",
            "--dob",
            "1980-02-03",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    settings = cli_settings(cli_env)
    services = make_services(settings)
    try:
        new = services.accounts.log_in(username="carol", password=PASSWORD, client="t")
        assert new.identity.username == "carol"
    finally:
        services.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dob", "2020-01-01"], "at least 18"),
        (["--dob", "1-2-3"], "--dob must be a date"),
        (["--dob", "1990-01-01", "--email", "nope"], "email"),
    ],
)
def test_cli_user_create_bad_input_one_line(cli_env: Path, args: list[str], message: str) -> None:
    runner.invoke(app, ["init"])
    base = ["user", "create", "dave", "--email", "d@example.org", "--password-stdin"]
    result = runner.invoke(app, base + args, input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_keys_rotate_keeps_data_readable(cli_env: Path) -> None:
    runner.invoke(app, ["init"])
    settings = cli_settings(cli_env)
    services = make_services(settings)
    new = services.accounts.sign_up(
        username="erin",
        email="e@example.org",
        password=PASSWORD,
        date_of_birth=__import__("datetime").date(1990, 1, 1),
        client="t",
    )
    comp = services.companions.create_from_starter(new.identity.user_id, "sol")
    services.close()
    old_file = (cli_env / "master.key").read_bytes()
    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "1 data keys re-wrapped" in result.output
    assert (cli_env / "master.key").read_bytes() != old_file
    assert (cli_env / "master.key").stat().st_mode & 0o777 == 0o600
    services = make_services(cli_settings(cli_env))
    try:
        assert services.companions.get(new.identity.user_id, comp.id).profile.name == "Sol"
    finally:
        services.close()


def test_cli_keys_rotate_refused_with_env_key(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFIDE_MASTER_KEY", base64.b64encode(os.urandom(32)).decode())
    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 2
    assert "CONFIDE_MASTER_KEY" in result.output


def test_cli_db_upgrade_idempotent(cli_env: Path) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    settings = make_settings(tmp_path / "srv")
    services = make_services(settings)
    services.accounts.sign_up(
        username="frank",
        email="f@example.org",
        password=PASSWORD,
        date_of_birth=__import__("datetime").date(1985, 6, 1),
        client="t",
    )
    with running(settings, services) as url:
        yield url
    services.close()


def test_cli_chat_streams_reply_from_running_server(live_server: str) -> None:
    result = runner.invoke(
        app,
        ["chat", "--url", live_server, "--username", "frank", "--password-stdin"],
        input=f"{PASSWORD}\nhello there companion\n/quit\n",
    )
    assert result.exit_code == 0, result.output
    assert "Chatting with Mira (AI)" in result.output
    assert "ai> I hear you. You said 3 words." in result.output


def test_cli_chat_shows_the_safety_card_and_the_sensitive_warning(live_server: str) -> None:
    result = runner.invoke(
        app,
        ["chat", "--url", live_server, "--username", "frank", "--password-stdin"],
        input=f"{PASSWORD}\nI want to kill myself\nmy card is 4111 1111 1111 1111\n/quit\n",
    )
    assert result.exit_code == 0, result.output
    assert "Nothing was sent to anyone" in result.output
    assert "Emergency:" in result.output
    assert "contains a card number" in result.output
    assert "/api/messages/" in result.output


def test_cli_chat_wrong_password_one_line(live_server: str) -> None:
    result = runner.invoke(
        app,
        ["chat", "--url", live_server, "--username", "frank", "--password-stdin"],
        input="wrong password here\n",
    )
    assert result.exit_code == 1
    assert "wrong username or password" in result.output


def test_cli_chat_unreachable_server_one_line() -> None:
    port = free_port()
    result = runner.invoke(
        app,
        ["chat", "--url", f"http://127.0.0.1:{port}", "--username", "x", "--password-stdin"],
        input="pw\n",
    )
    assert result.exit_code == 1
    assert "cannot reach confide" in result.output


def test_cli_keys_rotate_while_serving_keeps_new_users_readable(cli_env: Path) -> None:
    """A running server must pick up a rotation, or new users' keys get stranded."""
    import datetime

    runner.invoke(app, ["init"])
    settings = cli_settings(cli_env)
    serving = make_services(settings)  # holds the keyring from before the rotation
    assert runner.invoke(app, ["keys", "rotate"]).exit_code == 0
    new = serving.accounts.sign_up(
        username="late",
        email="l@example.org",
        password=PASSWORD,
        date_of_birth=datetime.date(1990, 1, 1),
        client="t",
    )
    serving.close()
    restarted = make_services(cli_settings(cli_env))
    try:
        restarted.keys.forget(new.identity.user_id)
        assert restarted.accounts.profile(new.identity)["username"] == "late"
    finally:
        restarted.close()


def test_cli_unparseable_setting_one_line(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFIDE_TRUSTED_PROXIES", "not-json")
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("confide: invalid setting")
    assert "Traceback" not in result.output
