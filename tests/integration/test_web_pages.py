"""The web pages and their CSRF protection, through the ASGI app (no browser needed; the
journeys in a real Chromium are in tests/browser)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from confide.storage.tables import User as UserRow
from tests.factories import PASSWORD, Env, User, admin_db

HTML = {"Accept": "text/html"}


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None, "the page has no CSRF field"
    return match.group(1)


def signup_form(env: Env, **fields: str) -> dict[str, str]:
    token = form_token(env.client.get("/signup", headers=HTML).text)
    return {
        "username": "alice",
        "email": "alice@example.org",
        "password": PASSWORD,
        "date_of_birth": "1990-05-17",
        "memory": "on",
        "csrf_token": token,
        **fields,
    }


def signed_in(env: Env) -> str:
    """Sign up through the form; returns the session's CSRF token."""
    return sign_up_as(env, "alice")


def sign_up_as(env: Env, username: str) -> str:
    """Forget the client's session, sign up as ``username`` through the form (the client then
    carries that user's cookie); returns the new session's CSRF token."""
    env.client.cookies.clear()
    data = signup_form(env, username=username, email=f"{username}@example.org")
    r = env.client.post("/signup", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    return form_token(env.client.get("/companions", headers=HTML).text)


def users(env: Env) -> int:
    with admin_db(env.services).reader() as s:
        return int(s.scalar(select(func.count()).select_from(UserRow)) or 0)


def test_pages_landing_names_model_and_ai_notice_with_security_headers(env: Env) -> None:
    r = env.client.get("/", headers=HTML)
    assert r.status_code == 200
    assert "fake-model" in r.text
    assert "runs on this machine" in r.text
    assert "Every companion message is AI-generated." in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert "<script>" not in r.text
    assert " onclick=" not in r.text


def test_pages_signup_under_age_refused_nothing_stored(env: Env) -> None:
    r = env.client.post("/signup", data=signup_form(env, date_of_birth="2014-01-01"), headers=HTML)
    assert r.status_code == 403
    assert "Sign-up refused" in r.text
    assert "at least 18" in r.text
    assert PASSWORD not in r.text
    assert users(env) == 0


def test_pages_signup_without_pre_session_token_refused(env: Env) -> None:
    r = env.client.post("/signup", data=signup_form(env, csrf_token="forged"), headers=HTML)
    assert r.status_code == 403
    assert users(env) == 0


def test_pages_form_post_with_missing_or_wrong_token_refused(env: Env) -> None:
    signed_in(env)
    for data in ({"starter": "mira"}, {"starter": "mira", "csrf_token": "0" * 64}):
        r = env.client.post("/companions/from-starter", data=data, headers=HTML)
        assert r.status_code == 403
        assert "did not come from this site" in r.text
    assert env.client.get("/api/companions").json() == []


def test_pages_chat_form_without_javascript_stores_turn(env: Env) -> None:
    token = signed_in(env)
    r = env.client.post("/companions/from-starter", data={"starter": "mira", "csrf_token": token})
    r = env.client.post(f"{r.url.path}/conversations", data={"csrf_token": token})
    chat = r.url.path
    r = env.client.post(f"{chat}/send", data={"content": "hello there", "csrf_token": token})
    assert r.status_code == 200
    companion = re.findall(
        r'<li class="message from-companion" data-message-id=.*?</li>', r.text, re.S
    )
    assert len(companion) == 2  # the greeting and the reply
    assert all('class="badge ai-label">AI-generated' in item for item in companion)
    r = env.client.post(f"{chat}/send", data={"content": "   ", "csrf_token": token}, headers=HTML)
    assert r.status_code == 422
    assert "must not be empty" in r.text


def test_pages_unknown_conversation_is_html_404_without_details(env: Env) -> None:
    signed_in(env)
    r = env.client.get("/chat/nope", headers=HTML)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Traceback" not in r.text


def test_api_cookie_session_needs_csrf_header_or_own_origin(env: Env) -> None:
    token = signed_in(env)
    url = "/api/companions/from-starter"
    assert env.client.post(url, json={"starter": "mira"}).status_code == 403
    evil = {"Origin": "https://evil.example"}
    assert env.client.post(url, json={"starter": "mira"}, headers=evil).status_code == 403
    wrong = {"X-CSRF-Token": "f" * 64}
    assert env.client.post(url, json={"starter": "mira"}, headers=wrong).status_code == 403
    assert (
        env.client.post(url, json={"starter": "mira"}, headers={"X-CSRF-Token": token}).status_code
        == 201
    )
    own = {"Origin": "http://testserver"}
    assert env.client.post(url, json={"starter": "mira"}, headers=own).status_code == 201


def test_api_bearer_clients_need_no_csrf_token(env: Env, alice: User) -> None:
    assert alice.post("/api/companions/from-starter", json={"starter": "mira"}).status_code == 201


def test_pages_form_post_over_the_body_limit_gets_a_page_not_json(env_factory: Any) -> None:
    env = env_factory(max_body_bytes=4096)
    token = form_token(env.client.get("/signup", headers=HTML).text)
    big = {"username": "alice", "csrf_token": token, "email": "x" * 8000}
    r = env.client.post("/signup", data=big, headers=HTML)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("text/html")
    assert "Nothing was saved." in r.text
    assert "x" * 100 not in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    # The API keeps its JSON error.
    api = env.client.post("/api/auth/login", content=b"{" + b" " * 8000 + b"}", headers=HTML)
    assert api.status_code == 413
    assert api.json()["error"]["code"] == "payload_too_large"
    assert users(env) == 0
