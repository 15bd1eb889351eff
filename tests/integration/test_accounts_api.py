"""Accounts over HTTP: sign-up, age gate (P12), log-in limits (P13), sessions, cookies.

Real SQLite files in a temp dir (or fresh PostgreSQL databases, ``tests/pg.py``), the real app
via TestClient, a hand-moved clock; stored state is read back around the app with
``raw_rows`` and the bytes on disk with ``stored_bytes``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from starlette.testclient import TestClient

from confide.app import create_app
from tests.conftest import CANARY_PREFIX
from tests.factories import (
    PASSWORD,
    Env,
    User,
    database_settings,
    make_services,
    make_settings,
    raw_rows,
    stored_bytes,
)

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43,}$")
ADULT_DOB = "1990-05-17"
NEW_PASSWORD = "a brand new passphrase 42"


# --- helpers ---------------------------------------------------------------------------------
def signup_body(
    username: str = "alice",
    *,
    email: str | None = None,
    password: str = PASSWORD,
    dob: str = ADULT_DOB,
) -> dict[str, Any]:
    return {
        "username": username,
        "email": email or f"{username.strip().lower()}@example.org",
        "password": password,
        "date_of_birth": dob,
    }


def signup(env: Env, username: str = "alice", **kw: Any) -> Any:
    r = env.client.post("/api/auth/signup", json=signup_body(username, **kw))
    env.client.cookies.clear()
    return r


def login(env: Env, username: str = "alice", password: str = PASSWORD, **headers: str) -> Any:
    r = env.client.post(
        "/api/auth/login", json={"username": username, "password": password}, headers=headers
    )
    env.client.cookies.clear()
    return r


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def me_status(env: Env, token: str) -> int:
    return int(env.client.get("/api/me", headers=bearer(token)).status_code)


def code_of(r: Any) -> str:
    return str(r.json()["error"]["code"])


def count(env: Env, table: str) -> int:
    sql = f"SELECT count(*) FROM {table}"  # noqa: S608 (table names are literals below)
    return int(raw_rows(env, sql, keys_db=table == "data_keys")[0][0])


def password_hash(env: Env, username: str) -> str:
    return str(raw_rows(env, "SELECT password_hash FROM users WHERE username = ?", username)[0][0])


def session_ids(env: Env, token: str) -> dict[str, bool]:
    r = env.client.get("/api/auth/sessions", headers=bearer(token))
    assert r.status_code == 200, r.text
    return {s["id"]: s["is_current"] for s in r.json()}


@pytest.fixture
def custom_env(env_factory: Callable[..., Env]) -> Callable[..., Env]:
    return env_factory


# --- 1. sign-up ------------------------------------------------------------------------------
def test_signup_valid_returns_token_cookie_and_working_session(env: Env) -> None:
    r = env.client.post("/api/auth/signup", json=signup_body(email="alice.w@example.org"))
    env.client.cookies.clear()

    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert TOKEN_RE.match(token)
    assert r.json()["username"] == "alice"
    cookies = r.headers.get_list("set-cookie")
    assert len(cookies) == 1
    parts = [p.strip().lower() for p in cookies[0].split(";")]
    assert cookies[0].startswith(f"confide_session={token};")
    assert "httponly" in parts
    assert "samesite=strict" in parts
    assert "path=/" in parts
    assert f"max-age={30 * 86400}" in parts
    assert "secure" not in parts  # plain http test server

    me = env.client.get("/api/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["username"] == "alice"
    assert me.json()["email"] == "alice.w@example.org"


def test_signup_https_public_url_sets_secure_cookie(custom_env: Callable[..., Env]) -> None:
    env = custom_env(public_url="https://companions.example.org")
    r = env.client.post("/api/auth/signup", json=signup_body())
    assert r.status_code == 201, r.text
    parts = [p.strip().lower() for p in r.headers["set-cookie"].split(";")]
    assert "secure" in parts


# --- 2. age gate (P12) -----------------------------------------------------------------------
def test_signup_one_day_short_of_18_is_refused_and_stores_nothing(
    env: Env, captured_log_lines: list[str]
) -> None:
    assert env.clock.now.date().isoformat() == "2026-11-23"
    first_log = len(captured_log_lines)

    r = signup(env, "minorkid", email="minor.kid@example.org", dob="2008-11-24")

    assert r.status_code == 403, r.text
    assert code_of(r) == "age_requirement_not_met"
    assert "set-cookie" not in r.headers
    for table in ("users", "sessions", "rate_limit_counters", "data_keys"):
        assert count(env, table) == 0, table
    raw = stored_bytes(env)
    assert b"minorkid" not in raw
    assert b"minor.kid@example.org" not in raw
    assert b"2008-11-24" not in raw
    new_logs = captured_log_lines[first_log:]
    assert not [line for line in new_logs if "minorkid" in line or "minor.kid" in line]

    # Control: the same checks see an adult who signs up, so they could have failed above.
    assert signup(env, "adultkid").status_code == 201
    assert count(env, "users") == 1
    assert count(env, "data_keys") == 1
    assert b"adultkid" in stored_bytes(env)


def test_signup_exactly_18_today_is_accepted(env: Env) -> None:
    r = signup(env, "birthday", dob="2008-11-23")
    assert r.status_code == 201, r.text


def test_signup_leap_day_birthday_counts_on_1_march(env: Env) -> None:
    env.clock.now = env.clock.now.replace(month=2, day=28)  # 2026 is not a leap year
    r = signup(env, "leapling", dob="2008-02-29")
    assert r.status_code == 403
    assert code_of(r) == "age_requirement_not_met"
    env.clock.advance(days=1)
    assert signup(env, "leapling", dob="2008-02-29").status_code == 201


def test_signup_min_age_13_accepts_13_and_refuses_12(custom_env: Callable[..., Env]) -> None:
    env = custom_env(min_age=13)
    assert signup(env, "thirteen", dob="2013-11-23").status_code == 201
    r = signup(env, "twelve", dob="2013-11-24")
    assert r.status_code == 403
    assert code_of(r) == "age_requirement_not_met"


@pytest.mark.parametrize("min_age", [12, 0, -1])
def test_settings_min_age_below_13_is_rejected(tmp_path: Path, min_age: int) -> None:
    with pytest.raises(ValidationError, match="min_age"):
        make_settings(tmp_path, min_age=min_age)


def test_signup_future_date_of_birth_is_invalid_input(env: Env) -> None:
    r = signup(env, "timetraveller", dob="2026-11-24")
    assert r.status_code == 422
    assert code_of(r) == "invalid_input"
    assert count(env, "users") == 0


# --- 3. sign-up validation -------------------------------------------------------------------
def test_signup_username_taken_ignoring_case_is_conflict(env: Env) -> None:
    first = signup(env, "Alice")
    assert first.status_code == 201, first.text
    assert first.json()["username"] == "alice"
    for taken in ("alice", " ALICE "):
        r = signup(env, taken, email="other@example.org")
        assert r.status_code == 409, taken
        assert code_of(r) == "username_taken"
    assert count(env, "users") == 1


SECRET_PW = f"{CANARY_PREFIX}-do-not-echo"


@pytest.mark.parametrize(
    ("body", "echo_check"),
    [
        pytest.param(signup_body("al ice!", password=SECRET_PW), True, id="bad-username-chars"),
        pytest.param(signup_body("élodie", password=SECRET_PW), True, id="non-ascii-username"),
        pytest.param(signup_body("bob", password="short1234"), False, id="password-9-chars"),
        pytest.param(signup_body("alicealice", password="AliceAlice"), False, id="pw-is-name"),
        pytest.param({**signup_body(password=SECRET_PW), "is_admin": True}, True, id="extra-field"),
        pytest.param(signup_body(password=SECRET_PW, email="not-an-email"), True, id="bad-email"),
    ],
)
def test_signup_invalid_body_is_422_without_echo(
    env: Env, body: dict[str, Any], echo_check: bool
) -> None:
    r = env.client.post("/api/auth/signup", json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["message"]
    if echo_check:
        assert body["password"] not in r.text
    assert count(env, "users") == 0


def test_signup_missing_field_names_the_field(env: Env) -> None:
    body = {k: v for k, v in signup_body(password=SECRET_PW).items() if k != "date_of_birth"}
    r = env.client.post("/api/auth/signup", json=body)
    assert r.status_code == 422
    assert r.json() == {"error": {"code": "invalid_input", "message": r.json()["error"]["message"]}}
    assert "date_of_birth" in r.json()["error"]["message"]
    assert SECRET_PW not in r.text


# --- 4. Argon2id -----------------------------------------------------------------------------
def test_login_after_argon2_params_raised_rehashes_password(env: Env) -> None:
    env.sign_up("alice")
    before = password_hash(env, "alice")
    assert before.startswith("$argon2id$")
    assert "t=1," in before

    settings2 = make_settings(
        env.settings.data_dir, argon2_time_cost=2, **database_settings(env.settings)
    )
    services2 = make_services(settings2, clock=env.clock)
    client2 = TestClient(create_app(settings2, services=services2))
    try:
        r = client2.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
        assert r.status_code == 200, r.text
        after = password_hash(env, "alice")
        assert after != before
        assert after.startswith("$argon2id$")
        assert "t=2," in after
        # The new hash still verifies, and needs no further rehash.
        again = client2.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
        assert again.status_code == 200
        assert password_hash(env, "alice") == after
    finally:
        client2.close()
        services2.close()


# --- 5. log-in -------------------------------------------------------------------------------
def test_login_right_password_returns_new_working_token(env: Env) -> None:
    alice = env.sign_up("alice")
    r = login(env, "ALICE")
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert TOKEN_RE.match(token)
    assert token != alice.token
    assert me_status(env, token) == 200
    assert me_status(env, alice.token) == 200


def test_login_wrong_password_and_unknown_user_look_identical(env: Env) -> None:
    env.sign_up("alice")
    wrong = login(env, "alice", "not the password at all")
    unknown = login(env, "nobody-here", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert code_of(wrong) == "unauthenticated"
    assert wrong.json() == unknown.json()
    assert "set-cookie" not in wrong.headers


# --- 6. rate limits (P13) --------------------------------------------------------------------
def test_login_after_max_failures_is_429_until_retry_after(env: Env) -> None:
    env.sign_up("alice")
    bob = env.sign_up("bob")
    limit = env.settings.login_max_failures_per_account
    assert limit == 5
    for _ in range(limit):
        assert login(env, "alice", "wrong password!!").status_code == 401

    r = login(env, "alice", PASSWORD)  # the right password, but the account is locked
    assert r.status_code == 429, r.text
    assert code_of(r) == "rate_limited"
    retry = r.headers["Retry-After"]
    assert retry.isdigit()
    assert 0 < int(retry) <= env.settings.login_window_s
    # Only alice's account is locked, not the client or other accounts.
    assert login(env, bob.username).status_code == 200

    env.clock.advance(seconds=int(retry) - 1)
    assert login(env, "alice").status_code == 429
    env.clock.advance(seconds=1)  # Retry-After was honest
    assert login(env, "alice").status_code == 200


def test_login_locked_account_after_901s_is_allowed_again(env: Env) -> None:
    env.sign_up("alice")
    for _ in range(env.settings.login_max_failures_per_account):
        login(env, "alice", "wrong password!!")
    assert login(env, "alice").status_code == 429
    env.clock.advance(seconds=901)
    assert login(env, "alice").status_code == 200


def test_login_success_resets_account_failure_count(env: Env) -> None:
    env.sign_up("alice")
    limit = env.settings.login_max_failures_per_account
    for _ in range(limit - 1):
        assert login(env, "alice", "wrong password!!").status_code == 401
    assert login(env, "alice").status_code == 200
    for _ in range(limit - 1):
        assert login(env, "alice", "wrong password!!").status_code == 401
    assert login(env, "alice").status_code == 200


def test_login_per_client_attempts_over_limit_is_429(custom_env: Callable[..., Env]) -> None:
    env = custom_env(login_max_attempts_per_client=3)
    for name in ("user-a", "user-b", "user-c"):
        assert login(env, name, "some password 1").status_code == 401
    r = login(env, "user-d", "some password 1")
    assert r.status_code == 429
    assert 0 < int(r.headers["Retry-After"]) <= env.settings.login_window_s
    # X-Forwarded-For from an untrusted peer is ignored: no fresh budget.
    spoofed = login(env, "user-e", "some password 1", **{"X-Forwarded-For": "203.0.113.9"})
    assert spoofed.status_code == 429


def test_login_per_client_counts_forwarded_address_from_trusted_proxy(
    custom_env: Callable[..., Env],
) -> None:
    env = custom_env(login_max_attempts_per_client=1, trusted_proxies=["testclient"])
    xff = {"X-Forwarded-For": "203.0.113.9"}
    assert login(env, "user-a", "some password 1", **xff).status_code == 401
    assert login(env, "user-b", "some password 1", **xff).status_code == 429
    other = {"X-Forwarded-For": "198.51.100.7"}
    assert login(env, "user-c", "some password 1", **other).status_code == 401


def test_signup_per_client_over_limit_is_429(custom_env: Callable[..., Env]) -> None:
    env = custom_env(signup_max_per_client=2)
    assert signup(env, "first").status_code == 201
    assert signup(env, "second").status_code == 201
    r = signup(env, "third")
    assert r.status_code == 429
    assert code_of(r) == "rate_limited"
    assert 0 < int(r.headers["Retry-After"]) <= env.settings.signup_window_s
    assert count(env, "users") == 2


def test_rate_limit_counters_hold_only_hmac_buckets(env: Env) -> None:
    env.sign_up("alice")
    login(env, "alice", "wrong password!!")
    login(env, "mallory", "wrong password!!")
    counters = raw_rows(env, "SELECT bucket, window_start, count FROM rate_limit_counters")
    assert len(counters) == 4  # sign-up client, log-in client, two accounts
    for row in counters:
        assert re.fullmatch(r"[0-9a-f]{64}", row[0]), row
        for plain in ("alice", "mallory", "testclient"):
            assert plain not in " ".join(map(str, row))


# --- 7. sessions -----------------------------------------------------------------------------
def test_sessions_list_marks_caller_current_and_shows_client_label(env: Env) -> None:
    alice = env.sign_up("alice")
    phone = login(env, "alice", **{"User-Agent": "ConfidePhone/2.1"}).json()["token"]

    r = env.client.get("/api/auth/sessions", headers=bearer(phone))
    assert r.status_code == 200
    sessions = r.json()
    assert len(sessions) == 2
    current = [s for s in sessions if s["is_current"]]
    assert len(current) == 1
    assert current[0]["client"] == "ConfidePhone/2.1"
    assert [s["client"] for s in sessions if not s["is_current"]] == ["testclient"]

    from_first = session_ids(env, alice.token)
    assert from_first == {k: not v for k, v in session_ids(env, phone).items()}
    assert b"ConfidePhone/2.1" not in stored_bytes(env)  # the label is stored encrypted


def test_sessions_revoke_other_session_ends_it(env: Env) -> None:
    alice = env.sign_up("alice")
    second = login(env, "alice").json()["token"]
    other_id = next(sid for sid, cur in session_ids(env, alice.token).items() if not cur)

    r = alice.delete(f"/api/auth/sessions/{other_id}")
    assert r.status_code == 204
    assert me_status(env, second) == 401
    assert me_status(env, alice.token) == 200
    assert list(session_ids(env, alice.token).values()) == [True]


def test_sessions_revoke_unknown_or_foreign_id_is_404(env: Env) -> None:
    alice = env.sign_up("alice")
    bob = env.sign_up("bob")
    bob_session = next(iter(session_ids(env, bob.token)))

    for sid in ("does-not-exist", bob_session):
        r = alice.delete(f"/api/auth/sessions/{sid}")
        assert r.status_code == 404, sid
        assert code_of(r) == "not_found"
    assert me_status(env, bob.token) == 200


def test_logout_ends_only_current_session(env: Env) -> None:
    alice = env.sign_up("alice")
    second = login(env, "alice").json()["token"]
    assert alice.post("/api/auth/logout").status_code == 204
    assert me_status(env, alice.token) == 401
    assert me_status(env, second) == 200


def test_logout_all_ends_every_session(env: Env) -> None:
    alice = env.sign_up("alice")
    bob = env.sign_up("bob")
    second = login(env, "alice").json()["token"]
    assert alice.post("/api/auth/logout-all").status_code == 204
    assert me_status(env, alice.token) == 401
    assert me_status(env, second) == 401
    assert me_status(env, bob.token) == 200


# --- 8. token storage ------------------------------------------------------------------------
def test_sessions_table_stores_sha256_of_token_only(env: Env) -> None:
    alice = env.sign_up("alice")
    second = login(env, "alice").json()["token"]
    stored = {row[0] for row in raw_rows(env, "SELECT token_hash FROM sessions")}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in (alice.token, second)}
    raw = stored_bytes(env)
    for token in (alice.token, second):
        assert token.encode() not in raw


# --- 9. expiry -------------------------------------------------------------------------------
def test_session_idle_for_8_days_is_401(env: Env) -> None:
    alice = env.sign_up("alice")
    used = env.sign_up("bob")
    env.clock.advance(days=6, hours=23)
    assert me_status(env, used.token) == 200  # used: its idle timer restarts
    env.clock.advance(days=1, hours=1)  # 8 days after sign-up
    r = alice.get("/api/me")
    assert r.status_code == 401
    assert code_of(r) == "unauthenticated"
    assert me_status(env, used.token) == 200
    assert count(env, "sessions") == 1  # the expired session row is deleted


def test_session_used_every_5_days_lives_until_absolute_ttl(env: Env) -> None:
    alice = env.sign_up("alice")
    for _ in range(5):  # days 5, 10, 15, 20, 25
        env.clock.advance(days=5)
        assert me_status(env, alice.token) == 200
    env.clock.advance(days=4, hours=23)  # day 29, 23:00
    assert me_status(env, alice.token) == 200
    env.clock.advance(hours=1)  # day 30: the absolute limit
    assert me_status(env, alice.token) == 401


# --- 10. password change ---------------------------------------------------------------------
def test_password_change_wrong_current_is_401_wrong_password(env: Env) -> None:
    alice = env.sign_up("alice")
    r = alice.post(
        "/api/auth/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
    )
    assert r.status_code == 401
    assert code_of(r) == "wrong_password"
    assert login(env, "alice", NEW_PASSWORD).status_code == 401
    assert me_status(env, alice.token) == 200


def test_password_change_weak_new_is_422(env: Env) -> None:
    alice = env.sign_up("alice")
    r = alice.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "short"}
    )
    assert r.status_code == 422
    assert code_of(r) == "invalid_input"
    assert login(env, "alice").status_code == 200


def test_password_change_success_ends_other_sessions_only(env: Env) -> None:
    alice = env.sign_up("alice")
    other = login(env, "alice").json()["token"]
    r = alice.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert r.status_code == 204, r.text
    assert me_status(env, other) == 401
    assert me_status(env, alice.token) == 200
    assert login(env, "alice", PASSWORD).status_code == 401
    assert login(env, "alice", NEW_PASSWORD).status_code == 200


# --- 11. cookie auth and cross-site requests -------------------------------------------------
def test_cookie_session_get_works_and_foreign_origin_post_is_refused(env: Env) -> None:
    r = env.client.post("/api/auth/signup", json=signup_body())
    assert r.status_code == 201
    token = r.json()["token"]
    assert env.client.cookies.get("confide_session") == token

    me = env.client.get("/api/me")  # cookie only
    assert me.status_code == 200
    assert me.json()["username"] == "alice"

    evil = env.client.post("/api/auth/logout", headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert code_of(evil) == "cross_site_request"
    assert me_status(env, token) == 200  # the refused request did nothing

    same = env.client.post("/api/auth/logout", headers={"Origin": "http://testserver"})
    assert same.status_code == 204
    assert me_status(env, token) == 401


# --- 12. missing and bad credentials ---------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="none"),
        pytest.param(bearer("garbage"), id="garbage"),
        pytest.param(bearer("a" * 300), id="300-chars"),
        pytest.param({"Authorization": "Bearer "}, id="empty-bearer"),
        pytest.param({"Cookie": "confide_session=" + "b" * 43}, id="unknown-cookie"),
    ],
)
def test_me_without_valid_credentials_is_401(env: Env, headers: dict[str, str]) -> None:
    env.sign_up("alice")
    r = env.client.get("/api/me", headers=headers)
    assert r.status_code == 401
    assert code_of(r) == "unauthenticated"


# --- 13. body limits and malformed bodies ----------------------------------------------------
def _oversized_login() -> bytes:
    return b'{"username": "alice", "password": "' + b"x" * 3000 + b'"}'


def test_login_body_over_limit_is_413(custom_env: Callable[..., Env]) -> None:
    env = custom_env(max_body_bytes=2048)
    r = env.client.post(
        "/api/auth/login",
        content=_oversized_login(),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert code_of(r) == "payload_too_large"


def test_login_chunked_body_over_limit_is_413(custom_env: Callable[..., Env]) -> None:
    env = custom_env(max_body_bytes=2048)
    body = _oversized_login()

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(body), 512):
            yield body[i : i + 512]

    r = env.client.post(
        "/api/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert code_of(r) == "payload_too_large"


@pytest.mark.parametrize(
    "content",
    [b'{"username": ', b"not json at all", b"[]", b'{"username": "a", "password": null}'],
)
def test_login_malformed_body_is_422(env: Env, content: bytes) -> None:
    r = env.client.post(
        "/api/auth/login", content=content, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert code_of(r) == "invalid_input"


# --- 14. security headers --------------------------------------------------------------------
def _check_security_headers(r: Any) -> None:
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_security_headers_on_success_and_error_responses(env: Env) -> None:
    created = env.client.post("/api/auth/signup", json=signup_body())
    env.client.cookies.clear()
    assert created.status_code == 201
    user = User(env, "alice", created.json()["token"])
    responses = [
        created,
        user.get("/api/me"),
        env.client.get("/api/me"),
        env.client.get("/no/such/path"),
        env.client.post("/api/auth/login", content=b"{", headers={"Content-Type": "x"}),
    ]
    assert [r.status_code for r in responses] == [201, 200, 401, 404, 422]
    for r in responses:
        _check_security_headers(r)


def test_security_headers_on_413_appear_once(custom_env: Callable[..., Env]) -> None:
    env = custom_env(max_body_bytes=2048)
    r = env.client.post(
        "/api/auth/login", content=_oversized_login(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    for name in ("x-content-type-options", "x-frame-options", "content-security-policy"):
        assert len(r.headers.get_list(name)) == 1, name
    _check_security_headers(r)


# --- 15. logs --------------------------------------------------------------------------------
def test_logs_after_signup_and_login_hold_no_password_email_or_token(
    env: Env, captured_log_lines: list[str]
) -> None:
    first = len(captured_log_lines)
    password = f"{CANARY_PREFIX}-pass-Quokka-3141"
    email = f"{CANARY_PREFIX}.mail@example.org"
    r = signup(env, "loggy", email=email, password=password)
    assert r.status_code == 201, r.text
    r2 = login(env, "loggy", password)
    assert r2.status_code == 200
    assert login(env, "loggy", password + "-wrong").status_code == 401

    lines = captured_log_lines[first:]
    assert len(lines) >= 3  # one request line at least per request: capture works
    secrets = (password, email, r.json()["token"], r2.json()["token"])
    for line in lines:
        for secret in secrets:
            assert secret not in line


def test_password_change_wrong_current_is_rate_limited(env: Env) -> None:
    alice = env.sign_up("alice")
    for _ in range(env.settings.login_max_failures_per_account):
        r = alice.post(
            "/api/auth/password",
            json={"current_password": "not the password", "new_password": "a brand new pass"},
        )
        assert r.status_code == 401
    r = alice.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new pass"},
    )
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0


def test_sessions_list_omits_expired_sessions(env: Env) -> None:
    alice = env.sign_up("alice")
    env.clock.advance(days=6)
    fresh = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    env.client.cookies.clear()
    env.clock.advance(days=2)  # the first session is now idle for 8 days
    h = {"Authorization": f"Bearer {fresh.json()['token']}"}
    sessions = env.client.get("/api/auth/sessions", headers=h).json()
    assert len(sessions) == 1
    assert sessions[0]["is_current"] is True
    assert alice.get("/api/me").status_code == 401
