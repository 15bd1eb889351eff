"""The staff pages under /staff and the user's /privacy/access page, through the ASGI app
(promise P8): staff sign in with their own cookie, look accounts up (metadata only), ask for
access with a case and a reason; the user approves, denies or ends it on their page; content
shows only under an active grant and each view is in the user's audit log. Forms need the
right session's CSRF token; no page carries inline script."""

from __future__ import annotations

import re

from confide.storage.tables import User as UserRow
from tests.conftest import CANARY_PREFIX
from tests.factories import PASSWORD, Env, admin_db
from tests.integration.test_web_pages import HTML, form_token, signed_in
from tests.integration.test_web_privacy import alice_id

SAID = f"{CANARY_PREFIX} I told nobody about the boat"
REASON = "The user reported a reply they found upsetting."
MISSING_ID = "0" * 32


def staff_signed_in(env: Env, username: str = "sam", role: str = "support") -> str:
    """Create a staff account, sign in through the staff form (the client then carries the
    staff cookie beside any user cookie); returns the staff session's CSRF token."""
    env.services.staff.create(username, role, PASSWORD)
    return staff_log_in(env, username)


def staff_log_in(env: Env, username: str) -> str:
    """Sign an existing staff member in through the form; returns the CSRF token."""
    token = form_token(env.client.get("/staff/login", headers=HTML).text)
    r = env.client.post(
        "/staff/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/staff"
    return form_token(env.client.get("/staff", headers=HTML).text)


def ask(env: Env, token: str, **fields: str) -> str:
    """Ask for access through the staff form; returns the new grant's id."""
    before = set(grant_ids(env.client.get("/staff", headers=HTML).text))
    data = {
        "username": "alice",
        "case_ref": "CASE-3",
        "reason": REASON,
        "scope": "conversations",
        "hours": "24",
        "csrf_token": token,
        **fields,
    }
    r = env.client.post("/staff/access", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    (new,) = set(grant_ids(env.client.get("/staff", headers=HTML).text)) - before
    return new


def add_content(env: Env, text: str = SAID) -> str:
    """A companion and a conversation with the greeting and one message of alice's, written
    through the services (no model turn needed); returns the conversation's id."""
    user_id = alice_id(env)
    companion = env.services.companions.create_from_starter(user_id, "mira")
    conversation = env.services.conversations.create(user_id, companion.id, None, user_name="alice")
    with admin_db(env.services).transaction() as s:
        env.services.conversations.store_message(
            s, user_id, conversation.id, "user", text, now=env.clock(), model=None
        )
    return conversation.id


def grant_ids(html: str) -> list[str]:
    return re.findall(r'id="grant-([0-9a-f]{32})"', html)


def reads_in_audit(env: Env) -> int:
    return len(env.services.audit.entries_for(alice_id(env), action="access.read", limit=200))


def assert_no_inline_script(html: str) -> None:
    assert "<script" not in html
    assert " style=" not in html
    assert " onclick=" not in html


# --- signing in ------------------------------------------------------------------------------
def test_staff_pages_signed_out_or_as_user_go_to_staff_login(env: Env) -> None:
    for path in ("/staff", f"/staff/access/{MISSING_ID}"):
        r = env.client.get(path, headers=HTML, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/staff/login"
    signed_in(env)  # a user's session is not a staff session
    r = env.client.get("/staff", headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/login"


def test_staff_login_form_checks_token_and_password(env: Env) -> None:
    env.services.staff.create("sam", "support", PASSWORD)
    page = env.client.get("/staff/login", headers=HTML).text
    assert_no_inline_script(page)
    token = form_token(page)
    r = env.client.post("/staff/login", data={"username": "sam", "password": PASSWORD})
    assert r.status_code == 403
    r = env.client.post(
        "/staff/login",
        data={"username": "sam", "password": "wrong password!", "csrf_token": token},
        headers=HTML,
    )
    assert r.status_code == 401
    assert "Wrong staff username or password" in r.text
    assert 'value="sam"' in r.text
    assert "wrong password!" not in r.text
    r = env.client.post(
        "/staff/login",
        data={"username": "sam", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "confide_staff=" in cookie
    assert "Path=/staff" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    page = env.client.get("/staff", headers=HTML).text
    assert "Signed in as <strong>sam</strong> (support)" in page
    assert_no_inline_script(page)


def test_staff_logout_form_ends_the_session(env: Env) -> None:
    token = staff_signed_in(env)
    assert env.client.post("/staff/logout", data={}).status_code == 403
    r = env.client.post("/staff/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/login"
    r = env.client.get("/staff", headers=HTML, follow_redirects=False)
    assert r.headers["location"] == "/staff/login"


# --- lookup ----------------------------------------------------------------------------------
def test_staff_lookup_shows_metadata_never_content(env: Env) -> None:
    signed_in(env)
    add_content(env)
    staff_signed_in(env)
    page = env.client.get("/staff?username=alice", headers=HTML).text
    assert 'id="account-metadata"' in page
    assert "<dt>Messages</dt><dd>2</dd>" in page
    assert "<dt>Conversations</dt><dd>1</dd>" in page
    assert CANARY_PREFIX not in page
    page = env.client.get("/staff?username=nobody", headers=HTML).text
    assert "No such user" in page
    assert reads_in_audit(env) == 0


# --- the whole journey -----------------------------------------------------------------------
def test_staff_support_asks_user_approves_staff_reads_each_view_audited(env: Env) -> None:
    user_token = signed_in(env)
    add_content(env)
    staff_token = staff_signed_in(env, "sam", "support")
    gid = ask(env, staff_token)
    staff_page = env.client.get("/staff?done=requested", headers=HTML).text
    assert "Request sent" in staff_page
    assert re.search(rf'id="grant-{gid}" data-status="pending"', staff_page)
    # Pending: the grant page shows nothing, and nothing is read.
    page = env.client.get(f"/staff/access/{gid}", headers=HTML).text
    assert 'id="grant-inactive"' in page
    assert CANARY_PREFIX not in page
    assert reads_in_audit(env) == 0

    banner = "A staff member asks to read some of your data."
    assert banner in env.client.get("/companions", headers=HTML).text  # on every page
    mine = env.client.get("/privacy/access", headers=HTML).text
    assert banner not in mine
    assert_no_inline_script(mine)
    assert "<strong>sam</strong> (support)" in mine
    assert f"Case CASE-3: {REASON}" in mine
    assert "Waiting for your answer" in mine
    assert f'action="/privacy/access/{gid}/approve"' in mine
    assert f'action="/privacy/access/{gid}/deny"' in mine
    r = env.client.post(f"/privacy/access/{gid}/approve", data={"csrf_token": user_token})
    assert r.status_code == 200
    assert "You approved the request" in r.text
    assert f'action="/privacy/access/{gid}/revoke"' in r.text
    assert banner not in env.client.get("/companions", headers=HTML).text  # answered

    page = env.client.get(f"/staff/access/{gid}", headers=HTML).text
    assert_no_inline_script(page)
    (conversation,) = re.findall(
        rf'href="/staff/access/{gid}\?conversation=([0-9a-f]{{32}})"', page
    )
    assert CANARY_PREFIX not in page  # the list shows titles, not messages
    page = env.client.get(f"/staff/access/{gid}?conversation={conversation}", headers=HTML).text
    assert SAID in page
    assert "Companion (AI-generated)" in page
    assert reads_in_audit(env) == 2
    mine = env.client.get("/privacy/access", headers=HTML).text
    assert re.search(rf'id="grant-{gid}".*?class="grant-reads">2<', mine, flags=re.S)
    audit_page = env.client.get("/privacy/audit?action=access.read", headers=HTML).text
    assert len(re.findall(r'data-action="access.read"', audit_page)) == 2


def test_staff_safety_grant_ended_by_user_shows_nothing_more(env: Env) -> None:
    user_token = signed_in(env)
    add_content(env)
    staff_token = staff_signed_in(env, "sue", "safety")
    gid = ask(env, staff_token)
    assert "Access granted" in env.client.get("/staff?done=granted", headers=HTML).text
    page = env.client.get(f"/staff/access/{gid}", headers=HTML).text
    assert 'id="grant-conversations"' in page
    assert reads_in_audit(env) == 1

    r = env.client.post(f"/privacy/access/{gid}/revoke", data={"csrf_token": user_token})
    assert "You ended the grant" in r.text
    page = env.client.get(f"/staff/access/{gid}", headers=HTML).text
    assert 'id="grant-inactive"' in page
    assert 'id="grant-conversations"' not in page
    assert reads_in_audit(env) == 1
    again = env.client.post(
        f"/privacy/access/{gid}/revoke", data={"csrf_token": user_token}, headers=HTML
    )
    assert again.status_code == 409
    assert "The grant is already revoked" in again.text


def test_staff_one_conversation_grant_page_shows_its_messages(env: Env) -> None:
    signed_in(env)
    conversation = add_content(env)
    staff_token = staff_signed_in(env, "sue", "admin")
    gid = ask(env, staff_token, scope=f"conversation:{conversation}")
    page = env.client.get(f"/staff/access/{gid}", headers=HTML).text
    assert SAID in page
    other = env.client.get(f"/staff/access/{gid}?conversation={MISSING_ID}", headers=HTML)
    assert other.status_code == 404
    assert CANARY_PREFIX not in other.text


def test_staff_end_form_and_another_members_grant_is_not_found(env: Env) -> None:
    signed_in(env)
    first = staff_signed_in(env, "sue", "safety")
    gid = ask(env, first)
    env.client.cookies.delete("confide_staff", path="/staff")
    second = staff_signed_in(env, "tom", "safety")
    r = env.client.get(f"/staff/access/{gid}", headers=HTML)
    assert r.status_code == 404
    assert grant_ids(env.client.get("/staff", headers=HTML).text) == []
    r = env.client.post(f"/staff/access/{gid}/end", data={"csrf_token": second}, headers=HTML)
    assert r.status_code == 404
    env.client.cookies.delete("confide_staff", path="/staff")
    first = staff_log_in(env, "sue")
    r = env.client.post(f"/staff/access/{gid}/end", data={"csrf_token": first})
    assert r.status_code == 200
    assert "The grant is ended" in r.text
    assert re.search(rf'id="grant-{gid}" data-status="revoked"', r.text)


# --- forms: CSRF and bad input ---------------------------------------------------------------
def test_staff_forms_refuse_missing_or_user_csrf_token(env: Env) -> None:
    user_token = signed_in(env)
    staff_signed_in(env)
    data = {"username": "alice", "case_ref": "C", "reason": REASON, "scope": "conversations"}
    for token in ("", user_token):
        r = env.client.post("/staff/access", data={**data, "csrf_token": token}, headers=HTML)
        assert r.status_code == 403
    assert env.services.access.list_for_user(alice_id(env)) == []


def test_staff_request_form_bad_input_shows_form_again(env: Env) -> None:
    signed_in(env)
    token = staff_signed_in(env)
    data = {
        "username": "alice",
        "case_ref": "CASE-KEPT",
        "reason": "too short",
        "scope": "conversations",
        "hours": "24",
        "csrf_token": token,
    }
    r = env.client.post("/staff/access", data=data, headers=HTML)
    assert r.status_code == 422
    assert "The reason must be 10 to 1000 characters" in r.text
    assert 'value="CASE-KEPT"' in r.text
    r = env.client.post("/staff/access", data={**data, "reason": REASON, "hours": "99"})
    assert r.status_code == 422
    assert "Hours must be 1 to 72" in r.text
    r = env.client.post("/staff/access", data={**data, "reason": REASON, "hours": "x"})
    assert r.status_code == 422
    assert env.services.access.list_for_user(alice_id(env)) == []


def test_user_access_page_deny_conflict_csrf_and_sign_in(env: Env) -> None:
    r = env.client.get("/privacy/access", headers=HTML, follow_redirects=False)
    assert r.headers["location"] == "/login"
    user_token = signed_in(env)
    assert "No staff member has asked" in env.client.get("/privacy/access", headers=HTML).text
    staff_token = staff_signed_in(env)
    gid = ask(env, staff_token)
    assert env.client.post(f"/privacy/access/{gid}/deny", data={}).status_code == 403
    assert (
        env.client.post(f"/privacy/access/{gid}/deny", data={"csrf_token": staff_token}).status_code
        == 403
    )
    r = env.client.post(f"/privacy/access/{gid}/deny", data={"csrf_token": user_token})
    assert "You refused the request" in r.text
    assert "Refused by you" in r.text
    again = env.client.post(
        f"/privacy/access/{gid}/approve", data={"csrf_token": user_token}, headers=HTML
    )
    assert again.status_code == 409
    assert "The request is already denied" in again.text
    missing = env.client.post(
        f"/privacy/access/{MISSING_ID}/approve", data={"csrf_token": user_token}, headers=HTML
    )
    assert missing.status_code == 404
    with admin_db(env.services).reader() as s:
        assert s.query(UserRow).count() == 1
