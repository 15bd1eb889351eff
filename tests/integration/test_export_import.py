"""Export and import (P9): everything about a user in a documented, schema-validated archive
with a readable rendering; a single-use, expiring download link; and a round trip into a
fresh instance that reproduces the user's state (new ids, same data).

Also: escaping in the HTML, other users locked out, progress, audit entries, bad archives
leaving nothing behind, and the CLI (`confide import` locally, `confide export` against a
live server).
"""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest
from sqlalchemy import event, func, select
from typer.testing import CliRunner

from confide.cli import app as cli_app
from confide.errors import Conflict
from confide.ids import new_id
from confide.privacy.export import ARCHIVE_MEMBERS
from confide.privacy.importer import ImportService
from confide.services import Services
from confide.storage.tables import (
    Companion,
    DataKeyRow,
    ExportJob,
    MemoryItem,
    MemoryJob,
    Message,
    Nominee,
    PolicyAck,
    RightsRequest,
)
from confide.storage.tables import (
    User as UserRow,
)
from tests.conftest import CANARY_PREFIX
from tests.factories import (
    PASSWORD,
    Env,
    User,
    admin_db,
    cli_database_settings,
    cli_databases,
    make_services,
    make_settings,
    running,
)

runner = CliRunner()
HEX_ID = re.compile(r"^[0-9a-f]{32}$")
EVIL = "<script>alert('x')</script> & \"quotes\""
NEW_PASSWORD = "another long passphrase"

# --- helpers ------------------------------------------------------------------------------------


def export_zip(user: User) -> bytes:
    """Request an export through the API, mint the link, download once (no session)."""
    r = user.post("/api/exports")
    assert r.status_code == 202, r.text
    job = r.json()
    # The POST starts the build as a background task; the TestClient runs it before returning.
    job = user.get(f"/api/exports/{job['id']}").json()
    assert job["status"] == "ready", job
    link = user.post(f"/api/exports/{job['id']}/link")
    assert link.status_code == 200, link.text
    url = link.json()["url"]
    assert url.startswith("http://testserver/api/exports/download/")
    got = user.env.client.get(url)  # the token is the credential: no Authorization header
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/zip"
    assert got.headers["cache-control"] == "no-store"
    assert got.headers["content-disposition"].startswith("attachment; filename=")
    return bytes(got.content)


def members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return {name: z.read(name) for name in z.namelist()}


def data_json(archive: bytes) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(members(archive)["data.json"])
    return doc


def import_zip(env: Env, archive: bytes, username: str, password: str = PASSWORD) -> Any:
    response = env.client.post(
        "/api/import",
        files={"file": ("export.zip", archive, "application/zip")},
        data={"username": username, "password": password},
    )
    env.client.cookies.clear()
    return response


def make_zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            z.writestr(name, body)
    return buf.getvalue()


def actions(user: User) -> list[tuple[str, str]]:
    r = user.get("/api/audit", params={"limit": 200})
    assert r.status_code == 200, r.text
    return [(e["action"], e["actor"]) for e in r.json()["items"]]


def count(env: Env, table: Any, *where: Any) -> int:
    with admin_db(env.services).reader() as s:
        return int(s.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def live_keys(env: Env) -> int:
    with admin_db(env.services, keys=True).reader() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(DataKeyRow)
                .where(DataKeyRow.wrapped_key.is_not(None))
            )
            or 0
        )


def user_id(env: Env, username: str) -> str:
    with admin_db(env.services).reader() as s:
        uid = s.scalar(select(UserRow.id).where(UserRow.username == username))
    assert uid is not None
    return str(uid)


def normalise(doc: dict[str, Any]) -> Any:
    """The document with every id replaced by a label given in order of first appearance
    (walking keys in sorted order), and what must differ between instances dropped: the
    export's own time and version, the account's creation here, the audit log and sessions.

    Two documents that differ only by a consistent renaming of ids normalise to the same
    value; a reference that points at the wrong object after import does not."""
    labels: dict[str, str] = {}

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(value[k]) for k in sorted(value)}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and HEX_ID.match(value):
            return labels.setdefault(value, f"id{len(labels)}")
        return value

    kept = {
        k: v
        for k, v in doc.items()
        if k not in {"exported_at", "confide_version", "audit", "sessions"}
    }
    kept["profile"] = {k: v for k, v in doc["profile"].items() if k != "created_at"}
    return walk(kept)


