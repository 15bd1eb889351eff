"""Training export with lineage (promise P6): only what users agreed to, de-identified,
traceable back by the operator alone.

Threat handled: conversations reused to train models without consent, or a training set that
identifies people. A message enters the export only if both hold:

* it was written while the user's ``model_improvement`` grant was in force (the ledger's full
  history: each interval from a grant to the next withdrawal), so messages from before the
  first grant, or from a gap between a withdrawal and a later grant, are left out; and
* the grant is still in force at export time. A withdrawal stops every *future* export of
  everything the user wrote, not only of what they write afterwards.

Accounts being deleted are left out, and so are replies cut short (``interrupted``).

De-identification: every message goes through the PII shield (``privacy/shield.py``) with
the user's name added, so emails, phone numbers, card and id numbers, IBANs, ... become
placeholders such as ``[EMAIL_1]`` (numbered per conversation); if detection fails the export
stops and deletes what it wrote (fail closed). User and conversation ids are replaced by
random ids drawn afresh for each export, so two exports cannot be joined on them.

Lineage, for the operator only: ``<dest>.lineage.json`` maps each random id back to the
account and conversation and lists every message id with the grant that covered it; the
``training_contributions`` table records the same per export. When a user later withdraws,
or a conversation or an account is erased, :meth:`TrainingExporter.affected` (``confide
training affected``) lists the exports to rebuild. Exports already handed over cannot be
recalled by this code; their lineage says whose messages they hold.

A manifest gives the counts, the time and the policy versions. All three files are created
0600 and never overwritten. Each included user gets a ``training.exported`` audit entry.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from confide.clock import Clock, as_utc
from confide.errors import Conflict
from confide.ids import new_id
from confide.privacy.audit import AuditLog
from confide.privacy.consent import ConsentLedger, GrantInterval
from confide.privacy.shield import PiiShield
from confide.privacy.vault import Vault
from confide.storage.db import Database
from confide.storage.repositories import TrainingRepo
from confide.storage.tables import Message, TrainingContribution, User

__all__ = [
    "FORMAT",
    "PURPOSE",
    "AffectedExport",
    "TrainingExport",
    "TrainingExporter",
    "lineage_path",
    "manifest_path",
]

FORMAT = "confide-training-v2"
PURPOSE = "model_improvement"


def manifest_path(dest: Path) -> Path:
    """Where the manifest of an export written to ``dest`` goes: ``<dest>.manifest.json``."""
    return dest.with_name(dest.name + ".manifest.json")


def lineage_path(dest: Path) -> Path:
    """Where the operator's lineage file goes: ``<dest>.lineage.json`` (never shipped)."""
    return dest.with_name(dest.name + ".lineage.json")


def _random_id() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class AffectedExport:
    """An export holding data that may no longer be used: rebuild it."""

    export_id: str
    path: str
    created_at: datetime
    accounts_withdrawn: int  # model-improvement grant withdrawn since
    accounts_erased: int  # account deleted (or being deleted) since
    conversations_deleted: int  # conversations deleted since, of accounts still in

    @property
    def total(self) -> int:
        return self.accounts_withdrawn + self.accounts_erased + self.conversations_deleted


