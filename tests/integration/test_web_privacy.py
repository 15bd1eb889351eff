"""The privacy center's pages through the ASGI app: what is stored, consents, exports, every
erasure, sessions, the audit timeline (promises P3, P5, P6, P9, P13, P14). The same journey in
a real Chromium is in tests/browser/test_privacy_pages.py."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from starlette.testclient import TestClient

from confide.llm.fake import FakeProvider
from confide.privacy.audit import Checkpoint
from confide.storage.tables import User as UserRow
from confide.web.pages.privacy import countdown
from tests.factories import PASSWORD, Env, User, admin_db
from tests.integration.test_web_pages import HTML, form_token, sign_up_as, signed_in

SAID = "I love sailing at dawn near Brightwater"


def count_of(html: str, kind: str) -> int:
    match = re.search(
        rf'<th scope="row">{kind}</th>\s*<td class="count"[^>]* data-count="(\d+)">', html
    )
    assert match is not None, f"no {kind} row on the page"
    return int(match.group(1))


def chat_once(env: Env, token: str, text: str = SAID) -> str:
    """Through the forms: a companion from a starter, a conversation, one message. Returns the
    companion's id."""
    r = env.client.post("/companions/from-starter", data={"starter": "mira", "csrf_token": token})
    companion_id = r.url.path.rsplit("/", 1)[1]
    r = env.client.post(f"{r.url.path}/conversations", data={"csrf_token": token})
    r = env.client.post(f"{r.url.path}/send", data={"content": text, "csrf_token": token})
    assert r.status_code == 200, r.text
    return companion_id


def consent(env: Env, purpose: str) -> bool:
    with admin_db(env.services).reader() as s:
        user_id = s.scalar(select(UserRow.id).where(UserRow.username == "alice"))
    assert user_id is not None
    return env.services.consents.granted(user_id, purpose)


def alice_status(env: Env) -> str | None:
    with admin_db(env.services).reader() as s:
        return s.scalar(select(UserRow.status).where(UserRow.username == "alice"))


def alice_id(env: Env) -> str:
    with admin_db(env.services).reader() as s:
        user_id = s.scalar(select(UserRow.id).where(UserRow.username == "alice"))
    assert user_id is not None
    return user_id


