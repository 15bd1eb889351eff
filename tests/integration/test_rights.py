"""Data-rights requests and the nominee: users file, read and withdraw their own requests and
name a nominee (all sealed under their key, audited); operators see open requests by due
date, overdue first, open one (audited in the user's log), close it with a resolution the
user reads, and record a request a nominee made out of band. Also the ``confide requests``
(local) and ``confide privacy`` (over HTTP) commands."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from confide.cli import app
from confide.clock import utcnow
from confide.errors import Conflict, InvalidInput, NotFound
from confide.services import Services
from tests.conftest import CANARY_PREFIX
from tests.factories import (
    PASSWORD,
    Env,
    User,
    cli_databases,
    make_services,
    make_settings,
    running,
)

runner = CliRunner()
MISSING_ID = "0" * 32


def file(user: User, kind: str = "access", details: str = "Please send me my data.") -> Any:
    r = user.post("/api/privacy/requests", json={"kind": kind, "details": details})
    assert r.status_code == 201, r.text
    return r.json()


def audit(user: User, action: str) -> list[dict[str, Any]]:
    r = user.get("/api/audit", params={"action": action, "limit": 200})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def user_id(user: User) -> str:
    return str(user.get("/api/me").json()["id"])


def stored_bytes(env: Env) -> bytes:
    data = env.settings.data_dir
    return b"".join(p.read_bytes() for p in data.glob("confide.db*"))


# --- the user -------------------------------------------------------------------------------


def test_rights_file_list_read_due_date_and_audit(env: Env, alice: User) -> None:
    body = file(alice, "correction", "My birth year is wrong.")
    assert body["kind"] == "correction"
    assert body["status"] == "open"
    assert body["filed_by"] == "user"
    assert body["details"] == "My birth year is wrong."
    assert body["resolution"] is None
    filed = datetime.datetime.fromisoformat(body["filed_at"])
    due = datetime.datetime.fromisoformat(body["due_at"])
    assert due - filed == timedelta(days=env.settings.rights_request_due_days)
    env.clock.advance(minutes=1)
    second = file(alice, "grievance", "Nobody answered me.")
    listed = alice.get("/api/privacy/requests").json()
    assert [r["id"] for r in listed] == [second["id"], body["id"]]  # newest first
    one = alice.get(f"/api/privacy/requests/{body['id']}")
    assert one.status_code == 200
    assert one.json() == body
    entries = audit(alice, "rights_request.filed")
    assert {e["object_ref"] for e in entries} == {body["id"], second["id"]}
    assert {e["actor"] for e in entries} == {"user"}
    assert {e["details"]["kind"] for e in entries} == {"correction", "grievance"}


def test_rights_due_days_come_from_settings(env_factory: Callable[..., Env]) -> None:
    env = env_factory(rights_request_due_days=7)
    alice = env.sign_up("alice")
    body = file(alice)
    due = datetime.datetime.fromisoformat(body["due_at"])
    assert due - datetime.datetime.fromisoformat(body["filed_at"]) == timedelta(days=7)


def test_rights_bad_input_is_4xx(env: Env, alice: User) -> None:
    r = alice.post("/api/privacy/requests", json={"kind": "telepathy", "details": "x"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "unknown_request_kind"
    for details in ("", "   ", "x" * 4001):
        r = alice.post("/api/privacy/requests", json={"kind": "access", "details": details})
        assert r.status_code == 400, details
        assert r.json()["error"]["code"] == "invalid_details"
    r = alice.post("/api/privacy/requests", json={"kind": "access"})
    assert r.status_code == 422
    r = alice.post("/api/privacy/requests", json={"kind": "access", "details": "x", "extra": 1})
    assert r.status_code == 422
    for path in (f"/api/privacy/requests/{MISSING_ID}", "/api/privacy/requests/not-an-id"):
        assert alice.get(path).status_code == 404
        assert alice.post(path + "/withdraw").status_code == 404
    assert alice.get("/api/privacy/requests").json() == []
    assert env.client.get("/api/privacy/requests").status_code == 401


def test_rights_another_users_request_is_not_found(env: Env, alice: User) -> None:
    mine = file(alice)
    bob = env.sign_up("bob")
    for r in (
        bob.get(f"/api/privacy/requests/{mine['id']}"),
        bob.post(f"/api/privacy/requests/{mine['id']}/withdraw"),
    ):
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
    assert bob.get("/api/privacy/requests").json() == []
    assert alice.get(f"/api/privacy/requests/{mine['id']}").json()["status"] == "open"


def test_rights_withdraw_once(env: Env, alice: User) -> None:
    body = file(alice, "erasure", "Delete my old conversations.")
    env.clock.advance(hours=2)
    r = alice.post(f"/api/privacy/requests/{body['id']}/withdraw")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "withdrawn"
    assert r.json()["closed_at"] is not None
    again = alice.post(f"/api/privacy/requests/{body['id']}/withdraw")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "request_not_open"
    assert [e["object_ref"] for e in audit(alice, "rights_request.withdrawn")] == [body["id"]]
    assert env.services.rights.list_open() == []
    with pytest.raises(Conflict):
        env.services.rights.close(body["id"], "too late")


def test_rights_details_and_nominee_are_stored_encrypted(env: Env, alice: User) -> None:
    secret = f"{CANARY_PREFIX}-request-words"
    file(alice, "grievance", f"My complaint: {secret}")
    nominee = f"{CANARY_PREFIX}-nominee-name"
    r = alice.put(
        "/api/privacy/nominee",
        json={"name": nominee, "contact": f"{CANARY_PREFIX}@example.org", "relationship": "x"},
    )
    assert r.status_code == 200, r.text
    rid = alice.get("/api/privacy/requests").json()[0]["id"]
    env.services.rights.close(rid, f"Resolved: {CANARY_PREFIX}-resolution")
    assert alice.get(f"/api/privacy/requests/{rid}").json()["resolution"].startswith("Resolved")
    assert CANARY_PREFIX.encode() not in stored_bytes(env)


# --- the nominee ----------------------------------------------------------------------------


def test_rights_nominee_set_replace_read_remove(env: Env, alice: User) -> None:
    assert alice.get("/api/privacy/nominee").json() == {"nominee": None}
    first = {"name": "Rosa Diaz", "contact": "rosa@example.org", "relationship": "sister"}
    r = alice.put("/api/privacy/nominee", json=first)
    assert r.status_code == 200, r.text
    got = alice.get("/api/privacy/nominee").json()["nominee"]
    assert {k: got[k] for k in first} == first
    second = {"name": "Amy Santiago", "contact": "+44 20 7946 0000", "relationship": "friend"}
    alice.put("/api/privacy/nominee", json=second)
    got = alice.get("/api/privacy/nominee").json()["nominee"]
    assert {k: got[k] for k in second} == second
    bob = env.sign_up("bob")
    assert bob.get("/api/privacy/nominee").json() == {"nominee": None}
    assert bob.delete("/api/privacy/nominee").status_code == 404

    assert alice.delete("/api/privacy/nominee").status_code == 204
    assert alice.get("/api/privacy/nominee").json() == {"nominee": None}
    assert alice.delete("/api/privacy/nominee").status_code == 404
    assert [e["details"] for e in audit(alice, "nominee.set")] == [
        {"replaced": True},
        {"replaced": False},
    ]
    assert len(audit(alice, "nominee.removed")) == 1


def test_rights_nominee_bad_input(alice: User) -> None:
    ok = {"name": "Rosa", "contact": "rosa@example.org", "relationship": "sister"}
    for field, value in (("name", ""), ("contact", "  "), ("relationship", "x" * 201)):
        r = alice.put("/api/privacy/nominee", json={**ok, field: value})
        assert r.status_code == 400, field
    r = alice.put("/api/privacy/nominee", json={"name": "Rosa"})
    assert r.status_code == 422
    assert alice.get("/api/privacy/nominee").json() == {"nominee": None}


# --- the operator ---------------------------------------------------------------------------


def relogin(env: Env, user: User) -> User:
    """A new session for ``user`` (tests that move the clock weeks on outlive sessions)."""
    r = env.client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    env.client.cookies.clear()
    return User(env, user.username, r.json()["token"])


def test_rights_operator_list_overdue_first_show_and_close(env: Env, alice: User) -> None:
    rights = env.services.rights
    early = file(alice, "access", "Everything you hold.")
    env.clock.advance(days=10)
    bob = env.sign_up("bob")
    late = file(bob, "correction", "Fix my email.")
    env.clock.advance(days=25)  # early was due 5 days ago, late is due in 5 days
    alice, bob = relogin(env, alice), relogin(env, bob)
    rows = rights.list_open()
    assert [(r.id, r.username, r.kind) for r in rows] == [
        (early["id"], "alice", "access"),
        (late["id"], "bob", "correction"),
    ]
    assert rows[0].is_overdue
    assert rows[0].days_left == -5
    assert not rows[1].is_overdue
    assert rows[1].days_left == 5

    opened = rights.show(early["id"])
    assert opened.username == "alice"
    assert opened.request.details == "Everything you hold."
    assert opened.nominee is None
    viewed = audit(alice, "rights_request.viewed")
    assert [(e["actor"], e["object_ref"]) for e in viewed] == [("operator", early["id"])]
    assert audit(bob, "rights_request.viewed") == []

    closed = rights.close(early["id"], "Sent an export on 2026-12-01.")
    assert closed.status == "closed"
    mine = alice.get(f"/api/privacy/requests/{early['id']}").json()
    assert mine["status"] == "closed"
    assert mine["resolution"] == "Sent an export on 2026-12-01."
    assert [e["actor"] for e in audit(alice, "rights_request.closed")] == ["operator"]
    assert [r.id for r in rights.list_open()] == [late["id"]]
    assert [r.id for r in rights.list_open(include_closed=True)] == [late["id"], early["id"]]
    with pytest.raises(Conflict):
        rights.close(early["id"], "again")
    with pytest.raises(InvalidInput):
        rights.close(late["id"], " ")
    with pytest.raises(NotFound):
        rights.show(MISSING_ID)
    assert env.services.audit.verify().ok


def test_rights_operator_files_for_nominee(env: Env, alice: User) -> None:
    rights = env.services.rights
    with pytest.raises(InvalidInput, match="nominee"):
        rights.file_for("alice", "erasure", "Close my late mother's account.")
    with pytest.raises(NotFound):
        rights.file_for("nobody", "access", "x", by_nominee=False)
    alice.put(
        "/api/privacy/nominee",
        json={"name": "Rosa Diaz", "contact": "rosa@example.org", "relationship": "daughter"},
    )
    filed = rights.file_for("Alice", "erasure", "Close my late mother's account.")
    assert filed.filed_by == "nominee"
    mine = alice.get("/api/privacy/requests").json()
    assert [(r["id"], r["filed_by"], r["kind"]) for r in mine] == [(filed.id, "nominee", "erasure")]
    shown = rights.show(filed.id)
    assert shown.nominee is not None
    assert shown.nominee.name == "Rosa Diaz"
    entry = audit(alice, "rights_request.filed")[0]
    assert entry["actor"] == "operator"
    assert entry["details"]["filed_by"] == "nominee"
    by_user = rights.file_for("alice", "access", "Asked by phone.", by_nominee=False)
    assert by_user.filed_by == "user"


def test_rights_cli_operator_commands(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFIDE_MASTER_KEY", raising=False)
    cli_databases(monkeypatch, env.settings)
    data = ["--data-dir", str(env.settings.data_dir)]
    # The CLI runs on the real clock: file one request 40 days ago (overdue), one now.
    env.clock.now = utcnow() - timedelta(days=40)
    alice = env.sign_up("alice")
    old = file(alice, "access", "Old request.")
    env.clock.now = utcnow()
    alice = relogin(env, alice)
    new = file(alice, "grievance", f"{CANARY_PREFIX} not for listings")

    result = runner.invoke(app, ["requests", "list", *data])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    old_line = next(i for i, line in enumerate(lines) if old["id"] in line)
    new_line = next(i for i, line in enumerate(lines) if new["id"] in line)
    assert old_line < new_line  # overdue first
    assert "OVERDUE" in lines[old_line]
    assert "alice" in lines[old_line]
    assert CANARY_PREFIX not in result.output  # listings never show content
    assert "1 overdue" in result.output

    result = runner.invoke(app, ["requests", "show", old["id"], *data])
    assert result.exit_code == 0, result.output
    assert "details:    Old request." in result.output
    assert "nominee:    none registered" in result.output

    args = ["requests", "close", old["id"], "--resolution", "Export sent.", *data]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert alice.get(f"/api/privacy/requests/{old['id']}").json()["resolution"] == "Export sent."
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert again.output.strip() == "confide: the request is already closed"

    result = runner.invoke(app, ["requests", "list", "--all", *data])
    assert result.exit_code == 0, result.output
    closed_row = next(line for line in result.output.splitlines() if old["id"] in line)
    assert "closed" in closed_row

    base = ["requests", "file", "--username", "alice", "--kind", "correction"]
    result = runner.invoke(app, [*base, "--details", "By letter.", "--by-nominee", *data])
    assert result.exit_code == 1
    assert "has not registered a nominee" in result.output
    result = runner.invoke(app, [*base, "--details", "By letter.", *data])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("filed correction request ")
    assert len(alice.get("/api/privacy/requests").json()) == 3
    bad = runner.invoke(app, ["requests", "file", "--username", "alice", "--kind", "x"] + data)
    assert bad.exit_code != 0
    missing = runner.invoke(app, ["requests", "show", MISSING_ID, *data])
    assert missing.exit_code == 1
    assert missing.output.strip() == "confide: no such request"


# --- confide privacy, over HTTP -------------------------------------------------------------


@dataclass
class Server:
    url: str
    services: Services
    user_id: str

    def run(self, *args: str, answers: str = "") -> Any:
        return runner.invoke(
            app,
            ["privacy", *args, "--url", self.url, "--password-stdin"],
            input=f"{PASSWORD}\n{answers}",
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
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
    with running(settings, services) as url:
        yield Server(url, services, new.identity.user_id)
    services.close()


def test_privacy_cli_requests_and_nominee(server: Server) -> None:
    result = server.run("request", "frank", "access", "--details", "All my data please.")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("filed access request ")
    rid = result.output.split()[3].rstrip(",")
    result = server.run("requests", "frank", "--json")
    assert result.exit_code == 0, result.output
    items = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert [(i["id"], i["details"]) for i in items] == [(rid, "All my data please.")]
    result = server.run("requests", "frank")
    assert result.exit_code == 0, result.output
    assert "All my data please." in result.output
    result = server.run("withdraw", "frank", rid)
    assert result.exit_code == 0, result.output
    assert server.services.rights.get_mine(server.user_id, rid).status == "withdrawn"
    bad = server.run("request", "frank", "telepathy", "--details", "x")
    assert bad.exit_code == 1
    assert "KIND must be one of" in bad.output
    empty = server.run("request", "frank", "access", "--details", " ")
    assert empty.exit_code == 1
    assert empty.output.strip() == "confide: details must not be empty"

    assert server.run("nominee", "frank").output.strip() == "no nominee"
    partial = server.run("nominee", "frank", "--name", "Rosa")
    assert partial.exit_code == 1
    args = ["--name", "Rosa", "--contact", "rosa@example.org", "--relationship", "sister"]
    result = server.run("nominee", "frank", *args)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "nominee: Rosa (sister), rosa@example.org"
    # Once named, one field can change alone.
    result = server.run("nominee", "frank", "--contact", "+1 555 0100")
    assert result.output.strip() == "nominee: Rosa (sister), +1 555 0100"
    result = server.run("nominee", "frank", "--remove")
    assert result.exit_code == 0, result.output
    assert server.services.rights.get_nominee(server.user_id) is None
    again = server.run("nominee", "frank", "--remove")
    assert again.exit_code == 1
    assert again.output.strip() == "confide: no nominee is registered"


def test_privacy_cli_consents_policy_and_summary(server: Server) -> None:
    result = server.run("consent", "frank", "model_improvement", "on")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "model_improvement: on"
    assert server.services.consents.granted(server.user_id, "model_improvement")
    result = server.run("consents", "frank")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "model_improvement" in line)
    assert " on " in row
    assert server.run("consent", "frank", "model_improvement", "maybe").exit_code == 1

    result = server.run("policy", "frank")
    assert result.exit_code == 0, result.output
    assert server.services.settings.privacy_policy_version in result.output
    server.services.policy.publish("2031-01", "Training exports now carry lineage.", material=True)
    result = server.run("policy", "frank")
    assert "changed in 2031-01: Training exports now carry lineage." in result.output
    assert "--acknowledge" in result.output
    result = server.run("policy", "frank", "--acknowledge")
    assert result.exit_code == 0, result.output
    assert "acknowledged policy version 2031-01" in result.output
    assert [a.version for a in server.services.policy.acknowledgements(server.user_id)] == [
        "2031-01"
    ]

    result = server.run("summary", "frank")
    assert result.exit_code == 0, result.output
    assert "training: on" in result.output
    assert "privacy policy: 2031-01" in result.output
    result = server.run("summary", "frank", "--json")
    body = json.loads(result.output)
    assert body["policy"] == {
        "version": "2031-01",
        "published_at": body["policy"]["published_at"],
        "notice_pending": False,
    }
