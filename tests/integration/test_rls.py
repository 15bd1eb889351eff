"""Row-level security on PostgreSQL, tested at the database itself (P1's second wall).

The app role is the one the app connects as (``database_url``); the superuser plays someone
holding the whole database, to prove rows exist that the app role cannot see. These tests
skip on SQLite, which has no roles; ``.ci/run`` runs the suite on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import ProgrammingError

from confide.storage.db import Database, act_for
from confide.storage.tables import Base
from tests import pg
from tests.factories import Env, User, admin_db, raw_rows

pytestmark = pytest.mark.skipif(
    not pg.using_postgres(), reason="row-level security exists only on PostgreSQL"
)

TENANT_COLUMNS = ("user_id", "subject_user_id")
# Unique across users on purpose, and leaking nothing a client can choose: the username (a
# public handle: sign-up must refuse a taken one) and random 256-bit token digests.
GLOBAL_UNIQUE = {"users_username_key", "sessions_token_hash_key", "export_jobs_token_hash_key"}


def tenant_tables() -> dict[str, str]:
    """Every table of the content schema that holds a user's rows, and the column naming
    the user: from the SQLAlchemy metadata, so a new table is covered without anyone
    remembering."""
    found = {"users": "id"}
    for table in Base.metadata.sorted_tables:
        for column in TENANT_COLUMNS:
            if column in table.columns:
                found[table.name] = column
    return found


@pytest.fixture
def two_users(env: Env) -> tuple[User, User]:
    """Alice and Bob, each with a companion, a conversation with turns, a memory, a consent,
    an export job and audit entries: rows in most tables."""
    alice, bob = env.sign_up("alice"), env.sign_up("bob")
    for user in (alice, bob):
        conv = user.conversation()
        user.say(conv, "I keep bees on the roof and my sister is called Ana.")
        companion = user.get("/api/companions").json()[0]["id"]
        r = user.post(
            "/api/memories", json={"companion_id": companion, "kind": "fact", "text": "bees"}
        )
        assert r.status_code == 201, r.text
        assert user.post("/api/exports").status_code == 202
    return alice, bob


def user_id(env: Env, user: User) -> str:
    return str(raw_rows(env, "SELECT id FROM users WHERE username = ?", user.username)[0][0])


@pytest.fixture
def app_conn(env: Env) -> Iterator[Connection]:
    """A connection as the app role, outside the app: whatever it sees, the app could."""
    with env.services.db.engine.connect() as conn:
        yield conn
        conn.rollback()


def count_as(conn: Connection, table: str, user_id: str | None, scope: str = "") -> int:
    conn.execute(
        text("SELECT set_config('app.user_id', :u, true), set_config('app.scope', :s, true)"),
        {"u": user_id or "", "s": scope},
    )
    return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def test_every_user_data_table_has_rls_enabled_and_forced(env: Env) -> None:
    tables = tenant_tables()
    assert len(tables) >= 20
    rows = raw_rows(
        env,
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
        "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'",
    )
    flags = {name: (enabled, forced) for name, enabled, forced in rows}
    for table in tables:
        assert flags[table] == (True, True), table
    keys = raw_rows(
        env,
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'data_keys'",
        keys_db=True,
    )
    assert keys == [(True, True)]
    assert env.services.db.isolation_problems() == []
    assert env.services.key_db.isolation_problems() == []


def test_every_policy_reads_the_tenant_with_the_two_argument_form(env: Env) -> None:
    policies = raw_rows(
        env,
        "SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE policyname = ?",
        "tenant",
    )
    assert {row[0] for row in policies} == set(tenant_tables())
    for table, _name, qual, check in policies:
        for clause in (qual, check):
            assert "current_setting('app.user_id'::text, true)" in clause, table


def test_the_app_role_owns_nothing_and_cannot_bypass_rls(app_conn: Connection) -> None:
    role = app_conn.execute(
        text(
            "SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = current_user"
        )
    ).one()
    assert role.rolname == pg.APP_ROLE
    assert not role.rolsuper
    assert not role.rolbypassrls
    assert not role.rolcreaterole
    assert not role.rolcreatedb
    owned = app_conn.execute(
        text("SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole")
    ).scalar_one()
    assert owned == 0


def test_with_no_context_every_table_returns_nothing(
    env: Env, two_users: tuple[User, User], app_conn: Connection
) -> None:
    populated = 0
    for table in tenant_tables():
        stored = raw_rows(env, f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608
        populated += bool(stored)
        assert count_as(app_conn, table, None) == 0, table
        # never set at all in this transaction (NULL, not ''): still nothing
        app_conn.rollback()
        assert app_conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0  # noqa: S608
        app_conn.rollback()
    assert populated >= 12  # the check above is about tables that really hold rows


def test_a_tenant_sees_exactly_its_own_rows(
    env: Env, two_users: tuple[User, User], app_conn: Connection
) -> None:
    alice, bob = two_users
    ids = {user_id(env, alice), user_id(env, bob)}
    for table, column in tenant_tables().items():
        for uid in ids:
            stored = raw_rows(
                env,
                f"SELECT count(*) FROM {table} WHERE {column} = ?",  # noqa: S608
                uid,
            )[0][0]
            assert count_as(app_conn, table, uid) == stored, (table, uid)
            app_conn.rollback()


def test_a_tenant_cannot_write_a_row_for_another(
    env: Env, two_users: tuple[User, User], app_conn: Connection
) -> None:
    alice, bob = two_users
    alice_id, bob_id = user_id(env, alice), user_id(env, bob)
    count_as(app_conn, "companions", alice_id)
    with pytest.raises(ProgrammingError, match="row-level security"):
        app_conn.execute(
            text(
                "INSERT INTO companions (id, user_id, profile_ct, memory_mode, memory_revision, "
                "created_at, updated_at) VALUES (md5('x'), :bob, '\\x00', 'on', 0, "
                "now(), now())"
            ),
            {"bob": bob_id},
        )
    app_conn.rollback()
    count_as(app_conn, "companions", alice_id)
    moved = app_conn.execute(
        text("UPDATE companions SET memory_mode = 'off' WHERE user_id = :bob"), {"bob": bob_id}
    )
    assert moved.rowcount == 0
    app_conn.rollback()
    assert raw_rows(env, "SELECT memory_mode FROM companions WHERE user_id = ?", bob_id) == [
        ("on",)
    ]


def test_system_scopes_reach_only_their_own_tables(
    env: Env, two_users: tuple[User, User], app_conn: Connection
) -> None:
    """The log-in scope reads accounts and sessions, never content; the job scope claims
    jobs, never reads messages; none of them may change an account."""
    for scope in ("auth", "jobs", "retention", "staff", "audit", "operator"):
        for table in ("messages", "memory_items", "companions", "reply_sources", "nominees"):
            assert count_as(app_conn, table, None, scope) == 0, (scope, table)
            app_conn.rollback()
    assert count_as(app_conn, "users", None, "auth") == 2
    changed = app_conn.execute(text("UPDATE users SET country = 'IN'"))
    assert changed.rowcount == 0
    app_conn.rollback()
    # a scope is a bound value compared to literals: nothing can be smuggled through it
    assert count_as(app_conn, "users", None, "auth' OR true --") == 0


def test_a_pooled_connection_never_carries_the_last_tenant(
    env: Env, two_users: tuple[User, User]
) -> None:
    alice, _bob = two_users
    db = Database.content(env.settings.resolved_database_url)
    try:
        with db.transaction(user_id(env, alice)) as s:
            assert s.execute(text("SELECT count(*) FROM companions")).scalar_one() == 1
        # The same pooled connection (pool of one checked-in connection), a new transaction
        with db.engine.connect() as conn:
            setting = conn.execute(text("SELECT current_setting('app.user_id', true)")).scalar()
            assert setting in (None, "")
            assert conn.execute(text("SELECT count(*) FROM companions")).scalar_one() == 0
    finally:
        db.dispose()


def test_a_leaky_function_in_a_where_clause_never_sees_other_users_rows(
    env: Env, two_users: tuple[User, User]
) -> None:
    """A cheap, non-leakproof function that reports every value it is given: the policy runs
    first (policies are security barriers), so it only ever sees the tenant's own rows."""
    alice, bob = two_users
    alice_id, bob_id = user_id(env, alice), user_id(env, bob)
    pg.raw_execute(
        env.settings.resolved_database_url,
        "CREATE FUNCTION leak(v text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS "
        "$$ BEGIN RAISE NOTICE 'leak:%', v; RETURN true; END $$",
    )
    bobs = {str(r[0]) for r in raw_rows(env, "SELECT id FROM companions WHERE user_id = ?", bob_id)}
    bobs |= {str(r[0]) for r in raw_rows(env, "SELECT id FROM messages WHERE user_id = ?", bob_id)}
    assert bobs
    seen: list[str] = []
    with env.services.db.engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        raw.add_notice_handler(lambda d: seen.append(str(d.message_primary)))
        act_for_conn(conn, alice_id)
        for table in ("companions", "messages"):
            rows = conn.execute(text(f"SELECT id FROM {table} WHERE leak(id)")).all()  # noqa: S608
            assert rows
            conn.execute(text(f"SELECT count(*) FROM {table} WHERE leak(user_id)"))  # noqa: S608
        conn.rollback()
    assert seen
    assert not any(value in note for note in seen for value in bobs | {bob_id})


