"""What the benchmarks share: a fresh instance in a temp dir, fast seeding, the report line."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update

from confide.clock import utcnow
from confide.ids import new_id
from confide.llm.fake import FakeProvider
from confide.privacy.keys import FileMasterKeyring
from confide.services import Services, build_services
from confide.settings import Settings
from confide.storage.tables import Conversation, Message

SENTENCES = [
    "I went for a long walk by the river today and saw two herons.",
    "Work was stressful, my manager moved the deadline again.",
    "That sounds lovely! What did the herons look like up close?",
    "I'm thinking about learning to bake sourdough this winter.",
    "Do you remember what I told you about my sister's wedding?",
    "Of course. How are the preparations going?",
]


def fresh_services(data_dir: Path, **overrides: Any) -> Services:
    """A real instance (SQLite files, real crypto) with the instant fake provider."""
    settings = Settings(
        data_dir=data_dir,
        provider="fake",
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
        **overrides,
    )
    FileMasterKeyring.create(settings.resolved_master_key_file)
    return build_services(settings, provider=FakeProvider())


def sign_up(services: Services, username: str) -> str:
    new = services.accounts.sign_up(
        username=username,
        email=f"{username}@example.org",
        password="benchmark password",
        date_of_birth=date(1990, 1, 1),
        client="bench",
    )
    return new.identity.user_id


def seed_messages(
    services: Services,
    user_id: str,
    conversation_id: str,
    count: int,
    *,
    first_seq: int = 2,
    start: datetime | None = None,
) -> None:
    """Store ``count`` sealed messages in one transaction (bulk insert; no indexing work)."""
    vault = services.vault
    start = start or utcnow() - timedelta(days=365)
    rows = []
    for i in range(count):
        mid = new_id()
        text = SENTENCES[i % len(SENTENCES)] + f" ({i})"
        rows.append(
            {
                "id": mid,
                "user_id": user_id,
                "conversation_id": conversation_id,
                "seq": first_seq + i,
                "role": "user" if i % 2 == 0 else "assistant",
                "content_ct": vault.seal(user_id, "messages", "content_ct", mid, text),
                "status": "complete",
                "model": None if i % 2 == 0 else "fake:fake-model",
                "created_at": start + timedelta(minutes=i),
            }
        )
    with services.db.transaction() as s:
        s.execute(insert(Message), rows)
        s.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(last_seq=first_seq + count - 1)
        )


def report(result: dict[str, Any], as_json: bool) -> None:
    """``--json``: one JSON object as the last line; otherwise one aligned line per key."""
    if as_json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:>22}: {value}")
