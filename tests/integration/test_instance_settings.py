"""The Settings page and the instance owner: password change, the owner's minimum age and
model choice (P12, P13), through the pages, the API and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from confide.app import create_app
from confide.cli import app as cli_app
from confide.llm.base import Provider
from confide.llm.fake import FakeProvider
from confide.llm.selectable import ModelChoice, SelectableProvider
from confide.storage.tables import AuditEntry
from confide.storage.tables import User as UserRow
from tests.factories import (
    PASSWORD,
    Env,
    MutableClock,
    admin_db,
    cli_databases,
    make_env,
    make_services,
    make_settings,
)
from tests.integration.test_web_pages import HTML, form_token, signup_form

NEW_PASSWORD = "an-entirely-new-passphrase"


def page_signup(env: Env, username: str, dob: str = "1990-05-17") -> TestClient:
    """A separate browser (cookie jar) signed up through the form; returns its client."""
    client = TestClient(env.client.app)
    token = form_token(client.get("/signup", headers=HTML).text)
    r = client.post(
        "/signup",
        data={
            "username": username,
            "email": f"{username}@example.org",
            "password": PASSWORD,
            "date_of_birth": dob,
            "memory": "on",
            "csrf_token": token,
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def settings_token(client: TestClient) -> str:
    return form_token(client.get("/settings", headers=HTML).text)


def owner_flags(env: Env) -> dict[str, bool]:
    with admin_db(env.services).reader() as s:
        return {
            name: bool(flag) for name, flag in s.execute(select(UserRow.username, UserRow.is_owner))
        }


def audit_rows(env: Env) -> list[tuple[str, str | None]]:
    """Every audit entry's action and object, oldest first (whoever's log it is in)."""
    with admin_db(env.services).reader() as s:
        rows = s.execute(select(AuditEntry.action, AuditEntry.object_ref).order_by(AuditEntry.seq))
        return [(action, ref) for action, ref in rows]


def audit_actions(env: Env) -> list[str]:
    return [action for action, _ in audit_rows(env)]


# --- who the owner is ---------------------------------------------------------------------------


def test_first_account_on_a_loopback_instance_is_the_owner_and_only_it(env: Env) -> None:
    page_signup(env, "alice")
    page_signup(env, "bob")
    assert owner_flags(env) == {"alice": True, "bob": False}


def test_no_owner_when_first_user_is_owner_is_off(tmp_path: Path) -> None:
    env = make_env(tmp_path / "d", first_user_is_owner=False)
    try:
        page_signup(env, "alice")
        assert owner_flags(env) == {"alice": False}
    finally:
        env.services.close()


def test_a_server_listening_beyond_loopback_has_no_automatic_owner(tmp_path: Path) -> None:
    everywhere = "0.0.0.0"  # noqa: S104 (a setting under test, nothing binds)
    assert make_settings(tmp_path, host=everywhere).first_user_is_owner_resolved is False
    assert make_settings(tmp_path, host="127.0.0.1").first_user_is_owner_resolved is True
    forced = make_settings(tmp_path, host=everywhere, first_user_is_owner=True)
    assert forced.first_user_is_owner_resolved is True


def test_cli_owner_grant_revoke_list_are_audited_in_the_users_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(tmp_path / "d", first_user_is_owner=False)
    cli_databases(monkeypatch, env.settings)
    try:
        page_signup(env, "bob")
        runner = CliRunner()
        args = ["--data-dir", str(env.settings.data_dir)]
        r = runner.invoke(cli_app, ["owner", "grant", "BOB", *args])
        assert r.exit_code == 0, r.output
        assert owner_flags(env) == {"bob": True}
        r = runner.invoke(cli_app, ["owner", "list", *args])
        assert "owners: bob" in r.output
        assert "minimum age for new accounts: 18" in r.output
        r = runner.invoke(cli_app, ["owner", "revoke", "bob", *args])
        assert r.exit_code == 0
        assert owner_flags(env) == {"bob": False}
        assert audit_actions(env).count("owner.granted") == 1
        assert audit_actions(env).count("owner.revoked") == 1
        r = runner.invoke(cli_app, ["owner", "grant", "nobody", *args])
        assert r.exit_code != 0
        assert "no such user" in r.output
    finally:
        env.services.close()


# --- password change ----------------------------------------------------------------------------


def test_password_change_from_settings_ends_other_sessions(env: Env) -> None:
    client = page_signup(env, "alice")
    other = env.sign_up  # noqa: F841 (API users are separate accounts; a second session:)
    second = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert second.status_code == 200
    other_token = second.json()["token"]
    r = client.post(
        "/settings/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "csrf_token": settings_token(client),
        },
        headers=HTML,
    )
    assert r.status_code == 200
    assert "Your password was changed" in r.text
    # The other session is gone; this one stays; the new password logs in, the old does not.
    gone = env.client.get("/api/me", headers={"Authorization": f"Bearer {other_token}"})
    assert gone.status_code == 401
    assert client.get("/settings", headers=HTML).status_code == 200
    ok = env.client.post("/api/auth/login", json={"username": "alice", "password": NEW_PASSWORD})
    assert ok.status_code == 200
    old = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert old.status_code == 401


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong-password-here", NEW_PASSWORD, NEW_PASSWORD, "password"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "confirmation differ"),
        (PASSWORD, "short", "short", "at least 10"),
    ],
    ids=["wrong-current", "mismatch", "too-short"],
)
def test_password_change_refused_shows_why_and_keeps_the_old_password(
    env: Env, current: str, new: str, confirm: str, message: str
) -> None:
    client = page_signup(env, "alice")
    r = client.post(
        "/settings/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": confirm,
            "csrf_token": settings_token(client),
        },
        headers=HTML,
    )
    assert 400 <= r.status_code < 500
    assert 'role="alert"' in r.text
    assert message in r.text
    assert current not in r.text  # no password is echoed back
    assert new not in r.text
    ok = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert ok.status_code == 200


def test_settings_forms_without_csrf_token_change_nothing(env: Env) -> None:
    client = page_signup(env, "alice")
    r = client.post(
        "/settings/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
        headers=HTML,
    )
    assert r.status_code == 403
    r = client.post("/settings/min-age", data={"min_age": "30"}, headers=HTML)
    assert r.status_code == 403
    assert env.services.instance.min_age() == 18
    ok = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert ok.status_code == 200


def test_settings_page_needs_sign_in(env: Env) -> None:
    r = env.client.get("/settings", headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login"


# --- minimum age --------------------------------------------------------------------------------


def test_owner_raises_minimum_age_and_sign_up_follows_it(env: Env) -> None:
    owner = page_signup(env, "alice")
    r = owner.post(
        "/settings/min-age",
        data={"min_age": "21", "csrf_token": settings_token(owner)},
        headers=HTML,
    )
    assert r.status_code == 200
    assert "minimum age for new accounts was changed" in r.text
    assert 'value="21"' in r.text
    # A 19-year-old is now refused, on the page and through the API; nothing is stored.
    signup_page = env.client.get("/signup", headers=HTML).text
    assert "at least 21" in signup_page
    nineteen = f"{env.clock.now.year - 19}-01-01"
    r = env.client.post(
        "/signup", data=signup_form(env, username="young", date_of_birth=nineteen), headers=HTML
    )
    assert r.status_code == 403
    assert "at least 21 years old" in r.text
    assert "young" not in owner_flags(env)
    assert [r for r in audit_rows(env) if r[0] == "instance.min_age_changed"] == [
        ("instance.min_age_changed", "21")
    ]


@pytest.mark.parametrize("value", ["12", "121", "abc", ""])
def test_minimum_age_out_of_range_refused_with_message(env: Env, value: str) -> None:
    owner = page_signup(env, "alice")
    r = owner.post(
        "/settings/min-age",
        data={"min_age": value, "csrf_token": settings_token(owner)},
        headers=HTML,
    )
    assert r.status_code == 422
    assert 'role="alert"' in r.text
    assert env.services.instance.min_age() == 18


def test_non_owner_cannot_change_the_instance_and_sees_no_forms(env: Env) -> None:
    page_signup(env, "alice")
    bob = page_signup(env, "bob")
    page = bob.get("/settings", headers=HTML).text
    assert "Only the server's owner can change these." in page
    assert 'action="/settings/min-age"' not in page
    r = bob.post(
        "/settings/min-age", data={"min_age": "30", "csrf_token": form_token(page)}, headers=HTML
    )
    assert r.status_code == 403
    assert "only the instance owner" in r.text.lower()
    assert env.services.instance.min_age() == 18
    assert "instance.min_age_changed" not in audit_actions(env)


# --- the model ----------------------------------------------------------------------------------


CHOICES = [
    ModelChoice("default", "Big Model", "runs on this machine; 1.1 GB"),
    ModelChoice("small", "Small Model", "runs on this machine; 0.5 GB"),
    ModelChoice("huge", "Huge Model", "runs on this machine; 9 GB", False, "pip install x"),
]


def selectable() -> tuple[SelectableProvider, list[str]]:
    built: list[str] = []

    def build(key: str) -> Provider:
        built.append(key)
        return FakeProvider(model=f"{key}-model", reply=lambda _m, key=key: f"reply from {key}")

    return SelectableProvider(CHOICES, build, "default"), built


@pytest.fixture
def menu_env(tmp_path: Path) -> Iterator[tuple[Env, SelectableProvider]]:
    settings = make_settings(tmp_path / "d")
    provider, _ = selectable()
    services = make_services(settings, provider=provider, clock=MutableClock())
    client = TestClient(create_app(settings, services=services))
    env = Env(settings, services, FakeProvider(), MutableClock(), client)
    yield env, provider
    client.close()
    services.close()


def test_owner_switches_model_and_replies_come_from_it(
    menu_env: tuple[Env, SelectableProvider],
) -> None:
    env, provider = menu_env
    owner = page_signup(env, "alice")
    page = owner.get("/settings", headers=HTML).text
    assert "Big Model" in page
    assert "Small Model" in page
    assert "not installed: pip install x" in page
    r = owner.post(
        "/settings/model", data={"model": "small", "csrf_token": form_token(page)}, headers=HTML
    )
    assert r.status_code == 200
    assert "The model was changed" in r.text
    assert provider.model == "small-model"
    # The footer of every page names the model now in use; a chat turn uses it.
    assert "small-model" in owner.get("/", headers=HTML).text
    api = owner.get("/api/instance").json()
    assert api["model_choice"] == "small"
    assert api["is_owner"] is True
    assert [r for r in audit_rows(env) if r[0] == "instance.model_changed"] == [
        ("instance.model_changed", "small")
    ]


@pytest.mark.parametrize(("key", "code"), [("huge", 422), ("nonsense", 422)])
def test_unavailable_or_unknown_model_refused_and_current_kept(
    menu_env: tuple[Env, SelectableProvider], key: str, code: int
) -> None:
    env, provider = menu_env
    owner = page_signup(env, "alice")
    r = owner.post(
        "/settings/model", data={"model": key, "csrf_token": settings_token(owner)}, headers=HTML
    )
    assert r.status_code == code
    assert 'role="alert"' in r.text
    assert provider.choice == "default"
    assert "instance.model_changed" not in audit_actions(env)


def test_stored_model_choice_reaches_another_node_on_sync(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "d")
    first, _ = selectable()
    node_a = make_services(settings, provider=first)
    second, _ = selectable()
    node_b = make_services(settings, provider=second)
    try:
        client = TestClient(create_app(settings, services=node_a))
        env = Env(settings, node_a, FakeProvider(), MutableClock(), client)
        owner = page_signup(env, "alice")
        r = owner.patch(
            "/api/instance",
            json={"model": "small"},
            headers={"X-CSRF-Token": settings_token(owner)},
        )
        assert r.status_code == 200, r.text
        assert second.choice == "default"
        node_b.instance.sync()
        assert second.choice == "small"
        assert second.model == "small-model"
    finally:
        node_a.close()
        node_b.close()


def test_api_instance_refuses_non_owner_and_bad_values(env: Env) -> None:
    env.sign_up("alice")  # the owner
    bob = env.sign_up("bob")
    r = bob.get("/api/instance")
    assert r.status_code == 200
    assert r.json()["is_owner"] is False
    assert r.json()["min_age"] == 18
    assert r.json()["model_choices"] == []  # the fake provider is fixed by configuration
    r = bob.patch("/api/instance", json={"min_age": 30})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "not_instance_owner"
    r = bob.patch("/api/instance", json={"min_age": 5})
    assert r.status_code == 422
    assert env.services.instance.min_age() == 18


def test_model_fixed_by_configuration_says_so(env: Env) -> None:
    owner = page_signup(env, "alice")
    page = owner.get("/settings", headers=HTML).text
    assert "fixed by the server's configuration" in page
    r = owner.post(
        "/settings/model", data={"model": "small", "csrf_token": form_token(page)}, headers=HTML
    )
    assert r.status_code == 422
    assert "fixed by its configuration" in r.text
