"""The chat turn's safety and trust (P7, P11, P12): the crisis card and the steered reply, the
PII shield around a remote provider (and failing closed), the opt-out consent, the warning
about a sensitive identifier, the helplines country, the date-of-birth correction and a
suspended account.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from confide.llm.base import ChatMessage
from confide.llm.fake import FakeProvider
from confide.storage.tables import User as UserRow
from tests.factories import PASSWORD, Env, User, admin_db, make_env

CRISIS = "honestly I want to kill myself, I can't do this anymore"
EMAIL = "asha.rao@example.org"
PHONE = "+91 98765 43210"
CARD = "4111 1111 1111 1111"


def sse_events(user: User, conversation_id: str, text: str) -> list[tuple[str, dict[str, Any]]]:
    with user.env.client.stream(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        json={"content": text, "stream": True},
        headers=user.headers,
    ) as r:
        assert r.status_code == 200
        body = "".join(r.iter_text())
    events = []
    for chunk in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in chunk.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def audit_actions(user: User, action: str) -> list[dict[str, Any]]:
    r = user.get("/api/audit", params={"action": action})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def sent_text(provider: FakeProvider) -> str:
    return "\n".join(m.content for request in provider.requests for m in request)


# --- crisis support (P11) ----------------------------------------------------------------------
def test_a_crisis_message_brings_helplines_for_the_users_country_and_steers_the_reply(
    env: Env,
) -> None:
    alice = env.sign_up("alice")
    r = alice.put("/api/account/country", json={"country": "in"})
    assert r.status_code == 200, r.text
    assert r.json() == {"country": "IN", "helplines_country": "IN"}
    conv = alice.conversation()
    turn = alice.say(conv, CRISIS)
    card = turn["safety"]
    assert card["kind"] == "self_harm"
    assert card["country"] == "IN"
    assert card["emergency"] == "112"
    names = " ".join(h["name"] for h in card["helplines"])
    for name in ("Tele-MANAS", "iCall", "Vandrevala"):
        assert name in names
    assert all(h["source"].startswith("https://") for h in card["helplines"])
    # The reply was steered: the prompt carried the note, naming a helpline.
    system = [m.content for m in env.provider.requests[-1] if m.role == "system"]
    assert any("Tele-MANAS" in text for text in system)
    # Recorded only in the user's own audit log, without the text.
    [entry] = audit_actions(alice, "safety.card_shown")
    assert entry["object_ref"] == turn["user_message"]["id"]
    assert entry["details"]["kind"] == "self_harm"
    assert entry["details"]["country"] == "IN"
    assert "anymore" not in json.dumps(entry)  # the rule's id, never the words


def test_the_card_streams_right_after_the_users_message(env: Env) -> None:
    alice = env.sign_up("alice")
    conv = alice.conversation()
    kinds = [kind for kind, _ in sse_events(alice, conv, CRISIS)]
    assert kinds[:2] == ["user_message", "safety"]
    assert kinds[-1] == "reply"


@pytest.mark.parametrize(
    "text",
    ["this homework is killing me", "I could kill for a pizza right now", "hello there"],
)
def test_everyday_messages_bring_no_card_and_no_note(env: Env, text: str) -> None:
    alice = env.sign_up("alice")
    turn = alice.say(alice.conversation(), text)
    assert turn["safety"] is None
    assert audit_actions(alice, "safety.card_shown") == []
    assert "helpline" not in sent_text(env.provider).lower()


def test_without_a_country_the_instance_default_then_the_international_list(
    env_factory: Any,
) -> None:
    india = env_factory(default_country="IN")
    alice = india.sign_up("alice")
    assert alice.say(alice.conversation(), CRISIS)["safety"]["country"] == "IN"
    r = alice.put("/api/account/country", json={"country": "GB"})
    assert r.json()["helplines_country"] == "GB"
    names = " ".join(
        h["name"] for h in alice.say(alice.conversation(), CRISIS)["safety"]["helplines"]
    )
    assert "Samaritans" in names
    plain = env_factory()
    bob = plain.sign_up("bob")
    card = bob.say(bob.conversation(), CRISIS)["safety"]
    assert card["fallback"] is True


@pytest.mark.parametrize("bad", ["India", "1N", "", "U"])
def test_a_bad_country_is_refused_and_nothing_changes(env: Env, bad: str) -> None:
    alice = env.sign_up("alice")
    assert alice.put("/api/account/country", json={"country": "US"}).status_code == 200
    r = alice.put("/api/account/country", json={"country": bad})
    if bad == "":
        assert r.status_code == 200  # empty: back to the default
        assert r.json()["country"] is None
        return
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"
    assert env.services.accounts.country(alice.get("/api/me").json()["id"]) == "US"


# --- the PII shield (P7) -----------------------------------------------------------------------
def _echo(messages: Sequence[ChatMessage]) -> str:
    """A remote model that repeats back what it was sent in the last user message."""
    last = next(m.content for m in reversed(messages) if m.role == "user")
    return f"Noted: {last}"


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path / "remote", provider=FakeProvider(remote=True, reply=_echo))
    yield e
    e.client.close()
    e.services.close()


def test_a_remote_provider_never_sees_identifiers_and_the_reply_gets_them_back(
    remote: Env,
) -> None:
    asha = remote.sign_up("asha")
    conv = asha.conversation()
    turn = asha.say(conv, f"I'm asha, write to {EMAIL} or call {PHONE}")
    sent = sent_text(remote.provider)
    for value in (EMAIL, PHONE, "asha"):
        assert value not in sent
    assert "[EMAIL_1]" in sent
    # The model call is audited as shielded, in the user's own log.
    [call] = audit_actions(asha, "model.call")
    assert call["details"]["remote"] is True
    assert call["details"]["pii_shield"] is True
    # The stored reply has the values back where the model used placeholders.
    assert EMAIL in turn["reply"]["content"]
    assert PHONE in turn["reply"]["content"]
    # The next turn resends the history: still no identifier leaves.
    asha.say(conv, "thanks")
    assert EMAIL not in sent_text(remote.provider)


def test_streamed_replies_are_restored_piece_by_piece(remote: Env) -> None:
    asha = remote.sign_up("asha")
    conv = asha.conversation()
    events = sse_events(asha, conv, f"mail {EMAIL}")
    streamed = "".join(data["text"] for kind, data in events if kind == "delta")
    assert EMAIL in streamed
    assert "[EMAIL" not in streamed
    assert EMAIL not in sent_text(remote.provider)


def test_if_detection_fails_nothing_is_sent_and_the_user_sees_why(
    remote: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    from presidio_analyzer.predefined_recognizers import CreditCardRecognizer

    asha = remote.sign_up("asha")
    conv = asha.conversation()
    remote.services.outbound.shield  # loaded before the recognizer breaks  # noqa: B018

    def explode(self: object, pattern_text: str) -> bool:
        raise RuntimeError("validator crashed")

    monkeypatch.setattr(CreditCardRecognizer, "validate_result", explode)
    r = asha.post(f"/api/conversations/{conv}/messages", json={"content": f"card {CARD}"})
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == "pii_shield_failed"
    assert "nothing was sent" in r.json()["error"]["message"].lower()
    assert remote.provider.requests == []
    # The user's message itself is kept (as for any model failure).
    page = asha.get(f"/api/conversations/{conv}/messages").json()["items"]
    assert [m["content"] for m in page if m["role"] == "user"] == [f"card {CARD}"]


def test_the_user_may_turn_the_shield_off_for_a_trusted_provider(remote: Env) -> None:
    asha = remote.sign_up("asha")
    where = asha.get("/api/privacy/summary").json()["processing"]
    assert "replaced by placeholders" in where
    r = asha.put("/api/privacy/consents/remote_unshielded", json={"granted": True})
    assert r.status_code == 200, r.text
    asha.say(asha.conversation(), f"write to {EMAIL}")
    assert EMAIL in sent_text(remote.provider)
    [entry] = [
        e for e in audit_actions(asha, "consent.granted") if e["purpose"] == "remote_unshielded"
    ]
    assert entry["actor"] == "user"
    where = asha.get("/api/privacy/summary").json()["processing"]
    assert "You turned the PII shield off" in where
    asha.put("/api/privacy/consents/remote_unshielded", json={"granted": False})
    before = len(remote.provider.requests)
    asha.say(asha.conversation(), f"again {EMAIL}")
    assert EMAIL not in "\n".join(m.content for m in remote.provider.requests[before][:])


def test_the_local_model_gets_the_text_as_written(env: Env) -> None:
    alice = env.sign_up("alice")
    alice.say(alice.conversation(), f"write to {EMAIL}")
    assert EMAIL in sent_text(env.provider)
    [call] = audit_actions(alice, "model.call")
    assert call["details"]["pii_shield"] is False


def test_memory_extraction_for_a_remote_provider_is_shielded_too(tmp_path: Path) -> None:
    seen: list[str] = []

    def structured(messages: Sequence[ChatMessage], schema: Any) -> str:
        seen.extend(m.content for m in messages)
        return json.dumps({"items": []})

    provider = FakeProvider(remote=True, structured=structured)
    e = make_env(tmp_path / "x", provider=provider)
    try:
        asha = e.sign_up("asha")
        asha.say(asha.conversation(), f"my email is {EMAIL}, remember it")
        asyncio.run(e.services.memory_worker.drain(wait_idle=False))
        assert seen, "extraction did not call the model"
        assert EMAIL not in "\n".join(seen)
    finally:
        e.client.close()
        e.services.close()


# --- sensitive identifiers -----------------------------------------------------------------------
def test_a_card_number_brings_a_warning_once_with_a_way_to_delete_it(env: Env) -> None:
    alice = env.sign_up("alice")
    conv = alice.conversation()
    turn = alice.say(conv, f"my card is {CARD} exp 09/29")
    warning = turn["warning"]
    assert warning["code"] == "sensitive_identifier"
    assert warning["kinds"] == ["CARD"]
    assert warning["message_id"] == turn["user_message"]["id"]
    assert "card number" in warning["message"]
    assert alice.say(conv, "ok thanks")["warning"] is None
    r = alice.delete(f"/api/messages/{warning['message_id']}")
    assert r.status_code == 204
    contents = [
        m["content"] for m in alice.get(f"/api/conversations/{conv}/messages").json()["items"]
    ]
    assert all(CARD not in c for c in contents)


# --- date of birth, suspension (P12) ------------------------------------------------------------
def test_correcting_the_date_of_birth_under_the_minimum_age_closes_and_erases(env: Env) -> None:
    alice = env.sign_up("alice")
    alice.say(alice.conversation(), "hello")
    fine = alice.put("/api/account/date-of-birth", json={"date_of_birth": "1991-01-02"})
    assert fine.status_code == 200, fine.text
    assert fine.json() == {"corrected": True, "account_closed": False, "receipt": None}
    user_id = alice.get("/api/me").json()["id"]
    minor = (env.clock().date() - timedelta(days=16 * 366)).isoformat()
    r = alice.put("/api/account/date-of-birth", json={"date_of_birth": minor})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["account_closed"] is True
    assert body["receipt"]["immediate"] is True
    assert alice.get("/api/me").status_code == 401
    login = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert login.status_code == 401
    with pytest.raises(Exception, match="no data key"):
        env.services.keys.get(user_id)


def test_signing_in_to_an_account_closed_at_once_says_so_until_its_rows_are_purged(
    env: Env,
) -> None:
    alice = env.sign_up("alice")
    user_id = alice.get("/api/me").json()["id"]
    env.services.erasure.close_under_age(user_id, actor="user")
    login = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert login.status_code == 401
    assert login.json()["error"] == {
        "code": "account_closed",
        "message": "this account was closed and its data erased",
    }
    assert env.services.erasure.purge_user(user_id)
    login = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert login.json()["error"]["code"] == "unauthenticated"  # the name is free again


def test_a_date_of_birth_in_the_future_is_refused(env: Env) -> None:
    alice = env.sign_up("alice")
    future = (env.clock().date() + timedelta(days=3)).isoformat()
    r = alice.put("/api/account/date-of-birth", json={"date_of_birth": future})
    assert r.status_code == 422
    assert alice.get("/api/me").status_code == 200


def test_a_suspended_account_cannot_sign_in_or_use_its_sessions(env: Env) -> None:
    alice = env.sign_up("alice")
    user_id = alice.get("/api/me").json()["id"]
    with admin_db(env.services).transaction() as s:
        s.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(suspended_at=env.clock(), suspended_until=env.clock() + timedelta(days=7))
        )
    assert alice.get("/api/me").status_code == 401
    r = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "account_suspended"
    assert "suspended until" in r.json()["error"]["message"]
    env.clock.advance(days=8)
    r = env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 200, r.text


VEILED = "he keeps humiliating me at work and one day he will get exactly what is coming to him"


def test_a_veiled_threat_is_caught_by_the_classifier_and_the_page_shows_its_card(
    env: Env,
) -> None:
    if env.services.memory.embedder is None:
        pytest.skip("the bundled embedding model is not installed")
    alice = env.sign_up("alice")
    conv = alice.conversation()
    turn = alice.say(conv, VEILED)
    assert turn["safety"]["kind"] == "harm_to_others"
    [entry] = audit_actions(alice, "safety.card_shown")
    assert entry["details"]["rule"] == "en.classifier.harm_to_others"
    alice.say(conv, "anyway, what should I cook tonight?")
    env.client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    page = env.client.get(f"/chat/{conv}", headers={"Accept": "text/html"}).text
    # The card comes back from the audit record, beside the message that brought it up.
    assert page.count('class="safety-card"') == 1


def test_without_the_embedding_model_only_the_rules_run(env_factory: Any) -> None:
    plain = env_factory(embeddings="off")
    bob = plain.sign_up("bob")
    assert bob.say(bob.conversation(), VEILED)["safety"] is None
    assert bob.say(bob.conversation(), CRISIS)["safety"]["kind"] == "self_harm"