def insert_rights_and_nominee(env: Env, uid: str) -> None:
    """Rows as the data-rights service stores them (sealed under the user's key)."""
    vault = env.services.vault
    now = env.clock()
    with admin_db(env.services).transaction() as s:
        for i, (kind, status) in enumerate([("access", "open"), ("correction", "closed")]):
            rid = new_id()
            s.add(
                RightsRequest(
                    id=rid,
                    user_id=uid,
                    kind=kind,
                    status=status,
                    filed_by="user",
                    details_ct=vault.seal(
                        uid, "rights_requests", "details_ct", rid, f"request {i}: {EVIL}"
                    ),
                    resolution_ct=(
                        vault.seal(uid, "rights_requests", "resolution_ct", rid, "fixed it")
                        if status == "closed"
                        else None
                    ),
                    created_at=now + datetime.timedelta(minutes=i),
                    due_at=now + datetime.timedelta(days=30),
                    closed_at=now + datetime.timedelta(days=2) if status == "closed" else None,
                )
            )
        details = {"name": "Sam", "contact": "sam@example.org", "relationship": "sibling"}
        s.add(
            Nominee(
                user_id=uid,
                details_ct=vault.seal(uid, "nominees", "details_ct", uid, json.dumps(details)),
                created_at=now,
                updated_at=now,
            )
        )
        s.add(PolicyAck(user_id=uid, version="2026-12-01", at=now))


def populate(env: Env) -> User:
    """alice with two companions, three conversations of several turns, memories of every
    kind (an edited one with history, a pending one that would replace it, a summary, one
    that was recalled into a reply and then deleted), consent changes, a data-rights request,
    a nominee and a policy acknowledgement."""
    alice = env.sign_up("alice")
    tick = lambda: env.clock.advance(seconds=7)  # noqa: E731 - distinct, ordered times
    mira = alice.companion("mira")
    tick()
    r = alice.post(
        "/api/companions",
        json={"name": "Quill <b>", "persona": "A quiet archivist.", "greeting": "Hello {{user}}"},
    )
    assert r.status_code == 201, r.text
    quill = r.json()
    tick()
    pinned = alice.post(
        "/api/memories",
        json={
            "companion_id": mira["id"],
            "kind": "fact",
            "text": "alice keeps bees",
            "pinned": True,
        },
    ).json()
    tick()
    doomed = alice.post(
        "/api/memories",
        json={"companion_id": mira["id"], "kind": "fact", "text": "soon gone", "pinned": True},
    ).json()
    tick()
    c1 = alice.conversation(mira["id"], title="Holiday <plans>")
    turns = []
    for text in ("We fly to Lisbon in May.", EVIL, "My sister is called Ottilie."):
        tick()
        turns.append(alice.say(c1, text))
    # The reply recalled both pinned memories; one is deleted now, its id stays in the sources.
    assert alice.delete(f"/api/memories/{doomed['id']}").status_code == 204
    tick()
    c2 = alice.conversation(mira["id"])
    tick()
    alice.say(c2, "Second chat, no title.")
    tick()
    c3 = alice.conversation(quill["id"], title="Maps")
    tick()
    alice.say(c3, "Show me the old maps.")
    tick()
    edited = alice.post(
        "/api/memories",
        json={
            "companion_id": mira["id"],
            "kind": "event",
            "text": "trip to Lisbon",
            "event_date": "2027-05-02",
        },
    ).json()
    tick()
    r = alice.patch(f"/api/memories/{edited['id']}", json={"text": "trip to Lisbon with Ottilie"})
    assert r.status_code == 200, r.text
    uid = user_id(env, "alice")
    user_msg_ids = [t["user_message"]["id"] for t in turns]
    memory = env.services.memory
    tick()
    with admin_db(env.services).transaction() as s:
        memory.add(
            s,
            uid,
            mira["id"],
            kind="event",
            text="trip to Lisbon with Ottilie in May",
            origin="extracted",
            status="pending",
            sources=user_msg_ids[:1],
            replaces=edited["id"],
            actor="extraction",
        )
    tick()
    with admin_db(env.services).transaction() as s:
        memory.add(
            s,
            uid,
            mira["id"],
            kind="summary",
            text="alice plans a trip to Lisbon.",
            origin="extracted",
            sources=user_msg_ids,
            conversation_id=c1,
            through_seq=4,
            actor="summary",
        )
    tick()
    for purpose, granted in (("analytics", True), ("model_improvement", True)):
        assert alice.put(f"/api/privacy/consents/{purpose}", json={"granted": granted}).is_success
        tick()
    assert alice.put("/api/privacy/consents/analytics", json={"granted": False}).is_success
    tick()
    insert_rights_and_nominee(env, uid)
    assert pinned["id"]
    return alice