def act_for_conn(conn: Connection, user_id: str) -> None:
    conn.execute(text("SELECT set_config('app.user_id', :u, true)"), {"u": user_id})


def test_unique_constraints_on_user_data_include_the_user(env: Env) -> None:
    tables = tenant_tables()
    rows = raw_rows(
        env,
        "SELECT rel.relname, con.conname, con.contype, "
        "array_agg(att.attname::text ORDER BY att.attname) "
        "FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid "
        "JOIN pg_attribute att ON att.attrelid = rel.oid AND att.attnum = ANY(con.conkey) "
        "WHERE con.contype IN ('u', 'p') AND rel.relnamespace = 'public'::regnamespace "
        "GROUP BY rel.relname, con.conname, con.contype",
    )
    indexes = raw_rows(
        env,
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "AND indexdef LIKE 'CREATE UNIQUE%'",
    )
    checked = 0
    for table, name, kind, columns in rows:
        if table not in tables or name in GLOBAL_UNIQUE:
            continue
        checked += 1
        column = tables[table]
        # a primary key is an id the app draws (uuid4, a serial, the chain's sequence number),
        # never one a client picks
        assert column in columns or (
            kind == "p" and columns in (["id"], ["message_id"], ["seq"])
        ), name
    constrained = {name for _table, name, _k, _c in rows}
    for table, name, definition in indexes:
        if table in tables and name not in constrained and name not in GLOBAL_UNIQUE:
            assert tables[table] in definition, name
    assert checked >= 20


