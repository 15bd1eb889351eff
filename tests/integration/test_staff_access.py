"""Staff access only with a reason (promise P8), through the API and the CLI: staff accounts
and sign-in, account metadata without content, access grants (support waits for the user;
safety and admin are active at once), reads only under one's own active grant and within its
scope, every read in the user's own audit log, expiry, and the user's approve, deny and revoke.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from typer.testing import CliRunner

from confide.accounts.staff import Role, StaffIdentity
from confide.cli import app
from confide.clock import utcnow
from confide.errors import Forbidden
from tests.conftest import CANARY_PREFIX
from tests.factories import PASSWORD, Env, User, cli_databases

runner = CliRunner()
MISSING_ID = "0" * 32
REASON = "The user wrote to support about a reply they found hurtful."
SECRET = f"{CANARY_PREFIX} the harbour at midnight"
MEMORY = f"{CANARY_PREFIX} remembers the lighthouse keeper"
TITLE = f"{CANARY_PREFIX} title"


@dataclass
class Staff(User):
    """A staff member calling the API with their bearer token (the same calls as a user's)."""

    role: str = ""
    staff_id: str = ""

    def ask(self, user: str = "alice", scope: str = "conversations", **fields: Any) -> Any:
        body = {"username": user, "case_ref": "CASE-1", "reason": REASON, "scope": scope}
        r = self.post("/api/staff/access", json={**body, **fields})
        assert r.status_code == 201, r.text
        return r.json()


def make_staff(env: Env, username: str, role: str) -> Staff:
    env.services.staff.create(username, role, PASSWORD)
    r = env.client.post("/api/staff/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    env.client.cookies.clear()  # API staff use the bearer token
    body = r.json()
    return Staff(env, username, body["token"], role=role, staff_id=body["staff_id"])


@dataclass
class Content:
    companion_id: str
    conversation_id: str
    other_conversation_id: str
    memory_id: str


def with_content(user: User) -> Content:
    """A companion, two conversations (one titled), messages and a memory, all canaries."""
    companion = user.companion()["id"]
    first = user.conversation(companion, title=TITLE)
    user.say(first, SECRET)
    second = user.conversation(companion)
    user.say(second, f"{CANARY_PREFIX} the second conversation")
    r = user.post("/api/memories", json={"companion_id": companion, "kind": "fact", "text": MEMORY})
    assert r.status_code == 201, r.text
    return Content(companion, first, second, r.json()["id"])


def audit(user: User, action: str) -> list[dict[str, Any]]:
    r = user.get("/api/audit", params={"action": action, "limit": 200})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def requests_of(user: User) -> list[dict[str, Any]]:
    r = user.get("/api/access-requests")
    assert r.status_code == 200, r.text
    return list(r.json())


def read_paths(grant_id: str, conversation_id: str) -> list[str]:
    base = f"/api/staff/access/{grant_id}"
    return [
        f"{base}/conversations",
        f"{base}/conversations/{conversation_id}/messages",
        f"{base}/memories",
    ]


# --- staff accounts and sign-in --------------------------------------------------------------


def test_staff_login_me_logout(env: Env) -> None:
    staff = make_staff(env, "sam", "support")
    me = staff.get("/api/staff/me")
    assert me.status_code == 200
    assert me.json() == {"staff_id": staff.staff_id, "username": "sam", "role": "support"}
    login = env.client.post("/api/staff/login", json={"username": "sam", "password": PASSWORD})
    body = login.json()
    assert set(body) == {"token", "expires_at", "staff_id", "role"}
    assert body["role"] == "support"
    assert "confide_staff" in login.headers["set-cookie"]
    assert "Path=/staff" in login.headers["set-cookie"]
    env.client.cookies.clear()
    assert staff.post("/api/staff/logout").status_code == 204
    assert staff.get("/api/staff/me").status_code == 401
    wrong = env.client.post("/api/staff/login", json={"username": "sam", "password": "nope" * 3})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthenticated"


def test_staff_disabled_member_is_signed_out_at_once(env: Env) -> None:
    staff = make_staff(env, "sam", "safety")
    env.services.staff.disable("sam")
    assert staff.get("/api/staff/me").status_code == 401
    r = env.client.post("/api/staff/login", json={"username": "sam", "password": PASSWORD})
    assert r.status_code == 401


def test_staff_user_token_cannot_call_staff_routes_and_staff_token_not_user_routes(
    env: Env, alice: User
) -> None:
    staff = make_staff(env, "sam", "admin")
    for path in ("/api/staff/me", "/api/staff/access", "/api/staff/users?username=alice"):
        r = alice.get(path)
        assert r.status_code == 401, path
        assert r.json()["error"]["code"] == "unauthenticated"
    assert alice.post("/api/staff/access", json={}).status_code in (401, 422)
    body = {"username": "alice", "case_ref": "C", "reason": REASON, "scope": "conversations"}
    assert alice.post("/api/staff/access", json=body).status_code == 401
    for path in ("/api/me", "/api/access-requests", "/api/audit", "/api/conversations"):
        r = staff.get(path)
        assert r.status_code == 401, path
    assert env.client.get("/api/staff/me").status_code == 401


# --- metadata without content ----------------------------------------------------------------


def test_staff_lookup_shows_metadata_and_counts_never_content(env: Env, alice: User) -> None:
    with_content(alice)
    staff = make_staff(env, "sam", "support")
    r = staff.get("/api/staff/users", params={"username": "Alice"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["username"] == "alice"
    assert body["status"] == "active"
    assert body["suspended"] is False
    assert body["companions"] == 1
    assert body["conversations"] == 2
    assert body["messages"] == 6  # two greetings, two messages, two replies
    assert body["memories"] >= 1
    assert CANARY_PREFIX not in r.text
    # The lookup itself is in alice's own audit view, naming who looked.
    [entry] = alice.get("/api/audit", params={"action": "staff.looked_up"}).json()["items"]
    assert entry["actor"] == "staff"
    assert entry["details"]["staff_username"] == "sam"
    assert entry["details"]["staff_role"] == "support"
    missing = staff.get("/api/staff/users", params={"username": "nobody"})
    assert missing.status_code == 404
    assert staff.get("/api/staff/users").status_code == 422


# --- grants by role --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("support", "pending"), ("safety", "active"), ("admin", "active")]
)
def test_staff_request_status_depends_on_role(
    env: Env, alice: User, role: str, status: str
) -> None:
    staff = make_staff(env, "sam", role)
    grant = staff.ask()
    assert grant["status"] == status
    assert grant["needs_approval"] is (role == "support")
    assert grant["username"] == "alice"
    assert grant["staff_role"] == role
    assert grant["reason"] == REASON
    created = datetime.fromisoformat(grant["created_at"])
    assert datetime.fromisoformat(grant["expires_at"]) - created == timedelta(hours=24)
    # The user sees it either way, with who, why and what.
    (seen,) = requests_of(alice)
    assert seen["id"] == grant["id"]
    assert seen["staff_username"] == "sam"
    assert seen["staff_role"] == role
    assert seen["case_ref"] == "CASE-1"
    assert seen["reason"] == REASON
    assert seen["scope"] == "conversations"
    assert seen["status"] == status
    assert seen["reads"] == 0
    (entry,) = audit(alice, "access.requested")
    assert entry["actor"] == "staff"
    assert entry["object_ref"] == grant["id"]
    details = entry["details"]
    assert details["grant_id"] == grant["id"]
    assert details["case_ref"] == "CASE-1"
    assert details["reason"] == REASON
    assert details["staff_username"] == "sam"
    assert details["staff_role"] == role
    assert details["needs_approval"] is (role == "support")


def test_staff_support_reads_only_after_user_approves(env: Env, alice: User) -> None:
    content = with_content(alice)
    staff = make_staff(env, "sam", "support")
    grant = staff.ask()
    for path in read_paths(grant["id"], content.conversation_id):
        r = staff.get(path)
        assert r.status_code == 404, path
        assert CANARY_PREFIX not in r.text
    assert audit(alice, "access.read") == []

    approved = alice.post(f"/api/access-requests/{grant['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"
    (entry,) = audit(alice, "access.approved")
    assert entry["actor"] == "user"
    assert entry["details"]["grant_id"] == grant["id"]

    r = staff.get(f"/api/staff/access/{grant['id']}/conversations")
    assert r.status_code == 200, r.text
    assert {c["id"] for c in r.json()} == {content.conversation_id, content.other_conversation_id}
    assert TITLE in {c["title"] for c in r.json()}
    again = alice.post(f"/api/access-requests/{grant['id']}/approve")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "grant_not_pending"


def test_staff_safety_reads_at_once_and_each_read_is_in_users_audit(env: Env, alice: User) -> None:
    content = with_content(alice)
    staff = make_staff(env, "sam", "safety")
    grant = staff.ask()
    gid = grant["id"]
    listed = staff.get(f"/api/staff/access/{gid}/conversations").json()
    r = staff.get(f"/api/staff/access/{gid}/conversations/{content.conversation_id}/messages")
    assert r.status_code == 200, r.text
    texts = [m["content"] for m in r.json()["items"]]
    assert SECRET in texts
    assert any(m["ai_generated"] for m in r.json()["items"])

    reads = audit(alice, "access.read")
    assert len(reads) == 2
    newest, oldest = reads  # newest first
    for entry in reads:
        assert entry["actor"] == "staff"
        assert entry["object_ref"] == gid
        assert entry["details"]["case_ref"] == "CASE-1"
        assert entry["details"]["staff_username"] == "sam"
        assert entry["details"]["staff_role"] == "safety"
        assert entry["details"]["grant_id"] == gid
    assert oldest["details"]["read"] == "conversations"
    assert set(oldest["details"]["conversation_ids"]) == {c["id"] for c in listed}
    assert newest["details"]["read"] == "messages"
    assert newest["details"]["conversation_id"] == content.conversation_id
    assert newest["details"]["message_ids"] == [m["id"] for m in r.json()["items"]]
    assert newest["details"]["count"] == len(texts)
    # Only ids and counts are logged, never what was read.
    assert CANARY_PREFIX not in str(reads)
    assert requests_of(alice)[0]["reads"] == 2
    assert staff.get("/api/staff/access").json()[0]["reads"] == 2


def test_staff_request_by_user_id(env: Env, alice: User) -> None:
    user_id = alice.get("/api/me").json()["id"]
    staff = make_staff(env, "sam", "admin")
    body = {"user_id": user_id, "case_ref": "C-9", "reason": REASON, "scope": "memories"}
    r = staff.post("/api/staff/access", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["user_id"] == user_id
    assert r.json()["scope"] == "memories"


def test_staff_access_service_refuses_unknown_role(env: Env, alice: User) -> None:
    stranger = StaffIdentity(MISSING_ID, "ghost", cast(Role, "auditor"), "cli")
    with pytest.raises(Forbidden):
        env.services.access.lookup_user(stranger, "alice")
    with pytest.raises(Forbidden):
        env.services.access.request(
            stranger, username="alice", case_ref="C", reason=REASON, scope="conversations"
        )
    with pytest.raises(Forbidden):
        env.services.access.list_for_staff(stranger)
    assert requests_of(alice) == []


# --- no content without a grant: every staff route ---------------------------------------------


def staff_routes(env: Env) -> list[tuple[str, str]]:
    """Every (method, path) of the staff API, from the OpenAPI spec."""
    paths = env.client.get("/openapi.json").json()["paths"]
    routes = [
        (method.upper(), path)
        for path, methods in paths.items()
        if path.startswith("/api/staff")
        for method in methods
    ]
    assert len(routes) >= 10
    return routes


def call(staff: Staff, route: tuple[str, str], grant_id: str, conversation_id: str) -> Any:
    method, path = route
    path = path.replace("{grant_id}", grant_id).replace("{conversation_id}", conversation_id)
    if method == "GET":
        return staff.get(path, params={"username": "alice"})
    if method == "DELETE":
        return staff.delete(path)
    body = {"username": staff.username, "password": PASSWORD}
    if path == "/api/staff/access":
        body = {"username": "bob", "case_ref": "C", "reason": REASON, "scope": "memories"}
    response = staff.post(path, json=body)
    staff.env.client.cookies.clear()
    return response


def test_staff_no_route_returns_content_without_an_active_own_grant(env: Env, alice: User) -> None:
    content = with_content(alice)
    env.sign_up("bob")
    staff = make_staff(env, "sam", "support")
    other = make_staff(env, "olga", "safety")
    pending = staff.ask()["id"]
    others = other.ask()["id"]  # active, but not sam's
    denied = staff.ask()["id"]
    alice.post(f"/api/access-requests/{denied}/deny")
    memories_only = other.ask(scope="memories")["id"]
    # Ending a grant last, so that every other route meets it still open.
    routes = sorted(
        (r for r in staff_routes(env) if r[1] != "/api/staff/logout"),
        key=lambda r: r[0] == "DELETE",
    )
    for grant_id in (MISSING_ID, "not-an-id", pending, others, denied):
        for route in routes:
            r = call(staff, route, grant_id, content.conversation_id)
            assert r.status_code < 500, (route, r.text)
            assert CANARY_PREFIX not in r.text, (route, grant_id)
    # With an active grant of one's own, only the three read routes return content.
    readers = {
        "/api/staff/access/{grant_id}/conversations",
        "/api/staff/access/{grant_id}/conversations/{conversation_id}/messages",
        "/api/staff/access/{grant_id}/memories",
    }
    assert readers <= {path for _method, path in routes}
    showed = set()
    for route in routes:
        for grant_id in (others, memories_only):
            if CANARY_PREFIX in call(other, route, grant_id, content.conversation_id).text:
                showed.add(route[1])
    assert showed == readers
    reads = audit(alice, "access.read")
    assert {e["details"]["staff_username"] for e in reads} == {"olga"}
    # No route lists or exports content in bulk: none names more than one user's data.
    assert not any("export" in path for _method, path in routes)


# --- scope, ownership, expiry -----------------------------------------------------------------


def test_staff_one_conversation_grant_reads_only_that_conversation(env: Env, alice: User) -> None:
    content = with_content(alice)
    staff = make_staff(env, "sam", "safety")
    grant = staff.ask(scope=f"conversation:{content.conversation_id}")
    gid = grant["id"]
    listed = staff.get(f"/api/staff/access/{gid}/conversations").json()
    assert [c["id"] for c in listed] == [content.conversation_id]
    ok = staff.get(f"/api/staff/access/{gid}/conversations/{content.conversation_id}/messages")
    assert ok.status_code == 200
    other = staff.get(
        f"/api/staff/access/{gid}/conversations/{content.other_conversation_id}/messages"
    )
    assert other.status_code == 404
    assert CANARY_PREFIX not in other.text
    assert staff.get(f"/api/staff/access/{gid}/memories").status_code == 404
    reads = audit(alice, "access.read")
    assert len(reads) == 2  # refused reads are not reads


def test_staff_memories_grant_cannot_read_conversations(env: Env, alice: User) -> None:
    content = with_content(alice)
    staff = make_staff(env, "sam", "safety")
    gid = staff.ask(scope="memories")["id"]
    for path in read_paths(gid, content.conversation_id)[:2]:
        r = staff.get(path)
        assert r.status_code == 404, path
        assert CANARY_PREFIX not in r.text
    r = staff.get(f"/api/staff/access/{gid}/memories")
    assert r.status_code == 200
    assert MEMORY in [m["text"] for m in r.json()["items"]]
    (entry,) = audit(alice, "access.read")
    assert entry["details"]["read"] == "memories"
    assert content.memory_id in entry["details"]["memory_ids"]


def test_staff_conversations_grant_cannot_read_memories(env: Env, alice: User) -> None:
    with_content(alice)
    staff = make_staff(env, "sam", "admin")
    gid = staff.ask()["id"]
    r = staff.get(f"/api/staff/access/{gid}/memories")
    assert r.status_code == 404
    assert MEMORY not in r.text


def test_staff_another_staff_member_cannot_use_or_end_the_grant(env: Env, alice: User) -> None:
    content = with_content(alice)
    owner = make_staff(env, "sam", "safety")
    thief = make_staff(env, "tom", "admin")
    gid = owner.ask()["id"]
    for path in read_paths(gid, content.conversation_id):
        r = thief.get(path)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
    assert thief.delete(f"/api/staff/access/{gid}").status_code == 404
    assert thief.get("/api/staff/access").json() == []
    assert owner.get(f"/api/staff/access/{gid}/conversations").status_code == 200


def test_staff_grant_expires_and_flips_when_touched(env: Env, alice: User) -> None:
    content = with_content(alice)
    staff = make_staff(env, "sam", "safety")
    gid = staff.ask(hours=1)["id"]
    env.clock.advance(minutes=59)
    assert staff.get(f"/api/staff/access/{gid}/conversations").status_code == 200
    env.clock.advance(minutes=1)
    for path in read_paths(gid, content.conversation_id):
        assert staff.get(path).status_code == 404
    (mine,) = staff.get("/api/staff/access").json()
    assert mine["status"] == "expired"
    assert mine["ended_at"] is not None
    (seen,) = requests_of(alice)
    assert seen["status"] == "expired"
    assert seen["reads"] == 1
    revoke = alice.post(f"/api/access-requests/{gid}/revoke")
    assert revoke.status_code == 409


def test_staff_pending_request_lapses_and_approval_starts_its_duration(
    env: Env, alice: User
) -> None:
    staff = make_staff(env, "sam", "support")
    lapsing = staff.ask(hours=2)["id"]
    later = staff.ask(hours=2)["id"]
    env.clock.advance(hours=1)
    approved = alice.post(f"/api/access-requests/{later}/approve").json()
    assert datetime.fromisoformat(approved["expires_at"]) == env.clock.now + timedelta(hours=2)
    assert approved["decided_at"] is not None
    env.clock.advance(hours=1, seconds=1)
    r = alice.post(f"/api/access-requests/{lapsing}/approve")
    assert r.status_code == 409
    assert "expired" in r.json()["error"]["message"]
    statuses = {g["id"]: g["status"] for g in requests_of(alice)}
    assert statuses == {lapsing: "expired", later: "active"}


# --- the user decides -------------------------------------------------------------------------


def test_staff_user_denies_and_revokes(env: Env, alice: User) -> None:
    content = with_content(alice)
    support = make_staff(env, "sam", "support")
    safety = make_staff(env, "sue", "safety")
    asked = support.ask()["id"]
    denied = alice.post(f"/api/access-requests/{asked}/deny")
    assert denied.status_code == 200
    assert denied.json()["status"] == "denied"
    assert alice.post(f"/api/access-requests/{asked}/approve").status_code == 409
    assert support.get(f"/api/staff/access/{asked}/conversations").status_code == 404

    active = safety.ask()["id"]
    assert safety.get(f"/api/staff/access/{active}/conversations").status_code == 200
    revoked = alice.post(f"/api/access-requests/{active}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    for path in read_paths(active, content.conversation_id):
        assert safety.get(path).status_code == 404
    again = alice.post(f"/api/access-requests/{active}/revoke")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "grant_not_active"
    assert [e["details"]["grant_id"] for e in audit(alice, "access.denied")] == [asked]
    (entry,) = audit(alice, "access.revoked")
    assert entry["actor"] == "user"
    assert entry["object_ref"] == active


def test_staff_ends_own_grant_early(env: Env, alice: User) -> None:
    staff = make_staff(env, "sam", "admin")
    gid = staff.ask()["id"]
    r = staff.delete(f"/api/staff/access/{gid}")
    assert r.status_code == 200
    assert r.json()["status"] == "revoked"
    assert staff.get(f"/api/staff/access/{gid}/conversations").status_code == 404
    assert staff.delete(f"/api/staff/access/{gid}").status_code == 409
    (entry,) = audit(alice, "access.revoked")
    assert entry["actor"] == "staff"
    assert entry["details"]["staff_username"] == "sam"


def test_staff_another_user_cannot_decide_my_requests(env: Env, alice: User) -> None:
    staff = make_staff(env, "sam", "support")
    gid = staff.ask()["id"]
    bob = env.sign_up("bob")
    assert bob.get("/api/access-requests").json() == []
    for action in ("approve", "deny", "revoke"):
        r = bob.post(f"/api/access-requests/{gid}/{action}")
        assert r.status_code == 404
    assert alice.post(f"/api/access-requests/{MISSING_ID}/approve").status_code == 404
    assert alice.post("/api/access-requests/not-an-id/deny").status_code == 404
    assert requests_of(alice)[0]["status"] == "pending"
    assert env.client.get("/api/access-requests").status_code == 401


# --- bad input --------------------------------------------------------------------------------


def test_staff_request_bad_input_is_4xx(env: Env, alice: User) -> None:
    bob = env.sign_up("bob")
    bobs = bob.conversation()
    staff = make_staff(env, "sam", "safety")
    good = {"username": "alice", "case_ref": "C-1", "reason": REASON, "scope": "conversations"}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"case_ref": ""}, 422, "invalid_case_ref"),
        ({"case_ref": "x" * 101}, 422, "invalid_case_ref"),
        ({"reason": "too short"}, 422, "invalid_reason"),
        ({"reason": "x" * 1001}, 422, "invalid_reason"),
        ({"scope": "everything"}, 422, "invalid_scope"),
        ({"scope": "conversation:nope"}, 422, "invalid_scope"),
        ({"scope": f"conversation:{bobs}"}, 404, "not_found"),
        ({"hours": 0}, 422, "invalid_hours"),
        ({"hours": 73}, 422, "invalid_hours"),
        ({"username": "nobody"}, 404, "not_found"),
        ({"user_id": MISSING_ID}, 422, "invalid_user"),
        ({"username": None}, 422, "invalid_user"),
        ({"extra": 1}, 422, "invalid_input"),
    ]
    for change, status, code in cases:
        r = staff.post("/api/staff/access", json={**good, **change})
        assert r.status_code == status, (change, r.text)
        assert r.json()["error"]["code"] == code, change
        assert set(r.json()["error"]) == {"code", "message"}
    assert requests_of(alice) == []
    ok = staff.post("/api/staff/access", json={**good, "hours": 72})
    assert ok.status_code == 201


# --- the CLI ----------------------------------------------------------------------------------


@pytest.fixture
def cli_data(env: Env, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``--data-dir`` of the env's data directory, cheap Argon2, the staff password set."""
    monkeypatch.delenv("CONFIDE_MASTER_KEY", raising=False)
    cli_databases(monkeypatch, env.settings)
    monkeypatch.setenv("CONFIDE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("CONFIDE_ARGON2_MEMORY_KIB", "8")
    monkeypatch.setenv("CONFIDE_ARGON2_PARALLELISM", "1")
    monkeypatch.setenv("CONFIDE_STAFF_PASSWORD", PASSWORD)
    return ["--data-dir", str(env.settings.data_dir)]


def test_staff_cli_add_list_disable(env: Env, cli_data: list[str]) -> None:
    result = runner.invoke(app, ["staff", "add", "Sam", "--role", "support", *cli_data])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created support staff account sam"
    again = runner.invoke(app, ["staff", "add", "sam", "--role", "safety", *cli_data])
    assert again.exit_code == 1
    assert again.output.strip() == "confide: that staff username is taken"
    bad = runner.invoke(app, ["staff", "add", "zed", "--role", "owner", *cli_data])
    assert bad.exit_code == 1
    assert "--role must be one of: admin, support, safety" in bad.output
    listed = runner.invoke(app, ["staff", "list", *cli_data])
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.output.splitlines() if "sam" in line)
    assert "support" in row
    assert "active" in row
    assert PASSWORD not in listed.output
    result = runner.invoke(app, ["staff", "disable", "sam", *cli_data])
    assert result.exit_code == 0, result.output
    r = env.client.post("/api/staff/login", json={"username": "sam", "password": PASSWORD})
    assert r.status_code == 401
    listed = runner.invoke(app, ["staff", "list", *cli_data])
    assert "disabled" in next(line for line in listed.output.splitlines() if "sam" in line)
    missing = runner.invoke(app, ["staff", "disable", "nobody", *cli_data])
    assert missing.exit_code == 1
    assert missing.output.strip() == "confide: no such staff member"


def test_staff_cli_add_without_password_or_terminal_fails(
    env: Env, cli_data: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONFIDE_STAFF_PASSWORD")
    result = runner.invoke(app, ["staff", "add", "sam", "--role", "admin", *cli_data])
    assert result.exit_code == 1
    assert "CONFIDE_STAFF_PASSWORD" in result.output
    assert env.services.staff.list() == []


def test_staff_cli_access_request_read_list_end(env: Env, cli_data: list[str]) -> None:
    # The CLI runs on the real clock: so does the env, from before anyone signs up.
    env.clock.now = utcnow()
    alice = env.sign_up("alice")
    content = with_content(alice)
    env.services.staff.create("sue", "safety", PASSWORD)
    ask = [
        "access",
        "request",
        "--staff",
        "sue",
        "--user",
        "alice",
        "--case",
        "CASE-7",
        "--reason",
        REASON,
        *cli_data,
    ]
    result = runner.invoke(app, ask)
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("grant:"))
    gid = line.split()[1]
    assert "status:   active" in result.output

    result = runner.invoke(app, ["access", "read", gid, "--staff", "sue", *cli_data])
    assert result.exit_code == 0, result.output
    assert content.conversation_id in result.output
    assert TITLE in result.output
    assert SECRET not in result.output  # the list shows titles, not messages
    args = ["access", "read", gid, "--staff", "sue", "--conversation", content.conversation_id]
    result = runner.invoke(app, [*args, *cli_data])
    assert result.exit_code == 0, result.output
    assert SECRET in result.output
    assert "companion (AI)" in result.output
    reads = audit(alice, "access.read")
    assert [e["details"]["read"] for e in reads] == ["messages", "conversations"]
    assert {e["details"]["case_ref"] for e in reads} == {"CASE-7"}

    listed = runner.invoke(app, ["access", "list", "--staff", "sue", *cli_data])
    assert listed.exit_code == 0, listed.output
    row = next(x for x in listed.output.splitlines() if gid in x)
    assert "active" in row
    assert "alice" in row
    result = runner.invoke(app, ["access", "end", gid, "--staff", "sue", *cli_data])
    assert result.exit_code == 0, result.output
    after = runner.invoke(app, ["access", "read", gid, "--staff", "sue", *cli_data])
    assert after.exit_code == 1
    assert after.output.strip() == "confide: no such active access grant"
    assert requests_of(alice)[0]["status"] == "revoked"


def test_staff_cli_support_request_waits_and_memories_scope(env: Env, cli_data: list[str]) -> None:
    env.clock.now = utcnow()
    alice = env.sign_up("alice")
    with_content(alice)
    env.services.staff.create("sam", "support", PASSWORD)
    base = ["access", "request", "--staff", "sam", "--user", "alice", "--case", "C-2"]
    result = runner.invoke(
        app, [*base, "--reason", REASON, "--scope", "memories", "--hours", "4", *cli_data]
    )
    assert result.exit_code == 0, result.output
    assert "waiting for the user" in result.output
    gid = next(x for x in result.output.splitlines() if x.startswith("grant:")).split()[1]
    refused = runner.invoke(app, ["access", "read", gid, "--staff", "sam", *cli_data])
    assert refused.exit_code == 1
    assert MEMORY not in refused.output
    assert alice.post(f"/api/access-requests/{gid}/approve").status_code == 200
    result = runner.invoke(app, ["access", "read", gid, "--staff", "sam", *cli_data])
    assert result.exit_code == 0, result.output
    assert MEMORY in result.output
    bad = runner.invoke(app, [*base, "--reason", "short", *cli_data])
    assert bad.exit_code == 1
    assert bad.output.strip() == "confide: the reason must be 10 to 1000 characters"


def test_staff_cli_wrong_staff_password_is_one_line(
    env: Env, alice: User, cli_data: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env.services.staff.create("sue", "safety", PASSWORD)
    monkeypatch.setenv("CONFIDE_STAFF_PASSWORD", "not the password at all")
    result = runner.invoke(app, ["access", "list", "--staff", "sue", *cli_data])
    assert result.exit_code == 1
    assert result.output.strip() == "confide: wrong staff username or password"
    args = ["access", "request", "--staff", "sue", "--user", "alice", "--case", "C"]
    result = runner.invoke(app, [*args, "--reason", REASON, *cli_data])
    assert result.exit_code == 1
    assert requests_of(alice) == []