@pytest.fixture
def quick(env_factory: Callable[..., Env]) -> Env:
    """An instance without the dense embedder (faster) and a generous sign-up budget."""
    return env_factory(embeddings="off", signup_max_per_client=100)


# --- the round trip -----------------------------------------------------------------------------


def test_round_trip_into_fresh_instance_reproduces_the_users_state(
    env: Env, env_factory: Callable[..., Env]
) -> None:
    alice = populate(env)
    archive = export_zip(alice)

    # The archive: exactly its four members; data.json valid under the schema it carries.
    files = members(archive)
    assert sorted(files) == sorted(ARCHIVE_MEMBERS)
    schema = json.loads(files["schema.json"])
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    doc = json.loads(files["data.json"])
    fastjsonschema.compile(schema)(doc)
    assert (doc["format"], doc["schema_version"]) == ("confide-export", 1)
    assert doc["profile"]["email"] == "alice@example.org"
    assert doc["profile"]["date_of_birth"] == "1990-05-17"
    assert sorted(c["profile"]["name"] for c in doc["companions"]) == ["Mira", "Quill <b>"]
    assert [c["title"] for c in doc["conversations"]] == ["Holiday <plans>", None, "Maps"]
    messages = [m for c in doc["conversations"] for m in c["messages"]]
    assert count(env, Message) == len(messages) == 3 * 2 + 1 + 2 + 1 + 2 + 1
    assert all(m["ai_generated"] == (m["role"] == "assistant") for m in messages)
    assert EVIL in [m["content"] for m in messages]
    kinds = sorted((m["kind"], m["status"]) for m in doc["memories"])
    assert kinds == [
        ("event", "active"),
        ("event", "pending"),
        ("fact", "active"),
        ("summary", "active"),
    ]
    edited = next(m for m in doc["memories"] if m["kind"] == "event" and m["status"] == "active")
    assert [(h["version"], h["old_text"], h["new_text"]) for h in edited["history"]] == [
        (1, None, "trip to Lisbon"),
        (2, "trip to Lisbon", "trip to Lisbon with Ottilie"),
    ]
    pending = next(m for m in doc["memories"] if m["status"] == "pending")
    assert pending["replaces"] == edited["id"]
    summary = next(m for m in doc["memories"] if m["kind"] == "summary")
    assert summary["conversation_id"] == doc["conversations"][0]["id"]
    # Reply sources: the two pinned memories, one of them deleted since (a dangling id).
    sourced = [m for m in messages if m["sources"] is not None]
    assert sourced
    memory_ids = {m["id"] for m in doc["memories"]}
    first = doc["conversations"][0]["messages"]
    recalled = next(m for m in first if m["sources"])["sources"]["memories"]
    assert len(recalled) == 2
    assert len([i for i in recalled if i in memory_ids]) == 1
    assert [(c["purpose"], c["granted"]) for c in doc["consents"]] == [
        ("memory", True),
        ("analytics", True),
        ("model_improvement", True),
        ("analytics", False),
    ]
    assert [(r["kind"], r["resolution"]) for r in doc["rights_requests"]] == [
        ("access", None),
        ("correction", "fixed it"),
    ]
    assert doc["nominee"]["details"]["relationship"] == "sibling"
    assert doc["policy_acknowledgements"][0]["version"] == "2026-12-01"
    assert {"export.requested", "memory.created", "model.call"} <= {
        e["action"] for e in doc["audit"]
    }
    assert doc["sessions"]
    assert all("token" not in json.dumps(s) for s in doc["sessions"])

    # Import into a fresh instance as a new account, signed in like after sign-up.
    fresh = env_factory()
    r = import_zip(fresh, archive, "alice", NEW_PASSWORD)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["username"] == "alice"
    assert body["imported"]["messages"] == len(messages)
    assert "confide_session" in r.headers["set-cookie"]
    alice2 = User(fresh, "alice", body["token"])
    login = fresh.client.post(
        "/api/auth/login", json={"username": "alice", "password": NEW_PASSWORD}
    )
    assert login.status_code == 200, login.text
    fresh.client.cookies.clear()

    # Export again: the same data apart from ids (and the times and logs that must differ).
    again = data_json(export_zip(alice2))
    assert {c["id"] for c in again["companions"]}.isdisjoint({c["id"] for c in doc["companions"]})
    assert normalise(again) == normalise(doc)

    # The state behind the document, through the API: references point at the right things.
    pending2 = alice2.get("/api/memories", params={"status": "pending"}).json()["items"]
    assert len(pending2) == 1
    target = alice2.get(f"/api/memories/{pending2[0]['replaces']}").json()
    assert target["text"] == "trip to Lisbon with Ottilie"
    assert [h["new_text"] for h in target["history"]] == [
        "trip to Lisbon",
        "trip to Lisbon with Ottilie",
    ]
    conv2 = alice2.get("/api/conversations").json()
    holiday = next(c for c in conv2 if c["title"] == "Holiday <plans>")
    page = alice2.get(f"/api/conversations/{holiday['id']}/messages").json()["items"]
    reply = next(m for m in page if m["role"] == "assistant" and m["seq"] > 1)
    why = alice2.get(f"/api/messages/{reply['id']}/sources").json()
    assert [m["text"] for m in why["memories"]] == ["alice keeps bees"]
    assert why["deleted_memories"] == 1
    consents = alice2.get("/api/privacy/consents").json()["consents"]
    assert {c["purpose"]: c["granted"] for c in consents} == {
        "memory": True,
        "model_improvement": True,
        "analytics": False,
        "marketing": False,
        "remote_unshielded": False,
    }
    # Dense recall catches up in the background: one embed job per conversation; memory
    # vectors are computed at import when the embedder is installed.
    new_uid = user_id(fresh, "alice")
    if fresh.services.memory.embedder is not None:
        with admin_db(fresh.services).reader() as s:
            vectors = s.scalars(
                select(MemoryItem.embedding_ct).where(MemoryItem.user_id == new_uid)
            ).all()
        assert len(vectors) == 4
        assert all(v is not None for v in vectors)
    assert count(fresh, MemoryJob, MemoryJob.user_id == new_uid, MemoryJob.kind == "embed") == 3
    # The new instance's log is its own: the import is recorded, the old entries are not.
    log = actions(alice2)
    assert ("account.imported", "user") in log
    assert ("memory.created", "user") not in log
    # The chat goes on in the imported conversation, numbered after the imported messages.
    turn = alice2.say(holiday["id"], "Back again.")
    assert turn["user_message"]["seq"] == max(m["seq"] for m in page) + 1


