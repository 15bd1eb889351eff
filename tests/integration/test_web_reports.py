"""The abuse-report pages through the ASGI app: the user's report form (only ticked messages
are disclosed), their reports and account notices, and the safety team's queue and review
pages with the staff cookie (promises P8 and P12)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from confide.storage.tables import AbuseReport
from confide.web.csrf import CSRF_HEADER
from confide.web.staff_deps import STAFF_COOKIE
from tests.conftest import CANARY_PREFIX
from tests.factories import PASSWORD, Env, admin_db
from tests.integration.test_web_pages import HTML, form_token, sign_up_as, signed_in

REASON = "The companion's reply was abusive."


def chat_page(env: Env, token: str, *texts: str) -> tuple[str, list[dict[str, Any]]]:
    """As the signed-in browser (session cookie and its CSRF token, as chat.js sends them): a
    companion, a conversation, one message per text. Returns the conversation's id and its
    messages, oldest first."""
    headers = {CSRF_HEADER: token}
    r = env.client.post("/api/companions/from-starter", json={"starter": "mira"}, headers=headers)
    assert r.status_code == 201, r.text
    r = env.client.post(f"/api/companions/{r.json()['id']}/conversations", json={}, headers=headers)
    assert r.status_code == 201, r.text
    conversation_id = str(r.json()["id"])
    for text in texts:
        r = env.client.post(
            f"/api/conversations/{conversation_id}/messages",
            json={"content": text},
            headers=headers,
        )
        assert r.status_code == 200, r.text
    r = env.client.get(f"/api/conversations/{conversation_id}/messages")
    assert r.status_code == 200, r.text
    return conversation_id, list(r.json()["items"])


def ticked(html: str) -> list[str]:
    return re.findall(r'name="message_ids" value="([0-9a-f]{32})" checked', html)


def offered(html: str) -> list[str]:
    return re.findall(r'name="message_ids" value="([0-9a-f]{32})"', html)


def file_through_form(env: Env, token: str, conversation_id: str, ids: list[str]) -> Any:
    return env.client.post(
        "/reports",
        data={
            "csrf_token": token,
            "conversation_id": conversation_id,
            "message_ids": ids,
            "category": "harmful_reply",
            "note": "it was cruel",
        },
        follow_redirects=False,
    )


def staff_cookie(env: Env, username: str = "sam", role: str = "safety") -> None:
    """Sign ``username`` in as staff in this client (the cookie the staff log-in sets)."""
    env.services.staff.create(username, role, PASSWORD)
    new = env.services.staff.log_in(username, PASSWORD, "test")
    env.client.cookies.clear()
    env.client.cookies.set(STAFF_COOKIE, new.token, domain="testserver.local", path="/staff")


def reports(env: Env) -> list[AbuseReport]:
    with admin_db(env.services).reader() as s:
        return list(s.scalars(select(AbuseReport)).all())


# --- the user ----------------------------------------------------------------------------------
def test_report_form_lists_the_conversation_with_only_the_chosen_message_ticked(
    env: Env,
) -> None:
    token = signed_in(env)
    conversation_id, items = chat_page(env, token, "first words", "second words here")
    reply = items[2]["id"]
    r = env.client.get(f"/reports/new?conversation={conversation_id}&message={reply}", headers=HTML)
    assert r.status_code == 200, r.text
    assert offered(r.text) == [m["id"] for m in items]
    assert ticked(r.text) == [reply]
    assert 'name="category"' in r.text
    assert "<script>" not in r.text
    assert " style=" not in r.text
    plain = env.client.get(f"/reports/new?conversation={conversation_id}", headers=HTML)
    assert ticked(plain.text) == []


def test_report_form_files_only_the_ticked_messages(env: Env) -> None:
    token = signed_in(env)
    conversation_id, items = chat_page(env, token, f"{CANARY_PREFIX} kept", "reported words")
    chosen = [items[3]["id"], items[4]["id"]]
    r = file_through_form(env, token, conversation_id, chosen)
    assert r.status_code == 303
    assert r.headers["location"] == "/reports?done=filed"
    page = env.client.get("/reports?done=filed", headers=HTML)
    assert "Your report was sent to the safety team" in page.text
    assert "Waiting for review" in page.text
    found = reports(env)
    assert [(x.message_count, x.status) for x in found] == [(2, "open")]
    who = env.services.staff
    who.create("sam", "safety", PASSWORD)
    shown = env.services.reports.show(who.identity_for_cli("sam", PASSWORD), found[0].id)
    assert [m.text for m in shown.messages] == [items[3]["content"], items[4]["content"]]
    assert all(CANARY_PREFIX not in m.text for m in shown.messages)


def test_report_form_refuses_empty_selection_and_forged_posts(env: Env) -> None:
    token = signed_in(env)
    conversation_id, items = chat_page(env, token, "hi")
    r = file_through_form(env, token, conversation_id, [])
    assert r.status_code == 422
    assert "Select at least one message to report" in r.text
    assert "it was cruel" in r.text  # the note is kept
    r = file_through_form(env, "forged", conversation_id, [items[-1]["id"]])
    assert r.status_code == 403
    assert reports(env) == []


def test_report_form_for_another_users_conversation_is_not_found(env: Env) -> None:
    token = signed_in(env)
    conversation_id, items = chat_page(env, token, "alice only")
    bob_token = sign_up_as(env, "bob")
    r = env.client.get(f"/reports/new?conversation={conversation_id}", headers=HTML)
    assert r.status_code == 404
    assert items[-1]["content"] not in r.text
    r = file_through_form(env, bob_token, conversation_id, [items[-1]["id"]])
    assert r.status_code == 404
    assert reports(env) == []
    env.client.cookies.clear()
    r = env.client.get(f"/reports/new?conversation={conversation_id}", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login"


def test_reports_page_shows_decision_and_notice_new_once(env: Env) -> None:
    token = signed_in(env)
    conversation_id, items = chat_page(env, token, "hello")
    file_through_form(env, token, conversation_id, [items[-1]["id"]])
    env.services.staff.create("sam", "safety", PASSWORD)
    sam = env.services.staff.identity_for_cli("sam", PASSWORD)
    env.services.reports.decide(sam, reports(env)[0].id, "warn", REASON)
    banner = "The safety team has made a decision about your account."
    assert banner in env.client.get("/companions", headers=HTML).text  # on every page
    page = env.client.get("/reports", headers=HTML).text
    assert "Warning" in page
    assert f"Reason: {REASON}" in page.replace("&#39;", "'")
    assert '<span class="badge">New</span>' in page
    again = env.client.get("/reports", headers=HTML).text
    assert '<span class="badge">New</span>' not in again
    assert "Warn the account" in again  # the report's decision
    assert banner not in env.client.get("/companions", headers=HTML).text  # read: gone


# --- the safety team ---------------------------------------------------------------------------
def test_staff_queue_and_review_need_a_staff_session(env: Env) -> None:
    token = signed_in(env)
    conversation_id, items = chat_page(env, token, "hello")
    file_through_form(env, token, conversation_id, [items[-1]["id"]])
    # A user session is not a staff session: off to the staff sign-in, nothing shown.
    for _ in range(2):
        r = env.client.get("/staff/reports", headers=HTML, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/staff/login"
        env.client.cookies.clear()


def test_staff_review_page_decides_with_reason(env: Env) -> None:
    token = signed_in(env)
    conversation_id, items = chat_page(env, token, "hello there")
    file_through_form(env, token, conversation_id, [items[-1]["id"]])
    report_id = reports(env)[0].id
    staff_cookie(env)

    queue = env.client.get("/staff/reports", headers=HTML)
    assert queue.status_code == 200, queue.text
    assert f'href="/staff/reports/{report_id}"' in queue.text
    assert "alice" in queue.text
    assert items[-1]["content"] not in queue.text  # the queue shows no content

    page = env.client.get(f"/staff/reports/{report_id}", headers=HTML)
    assert page.status_code == 200, page.text
    assert items[-1]["content"] in page.text
    assert items[1]["content"] not in page.text  # not ticked, not disclosed
    staff_token = form_token(page.text)
    url = f"/staff/reports/{report_id}/decision"

    r = env.client.post(url, data={"csrf_token": "forged", "outcome": "warn", "reason": REASON})
    assert r.status_code == 403
    r = env.client.post(
        url, data={"csrf_token": staff_token, "outcome": "warn", "reason": "short"}, headers=HTML
    )
    assert r.status_code == 422
    assert "A decision needs a reason of at least 10 characters" in r.text
    assert reports(env)[0].status == "open"
    r = env.client.post(
        url,
        data={"csrf_token": staff_token, "outcome": "suspend", "reason": REASON, "days": "x"},
        headers=HTML,
    )
    assert r.status_code == 422
    r = env.client.post(
        url,
        data={"csrf_token": staff_token, "outcome": "suspend", "reason": REASON, "days": "3"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/reports?done=decided"
    done = env.client.get("/staff/reports?done=decided", headers=HTML)
    assert "The decision was recorded" in done.text
    assert "No reports here." in done.text
    assert [(x.status, x.outcome) for x in reports(env)] == [("decided", "suspend")]
    decided = env.client.get(f"/staff/reports/{report_id}", headers=HTML)
    assert 'id="decision-form"' not in decided.text
    assert "Suspend the account" in decided.text


def test_staff_admin_sees_queue_but_cannot_open(env: Env) -> None:
    token = signed_in(env)
    conversation_id, items = chat_page(env, token, "hello")
    file_through_form(env, token, conversation_id, [items[-1]["id"]])
    report_id = reports(env)[0].id
    staff_cookie(env, "ada", "admin")
    queue = env.client.get("/staff/reports", headers=HTML)
    assert queue.status_code == 200
    assert report_id in queue.text
    assert f'href="/staff/reports/{report_id}"' not in queue.text
    r = env.client.get(f"/staff/reports/{report_id}", headers=HTML)
    assert r.status_code == 403
    assert items[-1]["content"] not in r.text
