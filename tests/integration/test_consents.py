"""The consent ledger (P6): off until granted (memory chosen at sign-up), withdrawal as easy
as granting, every change recorded with its policy version and audited, and the code asking
the ledger: without the memory consent nothing is extracted or recalled."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from confide.llm.base import ChatMessage
from confide.llm.fake import FakeProvider
from tests.factories import PASSWORD, Env, User

QUIET = {"name": "Quill", "persona": "A quiet listener.", "greeting": ""}


def consents(user: User) -> dict[str, bool]:
    r = user.get("/api/privacy/consents")
    assert r.status_code == 200, r.text
    return {c["purpose"]: c["granted"] for c in r.json()["consents"]}


def test_everything_off_but_the_sign_up_memory_choice(env: Env) -> None:
    alice = env.sign_up("alice")
    assert consents(alice) == {
        "memory": True,
        "model_improvement": False,
        "analytics": False,
        "marketing": False,
        "remote_unshielded": False,  # the PII shield is on unless the user turns it off
    }
    r = env.client.post(
        "/api/auth/signup",
        json={
            "username": "bob",
            "email": "bob@example.org",
            "password": PASSWORD,
            "date_of_birth": "1990-01-01",
            "memory": False,
        },
    )
    assert r.status_code == 201, r.text
    env.client.cookies.clear()
    bob = User(env, "bob", r.json()["token"])
    assert consents(bob)["memory"] is False
    history = bob.get("/api/privacy/consents/history").json()
    assert [(h["purpose"], h["granted"]) for h in history] == [("memory", False)]
    assert history[0]["policy_version"] == env.settings.privacy_policy_version


def test_grant_and_withdraw_are_one_call_each_recorded_and_audited(env: Env) -> None:
    alice = env.sign_up("alice")
    r = alice.put("/api/privacy/consents/model_improvement", json={"granted": True})
    assert r.status_code == 200, r.text
    assert consents(alice)["model_improvement"] is True
    env.clock.advance(minutes=5)
    # Repeating a grant records nothing new.
    alice.put("/api/privacy/consents/model_improvement", json={"granted": True})
    alice.put("/api/privacy/consents/model_improvement", json={"granted": False})
    assert consents(alice)["model_improvement"] is False
    history = alice.get("/api/privacy/consents/history").json()
    assert [(h["purpose"], h["granted"]) for h in history] == [
        ("memory", True),
        ("model_improvement", True),
        ("model_improvement", False),
    ]
    actions = [e["action"] for e in alice.get("/api/audit").json()["items"]]
    assert actions.count("consent.granted") == 2  # memory at sign-up, then training
    assert actions.count("consent.withdrawn") == 1
    # What was in force when: the ledger answers for any moment.
    uid = alice.get("/api/me").json()["id"]
    granted_at = history[1]["at"]
    ledger = env.services.consents
    from datetime import datetime

    moment = datetime.fromisoformat(granted_at.replace("Z", "+00:00"))
    assert ledger.granted(uid, "model_improvement", at=moment) is True
    assert ledger.granted(uid, "model_improvement", at=moment - timedelta(seconds=1)) is False
    assert ledger.granted(uid, "model_improvement") is False


def test_bad_purpose_and_bad_body_are_4xx(env: Env) -> None:
    alice = env.sign_up("alice")
    r = alice.put("/api/privacy/consents/telepathy", json={"granted": True})
    assert r.status_code == 422
    assert set(r.json()["error"]) == {"code", "message"}
    r = alice.put("/api/privacy/consents/memory", json={"granted": True, "extra": 1})
    assert r.status_code == 422
    assert env.client.get("/api/privacy/consents").status_code == 401


def _extractor(messages: Sequence[ChatMessage], schema: Mapping[str, Any]) -> str:
    return json.dumps(
        {
            "memories": [
                {
                    "kind": "fact",
                    "text": "alice keeps bees on the roof",
                    "date": "",
                    "sources": [1],
                    "replaces": 0,
                }
            ]
        }
    )


def test_without_memory_consent_nothing_is_extracted_or_recalled(
    env_factory: Callable[..., Env],
) -> None:
    provider = FakeProvider(structured=_extractor)
    env = env_factory(provider=provider)
    alice = env.sign_up("alice")
    comp = alice.post("/api/companions", json=QUIET).json()["id"]
    alice.post(
        "/api/memories", json={"companion_id": comp, "kind": "fact", "text": "alice keeps bees"}
    )
    alice.put("/api/privacy/consents/memory", json={"granted": False})
    conv = alice.post(f"/api/companions/{comp}/conversations", json={}).json()["id"]
    alice.say(conv, "I keep bees on the roof, you know.")
    asyncio.run(env.services.memory_worker.drain(wait_idle=False))
    assert not [o for o in provider.options if o.json_schema is not None]
    assert "bees" not in "\n".join(m.content for m in provider.requests[-1] if m.role == "system")
    listed = alice.get("/api/memories").json()
    assert [m["origin"] for m in listed["items"]] == ["user"]  # nothing extracted

    alice.put("/api/privacy/consents/memory", json={"granted": True})
    alice.say(conv, "Do you remember my bees?")
    assert "bees" in "\n".join(m.content for m in provider.requests[-1] if m.role == "system")


def test_privacy_summary_in_plain_words(env: Env) -> None:
    alice = env.sign_up("alice")
    conv = alice.conversation()
    alice.say(conv, "hello there")
    for path in ("/api/privacy/summary", "/privacy/summary"):
        r = alice.get(path)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["counts"]["messages"] >= 2
        assert "this machine" in body["processing"]
        assert body["memory"].startswith("on")
        assert body["consents"]["marketing"] is False
        assert {item["what"] for item in body["stored"]} >= {"Memories", "Audit log"}
    assert env.client.get("/privacy/summary").status_code == 401


def test_privacy_summary_states_each_retention_from_settings(
    env_factory: Callable[..., Env],
) -> None:
    env = env_factory(
        account_deletion_grace_days=12,
        export_ttl_hours=6,
        retention_audit_details_days=99,
        retention_abuse_reports_days=45,
        rights_request_due_days=21,
        session_idle_days=3,
    )
    alice = env.sign_up("alice")
    body = alice.get("/api/privacy/summary").json()
    kept = {r["class"]: r["kept"] for r in body["retention"]}
    assert set(kept) >= {
        "messages",
        "memories",
        "sessions",
        "closed_accounts",
        "exports",
        "audit_details",
        "abuse_reports",
        "rights_requests",
    }
    assert "until you delete them" in kept["messages"]
    assert "until you delete them" in kept["memories"]
    assert "3 days unused" in kept["sessions"]
    assert "after 12 days" in kept["closed_accounts"]
    assert "6 hours" in kept["exports"]
    assert "99 days" in kept["audit_details"]
    assert "45 days" in kept["abuse_reports"]
    assert "21 days" in kept["rights_requests"]
    assert all(item.get("retention") for item in body["stored"])
    assert body["training"].startswith("off")

    # Immediate erasure and audit details kept with the account are said so, too.
    other = env_factory(account_deletion_grace_days=0, retention_audit_details_days=0)
    kept = {
        r["class"]: r["kept"]
        for r in other.sign_up("bob").get("/api/privacy/summary").json()["retention"]
    }
    assert "immediately" in kept["closed_accounts"]
    assert "as long as your account" in kept["audit_details"]


def test_privacy_summary_policy_in_force_and_notice(env: Env) -> None:
    alice = env.sign_up("alice")
    body = alice.get("/privacy/summary").json()
    assert body["policy"] == {
        "version": env.settings.privacy_policy_version,
        "published_at": None,
        "notice_pending": False,
    }
    env.clock.advance(days=1)
    env.services.policy.publish("2027-05", "We added a remote model option.", material=True)
    body = alice.get("/api/privacy/summary").json()
    assert body["policy_version"] == "2027-05"
    assert body["policy"]["version"] == "2027-05"
    assert body["policy"]["notice_pending"] is True
    alice.post("/api/privacy/policy/acknowledge", json={"version": "2027-05"})
    assert alice.get("/api/privacy/summary").json()["policy"]["notice_pending"] is False
    alice.put("/api/privacy/consents/model_improvement", json={"granted": True})
    assert alice.get("/api/privacy/summary").json()["training"].startswith("on")