def test_export_html_is_readable_escaped_and_self_contained(env: Env) -> None:
    alice = populate(env)
    page = members(export_zip(alice))["conversations.html"].decode()
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert "Quill &lt;b&gt;" in page
    assert "Quill <b>" not in page
    assert "Holiday &lt;plans&gt;" in page
    assert page.count("AI-generated") >= 6  # every companion message is labelled
    assert not re.search(r"(src|href)\s*=|url\(|@import|https?://", page)
    assert "default-src 'none'" in page
    # Grouped by companion, then conversation; the memories after the conversations.
    assert page.index("Holiday &lt;plans&gt;") < page.index("Maps") < page.index("remember")


# --- the download link --------------------------------------------------------------------------


def test_download_link_works_once_then_410_and_the_archive_is_gone(quick: Env) -> None:
    alice = quick.sign_up("alice")
    alice.say(alice.conversation(), f"{CANARY_PREFIX} keep this")
    job = alice.post("/api/exports").json()
    url = alice.post(f"/api/exports/{job['id']}/link").json()["url"]
    assert quick.client.get(url).status_code == 200
    again = quick.client.get(url)
    assert again.status_code == 410
    assert again.json()["error"]["code"] == "export_link_used"
    view = alice.get(f"/api/exports/{job['id']}").json()
    assert (view["status"], view["has_link"]) == ("downloaded", False)
    with admin_db(quick.services).reader() as s:
        assert s.scalar(select(ExportJob.archive_ct).where(ExportJob.id == job["id"])) is None
    mint = alice.post(f"/api/exports/{job['id']}/link")
    assert (mint.status_code, mint.json()["error"]["code"]) == (410, "export_downloaded")
    unknown = quick.client.get("/api/exports/download/" + "A" * 43)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "export_link_unknown")
    log = actions(alice)
    for entry in (
        ("export.requested", "user"),
        ("export.ready", "system"),
        ("export.downloaded", "user"),
    ):
        assert entry in log


