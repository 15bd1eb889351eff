"""The cross-tenant attack suite (promise P1), generated from the OpenAPI spec: for every user
route that names an object, user B tries to read, change and delete user A's object and gets
404, exactly as for an object that does not exist; B's lists never show A's ids; and
afterwards A's objects are all still there, unchanged. A route added later is covered
without anyone remembering: a route with a request body this suite has no body for fails the
suite until one is added here.

Staff routes (``/api/staff/...``) take staff sessions, not user sessions: a user's token
gets 401 on every one of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import PASSWORD, Env, User, make_env, one_of_everything

PARAM = re.compile(r"\{(\w+)\}")
# Routes whose path parameter is not an object of a user's: checked elsewhere.
NOT_OBJECTS = {
    "/api/privacy/consents/{purpose}",  # a purpose name, the same for everyone
    "/api/exports/download/{token}",  # a single-use capability (test_export_import.py)
}
# A valid body for each (method, path) that takes one, so the request reaches the ownership
# check instead of stopping at validation.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("patch", "/api/companions/{companion_id}"): {"name": "Taken"},
    ("post", "/api/companions/{companion_id}/conversations"): {"title": "mine now"},
    ("patch", "/api/conversations/{conversation_id}"): {"title": "mine now"},
    ("post", "/api/conversations/{conversation_id}/messages"): {"content": "hello"},
    ("patch", "/api/memories/{memory_id}"): {"text": "overwritten"},
    ("put", "/api/companions/{companion_id}/memory-settings"): {"mode": "off"},
}
# Query parameters some routes need before they act.
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("delete", "/api/companions/{companion_id}/conversations"): {"confirm": "all"},
}


@dataclass
class Owned:
    """User A's objects, by the path parameter that names them."""

    ids: dict[str, str]
    alice: User
    bob: User


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Env, Owned]]:
    env = make_env(tmp_path_factory.mktemp("tenants") / "data")
    alice = env.sign_up("alice")
    bob = env.sign_up("bob")
    # the ids this suite aims at (the account and the report have no user route by id)
    ids = {
        name: value
        for name, value in one_of_everything(env, alice).items()
        if name not in ("user_id", "report_id")
    }
    yield env, Owned(ids, alice, bob)
    env.client.close()
    env.services.close()


def _user_routes(env: Env) -> list[tuple[str, str]]:
    spec = env.client.get("/openapi.json").json()
    return [
        (method, path)
        for path, ops in spec["paths"].items()
        for method in ops
        if PARAM.search(path) and not path.startswith("/api/staff/") and path not in NOT_OBJECTS
    ]


def _call(user: User, method: str, path: str, ids: dict[str, str]) -> Any:
    url = PARAM.sub(lambda m: ids[m.group(1)], path)
    kwargs: dict[str, Any] = {"params": QUERIES.get((method, path), {})}
    if (method, path) in BODIES:
        kwargs["json"] = BODIES[(method, path)]
    return user.env.client.request(method.upper(), url, headers=user.headers, **kwargs)


def test_every_route_with_a_body_has_one_here(world: tuple[Env, Owned]) -> None:
    env, _ = world
    spec = env.client.get("/openapi.json").json()
    missing = [
        (method, path)
        for method, path in _user_routes(env)
        if "requestBody" in spec["paths"][path][method] and (method, path) not in BODIES
    ]
    assert missing == [], "add a valid body for these routes to BODIES"


def test_user_b_gets_404_for_every_object_of_user_a(world: tuple[Env, Owned]) -> None:
    env, owned = world
    routes = _user_routes(env)
    assert len(routes) >= 30  # the walk itself works
    params = {p for _, path in routes for p in PARAM.findall(path)}
    assert params <= owned.ids.keys(), f"no object of user A for {params - owned.ids.keys()}"
    answers = {
        f"{method.upper()} {path}": _call(owned.bob, method, path, owned.ids).status_code
        for method, path in routes
    }
    assert {k: v for k, v in answers.items() if v != 404} == {}


