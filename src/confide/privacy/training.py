"""Training export with lineage (promise P6): only what users agreed to, traceable back.

Threat handled: conversations reused to train models without consent. A message enters the
export only if both hold:

* it was written while the user's ``model_improvement`` grant was in force (the ledger's full
  history: each interval from a grant to the next withdrawal), so messages from before the
  first grant, or from a gap between a withdrawal and a later grant, are left out; and
* the grant is still in force at export time. A withdrawal stops every *future* export of
  everything the user wrote, not only of what they write afterwards: "withdrawal is honoured
  from then on" includes the data already granted. (Exports made before the withdrawal cannot
  be recalled by this code; their lineage says whose messages they hold.)

Accounts being deleted are left out, and so are replies cut short (``interrupted``).

Each JSONL record is one conversation's eligible messages, oldest first, with lineage: a
pseudonymous user id and conversation id (HMAC-SHA256 under a key derived from the master
key, so the training side cannot link records to accounts, and an operator holding the key
can), and for each message its id, when it was written, the ledger record of the grant that
covered it and the policy version that grant was made under. A manifest beside it gives the
counts, the time and the policy versions. Both files are created 0600 and never overwritten.
Each included user gets a ``training.exported`` audit entry they can read.

Pseudonyms change when the master key is rotated (``confide keys rotate``).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from confide.clock import Clock, as_utc
from confide.errors import Conflict
from confide.ids import new_id
from confide.privacy import crypto
from confide.privacy.audit import AuditLog
from confide.privacy.consent import ConsentLedger, GrantInterval
from confide.privacy.vault import Vault
from confide.storage.db import Database
from confide.storage.tables import Message, User

__all__ = ["FORMAT", "PURPOSE", "TrainingExport", "TrainingExporter", "manifest_path"]

FORMAT = "confide-training-v1"
PURPOSE = "model_improvement"
_PSEUDONYM_LABEL = "training-export-pseudonyms"


def manifest_path(dest: Path) -> Path:
    """Where the manifest of an export written to ``dest`` goes: ``<dest>.manifest.json``."""
    return dest.with_name(dest.name + ".manifest.json")


@dataclass
class TrainingExport:
    """What an export wrote (the manifest's content)."""

    export_id: str
    created_at: datetime
    path: Path
    manifest: Path
    users: int = 0
    conversations: int = 0
    messages: int = 0
    policy_versions: set[str] = field(default_factory=set)
    skipped_not_granted: int = 0
    skipped_deleting: int = 0

    def manifest_json(self, current_policy: str) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "export_id": self.export_id,
            "created_at": self.created_at.isoformat(),
            "records_file": self.path.name,
            "counts": {
                "users": self.users,
                "conversations": self.conversations,
                "messages": self.messages,
                "accounts_without_grant": self.skipped_not_granted,
                "accounts_being_deleted": self.skipped_deleting,
            },
            "policy_versions": sorted(self.policy_versions),
            "policy_version_at_export": current_policy,
            "rule": (
                "messages written while the user's model_improvement grant was in force, from "
                "users whose grant is still in force at export time; accounts being deleted "
                "and interrupted replies excluded"
            ),
        }


def _create_private(path: Path) -> IO[str]:
    """Open a new file readable by the owner only; an existing file is never overwritten."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise Conflict(f"{path} already exists; choose another destination") from exc
    return os.fdopen(fd, "w", encoding="utf-8")


class TrainingExporter:
    def __init__(
        self,
        db: Database,
        vault: Vault,
        consents: ConsentLedger,
        audit: AuditLog,
        clock: Clock,
        *,
        master_key: bytes,
    ) -> None:
        self._db = db
        self._vault = vault
        self._consents = consents
        self._audit = audit
        self._clock = clock
        self._key = crypto.derive_subkey(master_key, _PSEUDONYM_LABEL)

    def pseudonym(self, kind: str, real_id: str) -> str:
        """A stable pseudonym for a user or a conversation (32 hex digits)."""
        return crypto.keyed_digest(self._key, f"{kind}:{real_id}")[:32]

    def export(self, dest: Path) -> TrainingExport:
        """Write the records to ``dest`` and the manifest beside it (see module docstring)."""
        now = self._clock()
        result = TrainingExport(new_id(), now, dest, manifest_path(dest))
        if result.manifest.exists():
            raise Conflict(f"{result.manifest} already exists; choose another destination")
        with self._db.reader() as s:
            users = s.execute(select(User.id, User.status).order_by(User.id)).all()
        out = _create_private(dest)
        try:
            with out:
                for user_id, status in users:
                    if status != "active":
                        result.skipped_deleting += 1
                        continue
                    self._export_user(user_id, out, result)
            with _create_private(result.manifest) as f:
                json.dump(result.manifest_json(self._consents.policy_version), f, indent=2)
                f.write("\n")
        except BaseException:
            # A partial export must not look like a finished one.
            with contextlib.suppress(OSError):
                dest.unlink()
            raise
        return result

    def _export_user(self, user_id: str, out: IO[str], result: TrainingExport) -> None:
        intervals = self._consents.intervals(user_id, PURPOSE)
        if not intervals or intervals[-1].end is not None:
            result.skipped_not_granted += 1
            return
        count = 0
        for conversation_id, messages in self._conversations(user_id, intervals):
            record = {
                "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
                "lineage": {
                    "user": self.pseudonym("user", user_id),
                    "conversation": self.pseudonym("conversation", conversation_id),
                    "messages": [m["lineage"] for m in messages],
                },
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            result.conversations += 1
            count += len(messages)
            result.policy_versions.update(m["lineage"]["policy_version"] for m in messages)
        if not count:
            return
        result.users += 1
        result.messages += count
        self._audit.record(
            actor="operator",
            action="training.exported",
            subject_user_id=user_id,
            object_ref=result.export_id,
            purpose=PURPOSE,
            details={"export_id": result.export_id, "messages": count},
        )

    def _conversations(
        self, user_id: str, intervals: list[GrantInterval]
    ) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """Each conversation's eligible messages, oldest first (one conversation at a time)."""
        stmt = (
            select(Message)
            .where(
                Message.user_id == user_id,
                Message.status == "complete",
                Message.created_at >= intervals[0].start,
            )
            .order_by(Message.conversation_id, Message.seq)
            .execution_options(yield_per=500)  # stream: a user may have 100,000 messages
        )
        current: str | None = None
        batch: list[dict[str, Any]] = []
        with self._db.reader() as s:
            for row in s.scalars(stmt):
                written = as_utc(row.created_at)
                grant = next((g for g in intervals if g.covers(written)), None)
                if grant is None:
                    continue
                if row.conversation_id != current:
                    if batch and current is not None:
                        yield current, batch
                    current, batch = row.conversation_id, []
                batch.append(
                    {
                        "role": row.role,
                        "content": self._vault.open_text(
                            user_id, "messages", "content_ct", row.id, row.content_ct
                        ),
                        "lineage": {
                            "id": row.id,
                            "written_at": written.isoformat(),
                            "consent_record_id": grant.record_id,
                            "policy_version": grant.policy_version,
                        },
                    }
                )
        if batch and current is not None:
            yield current, batch