def test_minting_a_new_link_replaces_the_old_one(quick: Env) -> None:
    alice = quick.sign_up("alice")
    job = alice.post("/api/exports").json()
    first = alice.post(f"/api/exports/{job['id']}/link").json()["url"]
    second = alice.post(f"/api/exports/{job['id']}/link").json()["url"]
    assert first != second
    assert quick.client.get(first).status_code == 404
    assert quick.client.get(second).status_code == 200


def test_download_link_expires_and_the_archive_is_deleted(quick: Env) -> None:
    alice = quick.sign_up("alice")
    job = alice.post("/api/exports").json()
    link = alice.post(f"/api/exports/{job['id']}/link").json()
    expires = datetime.datetime.fromisoformat(link["expires_at"])
    assert expires == quick.clock() + datetime.timedelta(hours=quick.settings.export_ttl_hours)
    quick.clock.advance(hours=quick.settings.export_ttl_hours, seconds=1)
    # Past its expiry the link is refused at once, before the expiry job has run.
    late = quick.client.get(link["url"])
    assert (late.status_code, late.json()["error"]["code"]) == (410, "export_expired")
    assert alice.get(f"/api/exports/{job['id']}").json()["status"] == "expired"
    assert quick.services.exports.expire(quick.clock()) == 1
    assert quick.services.exports.expire(quick.clock()) == 0
    with admin_db(quick.services).reader() as s:
        row = s.get(ExportJob, job["id"])
        assert row is not None
        assert (row.status, row.archive_ct) == ("expired", None)
    assert ("export.expired", "system") in actions(alice)
    # The retention job applies the same rule.
    job2 = alice.post("/api/exports").json()
    quick.clock.advance(hours=quick.settings.export_ttl_hours + 1)
    assert quick.services.retention.run()["exports"] == 1
    assert alice.get(f"/api/exports/{job2['id']}").json()["status"] == "expired"


def test_other_users_cannot_see_mint_or_discard_an_export(quick: Env) -> None:
    alice = quick.sign_up("alice")
    bob = quick.sign_up("bob")
    job = alice.post("/api/exports").json()
    assert bob.get("/api/exports").json() == []
    for response in (
        bob.get(f"/api/exports/{job['id']}"),
        bob.post(f"/api/exports/{job['id']}/link"),
        bob.delete(f"/api/exports/{job['id']}"),
    ):
        assert response.status_code == 404, response.text
    assert quick.client.get(f"/api/exports/{job['id']}").status_code == 401
    assert alice.get(f"/api/exports/{job['id']}").json()["status"] == "ready"
    # Bob's own export holds only his data.
    bob.say(bob.conversation(), "bob's words")
    doc = data_json(export_zip(bob))
    assert doc["profile"]["username"] == "bob"
    contents = {m["content"] for c in doc["conversations"] for m in c["messages"]}
    assert "bob's words" in contents
    assert all(e["object_ref"] != job["id"] for e in doc["audit"])


def test_an_account_being_deleted_cannot_download_or_build_exports(quick: Env) -> None:
    alice = quick.sign_up("alice")
    uid = user_id(quick, "alice")
    job = alice.post("/api/exports").json()
    url = alice.post(f"/api/exports/{job['id']}/link").json()["url"]
    queued = quick.services.exports.request(uid)
    with admin_db(quick.services).transaction() as s:  # what asking to delete the account does
        row = s.get(UserRow, uid)
        assert row is not None
        row.status = "deleting"
    r = quick.client.get(url)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "export_link_unknown")
    assert quick.services.exports.run_pending() == 0
    view = quick.services.exports.get(uid, queued.id)
    assert (view.status, view.error) == ("failed", "not_found")


def test_discarding_an_export_deletes_it(quick: Env) -> None:
    alice = quick.sign_up("alice")
    job = alice.post("/api/exports").json()
    url = alice.post(f"/api/exports/{job['id']}/link").json()["url"]
    assert alice.delete(f"/api/exports/{job['id']}").status_code == 204
    assert alice.get(f"/api/exports/{job['id']}").status_code == 404
    assert quick.client.get(url).status_code == 404
    assert count(quick, ExportJob) == 0
    assert ("export.deleted", "user") in actions(alice)


