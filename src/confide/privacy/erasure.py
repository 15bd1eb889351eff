"""Erasure (promise P3): scoped deletions, account deletion with a grace period, and
crypto-shredding.

Threats handled:

- A deleted message living on somewhere else: every deletion goes through one path that
  removes the rows (messages, embeddings, reply sources, summaries), the recall index entries,
  this node's decrypted history caches, and deals with memories whose provenance pointed at
  what was deleted (``MemoryService.on_sources_deleted``). Each is audited in the same
  transaction, with ids and counts only.
- Copies of an erased account's data in old backups, WAL files or disk blocks: erasing an
  account destroys its data key (crypto-shredding), so every copy of its ciphertext anywhere
  becomes unreadable at once; the rows are purged afterwards. Shredding touches one key-store
  row, so it takes the same few milliseconds whatever the amount of data.
- A restored backup or key store bringing an erased key back: every shredding appends a
  tombstone (user id and time) to ``settings.resolved_tombstone_file``, fsynced, which
  ``confide restore`` applies (privacy/backup.py).
- Someone with a stolen session deleting the account: the route checks the password first
  (AccountService.check_password); the user can cancel during the grace period.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from confide.chat.conversations import ConversationsErased, ConversationService, MessageErased
from confide.clock import Clock, as_utc
from confide.companions.service import CompanionErased, CompanionService
from confide.errors import Conflict, InvalidInput, NotFound
from confide.ids import new_id
from confide.memory.service import MemoryService, SourceCleanup
from confide.privacy.audit import Actor, AuditLog
from confide.privacy.keys import KeyStore
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database
from confide.storage.repositories import CompanionRepo, ErasureRepo, SessionRepo, UserRepo

__all__ = [
    "DeletionReceipt",
    "ErasureService",
    "append_tombstone",
    "purge_user_rows",
    "read_tombstones",
]

RECEIPT_PREFIX = b"confide-deletion-receipt\n"


@dataclass(frozen=True, slots=True)
class DeletionReceipt:
    """What will be erased and when, signed with the instance's audit Ed25519 key.

    ``inaccessible_from``: signed out everywhere, nothing readable through the service.
    ``unreadable_from``: the data key is destroyed; every copy, backups included, is
    unreadable. ``purge_at``: the rows are deleted (at the latest by the next retention run).
    """

    receipt_id: str
    user_id: str
    username: str
    requested_at: datetime
    inaccessible_from: datetime
    unreadable_from: datetime
    purge_at: datetime
    immediate: bool
    counts: dict[str, int]
    public_key: str = ""  # PEM, Ed25519
    signature: str = ""  # base64 over message()

    def payload(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("public_key")
        data.pop("signature")
        for key in ("requested_at", "inaccessible_from", "unreadable_from", "purge_at"):
            data[key] = as_utc(data[key]).isoformat()
        return data

    def message(self) -> bytes:
        return RECEIPT_PREFIX + json.dumps(self.payload(), sort_keys=True).encode()

    def to_json(self) -> dict[str, Any]:
        return {**self.payload(), "public_key": self.public_key, "signature": self.signature}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeletionReceipt:
        try:
            return cls(
                receipt_id=str(data["receipt_id"]),
                user_id=str(data["user_id"]),
                username=str(data["username"]),
                requested_at=datetime.fromisoformat(str(data["requested_at"])),
                inaccessible_from=datetime.fromisoformat(str(data["inaccessible_from"])),
                unreadable_from=datetime.fromisoformat(str(data["unreadable_from"])),
                purge_at=datetime.fromisoformat(str(data["purge_at"])),
                immediate=bool(data["immediate"]),
                counts={str(k): int(v) for k, v in dict(data["counts"]).items()},
                public_key=str(data["public_key"]),
                signature=str(data["signature"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput("not a confide deletion receipt") from exc

    def is_valid(self) -> bool:
        """True if the signature matches ``public_key`` (compare that key with the one the
        instance publishes at ``GET /api/audit/checkpoint``)."""
        try:
            public = serialization.load_pem_public_key(self.public_key.encode())
            if not isinstance(public, Ed25519PublicKey):
                return False
            public.verify(base64.b64decode(self.signature), self.message())
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True


def append_tombstone(path: Path, user_id: str, erased_at: datetime) -> None:
    """Record durably that ``user_id`` was crypto-shredded (created 0600, fsynced)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    line = json.dumps({"user_id": user_id, "erased_at": as_utc(erased_at).isoformat()}) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read_tombstones(path: Path) -> set[str]:
    """The user ids in a tombstone file (none if it does not exist; bad lines are skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    ids: set[str] = set()
    for line in text.splitlines():
        try:
            ids.add(str(json.loads(line)["user_id"]))
        except (ValueError, KeyError, TypeError):
            continue
    return ids


def purge_user_rows(db: Database, user_id: str) -> int:
    """Delete every row of one user, messages in batches (short write locks), then the rest
    and the users row in one transaction. Returns how many rows went."""
    total = 0
    while True:
        with db.transaction(user_id) as s:
            n = ErasureRepo(s).delete_message_batch(user_id)
        total += n
        if n == 0:
            break
    with db.transaction(user_id) as s:
        total += ErasureRepo(s).delete_user(user_id)
    return total


class ErasureService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        keys: KeyStore,
        vault: Vault,
        clock: Clock,
        audit: AuditLog,
        memory: MemoryService,
        conversations: ConversationService,
        forget_user: Callable[[str], None],
        companions: CompanionService | None = None,
    ) -> None:
        self._settings = settings
        self._db = db
        self._keys = keys
        self._vault = vault
        self._clock = clock
        self._audit = audit
        self._memory = memory
        self._conversations = conversations
        self._companions = companions
        self._forget_user = forget_user
        # Messages deleted through memory ("forget ... with its messages") leave no
        # decrypted copy in this node's history cache either.
        memory.messages_deleted_listeners.append(conversations.forget_cached)

    # --- scoped erasure ------------------------------------------------------------------------
    def delete_message(
        self, user_id: str, message_id: str, *, actor: Actor = "user"
    ) -> MessageErased:
        with self._db.transaction(user_id) as s:
            erased = self._conversations.delete_message_in(s, user_id, message_id)
            self._audit.append(
                s,
                actor=actor,
                action="message.deleted",
                subject_user_id=user_id,
                object_ref=message_id,
                details={
                    "conversation_id": erased.conversation_id,
                    **erased.memories.counts(),
                    **_memory_ids(erased.memories),
                },
            )
        return erased

    def delete_conversation(
        self, user_id: str, conversation_id: str, *, actor: Actor = "user"
    ) -> ConversationsErased:
        with self._db.transaction(user_id) as s:
            erased = self._conversations.delete_in(s, user_id, [conversation_id], missing_ok=False)
            self._audit.append(
                s,
                actor=actor,
                action="conversation.deleted",
                subject_user_id=user_id,
                object_ref=conversation_id,
                details={
                    "messages": erased.messages,
                    **erased.memories.counts(),
                    **_memory_ids(erased.memories),
                },
            )
        return erased

    def delete_conversations(
        self, user_id: str, *, companion_id: str | None = None, actor: Actor = "user"
    ) -> ConversationsErased:
        """Delete all the user's conversations, or all of one companion's."""
        with self._db.transaction(user_id) as s:
            if companion_id is not None and CompanionRepo(s).get(user_id, companion_id) is None:
                raise NotFound("no such companion")
            ids = ErasureRepo(s).conversation_ids(user_id, companion_id=companion_id)
            erased = self._conversations.delete_in(s, user_id, ids)
            self._audit.append(
                s,
                actor=actor,
                action="conversations.deleted",
                subject_user_id=user_id,
                object_ref=companion_id,
                details={
                    "scope": "companion" if companion_id else "all",
                    "conversation_ids": erased.conversation_ids,
                    "conversations": len(erased.conversation_ids),
                    "messages": erased.messages,
                    **erased.memories.counts(),
                    **_memory_ids(erased.memories),
                },
            )
        return erased

    def delete_companion(
        self, user_id: str, companion_id: str, *, actor: Actor = "user"
    ) -> CompanionErased:
        if self._companions is None:
            raise NotFound("no such companion")
        with self._db.transaction(user_id) as s:
            erased = self._companions.delete_in(s, user_id, companion_id)
            self._audit.append(
                s,
                actor=actor,
                action="companion.deleted",
                subject_user_id=user_id,
                object_ref=companion_id,
                details={
                    "conversations": erased.conversations,
                    "messages": erased.messages,
                    "memories": erased.memories,
                },
            )
        return erased

    def delete_memories(self, user_id: str, *, companion_id: str | None = None) -> int:
        """Every memory (of one companion, or all): MemoryService.clear, audited there."""
        return self._memory.clear(user_id, companion_id=companion_id)

    # --- account deletion ----------------------------------------------------------------------
    def delete_account(
        self, user_id: str, *, immediate: bool, actor: Actor = "user"
    ) -> DeletionReceipt:
        """Close the account: signed out everywhere, unreadable through the service at once,
        crypto-shredded now (``immediate`` or a grace of 0 days) or when the grace period
        ends, rows purged after shredding (``purge_user``, or ``purge_due`` from retention).

        The check of the user's password is the caller's (the route, via AccountService).
        """
        now = self._clock()
        grace_days = 0 if immediate else self._settings.account_deletion_grace_days
        due = now + timedelta(days=grace_days)
        receipt_id = new_id()
        with self._db.transaction(user_id) as s:
            user = UserRepo(s).get(user_id)
            if user is None:
                raise NotFound("no such account")
            if user.status == "deleting":
                if not immediate:
                    raise Conflict(
                        "deletion of this account was already requested",
                        code="deletion_pending",
                    )
            repo = ErasureRepo(s)
            counts = repo.counts(user_id)
            SessionRepo(s).delete_all(user_id)
            # Exports in progress or waiting for download go now: their link needs no session.
            repo.delete_exports(user_id)
            repo.delete_memory_jobs(user_id)
            user.status = "deleting"
            user.deletion_requested_at = user.deletion_requested_at or now
            user.deletion_due_at = due
            username = user.username
            self._audit.append(
                s,
                actor=actor,
                action="account.deletion_requested",
                subject_user_id=user_id,
                object_ref=receipt_id,
                details={
                    "receipt_id": receipt_id,
                    "immediate": immediate or grace_days == 0,
                    "purge_at": due.isoformat(),
                    "counts": counts,
                },
            )
        self._forget(user_id)
        receipt = self._sign(
            DeletionReceipt(
                receipt_id=receipt_id,
                user_id=user_id,
                username=username,
                requested_at=now,
                inaccessible_from=now,
                unreadable_from=due,
                purge_at=due,
                immediate=immediate or grace_days == 0,
                counts=counts,
            )
        )
        if due <= now:
            self._shred(user_id, now, actor)
        return receipt

    def close_under_age(
        self, user_id: str, *, actor: Actor, details: dict[str, Any] | None = None
    ) -> DeletionReceipt:
        """An account found under the minimum age (a correction by the user, or a safety
        decision): closed and erased at once, no grace period (P12)."""
        self._audit.record(
            actor=actor,
            action="account.closed_under_age",
            subject_user_id=user_id,
            details=details or {},
        )
        return self.delete_account(user_id, immediate=True, actor=actor)

    def _sign(self, receipt: DeletionReceipt) -> DeletionReceipt:
        signature = base64.b64encode(self._audit.key.private().sign(receipt.message())).decode()
        return DeletionReceipt(
            **{
                **{k: getattr(receipt, k) for k in receipt.__dataclass_fields__},
                "public_key": self._audit.key.public_pem(),
                "signature": signature,
            }
        )

    def _forget(self, user_id: str) -> None:
        """Drop every decrypted copy of the user's data and their unwrapped key."""
        self._forget_user(user_id)
        self._keys.forget(user_id)

    def _is_shredded(self, user_id: str) -> bool:
        try:
            self._keys.get(user_id)
        except NotFound:
            return True
        finally:
            self._keys.forget(user_id)
        return False

    def _shred(self, user_id: str, now: datetime, actor: Actor) -> None:
        """Destroy the data key (one key-store row), then record a tombstone and the entry."""
        destroyed = self._keys.destroy(user_id, now=now)
        self._forget(user_id)
        if destroyed:  # once, even when two nodes' retention jobs race
            append_tombstone(self._settings.resolved_tombstone_file, user_id, now)
            self._audit.record(actor=actor, action="account.shredded", subject_user_id=user_id)

    def purge_user(self, user_id: str, now: datetime | None = None) -> bool:
        """Purge one closed account if its key is destroyed or its grace period is over;
        True if it was purged."""
        now = now or self._clock()
        with self._db.reader(user_id) as s:
            user = UserRepo(s).get(user_id)
            due = user.deletion_due_at if user is not None else None
            status = user.status if user is not None else None
        if status != "deleting" or due is None:
            return False
        if not self._is_shredded(user_id):
            if as_utc(due) > now:
                return False
            self._shred(user_id, now, "system")
        rows = purge_user_rows(self._db, user_id)
        if rows == 0:  # another node purged it first
            return False
        self._audit.record(
            actor="system",
            action="account.purged",
            subject_user_id=user_id,
            object_ref=f"rows={rows}",
        )
        self._forget(user_id)
        return True

    def purge_due(self, now: datetime) -> int:
        """Shred (if not yet) and purge every closed account whose grace period is over."""
        with self._db.reader(scope="retention") as s:
            due = ErasureRepo(s).due_for_purge(now)
        return sum(1 for user_id in due if self.purge_user(user_id, now))


def _memory_ids(cleanup: SourceCleanup) -> dict[str, list[str]]:
    return {
        "memory_ids_deleted": [*cleanup.deleted, *cleanup.summaries],
        "memory_ids_for_review": list(cleanup.for_review),
    }
