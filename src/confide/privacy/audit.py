"""The tamper-evident audit log (promise P5; DESIGN.md "Audit log").

Append-only entries, one global hash chain:

    entry_hash = SHA-256(canonical JSON of seq, time, actor, subject, action, object, purpose,
                         SHA-256 of the sealed details, prev_hash)

Details are sealed under the *subject's* key, and the chain covers only their digest, so
destroying a user's key (erasure) leaves the chain intact. Appending serialises on the single
``audit_head`` row (a row lock on PostgreSQL, the write lock on SQLite), so concurrent writers on
any number of nodes never fork the chain. The app's code path has no update or delete; on
SQLite, triggers refuse both.

Checkpoints (size, head hash, time) are signed with an Ed25519 key kept beside the master key.
``verify()`` recomputes the chain, checks every stored checkpoint, and a checkpoint a user or
auditor kept; it names the first entry that does not match: a changed byte, a removed,
reordered or inserted entry, or a truncated tail.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from confide.clock import Clock, as_utc
from confide.errors import ConfideError, ConfigurationError, InvalidInput
from confide.memory.events import MemoryEvent, MemoryEventType
from confide.privacy.vault import Vault
from confide.storage.db import Database
from confide.storage.tables import AuditCheckpoint, AuditEntry, AuditHead

__all__ = [
    "ACTIONS",
    "AuditLog",
    "Checkpoint",
    "EntryView",
    "SigningKey",
    "VerifyReport",
]

GENESIS = "0" * 64

# Every action the log records; docs/audit-events.md documents each (tests enforce it).
ACTIONS = (
    "account.created",
    "account.logged_in",
    "account.login_failed",
    "account.logged_out",
    "account.logged_out_everywhere",
    "account.session_revoked",
    "account.password_changed",
    *get_args(MemoryEventType),
    "model.call",
    "consent.granted",
    "consent.withdrawn",
    # erasure (P3)
    "message.deleted",
    "conversation.deleted",
    "conversations.deleted",
    "companion.deleted",
    "account.deletion_requested",
    "account.deletion_cancelled",
    "account.shredded",
    "account.purged",
    # export and import (P9)
    "export.requested",
    "export.ready",
    "export.failed",
    "export.downloaded",
    "export.expired",
    "export.deleted",
    "account.imported",
    # system jobs (P10)
    "retention.run",
    "backup.created",
    "backup.restored",
    # policy versions, data-rights requests, nominee, training exports (P6)
    "policy.published",
    "owner.granted",
    "owner.revoked",
    "instance.min_age_changed",
    "instance.model_changed",
    "policy.acknowledged",
    "rights_request.filed",
    "rights_request.withdrawn",
    "rights_request.viewed",
    "rights_request.closed",
    "nominee.set",
    "nominee.removed",
    "training.exported",
    # safety and trust (P7, P8, P11, P12)
    "safety.card_shown",
    "account.country_changed",
    "account.dob_corrected",
    "account.closed_under_age",
    "staff.created",
    "staff.disabled",
    "staff.logged_in",
    "staff.looked_up",
    "access.requested",
    "access.approved",
    "access.denied",
    "access.revoked",
    "access.read",
    "report.filed",
    "report.viewed",
    "report.decided",
    "account.warned",
    "account.suspended",
    "account.suspension_lifted",
    "account.closed_by_staff",
)
# ``operator``: someone running confide's CLI on the server (publishing a policy, handling a
# data-rights request, a training export); ``system``: background jobs (retention, backups);
# ``staff``: a staff member through the staff API or CLI (their id is in the entry's details).
Actor = Literal["user", "ai-pipeline", "extraction", "summary", "system", "operator", "staff"]


def _digest(blob: bytes | None) -> str:
    return hashlib.sha256(blob or b"").hexdigest()


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    subject: str | None,
    action: str,
    object_ref: str | None,
    purpose: str | None,
    details_digest: str,
    prev_hash: str,
) -> str:
    canonical = json.dumps(
        [
            seq,
            as_utc(at).isoformat(timespec="microseconds"),
            actor,
            subject,
            action,
            object_ref,
            purpose,
            details_digest,
            prev_hash,
        ],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _row_hash(row: AuditEntry) -> str:
    return entry_hash(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        subject=row.subject_user_id,
        action=row.action,
        object_ref=row.object_ref,
        purpose=row.purpose,
        details_digest=row.details_digest,
        prev_hash=row.prev_hash,
    )


class SigningKey:
    """The Ed25519 checkpoint key: a 0600 PEM file created on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: Ed25519PrivateKey | None = None

    def private(self) -> Ed25519PrivateKey:
        if self._key is None:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                key = Ed25519PrivateKey.generate()
                pem = key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as f:
                    f.write(pem)
            mode = stat.S_IMODE(self.path.stat().st_mode)
            if mode & 0o077:
                raise ConfigurationError(
                    f"the audit signing key {self.path} is readable by others; chmod 600 it"
                )
            loaded = serialization.load_pem_private_key(self.path.read_bytes(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise ConfigurationError("the audit signing key is not an Ed25519 key")
            self._key = loaded
        return self._key

    def public_pem(self) -> str:
        return (
            self.private()
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )


@dataclass(frozen=True, slots=True)
class Checkpoint:
    size: int  # entries covered: seq 1..size
    head_hash: str
    at: datetime
    signature: str  # base64 Ed25519 over message()

    def message(self) -> bytes:
        at = as_utc(self.at).isoformat()
        return f"confide-audit-checkpoint\n{self.size}\n{self.head_hash}\n{at}".encode()

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "head_hash": self.head_hash,
            "at": as_utc(self.at).isoformat(),
            "signature": self.signature,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        try:
            return cls(
                size=int(data["size"]),
                head_hash=str(data["head_hash"]),
                at=datetime.fromisoformat(str(data["at"])),
                signature=str(data["signature"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput("not a confide audit checkpoint") from exc

    def valid_under(self, public: Ed25519PublicKey) -> bool:
        try:
            public.verify(base64.b64decode(self.signature), self.message())
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True, slots=True)
class EntryView:
    seq: int
    at: datetime
    actor: str
    action: str
    object_ref: str | None
    purpose: str | None
    details: dict[str, Any] | None  # None once the subject's key is destroyed or purged
    entry_hash: str


@dataclass(slots=True)
class VerifyReport:
    ok: bool
    entries: int
    checkpoints: int
    problem: str | None = None
    first_bad_seq: int | None = None


class AuditLog:
    def __init__(self, db: Database, vault: Vault, clock: Clock, key: SigningKey) -> None:
        self._db = db
        self._vault = vault
        self._clock = clock
        self.key = key

    def on_memory_event(self, event: MemoryEvent) -> None:
        """Record a memory event (ids and counts; sealed under the user's key)."""
        details: dict[str, Any] = {
            "companion_id": event.companion_id,
            "memory_ids": list(event.memory_ids),
            "message_ids": list(event.message_ids),
            **event.detail,
        }
        self.record(
            actor="ai-pipeline" if event.actor == "chat" else event.actor,
            action=event.type,
            subject_user_id=event.user_id,
            object_ref=event.memory_ids[0] if len(event.memory_ids) == 1 else event.companion_id,
            details=details,
        )

    # --- appending -----------------------------------------------------------------------------
    def append(
        self,
        s: Session,
        *,
        actor: Actor,
        action: str,
        subject_user_id: str | None,
        object_ref: str | None = None,
        purpose: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> int:
        """Append one entry inside the caller's transaction; returns its sequence number."""
        if action not in ACTIONS:
            raise ValueError(f"undocumented audit action {action!r}")
        # Take the head first: this write serialises appenders (row lock / SQLite write lock).
        s.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
        head = s.scalar(select(AuditHead).where(AuditHead.id == 1))
        if head is None:
            raise ConfigurationError("the audit log is not initialised; run `confide db upgrade`")
        seq = head.seq
        at = self._clock()
        details_ct = None
        if details is not None and subject_user_id is not None:
            details_ct = self._vault.seal(
                subject_user_id,
                "audit_entries",
                "details_ct",
                str(seq),
                json.dumps(details, sort_keys=True),
            )
        digest = _digest(details_ct)
        h = entry_hash(
            seq=seq,
            at=at,
            actor=actor,
            subject=subject_user_id,
            action=action,
            object_ref=object_ref,
            purpose=purpose,
            details_digest=digest,
            prev_hash=head.head_hash,
        )
        s.add(
            AuditEntry(
                seq=seq,
                at=at,
                actor=actor,
                subject_user_id=subject_user_id,
                action=action,
                object_ref=object_ref,
                purpose=purpose,
                details_ct=details_ct,
                details_digest=digest,
                prev_hash=head.head_hash,
                entry_hash=h,
            )
        )
        head.head_hash = h
        return seq

    def model_call(
        self,
        s: Session | None,
        *,
        actor: Actor,
        user_id: str,
        object_ref: str,
        purpose: str,
        provider: Any,
        **details: Any,
    ) -> None:
        """One ``model.call`` entry: which provider and model saw what, and why."""
        full = {
            "provider": provider.name,
            "model": provider.model,
            "remote": provider.is_remote,
            # True when identifiers were replaced by placeholders before sending (P7)
            "pii_shield": bool(getattr(provider, "pii_shield", False)),
            **details,
        }
        if s is None:
            with self._db.transaction(user_id) as own:
                self.model_call(
                    own,
                    actor=actor,
                    user_id=user_id,
                    object_ref=object_ref,
                    purpose=purpose,
                    provider=provider,
                    **details,
                )
            return
        self.append(
            s,
            actor=actor,
            action="model.call",
            subject_user_id=user_id,
            object_ref=object_ref,
            purpose=purpose,
            details=full,
        )

    def record(self, **kwargs: Any) -> int:
        """Append in a transaction of its own, acting for the entry's subject (an entry about
        no one is the audit scope's)."""
        subject = kwargs.get("subject_user_id")
        with self._db.transaction(subject, scope=None if subject else "audit") as s:
            return self.append(s, **kwargs)

    # --- checkpoints ---------------------------------------------------------------------------
    def checkpoint(self) -> Checkpoint:
        """Sign the current head and store the checkpoint."""
        with self._db.transaction() as s:
            head = s.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
            if head is None:
                raise ConfigurationError("the audit log is not initialised")
            unsigned = Checkpoint(head.seq, head.head_hash, self._clock(), "")
            signature = base64.b64encode(self.key.private().sign(unsigned.message())).decode()
            cp = Checkpoint(unsigned.size, unsigned.head_hash, unsigned.at, signature)
            s.add(
                AuditCheckpoint(
                    size=cp.size, head_hash=cp.head_hash, at=cp.at, signature=cp.signature
                )
            )
        return cp

    def checkpoint_if_grown(self, latest: Checkpoint | None) -> Checkpoint | None:
        """A new checkpoint if entries were appended since ``latest``, else None."""
        with self._db.reader() as s:
            head = s.scalar(select(AuditHead).where(AuditHead.id == 1))
        if head is None or (latest is not None and latest.size >= head.seq) or head.seq == 0:
            return None
        return self.checkpoint()

    def latest_checkpoint(self) -> Checkpoint | None:
        with self._db.reader() as s:
            row = s.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
        if row is None:
            return None
        return Checkpoint(row.size, row.head_hash, as_utc(row.at), row.signature)

    # --- reading -------------------------------------------------------------------------------
    def entries_for(
        self,
        user_id: str,
        *,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before_seq: int | None = None,
        limit: int = 50,
    ) -> list[EntryView]:
        """The user's own entries, newest first."""
        stmt = select(AuditEntry).where(AuditEntry.subject_user_id == user_id)
        if action is not None:
            stmt = stmt.where(AuditEntry.action == action)
        if since is not None:
            stmt = stmt.where(AuditEntry.at >= since)
        if until is not None:
            stmt = stmt.where(AuditEntry.at < until)
        if before_seq is not None:
            stmt = stmt.where(AuditEntry.seq < before_seq)
        with self._db.reader(user_id) as s:
            rows = s.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(limit)).all()
        return [self._view(user_id, r) for r in rows]

    def entries_about(
        self, user_id: str, action: str, object_refs: Sequence[str]
    ) -> dict[str, EntryView]:
        """The user's latest entry of ``action`` about each of ``object_refs`` (by ref)."""
        if not object_refs:
            return {}
        stmt = (
            select(AuditEntry)
            .where(
                AuditEntry.subject_user_id == user_id,
                AuditEntry.action == action,
                AuditEntry.object_ref.in_(list(object_refs)),
            )
            .order_by(AuditEntry.seq)
        )
        with self._db.reader(user_id) as s:
            rows = s.scalars(stmt).all()
        return {str(r.object_ref): self._view(user_id, r) for r in rows}

    def _view(self, user_id: str, row: AuditEntry) -> EntryView:
        details = None
        if row.details_ct is not None:
            try:
                details = json.loads(
                    self._vault.open_text(
                        user_id, "audit_entries", "details_ct", str(row.seq), row.details_ct
                    )
                )
            except ConfideError:  # a destroyed key: the entry stays, its details are gone
                details = None
        return EntryView(
            seq=row.seq,
            at=as_utc(row.at),
            actor=row.actor,
            action=row.action,
            object_ref=row.object_ref,
            purpose=row.purpose,
            details=details,
            entry_hash=row.entry_hash,
        )

    # --- verification --------------------------------------------------------------------------
    def verify(self, kept: Sequence[Checkpoint] = ()) -> VerifyReport:
        """Recompute the chain and check every stored and every ``kept`` checkpoint."""
        public = self.key.private().public_key()
        hashes: dict[int, str] = {}
        prev = GENESIS
        expected = 1
        with self._db.reader(scope="audit") as s:
            rows = s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
            for row in rows:
                if row.seq != expected:
                    return VerifyReport(
                        False,
                        expected - 1,
                        0,
                        f"entry {expected} is missing (the next entry is {row.seq})",
                        expected,
                    )
                if row.prev_hash != prev:
                    return VerifyReport(
                        False,
                        row.seq - 1,
                        0,
                        f"entry {row.seq} does not follow entry {row.seq - 1} "
                        "(removed, reordered or inserted entries)",
                        row.seq,
                    )
                # Retention may have dropped old details (NULL); the hash still covers the
                # digest they had, so only details that are present are compared with it.
                if (
                    row.details_ct is not None and row.details_digest != _digest(row.details_ct)
                ) or _row_hash(row) != row.entry_hash:
                    return VerifyReport(
                        False, row.seq - 1, 0, f"entry {row.seq} was modified", row.seq
                    )
                hashes[row.seq] = row.entry_hash
                prev = row.entry_hash
                expected += 1
            head = s.scalar(select(AuditHead).where(AuditHead.id == 1))
            stored = [
                Checkpoint(c.size, c.head_hash, as_utc(c.at), c.signature)
                for c in s.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all()
            ]
        size = expected - 1
        if head is not None and head.seq > size:
            return VerifyReport(
                False,
                size,
                0,
                f"the log ends at entry {size} but its head says {head.seq} (truncated tail)",
                size + 1,
            )
        if head is not None and head.seq < size:
            return VerifyReport(
                False,
                size,
                0,
                f"entry {head.seq + 1} lies past the log's head (entry {head.seq}): appended "
                "outside the audit log",
                head.seq + 1,
            )
        if head is not None and head.head_hash != hashes.get(size, GENESIS):
            return VerifyReport(
                False, size, 0, f"entry {size} does not match the log's head", size or None
            )
        checked = 0
        for label, cp in [("stored", c) for c in stored] + [("kept", c) for c in kept]:
            if not cp.valid_under(public):
                return VerifyReport(
                    False, size, checked, f"a {label} checkpoint's signature is invalid", None
                )
            if cp.size > size:
                return VerifyReport(
                    False,
                    size,
                    checked,
                    f"a {label} checkpoint covers {cp.size} entries but the log has {size} "
                    "(truncated tail)",
                    size + 1,
                )
            if cp.size and hashes.get(cp.size) != cp.head_hash:
                return VerifyReport(
                    False,
                    size,
                    checked,
                    f"entry {cp.size} does not match the {label} checkpoint signed over it",
                    cp.size,
                )
            checked += 1
        return VerifyReport(True, size, checked)