@dataclass
class TrainingExport:
    """What an export wrote (the manifest's content)."""

    export_id: str
    created_at: datetime
    path: Path
    manifest: Path
    lineage: Path
    users: int = 0
    conversations: int = 0
    messages: int = 0
    policy_versions: set[str] = field(default_factory=set)
    skipped_not_granted: int = 0
    skipped_deleting: int = 0
    identifiers_replaced: int = 0
    # random user id -> {"user_id", "conversations": {random id -> {"conversation_id",
    # "messages": [...]}}}: the lineage file's body
    lineage_map: dict[str, Any] = field(default_factory=dict)

    def manifest_json(self, current_policy: str) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "export_id": self.export_id,
            "created_at": self.created_at.isoformat(),
            "records_file": self.path.name,
            "lineage_file": f"{self.lineage.name} (the operator's; never ship it with the data)",
            "counts": {
                "users": self.users,
                "conversations": self.conversations,
                "messages": self.messages,
                "accounts_without_grant": self.skipped_not_granted,
                "accounts_being_deleted": self.skipped_deleting,
                "identifiers_replaced": self.identifiers_replaced,
            },
            "policy_versions": sorted(self.policy_versions),
            "policy_version_at_export": current_policy,
            "rule": (
                "messages written while the user's model_improvement grant was in force, from "
                "users whose grant is still in force at export time; accounts being deleted "
                "and interrupted replies excluded; identifiers replaced by placeholders; "
                "random user and conversation ids, new for each export"
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
        shield: PiiShield,
    ) -> None:
        self._db = db
        self._vault = vault
        self._consents = consents
        self._audit = audit
        self._clock = clock
        self._shield = shield

    def export(self, dest: Path) -> TrainingExport:
        """Write the records to ``dest``, the manifest and the lineage file beside it (see
        the module docstring)."""
        now = self._clock()
        result = TrainingExport(new_id(), now, dest, manifest_path(dest), lineage_path(dest))
        for path in (result.manifest, result.lineage):
            if path.exists():
                raise Conflict(f"{path} already exists; choose another destination")
        with self._db.reader(scope="operator") as s:
            users = s.execute(select(User.id, User.username, User.status).order_by(User.id)).all()
        written: list[Path] = []
        try:
            with _create_private(dest) as out:
                written.append(dest)
                for user_id, username, status in users:
                    if status != "active":
                        result.skipped_deleting += 1
                        continue
                    self._export_user(user_id, username, out, result)
            with _create_private(result.lineage) as f:
                written.append(result.lineage)
                json.dump(
                    {"format": FORMAT, "export_id": result.export_id, "users": result.lineage_map},
                    f,
                    indent=1,
                )
                f.write("\n")
            with _create_private(result.manifest) as f:
                written.append(result.manifest)
                json.dump(result.manifest_json(self._consents.policy_version), f, indent=2)
                f.write("\n")
            self._record(result)
        except BaseException:
            # A partial export (a shield failure, a full disk) must not look like a finished one.
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
        return result

    def _record(self, result: TrainingExport) -> None:
        """The lineage rows and each contributor's audit entry, in one transaction."""
        with self._db.transaction(scope="operator") as s:
            repo = TrainingRepo(s)
            for entry in result.lineage_map.values():
                user_id = entry["user_id"]
                count = 0
                for conv in entry["conversations"].values():
                    count += len(conv["messages"])
                    repo.add(
                        TrainingContribution(
                            export_id=result.export_id,
                            path=str(result.path)[:1000],
                            user_id=user_id,
                            conversation_id=conv["conversation_id"],
                            messages=len(conv["messages"]),
                            created_at=result.created_at,
                        )
                    )
                self._audit.append(
                    s,
                    actor="operator",
                    action="training.exported",
                    subject_user_id=user_id,
                    object_ref=result.export_id,
                    purpose=PURPOSE,
                    details={"export_id": result.export_id, "messages": count},
                )

    def _export_user(
        self, user_id: str, username: str, out: IO[str], result: TrainingExport
    ) -> None:
        intervals = self._consents.intervals(user_id, PURPOSE)
        if not intervals or intervals[-1].end is not None:
            result.skipped_not_granted += 1
            return
        count = 0
        random_user = _random_id()
        conversations: dict[str, Any] = {}
        for conversation_id, messages in self._conversations(user_id, intervals):
            # One shield session per conversation: the same value keeps one placeholder.
            session = self._shield.session(known={username: "PERSON"})
            texts = [session.shield_text(m["content"]) for m in messages]
            result.identifiers_replaced += session.replaced
            random_conv = _random_id()
            record = {
                "user": random_user,
                "conversation": random_conv,
                "messages": [
                    {"role": m["role"], "content": text}
                    for m, text in zip(messages, texts, strict=True)
                ],
                "policy_versions": sorted({m["lineage"]["policy_version"] for m in messages}),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            conversations[random_conv] = {
                "conversation_id": conversation_id,
                "messages": [m["lineage"] for m in messages],
            }
            result.conversations += 1
            count += len(messages)
            result.policy_versions.update(m["lineage"]["policy_version"] for m in messages)
        if not count:
            return
        result.users += 1
        result.messages += count
        result.lineage_map[random_user] = {"user_id": user_id, "conversations": conversations}

    def affected(self) -> list[AffectedExport]:
        """Exports holding data that may no longer be used: an account that withdrew its
        model-improvement grant or was erased, or a conversation deleted, since."""
        with self._db.reader(scope="operator") as s:
            repo = TrainingRepo(s)
            rows = repo.all()
            status = repo.user_status(sorted({r.user_id for r in rows}))
            alive = repo.existing_conversations(sorted({r.conversation_id for r in rows}))
        granted = {
            user_id: self._consents.granted(user_id, PURPOSE)
            for user_id, st in status.items()
            if st == "active"
        }
        exports: dict[str, list[TrainingContribution]] = {}
        for row in rows:
            exports.setdefault(row.export_id, []).append(row)
        found: list[AffectedExport] = []
        for export_id, contributions in exports.items():
            users = {r.user_id for r in contributions}
            erased = {u for u in users if status.get(u) != "active"}
            withdrawn = {u for u in users - erased if not granted.get(u, False)}
            deleted = sum(
                1
                for r in contributions
                if r.user_id not in erased | withdrawn and r.conversation_id not in alive
            )
            item = AffectedExport(
                export_id,
                contributions[0].path,
                as_utc(contributions[0].created_at),
                len(withdrawn),
                len(erased),
                deleted,
            )
            if item.total:
                found.append(item)
        return found

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
        with self._db.reader(user_id) as s:
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