def test_the_audit_log_is_append_only_for_the_app_role(
    env: Env, two_users: tuple[User, User], app_conn: Connection
) -> None:
    alice, _bob = two_users
    alice_id = user_id(env, alice)
    for statement in (
        "UPDATE audit_entries SET action = 'forged'",
        "DELETE FROM audit_entries",
        "UPDATE audit_checkpoints SET size = 0",
        "DELETE FROM audit_checkpoints",
    ):
        act_for_conn(app_conn, alice_id)
        with pytest.raises(ProgrammingError, match="permission denied"):
            app_conn.execute(text(statement))
        app_conn.rollback()
    act_for_conn(app_conn, alice_id)
    assert app_conn.execute(text("SELECT count(*) FROM audit_entries")).scalar_one() > 0


def test_the_key_store_shows_each_tenant_only_its_own_key(
    env: Env, two_users: tuple[User, User]
) -> None:
    alice, _bob = two_users
    alice_id = user_id(env, alice)
    assert raw_rows(env, "SELECT count(*) FROM data_keys", keys_db=True)[0][0] == 2
    with env.services.key_db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM data_keys")).scalar_one() == 0
        act_for_conn(conn, alice_id)
        assert conn.execute(text("SELECT user_id FROM data_keys")).scalars().all() == [alice_id]
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("DELETE FROM data_keys"))
        conn.rollback()


def test_act_for_refuses_an_unknown_scope(env: Env) -> None:
    with admin_db(env.services).reader() as s, pytest.raises(ValueError, match="unknown"):
        act_for(s, None, scope="everything")