# --- jobs ---------------------------------------------------------------------------------------


def test_second_request_while_one_is_queued_is_409(quick: Env) -> None:
    quick.sign_up("alice")
    uid = user_id(quick, "alice")
    exports = quick.services.exports
    first = exports.request(uid)
    with pytest.raises(Conflict) as caught:
        exports.request(uid)
    assert caught.value.code == "export_in_progress"
    assert exports.run_pending() == 1
    assert exports.get(uid, first.id).status == "ready"
    assert exports.request(uid).status == "queued"  # a finished one blocks nothing


def test_a_job_left_running_by_a_dead_node_does_not_block_forever(quick: Env) -> None:
    quick.sign_up("alice")
    uid = user_id(quick, "alice")
    exports = quick.services.exports
    stuck = exports.request(uid)
    with admin_db(quick.services).transaction() as s:
        row = s.get(ExportJob, stuck.id)
        assert row is not None
        row.status = "running"  # claimed by a node that then died
    with pytest.raises(Conflict):
        exports.request(uid)
    quick.clock.advance(hours=2)
    fresh = exports.request(uid)
    old = exports.get(uid, stuck.id)
    assert (old.status, old.error) == ("failed", "interrupted")
    assert exports.run_pending() == 1
    assert exports.get(uid, fresh.id).status == "ready"