def test_a_missing_object_answers_exactly_like_a_foreign_one(world: tuple[Env, Owned]) -> None:
    env, owned = world
    missing = dict.fromkeys(owned.ids, "0" * 32)
    for method, path in _user_routes(env):
        foreign = _call(owned.bob, method, path, owned.ids)
        absent = _call(owned.bob, method, path, missing)
        assert foreign.status_code == absent.status_code == 404, f"{method} {path}"
        assert foreign.json()["error"]["code"] == absent.json()["error"]["code"]


def test_user_b_lists_show_nothing_of_user_a(world: tuple[Env, Owned]) -> None:
    env, owned = world
    spec = env.client.get("/openapi.json").json()
    lists = [
        path
        for path, ops in spec["paths"].items()
        if "get" in ops
        and path.startswith("/api/")
        and not PARAM.search(path)
        and not path.startswith("/api/staff")
    ]
    assert "/api/companions" in lists
    for path in lists:
        r = owned.bob.get(path)
        assert r.status_code < 500, path
        for name, value in owned.ids.items():
            assert value not in r.text, f"{path} shows user A's {name}"


def test_user_a_still_has_everything_unchanged(world: tuple[Env, Owned]) -> None:
    env, owned = world
    # Runs after the attacks above (module order): nothing of A's was changed or deleted.
    alice, ids = owned.alice, owned.ids
    assert alice.get(f"/api/companions/{ids['companion_id']}").json()["name"] != "Taken"
    conversation = alice.get(f"/api/conversations/{ids['conversation_id']}").json()
    assert conversation["title"] != "mine now"
    assert conversation["message_count"] == 3
    assert alice.get(f"/api/memories/{ids['memory_id']}").json()["text"] == "Ruth is my sister"
    assert alice.get(f"/api/exports/{ids['export_id']}").status_code == 200
    assert alice.get(f"/api/privacy/requests/{ids['request_id']}").json()["status"] == "open"
    grants = alice.get("/api/access-requests").json()
    assert [g["status"] for g in grants] == ["pending"]
    notices = alice.get("/api/account/notices").json()
    assert [n["is_new"] for n in notices] == [True]
    assert alice.get("/api/me").status_code == 200  # the session was not ended


def test_a_users_token_opens_no_staff_route(world: tuple[Env, Owned]) -> None:
    env, owned = world
    spec = env.client.get("/openapi.json").json()
    staff_routes = [
        (method, path)
        for path, ops in spec["paths"].items()
        for method in ops
        if path.startswith("/api/staff/") and path != "/api/staff/login"
    ]
    assert len(staff_routes) >= 10
    fill = {**owned.ids, "report_id": "0" * 32, "user_id": "0" * 32}
    for method, path in staff_routes:
        url = PARAM.sub(lambda m: fill[m.group(1)], path)
        r = env.client.request(method.upper(), url, headers=owned.alice.headers, json={})
        assert r.status_code == 401, f"{method} {path}"


def _page_routes() -> list[str]:
    """Every page (GET) that names an object, from the pages' router."""
    from confide.web import pages

    found: list[str] = []

    def walk(router: Any) -> None:
        for route in router.routes:
            path = getattr(route, "path", None)
            if path is None and hasattr(route, "original_router"):
                walk(route.original_router)
            elif path and PARAM.search(path) and "GET" in (getattr(route, "methods", None) or ()):
                found.append(path)

    walk(pages.router)
    return [p for p in found if not p.startswith("/staff/") and "{scope}" not in p]


def test_user_b_gets_a_not_found_page_for_every_page_of_user_a(
    world: tuple[Env, Owned],
) -> None:
    env, owned = world
    routes = _page_routes()
    assert "/chat/{conversation_id}" in routes
    env.client.cookies.clear()
    r = env.client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert r.status_code == 200, r.text
    try:
        answers = {
            path: env.client.get(
                PARAM.sub(lambda m: owned.ids[m.group(1)], path),
                headers={"Accept": "text/html"},
            )
            for path in routes
        }
    finally:
        env.client.cookies.clear()
    assert {p: r.status_code for p, r in answers.items() if r.status_code != 404} == {}
    for path, page in answers.items():
        assert "Ruth" not in page.text, path  # nothing of A's content on the error page
