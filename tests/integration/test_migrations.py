"""Migrations on a database that already holds data: nothing is lost on the way.

``0008_tenancy`` rebuilds ``messages`` on SQLite (a new unique constraint carrying the user
id); a rebuild drops the old table, which with foreign keys on would cascade-delete every
message's embedding and reply sources. ``Database.upgrade`` turns foreign keys off for the
migration and checks them afterwards; this proves it, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from tests.factories import Env, User, raw_rows

TABLES = ("messages", "message_embeddings", "reply_sources", "memory_jobs", "conversations")


def counts(env: Env) -> dict[str, int]:
    return {t: int(raw_rows(env, f"SELECT count(*) FROM {t}")[0][0]) for t in TABLES}  # noqa: S608


def test_tenancy_migration_keeps_every_message_embedding_and_job(env: Env, alice: User) -> None:
    conv = alice.conversation()
    for text in ("I keep bees.", "My sister is Ana.", "We met in Pune."):
        alice.say(conv, text)
    env.services.memory.embed_messages(
        raw_rows(env, "SELECT id FROM users WHERE username = ?", "alice")[0][0], conv, 99
    )
    before = counts(env)
    assert before["messages"] >= 6  # the greeting and three turns
    assert before["reply_sources"] == 3
    assert before["message_embeddings"] >= 6
    env.services.db.downgrade("0007_safety")
    assert counts(env) == before
    env.services.db.upgrade()
    assert counts(env) == before
    # and the constraint carrying the user id is in place again
    names = {
        str(r[0])
        for r in raw_rows(
            env,
            "SELECT name FROM sqlite_master WHERE sql LIKE ?"
            if not env.services.db.owner_url
            else "SELECT conname FROM pg_constraint WHERE conname LIKE ?",
            "%uq_messages_user_conversation_seq%",
        )
    }
    assert names