def test_progress_is_written_while_the_job_runs(quick: Env) -> None:
    alice = quick.sign_up("alice")
    conv = alice.conversation()
    for i in range(12):
        alice.say(conv, f"message number {i}")
    uid = user_id(quick, "alice")
    exports = quick.services.exports
    exports.progress_every = 5
    job = exports.request(uid)
    seen: list[tuple[int, int]] = []

    def watch(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.startswith("UPDATE export_jobs SET done="):
            # positional on SQLite, named on PostgreSQL
            seen.append(
                (params["done"], params["total"])
                if isinstance(params, dict)
                else (params[0], params[1])
            )

    event.listen(quick.services.db.engine, "after_cursor_execute", watch)
    try:
        assert exports.run_pending() == 1
    finally:
        event.remove(quick.services.db.engine, "after_cursor_execute", watch)
    total = 1 + 1 + 1 + 2 * 12  # companion, conversation, greeting, turns
    assert seen[0] == (0, total)
    assert seen[-1] == (total, total)
    dones = [d for d, _ in seen]
    assert dones == sorted(dones)
    assert len(set(dones)) >= 5
    assert {t for _, t in seen} == {total}
    view = exports.get(uid, job.id)
    assert (view.done, view.total, view.status) == (total, total, "ready")


def test_a_document_that_breaks_the_schema_fails_the_job(quick: Env) -> None:
    alice = quick.sign_up("alice")
    conv = alice.conversation()
    alice.say(conv, "hello")
    uid = user_id(quick, "alice")
    with admin_db(quick.services).transaction() as s:  # a state the schema does not allow: a bug
        row = s.scalar(select(Message).where(Message.user_id == uid, Message.seq == 2))
        assert row is not None
        row.role = "system"
    job = alice.post("/api/exports").json()
    view = alice.get(f"/api/exports/{job['id']}").json()
    assert (view["status"], view["error"]) == ("failed", "export_invalid")
    link = alice.post(f"/api/exports/{job['id']}/link")
    assert (link.status_code, link.json()["error"]["code"]) == (409, "export_failed")
    assert ("export.failed", "system") in actions(alice)


# --- bad archives -------------------------------------------------------------------------------


def _good_doc(env: Env) -> dict[str, Any]:
    alice = env.sign_up("source")
    alice.say(alice.conversation(), "hi")
    return data_json(export_zip(alice))


def _variants(doc: dict[str, Any]) -> dict[str, tuple[bytes, int, str, str]]:
    """name -> (archive, status, code, a phrase of the message)."""

    def with_doc(change: Callable[[dict[str, Any]], None]) -> bytes:
        d = json.loads(json.dumps(doc))
        change(d)
        return make_zip({"data.json": json.dumps(d).encode()})

    def role(d: dict[str, Any]) -> None:
        d["conversations"][0]["messages"][1]["role"] = "system"

    def extra_field(d: dict[str, Any]) -> None:
        d["profile"]["is_admin"] = True

    def dangling(d: dict[str, Any]) -> None:
        d["conversations"][0]["companion_id"] = "f" * 32

    def version(d: dict[str, Any]) -> None:
        d["schema_version"] = 2

    def fmt(d: dict[str, Any]) -> None:
        d["format"] = "something-else"

    def young(d: dict[str, Any]) -> None:
        d["profile"]["date_of_birth"] = "2015-01-01"

    good = json.dumps(doc).encode()
    return {
        "not a zip": (b"hello, not a zip", 422, "invalid_archive", "not a zip"),
        "no data.json": (make_zip({"README.txt": b"hi"}), 422, "invalid_archive", "no data.json"),
        "unknown member": (
            make_zip({"data.json": good, "../evil.sh": b"rm -rf"}),
            422,
            "invalid_archive",
            "does not have",
        ),
        "not json": (make_zip({"data.json": b"{nope"}), 422, "invalid_export", "not valid JSON"),
        "schema": (with_doc(role), 422, "invalid_export", "conversations[0].messages[1].role"),
        "extra field": (with_doc(extra_field), 422, "invalid_export", "data.json.profile"),
        "dangling": (with_doc(dangling), 422, "invalid_export", "names no companion"),
        "version": (with_doc(version), 422, "unsupported_export_version", "version 2"),
        "format": (with_doc(fmt), 422, "invalid_export", "not a confide export"),
        "under age": (with_doc(young), 403, "age_requirement_not_met", "at least 18"),
    }


def test_bad_archives_are_refused_with_a_clear_code_and_leave_nothing(quick: Env) -> None:
    doc = _good_doc(quick)
    users, keys, companions = count(quick, UserRow), live_keys(quick), count(quick, Companion)
    for name, (archive, status, code, phrase) in _variants(doc).items():
        r = import_zip(quick, archive, "newcomer")
        assert r.status_code == status, (name, r.text)
        error = r.json()["error"]
        assert error["code"] == code, (name, error)
        assert phrase in error["message"], (name, error)
        assert "Ottilie" not in error["message"]
    good = make_zip({"data.json": json.dumps(doc).encode()})
    for username, password, status, code in (
        ("source", PASSWORD, 409, "username_taken"),
        ("newcomer", "short", 422, "invalid_input"),
        ("no spaces allowed", PASSWORD, 422, "invalid_input"),
    ):
        r = import_zip(quick, good, username, password)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    assert (count(quick, UserRow), live_keys(quick), count(quick, Companion)) == (
        users,
        keys,
        companions,
    )
    # The same archive imports fine as a fresh username.
    assert import_zip(quick, good, "newcomer").status_code == 201


def test_zip_bombs_and_oversized_archives_are_refused(
    env_factory: Callable[..., Env],
) -> None:
    small = env_factory(embeddings="off", max_import_bytes=64 * 1024)
    bomb = make_zip({"data.json": b" " * (64 * 1024 * 10 + 1)})
    assert len(bomb) < 64 * 1024
    r = import_zip(small, bomb, "newcomer")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_archive")
    assert "unpacks to more than" in r.json()["error"]["message"]
    big = import_zip(small, b"x" * (200 * 1024), "newcomer")
    assert (big.status_code, big.json()["error"]["code"]) == (413, "payload_too_large")
    assert count(small, UserRow) == 0


def test_a_failure_midway_leaves_no_account_and_destroys_its_key(
    quick: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _good_doc(quick)
    good = make_zip({"data.json": json.dumps(doc).encode()})
    users, keys = count(quick, UserRow), live_keys(quick)
    messages, memory_jobs = count(quick, Message), count(quick, MemoryJob)

    def crash(*_: Any, **__: Any) -> None:
        raise RuntimeError("disk full")

    # Everything before the privacy rows has been written in the transaction by now.
    monkeypatch.setattr(ImportService, "_privacy_rows", crash)
    with pytest.raises(RuntimeError):
        quick.services.imports.import_archive(
            good, username="newcomer", password=PASSWORD, client="t"
        )
    assert (count(quick, UserRow), live_keys(quick)) == (users, keys)
    assert (count(quick, Message), count(quick, MemoryJob)) == (messages, memory_jobs)
    with admin_db(quick.services, keys=True).reader() as s:
        tombstones = s.scalars(
            select(DataKeyRow.destroyed_at).where(DataKeyRow.wrapped_key.is_(None))
        ).all()
    assert len(tombstones) == 1


def test_import_limits_attempts_like_sign_up(env_factory: Callable[..., Env]) -> None:
    limited = env_factory(embeddings="off", signup_max_per_client=2)
    for _ in range(2):
        assert import_zip(limited, b"junk", "newcomer").status_code == 422
    r = import_zip(limited, b"junk", "newcomer")
    assert (r.status_code, r.json()["error"]["code"]) == (429, "rate_limited")


# --- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "cli-data"
    for name, value in {
        "CONFIDE_DATA_DIR": str(data),
        "CONFIDE_PROVIDER": "fake",
        "CONFIDE_EMBEDDINGS": "off",
        "CONFIDE_ARGON2_TIME_COST": "1",
        "CONFIDE_ARGON2_MEMORY_KIB": "8",
        "CONFIDE_ARGON2_PARALLELISM": "1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CONFIDE_MASTER_KEY", raising=False)
    cli_databases(monkeypatch, None)
    assert runner.invoke(cli_app, ["init"]).exit_code == 0
    return data


def test_cli_import_creates_the_account_as_operator(
    quick: Env, cli_env: Path, tmp_path: Path
) -> None:
    alice = quick.sign_up("alice")
    alice.say(alice.conversation(), "hello from the old server")
    archive = tmp_path / "alice.zip"
    archive.write_bytes(export_zip(alice))
    result = runner.invoke(
        cli_app,
        ["import", str(archive), "--username", "alice2", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "imported alice2: 1 companions, 1 conversations, 3 messages, 0 memories" in (
        result.output
    )
    services = make_services(make_settings(cli_env, embeddings="off", **cli_database_settings()))
    try:
        new = services.accounts.log_in(username="alice2", password=PASSWORD, client="t")
        entries = services.audit.entries_for(new.identity.user_id, action="account.imported")
        assert [e.actor for e in entries] == ["operator"]
        convs = services.conversations.list(
            new.identity.user_id, companion_id=None, limit=10, offset=0
        )
        page = services.conversations.messages(
            new.identity.user_id, convs[0].id, before=None, limit=10
        )
        assert "hello from the old server" in [m.content for m in page.items]
    finally:
        services.close()
    # Errors are one line and a non-zero exit.
    again = runner.invoke(
        cli_app,
        ["import", str(archive), "--username", "alice2", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert again.exit_code == 1
    assert "confide: that username is taken" in again.output
    assert "Traceback" not in again.output
    missing = runner.invoke(cli_app, ["import", str(tmp_path / "nope.zip"), "--username", "x"])
    assert missing.exit_code == 1
    assert "is not a file" in missing.output


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Services]]:
    settings = make_settings(tmp_path / "srv", embeddings="off")
    services = make_services(settings)
    new = services.accounts.sign_up(
        username="frank",
        email="f@example.org",
        password=PASSWORD,
        date_of_birth=datetime.date(1985, 6, 1),
        client="t",
    )
    services.accounts.log_out(new.identity)
    mira = services.companions.create_from_starter(new.identity.user_id, "mira")
    services.conversations.create(new.identity.user_id, mira.id, "first", user_name="frank")
    with running(settings, services) as url:
        yield url, services
    services.close()


def test_cli_export_downloads_a_private_archive(
    server: tuple[str, Services], tmp_path: Path
) -> None:
    url, services = server
    target = tmp_path / "out.zip"
    args = ["export", "--username", "frank", "--url", url, "--password-stdin", "-o", str(target)]
    result = runner.invoke(cli_app, args, input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.output
    assert target.stat().st_mode & 0o777 == 0o600
    doc = data_json(target.read_bytes())
    assert doc["profile"]["username"] == "frank"
    assert [c["title"] for c in doc["conversations"]] == ["first"]
    # The CLI's log-in session was closed again; the export was downloaded once.
    with admin_db(services).reader() as s:
        assert s.scalar(select(func.count()).select_from(ExportJob)) == 1
        assert s.scalar(select(ExportJob.status)) == "downloaded"
    exists = runner.invoke(cli_app, args, input=f"{PASSWORD}\n")
    assert exists.exit_code == 1
    assert "already exists" in exists.output
    wrong = runner.invoke(
        cli_app,
        [
            "export",
            "--username",
            "frank",
            "--url",
            url,
            "--password-stdin",
            "-o",
            str(tmp_path / "b.zip"),
        ],
        input="wrong password\n",
    )
    assert wrong.exit_code == 1
    assert "wrong username or password" in wrong.output
