"""The policy-change notice in the web app (P14): shown on every page after a material change
until the user acknowledges it, with a button that records the acknowledgement."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Env
from tests.integration.test_instance_settings import page_signup
from tests.integration.test_web_pages import HTML, form_token

NOTICE = "Our privacy policy has changed"


def publish(env: Env, version: str, summary: str, *, material: bool = True) -> None:
    env.clock.advance(minutes=1)
    env.services.policy.publish(version, summary, material=material)


def test_material_change_shows_notice_on_every_page_until_acknowledged(env: Env) -> None:
    client = page_signup(env, "alice")
    assert NOTICE not in client.get("/companions", headers=HTML).text
    publish(env, "2027-01-15", "We now keep audit details for one year.")
    for path in ("/companions", "/settings", "/"):
        page = client.get(path, headers=HTML).text
        assert NOTICE in page, path
        assert "We now keep audit details for one year." in page
    page = client.get("/settings", headers=HTML).text
    r = client.post(
        "/policy/acknowledge",
        data={"version": "2027-01-15", "next": "/settings", "csrf_token": form_token(page)},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/settings"
    assert NOTICE not in client.get("/settings", headers=HTML).text
    acks = env.services.policy.acknowledgements(env_user_id(env, client))
    assert [a.version for a in acks] == ["2027-01-15"]


def test_minor_change_shows_no_notice(env: Env) -> None:
    client = page_signup(env, "alice")
    publish(env, "2027-01-15", "Typo fixes.", material=False)
    assert NOTICE not in client.get("/companions", headers=HTML).text


def test_acknowledge_never_redirects_off_site_and_needs_csrf(env: Env) -> None:
    client = page_signup(env, "alice")
    publish(env, "2027-01-15", "Changes.")
    page = client.get("/companions", headers=HTML).text
    r = client.post(
        "/policy/acknowledge",
        data={"version": "2027-01-15", "next": "//evil.example/x"},
        headers=HTML,
    )
    assert r.status_code == 403
    assert NOTICE in client.get("/companions", headers=HTML).text
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        r = client.post(
            "/policy/acknowledge",
            data={"version": "2027-01-15", "next": target, "csrf_token": form_token(page)},
            headers=HTML,
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert r.headers["location"] == "/companions", target


def test_acknowledging_an_outdated_version_is_refused_on_a_page(env: Env) -> None:
    client = page_signup(env, "alice")
    publish(env, "2027-01-15", "First change.")
    publish(env, "2027-02-01", "Second change.")
    page = client.get("/companions", headers=HTML).text
    assert "First change." in page
    assert "Second change." in page
    r = client.post(
        "/policy/acknowledge",
        data={"version": "2027-01-15", "csrf_token": form_token(page)},
        headers=HTML,
    )
    assert r.status_code == 409
    assert "no longer in force" in r.text
    assert NOTICE in client.get("/companions", headers=HTML).text


def env_user_id(env: Env, client: TestClient) -> str:
    return str(client.get("/api/me").json()["id"])