# --- the center ----------------------------------------------------------------------------
def test_privacy_page_signed_out_goes_to_login(env: Env) -> None:
    r = env.client.get("/privacy", headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login"


def test_privacy_page_counts_change_after_chatting_and_names_model(env: Env) -> None:
    token = signed_in(env)
    page = env.client.get("/privacy", headers=HTML).text
    assert count_of(page, "Messages") == 0
    assert count_of(page, "Companions") == 0
    for section in ("stored", "consents", "export", "erase", "sessions"):
        assert f'id="{section}"' in page
    assert 'href="/privacy/audit"' in page
    assert "local model fake-model, on this server" in page
    assert "after 30 days, during which you can cancel" in page  # retention of closed accounts

    chat_once(env, token)
    page = env.client.get("/privacy", headers=HTML).text
    assert count_of(page, "Companions") == 1
    assert count_of(page, "Conversations") == 1
    assert count_of(page, "Messages") == 3  # the greeting, the user's message, the reply
    assert "<script>" not in page
    assert " style=" not in page


def test_privacy_page_names_a_remote_provider(env_factory: Callable[..., Env]) -> None:
    env = env_factory(provider=FakeProvider(remote=True, model="big-model"))
    signed_in(env)
    page = env.client.get("/privacy", headers=HTML).text
    assert "remote: fake/big-model" in page
    assert "local model" not in page


def test_privacy_page_shows_only_own_data(env: Env, alice: User) -> None:
    alice.say(alice.conversation(), "bob must never see this")
    sign_up_as(env, "bob")
    page = env.client.get("/privacy", headers=HTML).text
    assert count_of(page, "Messages") == 0
    assert count_of(page, "Sign-in sessions") == 1


# --- consents ------------------------------------------------------------------------------
def test_privacy_consent_forms_withdraw_and_grant_change_the_ledger(env: Env) -> None:
    token = signed_in(env)
    assert consent(env, "memory") is True
    r = env.client.post("/privacy/consents/memory", data={"granted": "off", "csrf_token": token})
    assert r.status_code == 200
    assert "Memory is now off" in r.text
    assert "Turn on Memory" in r.text
    assert consent(env, "memory") is False

    r = env.client.post(
        "/privacy/consents/model_improvement", data={"granted": "on", "csrf_token": token}
    )
    assert "Model improvement (training) is now on" in r.text
    assert consent(env, "model_improvement") is True
    history = env.client.get("/privacy/consents", headers=HTML).text
    assert history.count("<tr>") == 1 + 3  # header + sign-up grant, withdrawal, grant
    assert "Turned off" in history


def test_privacy_consent_form_without_csrf_refused_unchanged(env: Env) -> None:
    signed_in(env)
    r = env.client.post("/privacy/consents/memory", data={"granted": "off"}, headers=HTML)
    assert r.status_code == 403
    assert consent(env, "memory") is True


def test_privacy_consent_unknown_purpose_is_a_message(env: Env) -> None:
    token = signed_in(env)
    r = env.client.post(
        "/privacy/consents/selling", data={"granted": "on", "csrf_token": token}, headers=HTML
    )
    assert r.status_code == 422
    assert "Purpose must be one of" in r.text


# --- exports -------------------------------------------------------------------------------
def test_privacy_export_ready_download_once_holds_the_message(env: Env) -> None:
    token = signed_in(env)
    chat_once(env, token)
    r = env.client.post("/privacy/exports", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    env.services.exports.run_pending()
    page = env.client.get("/privacy", headers=HTML).text
    assert "Ready to download" in page
    export_id = re.search(r'data-export-id="([0-9a-f]+)" data-status="ready"', page)
    assert export_id is not None
    url = f"/privacy/exports/{export_id.group(1)}/download"

    r = env.client.post(url, data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    link = r.headers["location"]
    assert link.startswith("/api/exports/download/")
    r = env.client.get(link)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        data = json.loads(archive.read("data.json"))
    assert SAID in json.dumps(data)

    assert env.client.get(link).status_code == 410  # the link works once
    r = env.client.post(url, data={"csrf_token": token}, headers=HTML)
    assert r.status_code == 410
    assert "already downloaded" in r.text
    assert "Downloaded (the archive is deleted)" in r.text


def test_privacy_export_while_one_is_prepared_is_a_message(env: Env) -> None:
    token = signed_in(env)
    env.services.exports.request(alice_id(env))  # queued, not run
    page = env.client.get("/privacy", headers=HTML).text
    assert "Waiting to start" in page
    assert 'href="/privacy#export">Refresh</a>' in page  # without JS
    assert 'class="export-download" hidden' in page
    r = env.client.post("/privacy/exports", data={"csrf_token": token}, headers=HTML)
    assert r.status_code == 409
    assert "already being prepared" in r.text


def test_privacy_export_of_another_user_not_found(env: Env, alice: User) -> None:
    other = alice.post("/api/exports").json()["id"]
    env.services.exports.run_pending()
    token = sign_up_as(env, "bob")
    r = env.client.post(
        f"/privacy/exports/{other}/download",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 404
    assert alice.get(f"/api/exports/{other}").json()["status"] == "ready"


def test_privacy_export_without_csrf_refused_nothing_queued(env: Env) -> None:
    signed_in(env)
    r = env.client.post("/privacy/exports", data={}, headers=HTML)
    assert r.status_code == 403
    assert env.services.exports.list(alice_id(env)) == []


# --- audit ---------------------------------------------------------------------------------
def test_privacy_audit_filter_narrows_entries(env: Env) -> None:
    token = signed_in(env)
    env.client.post("/privacy/consents/memory", data={"granted": "off", "csrf_token": token})
    page = env.client.get("/privacy/audit", headers=HTML).text
    actions = re.findall(r'class="audit-entry" data-action="([a-z_.]+)"', page)
    assert {"account.created", "consent.granted", "consent.withdrawn"} <= set(actions)
    assert "Consent withdrawn" in page  # in plain words

    page = env.client.get("/privacy/audit?action=consent.withdrawn", headers=HTML).text
    assert re.findall(r'data-action="([a-z_.]+)"', page) == ["consent.withdrawn"]
    page = env.client.get("/privacy/audit?since=2026-11-24", headers=HTML).text
    assert re.findall(r'data-action="([a-z_.]+)"', page) == []
    page = env.client.get("/privacy/audit?until=2026-11-23", headers=HTML).text
    assert len(re.findall(r'data-action="([a-z_.]+)"', page)) == len(actions)


def test_privacy_audit_pages_and_bad_filters(env: Env) -> None:
    signed_in(env)
    page = env.client.get("/privacy/audit?limit=1", headers=HTML).text
    assert len(re.findall(r'class="audit-entry"', page)) == 1
    older = re.search(r'href="([^"]+before=\d+)">Older entries', page)
    assert older is not None
    page = env.client.get(older.group(1).replace("&amp;", "&"), headers=HTML).text
    assert len(re.findall(r'class="audit-entry"', page)) == 1
    r = env.client.get("/privacy/audit?since=yesterday", headers=HTML)
    assert r.status_code == 422
    assert "YYYY-MM-DD" in r.text
    r = env.client.get("/privacy/audit?action=nope", headers=HTML)
    assert r.status_code == 422


def test_privacy_audit_checkpoint_download_is_signed_json(env: Env) -> None:
    signed_in(env)
    r = env.client.get("/privacy/audit/checkpoint", headers=HTML)
    assert r.status_code == 404
    assert "No checkpoint has been signed yet" in r.text
    env.services.audit.checkpoint()
    r = env.client.get("/privacy/audit/checkpoint", headers=HTML)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["content-disposition"].startswith("attachment;")
    body = r.json()
    public = serialization.load_pem_public_key(body["public_key"].encode())
    assert isinstance(public, Ed25519PublicKey)
    assert Checkpoint.from_json(body).valid_under(public)
    assert body["size"] >= 1


# --- sessions ------------------------------------------------------------------------------
def _second_session(env: Env) -> TestClient:
    other = TestClient(env.client.app)
    r = other.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert other.get("/api/me").status_code == 200
    return other


def test_privacy_sessions_sign_out_others_ends_the_other_session(env: Env) -> None:
    token = signed_in(env)
    other = _second_session(env)
    page = env.client.get("/privacy", headers=HTML).text
    assert len(re.findall(r'class="session( current)?"', page)) == 2
    assert "This device" in page
    r = env.client.post("/privacy/sessions/others/end", data={"csrf_token": token})
    assert "Other sessions signed out: 1." in r.text
    assert other.get("/api/me").status_code == 401
    assert env.client.get("/api/me").status_code == 200  # this one stays


def test_privacy_sessions_sign_out_one_and_not_another_users(env: Env, alice: User) -> None:
    bob = env.sign_up("bob")
    bob_session = bob.get("/api/auth/sessions").json()[0]["id"]
    r = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    token = form_token(env.client.get("/privacy", headers=HTML).text)
    r = env.client.post(
        f"/privacy/sessions/{bob_session}/end", data={"csrf_token": token}, headers=HTML
    )
    assert r.status_code == 404
    assert bob.get("/api/me").status_code == 200

    page = env.client.get("/privacy", headers=HTML).text
    other = re.search(r'class="session" data-session-id="([0-9a-f]+)"', page)
    assert other is not None  # alice's bearer session from sign-up
    r = env.client.post(f"/privacy/sessions/{other.group(1)}/end", data={"csrf_token": token})
    assert "That session is signed out" in r.text
    assert alice.get("/api/me").status_code == 401
    r = env.client.post(f"/privacy/sessions/{other.group(1)}/end", data={})
    assert r.status_code == 403


def test_privacy_sessions_ending_this_one_signs_out(env: Env) -> None:
    token = signed_in(env)
    page = env.client.get("/privacy", headers=HTML).text
    mine = re.search(r'class="session current" data-session-id="([0-9a-f]+)"', page)
    assert mine is not None
    r = env.client.post(
        f"/privacy/sessions/{mine.group(1)}/end", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    assert env.client.get("/api/me").status_code == 401


# --- erasure: conversations and memories ---------------------------------------------------
def test_privacy_erase_companion_conversations_needs_confirmation(env: Env) -> None:
    token = signed_in(env)
    companion_id = chat_once(env, token)
    page = env.client.get(f"/privacy/erase/conversations?companion={companion_id}", headers=HTML)
    assert "all conversations with Mira" in page.text
    assert "<strong>1</strong> conversation" in page.text
    assert "<strong>3</strong> messages" in page.text
    data = {"companion": companion_id, "csrf_token": token}
    r = env.client.post("/privacy/erase/conversations", data=data, headers=HTML)
    assert r.status_code == 422
    assert "Tick the box to confirm" in r.text
    assert count_of(env.client.get("/privacy", headers=HTML).text, "Conversations") == 1
    assert env.client.post("/privacy/erase/conversations", data={"confirm": "yes"}).status_code == (
        403
    )

    r = env.client.post("/privacy/erase/conversations", data={**data, "confirm": "yes"})
    assert "Conversations deleted, with everything in them: 1." in r.text
    assert count_of(r.text, "Conversations") == 0
    assert count_of(r.text, "Messages") == 0
    assert count_of(r.text, "Companions") == 1


def test_privacy_erase_another_users_companion_not_found(env: Env, alice: User) -> None:
    theirs = alice.companion()["id"]
    alice.say(alice.conversation(theirs), "still here")
    token = sign_up_as(env, "bob")
    assert (
        env.client.get(f"/privacy/erase/conversations?companion={theirs}", headers=HTML).status_code
        == 404
    )
    r = env.client.post(
        "/privacy/erase/conversations",
        data={"companion": theirs, "confirm": "yes", "csrf_token": token},
        headers=HTML,
    )
    assert r.status_code == 404
    assert len(alice.get("/api/conversations").json()) == 1


def test_privacy_erase_all_conversations_and_memories(env: Env) -> None:
    token = signed_in(env)
    companion_id = chat_once(env, token)
    chat_once(env, token, "a second conversation")
    headers = {"X-CSRF-Token": token}
    for text in ("likes tea", "lives by the sea"):
        r = env.client.post(
            "/api/memories",
            json={"companion_id": companion_id, "kind": "fact", "text": text},
            headers=headers,
        )
        assert r.status_code == 201, r.text
    page = env.client.get("/privacy/erase/memories", headers=HTML).text
    assert "<strong>2</strong> memories" in page
    r = env.client.post("/privacy/erase/memories", data={"csrf_token": token, "confirm": "yes"})
    assert "Memories deleted: 2." in r.text
    assert count_of(r.text, "Memories") == 0

    page = env.client.get("/privacy/erase/conversations", headers=HTML).text
    assert "<strong>2</strong> conversations" in page
    r = env.client.post(
        "/privacy/erase/conversations", data={"csrf_token": token, "confirm": "yes"}
    )
    assert "Conversations deleted, with everything in them: 2." in r.text
    assert count_of(r.text, "Messages") == 0
    assert count_of(r.text, "Companions") == 2


# --- erasure: the account ------------------------------------------------------------------
def test_privacy_account_deletion_wrong_password_refused_nothing_deleted(env: Env) -> None:
    token = signed_in(env)
    page = env.client.get("/privacy/erase/account", headers=HTML).text
    assert "After 30 days" in page
    assert "Cancel an account deletion" in page
    r = env.client.post(
        "/privacy/erase/account",
        data={"password": "not it at all", "confirm": "yes", "csrf_token": token},
        headers=HTML,
    )
    assert r.status_code == 401
    assert "The current password is wrong" in r.text
    assert alice_status(env) == "active"
    assert env.client.get("/api/me").status_code == 200


def test_privacy_account_deletion_needs_csrf_and_confirmation(env: Env) -> None:
    token = signed_in(env)
    r = env.client.post("/privacy/erase/account", data={"password": PASSWORD, "confirm": "yes"})
    assert r.status_code == 403
    r = env.client.post(
        "/privacy/erase/account", data={"password": PASSWORD, "csrf_token": token}, headers=HTML
    )
    assert r.status_code == 422
    assert "Tick the box to confirm" in r.text
    assert alice_status(env) == "active"


def test_privacy_account_deletion_receipt_refuses_login_and_cancel_restores(env: Env) -> None:
    token = signed_in(env)
    chat_once(env, token)
    r = env.client.post(
        "/privacy/erase/account",
        data={"password": PASSWORD, "confirm": "yes", "csrf_token": token},
        headers=HTML,
    )
    assert r.status_code == 200
    assert "Your deletion receipt" in r.text
    assert "2026-12-23 12:00 UTC" in r.text  # now + 30 days
    assert "in 30 days" in r.text
    assert 'href="/account/deletion/cancel"' in r.text
    assert "&#34;signature&#34;: " in r.text  # the signed receipt itself, to keep
    assert 'confide_session=""' in r.headers["set-cookie"]
    assert "Signed in as" not in r.text
    assert alice_status(env) == "deleting"
    assert env.client.get("/privacy", follow_redirects=False).status_code == 303

    login = form_token(env.client.get("/login", headers=HTML).text)
    r = env.client.post(
        "/login", data={"username": "alice", "password": PASSWORD, "csrf_token": login}
    )
    assert r.status_code == 401
    assert "being deleted" in r.text

    cancel = form_token(env.client.get("/account/deletion/cancel", headers=HTML).text)
    r = env.client.post(
        "/account/deletion/cancel",
        data={"username": "alice", "password": "wrong guess", "csrf_token": cancel},
        headers=HTML,
    )
    assert r.status_code == 401
    assert alice_status(env) == "deleting"
    r = env.client.post(
        "/account/deletion/cancel", data={"username": "alice", "password": PASSWORD}, headers=HTML
    )
    assert r.status_code == 403
    r = env.client.post(
        "/account/deletion/cancel",
        data={"username": "alice", "password": PASSWORD, "csrf_token": cancel},
    )
    assert r.status_code == 200
    assert r.url.path == "/privacy"
    assert "deletion of your account is cancelled" in r.text
    assert "Signed in as" in r.text
    assert alice_status(env) == "active"
    assert count_of(r.text, "Messages") == 3  # everything is as it was


def test_privacy_account_immediate_deletion_cannot_be_cancelled(env: Env) -> None:
    token = signed_in(env)
    r = env.client.post(
        "/privacy/erase/account",
        data={"password": PASSWORD, "confirm": "yes", "immediate": "yes", "csrf_token": token},
        headers=HTML,
    )
    assert r.status_code == 200
    assert "already destroyed" in r.text
    assert 'href="/account/deletion/cancel"' not in r.text
    cancel = form_token(env.client.get("/account/deletion/cancel", headers=HTML).text)
    r = env.client.post(
        "/account/deletion/cancel",
        data={"username": "alice", "password": PASSWORD, "csrf_token": cancel},
        headers=HTML,
    )
    assert r.status_code in (401, 409)
    assert alice_status(env) != "active"


def test_privacy_countdown_words() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert countdown(now + timedelta(days=30), now + timedelta(milliseconds=5)) == "in 30 days"
    assert countdown(now + timedelta(days=1, hours=2), now) == "in 1 day 2 hours"
    assert countdown(now + timedelta(hours=3, minutes=1), now) == "in 3 hours 1 minute"
    assert countdown(now + timedelta(seconds=10), now) == "in 1 minute"
    assert countdown(now - timedelta(seconds=1), now) == "passed"
    assert countdown(None, now) == ""
