"""Abuse reports, the safety review queue and enforcement (promises P8 and P12), through the
API and the ``confide reports`` CLI: a report discloses exactly the messages its reporter
ticked; only the safety role opens and decides; every decision needs a reason the affected
user reads; warn, suspend, close and close-as-under-age each do what they say."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from confide.accounts.staff import StaffIdentity
from confide.cli import app
from confide.clock import as_utc
from confide.errors import Forbidden
from confide.storage.tables import AbuseReport, SessionRow
from confide.storage.tables import User as UserRow
from tests.conftest import CANARY_PREFIX
from tests.factories import PASSWORD, Env, User, admin_db, cli_databases

runner = CliRunner()
MISSING_ID = "0" * 32
REASON = "The reply broke the rules on abusive language."


# --- helpers --------------------------------------------------------------------------------


def staff(env: Env, username: str = "sam", role: str = "safety") -> dict[str, str]:
    """A staff member of ``role``, signed in: their bearer header."""
    env.services.staff.create(username, role, PASSWORD)
    new = env.services.staff.log_in(username, PASSWORD, "test")
    return {"Authorization": f"Bearer {new.token}"}


def chat(user: User, *texts: str) -> tuple[str, list[dict[str, Any]]]:
    """A conversation where ``user`` said each of ``texts``: its id and every message (the
    greeting, then each message and its reply), oldest first."""
    conversation_id = user.conversation()
    for text in texts:
        user.say(conversation_id, text)
    r = user.get(f"/api/conversations/{conversation_id}/messages", params={"limit": 200})
    assert r.status_code == 200, r.text
    return conversation_id, list(r.json()["items"])


def report(
    user: User,
    conversation_id: str,
    message_ids: list[str],
    category: str = "harmful_reply",
    note: str = "",
) -> Any:
    r = user.post(
        "/api/reports",
        json={
            "conversation_id": conversation_id,
            "message_ids": message_ids,
            "category": category,
            "note": note,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def decide(env: Env, headers: dict[str, str], report_id: str, outcome: str, **more: Any) -> Any:
    return env.client.post(
        f"/api/staff/reports/{report_id}/decision",
        json={"outcome": outcome, "reason": REASON, **more},
        headers=headers,
    )


def audit(user: User, action: str) -> list[dict[str, Any]]:
    r = user.get("/api/audit", params={"action": action, "limit": 200})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def user_row(env: Env, username: str) -> UserRow | None:
    with admin_db(env.services).reader() as s:
        return s.scalar(select(UserRow).where(UserRow.username == username))


def login(env: Env, username: str) -> Any:
    r = env.client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    env.client.cookies.clear()
    return r


def filed_report(env: Env, alice: User) -> tuple[str, str]:
    """Alice reports one companion reply; returns (report id, alice's user id)."""
    conversation_id, items = chat(alice, "hello there")
    body = report(alice, conversation_id, [items[-1]["id"]])
    return body["id"], str(alice.get("/api/me").json()["id"])


# --- filing and disclosure ------------------------------------------------------------------


def test_report_discloses_exactly_the_selected_messages(env: Env, alice: User) -> None:
    conversation_id, items = chat(
        alice,
        f"{CANARY_PREFIX}-kept-out one",
        f"{CANARY_PREFIX}-disclosed two words",
        f"{CANARY_PREFIX}-also-kept-out three words here",
    )
    assert [m["role"] for m in items] == ["assistant"] + ["user", "assistant"] * 3
    chosen = [items[3], items[4]]  # the second message and its reply
    note = f"{CANARY_PREFIX}-note it said something cruel"
    body = report(alice, conversation_id, [m["id"] for m in reversed(chosen)], note=note)
    assert body["status"] == "open"
    assert body["message_count"] == 2

    sam = staff(env)
    r = env.client.get(f"/api/staff/reports/{body['id']}", headers=sam)
    assert r.status_code == 200, r.text
    shown = r.json()
    assert [(m["role"], m["text"]) for m in shown["messages"]] == [
        (m["role"], m["content"]) for m in chosen
    ]
    assert shown["note"] == note.strip()
    assert shown["username"] == "alice"
    assert shown["category"] == "harmful_reply"
    for other in (items[0], items[1], items[2], items[5], items[6]):
        assert other["content"] not in r.text
    # Stored sealed under alice's key: neither the messages nor the note in the clear.
    db = b"".join(p.read_bytes() for p in env.settings.data_dir.glob("confide.db*"))
    assert CANARY_PREFIX.encode() not in db

    filed = audit(alice, "report.filed")
    assert [(e["object_ref"], e["details"]["messages"]) for e in filed] == [(body["id"], 2)]
    viewed = audit(alice, "report.viewed")
    assert [(e["actor"], e["object_ref"]) for e in viewed] == [("staff", body["id"])]
    assert viewed[0]["details"]["staff_username"] == "sam"
    assert viewed[0]["details"]["staff_role"] == "safety"


def test_report_of_another_users_conversation_is_not_found(env: Env, alice: User) -> None:
    conversation_id, items = chat(alice, "mine alone")
    bob = env.sign_up("bob")
    bob_conversation, bob_items = chat(bob, "bob's words")
    ids = [items[-1]["id"]]
    attempts = [
        (conversation_id, ids),  # alice's conversation and message
        (bob_conversation, ids),  # his conversation, her message
        (bob_conversation, [bob_items[-1]["id"], items[-1]["id"]]),  # one of hers mixed in
        (bob_conversation, [MISSING_ID]),
        (bob_conversation, ["not-an-id"]),
        ("not-an-id", [bob_items[-1]["id"]]),
    ]
    for conv, message_ids in attempts:
        r = bob.post(
            "/api/reports",
            json={"conversation_id": conv, "message_ids": message_ids, "category": "other"},
        )
        assert r.status_code == 404, (conv, message_ids)
        assert r.json()["error"]["code"] == "not_found"
    # A message of alice's other conversation does not belong to this one either.
    second, second_items = chat(alice, "elsewhere")
    r = alice.post(
        "/api/reports",
        json={
            "conversation_id": conversation_id,
            "message_ids": [second_items[-1]["id"]],
            "category": "other",
        },
    )
    assert r.status_code == 404
    assert bob.get("/api/reports").json() == []
    assert alice.get("/api/reports").json() == []
    with admin_db(env.services).reader() as s:
        assert s.scalar(select(func.count()).select_from(AbuseReport)) == 0


def test_report_bad_input_is_4xx(env: Env, alice: User) -> None:
    conversation_id, items = chat(alice, "hi")
    one = [items[-1]["id"]]

    def post(**body: Any) -> Any:
        base = {"conversation_id": conversation_id, "message_ids": one, "category": "hate"}
        return alice.post("/api/reports", json={**base, **body})

    r = post(message_ids=[])
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "no_messages_selected"
    r = post(message_ids=["", "  "])
    assert r.json()["error"]["code"] == "no_messages_selected"
    assert post(message_ids=[MISSING_ID] * 51).status_code == 422
    r = post(category="rudeness")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "unknown_report_category"
    r = post(note="x" * 2001)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "note_too_long"
    assert post(extra=1).status_code == 422
    assert env.client.post("/api/reports", json={}).status_code == 401
    # The same message twice is one message; 2000 characters of note are fine.
    r = post(message_ids=one * 2, note="y" * 2000)
    assert r.status_code == 201, r.text
    assert r.json()["message_count"] == 1


# --- the queue and roles --------------------------------------------------------------------


def test_report_queue_shows_metadata_and_only_safety_opens_or_decides(
    env: Env, alice: User
) -> None:
    conversation_id, items = chat(alice, f"{CANARY_PREFIX}-queue secret")
    body = report(alice, conversation_id, [items[-2]["id"]], "sexual_content", f"{CANARY_PREFIX}")
    sam = staff(env, "sam", "safety")
    ada = staff(env, "ada", "admin")
    sue = staff(env, "sue", "support")

    for headers in (sam, ada):
        r = env.client.get("/api/staff/reports", headers=headers)
        assert r.status_code == 200, r.text
        assert [(q["id"], q["username"], q["category"], q["message_count"]) for q in r.json()] == [
            (body["id"], "alice", "sexual_content", 1)
        ]
        assert CANARY_PREFIX not in r.text
    r = env.client.get("/api/staff/reports", headers=sue)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "staff_role_required"
    for headers in (ada, sue):
        assert (
            env.client.get(f"/api/staff/reports/{body['id']}", headers=headers).status_code == 403
        )
        assert decide(env, headers, body["id"], "warn").status_code == 403
    assert env.client.get("/api/staff/reports").status_code == 401
    assert alice.get("/api/staff/reports").status_code == 401  # a user token is not a staff one
    assert audit(alice, "report.viewed") == []  # refused openings read nothing
    assert env.client.get(f"/api/staff/reports/{MISSING_ID}", headers=sam).status_code == 404
    assert env.client.get("/api/staff/reports?status=nope", headers=sam).status_code == 422

    assert decide(env, sam, body["id"], "dismiss").status_code == 200
    assert env.client.get("/api/staff/reports", headers=sam).json() == []
    decided = env.client.get("/api/staff/reports?status=decided", headers=sam).json()
    assert [(q["id"], q["outcome"]) for q in decided] == [(body["id"], "dismiss")]
    every = env.client.get("/api/staff/reports?status=all", headers=sam).json()
    assert [q["id"] for q in every] == [body["id"]]


def test_report_service_refuses_other_roles(env: Env, alice: User) -> None:
    report_id, _ = filed_report(env, alice)
    admin = StaffIdentity("x" * 32, "ada", "admin", "cli")
    with pytest.raises(Forbidden):
        env.services.reports.show(admin, report_id)
    with pytest.raises(Forbidden):
        env.services.reports.decide(admin, report_id, "warn", REASON)
    with pytest.raises(Forbidden):
        env.services.reports.lift_suspension(admin, MISSING_ID, REASON)


# --- decisions ------------------------------------------------------------------------------


def test_report_decision_needs_a_reason_and_valid_fields(env: Env, alice: User) -> None:
    report_id, _ = filed_report(env, alice)
    sam = staff(env)
    url = f"/api/staff/reports/{report_id}/decision"
    for reason in ("", "   ", "too short", "  short   "):
        r = env.client.post(url, json={"outcome": "warn", "reason": reason}, headers=sam)
        assert r.status_code == 422, reason
        assert r.json()["error"]["code"] == "reason_required"
    r = env.client.post(url, json={"outcome": "warn", "reason": "x" * 2001}, headers=sam)
    assert r.json()["error"]["code"] == "reason_too_long"
    assert env.client.post(url, json={"outcome": "warn"}, headers=sam).status_code == 422
    r = decide(env, sam, report_id, "ban")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "unknown_outcome"
    r = decide(env, sam, report_id, "warn", days=3)
    assert r.json()["error"]["code"] == "days_not_allowed"
    assert decide(env, sam, report_id, "suspend", days=0).status_code == 422
    assert decide(env, sam, MISSING_ID, "warn").status_code == 404
    # Nothing was recorded by any refused decision.
    assert alice.get("/api/reports").json()[0]["status"] == "open"
    assert alice.get("/api/account/notices").json() == []
    assert audit(alice, "report.decided") == []


def test_report_warn_is_shown_to_the_user_once_new_and_audited(env: Env, alice: User) -> None:
    report_id, user_id = filed_report(env, alice)
    sam = staff(env)
    r = decide(env, sam, report_id, "warn")
    assert r.status_code == 200, r.text
    decision = r.json()
    assert (decision["outcome"], decision["user_id"]) == ("warn", user_id)

    notices = alice.get("/api/account/notices").json()
    assert [(n["action"], n["reason"], n["report_id"], n["is_new"]) for n in notices] == [
        ("warn", REASON, report_id, True)
    ]
    assert notices[0]["id"] == decision["action_id"]
    again = alice.get("/api/account/notices").json()
    assert [n["is_new"] for n in again] == [False]
    mine = alice.get("/api/reports").json()
    assert [(m["status"], m["outcome"], m["reason"]) for m in mine] == [("decided", "warn", REASON)]

    decided = audit(alice, "report.decided")
    assert [(e["actor"], e["object_ref"]) for e in decided] == [("staff", report_id)]
    assert decided[0]["details"]["reason"] == REASON
    assert decided[0]["details"]["outcome"] == "warn"
    assert decided[0]["details"]["staff_username"] == "sam"
    warned = audit(alice, "account.warned")
    assert [(e["actor"], e["details"]["reason"], e["details"]["report_id"]) for e in warned] == [
        ("staff", REASON, report_id)
    ]

    r = decide(env, sam, report_id, "suspend")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "report_already_decided"
    assert len(alice.get("/api/account/notices").json()) == 1
    assert env.services.audit.verify().ok


def test_report_notice_seen_one_at_a_time_and_private(env: Env, alice: User) -> None:
    report_id, _ = filed_report(env, alice)
    action_id = decide(env, staff(env), report_id, "warn").json()["action_id"]
    bob = env.sign_up("bob")
    assert bob.post(f"/api/account/notices/{action_id}/seen").status_code == 404
    assert bob.get("/api/account/notices").json() == []
    assert alice.post(f"/api/account/notices/{MISSING_ID}/seen").status_code == 404
    r = alice.post(f"/api/account/notices/{action_id}/seen")
    assert r.status_code == 200, r.text
    assert r.json()["is_new"] is True
    assert alice.post(f"/api/account/notices/{action_id}/seen").json()["is_new"] is False
    assert [n["is_new"] for n in alice.get("/api/account/notices").json()] == [False]


def sessions_of(env: Env, user_id: str) -> int:
    with admin_db(env.services).reader() as s:
        return int(s.scalar(select(func.count()).where(SessionRow.user_id == user_id)) or 0)


def test_report_suspend_signs_out_everywhere_and_lift_restores(env: Env, alice: User) -> None:
    report_id, user_id = filed_report(env, alice)
    assert login(env, "alice").status_code == 200  # a second session
    assert sessions_of(env, user_id) == 2
    sam = staff(env)
    r = decide(env, sam, report_id, "suspend", days=7)
    assert r.status_code == 200, r.text
    until = datetime.fromisoformat(r.json()["until"])
    assert until == env.clock.now + timedelta(days=7)

    row = user_row(env, "alice")
    assert row is not None
    assert row.suspended_at is not None
    assert row.suspended_until is not None
    assert as_utc(row.suspended_until) == until
    assert sessions_of(env, user_id) == 0
    assert alice.get("/api/me").status_code == 401
    refused = login(env, "alice")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "account_suspended"

    env.clock.advance(hours=1)
    lift = f"/api/staff/accounts/{user_id}/lift-suspension"
    r = env.client.post(lift, json={"reason": "short"}, headers=sam)
    assert r.status_code == 422
    r = env.client.post(lift, json={"reason": "Appeal accepted after review."}, headers=sam)
    assert r.status_code == 200, r.text
    assert r.json()["action"] == "lift"
    again = env.client.post(lift, json={"reason": "Appeal accepted after review."}, headers=sam)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_suspended"
    r = env.client.post(
        f"/api/staff/accounts/{MISSING_ID}/lift-suspension",
        json={"reason": "Appeal accepted after review."},
        headers=sam,
    )
    assert r.status_code == 404

    back = login(env, "alice")
    assert back.status_code == 200, back.text
    alice = User(env, "alice", back.json()["token"])
    notices = alice.get("/api/account/notices").json()
    assert [(n["action"], n["reason"]) for n in notices] == [
        ("lift", "Appeal accepted after review."),
        ("suspend", REASON),
    ]
    assert notices[1]["until"] is not None
    suspended = audit(alice, "account.suspended")
    assert [e["details"]["until"] for e in suspended] == [until.isoformat()]
    assert [e["actor"] for e in audit(alice, "account.suspension_lifted")] == ["staff"]


def test_report_suspend_without_days_lasts_until_lifted(env: Env, alice: User) -> None:
    report_id, _ = filed_report(env, alice)
    r = decide(env, staff(env), report_id, "suspend")
    assert r.status_code == 200, r.text
    assert r.json()["until"] is None
    row = user_row(env, "alice")
    assert row is not None
    assert row.suspended_at is not None
    assert row.suspended_until is None
    env.clock.advance(days=3650)
    assert login(env, "alice").status_code == 403


def test_report_close_erases_the_account(env: Env, alice: User) -> None:
    report_id, user_id = filed_report(env, alice)
    bob = env.sign_up("bob")
    chat(bob, "bob stays")
    sam = staff(env)
    r = decide(env, sam, report_id, "close")
    assert r.status_code == 200, r.text
    assert user_row(env, "alice") is None  # erased: key destroyed, rows purged
    assert login(env, "alice").status_code == 401
    assert env.client.get(f"/api/staff/reports/{report_id}", headers=sam).status_code == 404
    entries = env.services.audit.entries_for(user_id, limit=200)
    actions = {(e.action, e.actor) for e in entries}
    assert {
        ("report.decided", "staff"),
        ("account.closed_by_staff", "staff"),
        ("account.deletion_requested", "staff"),
        ("account.shredded", "staff"),
    } <= actions
    assert all(e.details is None for e in entries)  # the details died with the key
    assert user_row(env, "bob") is not None
    assert len(bob.get("/api/conversations").json()) == 1
    assert env.services.audit.verify().ok


def test_report_close_under_age_closes_and_erases_at_once(env: Env, alice: User) -> None:
    report_id, user_id = filed_report(env, alice)
    r = decide(env, staff(env), report_id, "close_under_age")
    assert r.status_code == 200, r.text
    assert user_row(env, "alice") is None
    entries = env.services.audit.entries_for(user_id, limit=200)
    assert ("account.closed_under_age", "staff") in {(e.action, e.actor) for e in entries}
    assert "account.closed_by_staff" not in {e.action for e in entries}


def test_report_decision_on_an_erased_reporter_is_refused(env: Env, alice: User) -> None:
    report_id, user_id = filed_report(env, alice)
    env.services.erasure.delete_account(user_id, immediate=True)  # shredded, not yet purged
    sam = staff(env)
    r = env.client.get(f"/api/staff/reports/{report_id}", headers=sam)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "account_erased"
    assert decide(env, sam, report_id, "warn").status_code == 409


# --- the CLI --------------------------------------------------------------------------------


def test_reports_cli_list_show_decide(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFIDE_MASTER_KEY", raising=False)
    cli_databases(monkeypatch, env.settings)
    data = ["--data-dir", str(env.settings.data_dir)]
    alice = env.sign_up("alice")
    conversation_id, items = chat(alice, "cli words here")
    body = report(alice, conversation_id, [items[-1]["id"]], "hate", "the note for the CLI")
    env.services.staff.create("sam", "safety", PASSWORD)
    env.services.staff.create("ada", "admin", PASSWORD)
    monkeypatch.setenv("CONFIDE_STAFF_PASSWORD", PASSWORD)

    result = runner.invoke(app, ["reports", "list", "--staff", "sam", *data])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if body["id"] in line)
    assert "alice" in row
    assert "hate" in row
    assert "the note" not in result.output  # listings never show content
    assert runner.invoke(app, ["reports", "list", "--staff", "ada", *data]).exit_code == 0

    result = runner.invoke(app, ["reports", "show", body["id"], "--staff", "sam", *data])
    assert result.exit_code == 0, result.output
    assert "note:     the note for the CLI" in result.output
    assert f"companion (AI): {items[-1]['content']}" in result.output
    assert "cli words here" not in result.output  # not selected, not disclosed
    refused = runner.invoke(app, ["reports", "show", body["id"], "--staff", "ada", *data])
    assert refused.exit_code == 1
    assert refused.output.strip() == "confide: this needs the safety role"

    args = ["reports", "decide", body["id"], "--staff", "sam", "--outcome", "warn"]
    short = runner.invoke(app, [*args, "--reason", "no", *data])
    assert short.exit_code == 1
    assert "reason of at least 10 characters" in short.output
    bad = runner.invoke(app, [*args[:-1], "ban", "--reason", REASON, *data])
    assert bad.exit_code == 1
    assert "--outcome must be one of" in bad.output
    result = runner.invoke(app, [*args, "--reason", REASON, *data])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"decided report {body['id']}: the account was warned"
    assert [(n["action"], n["reason"]) for n in alice.get("/api/account/notices").json()] == [
        ("warn", REASON)
    ]
    again = runner.invoke(app, [*args, "--reason", REASON, *data])
    assert again.exit_code == 1
    assert again.output.strip() == "confide: the report is already decided"

    result = runner.invoke(app, ["reports", "list", "--staff", "sam", "--all", *data])
    assert "warn" in next(line for line in result.output.splitlines() if body["id"] in line)
    assert runner.invoke(app, ["reports", "list", "--staff", "sam", *data]).output.strip() == (
        "no open reports"
    )

    monkeypatch.setenv("CONFIDE_STAFF_PASSWORD", "wrong password entirely")
    wrong = runner.invoke(app, ["reports", "list", "--staff", "sam", *data])
    assert wrong.exit_code == 1
    assert wrong.output.strip() == "confide: wrong staff username or password"
