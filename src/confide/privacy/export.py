"""Exports of everything about a user (promise P9): one zip the user downloads once.

The archive holds ``data.json`` (validated against the versioned JSON Schema shipped in
``privacy/schemas/export-v1.schema.json``), ``conversations.html`` (a readable rendering),
``schema.json`` (a copy of the schema) and ``README.txt`` (``privacy/export_format.py``).
Building it is a job: a request queues a row, any node claims it (compare-and-set on its
status), writes progress as it goes and stores the archive sealed under the user's own key.

Threats handled:
- An archive left lying around: it is stored only sealed under the user's key (erasing the
  user makes it unreadable like everything else), deleted when downloaded, and deleted at its
  expiry (``export_ttl_hours``) by the export loop and the retention job.
- A leaked or guessed download link: the link carries a 256-bit random token of which only the
  SHA-256 is stored; it works once, and only until the archive expires. Minting a new link
  replaces the previous one.
- Another user's export: every query is scoped to the acting user; the token is the only
  credential a download accepts, and it cannot be derived from the export id.
- A malformed document (a bug): each document is validated before it is written; a failure
  fails the job with ``export_invalid`` and nothing is offered for download.
- Markup in content: see ``privacy/export_format.py``.
- Content in logs: failures log an error code or an exception type, never a message or value.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from confide import __version__
from confide.clock import Clock, as_utc
from confide.errors import ConfideError, Conflict, NotFound
from confide.ids import new_id
from confide.privacy.audit import AuditLog
from confide.privacy.export_format import (
    ARCHIVE_MEMBERS,
    EXPORT_FORMAT,
    SCHEMA_VERSION,
    pack_archive,
    render_html,
    schema_bytes,
    validate_document,
)
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database
from confide.storage.tables import (
    Companion,
    ConsentRecord,
    Conversation,
    ExportJob,
    MemoryItem,
    MemoryVersion,
    Message,
    Nominee,
    PolicyAck,
    ReplySources,
    RightsRequest,
    SessionRow,
    User,
)

__all__ = [
    "ARCHIVE_MEMBERS",
    "EXPORT_FORMAT",
    "SCHEMA_VERSION",
    "ExportGone",
    "ExportService",
    "ExportView",
    "Progress",
    "pack_archive",
    "render_html",
    "schema_bytes",
    "validate_document",
]

log = logging.getLogger(__name__)

PROGRESS_EVERY = 2000  # items between progress writes (each is its own short transaction)
# A job still "running" this long after it was requested died with its node; it no longer
# blocks a new request.
STALE_RUNNING = timedelta(hours=1)
_BUSY = ("queued", "running")

Progress = Callable[[int, int], None]  # (done, total)


class ExportGone(ConfideError):
    """A download link that was used already, or an export past its expiry (HTTP 410)."""

    code = "gone"
    status = 410


@dataclass(frozen=True, slots=True)
class ExportView:
    id: str
    status: str  # queued | running | ready | downloaded | expired | failed
    done: int
    total: int
    size_bytes: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    has_link: bool


# --- the service -------------------------------------------------------------------------------


def _t(value: datetime) -> str:
    return as_utc(value).isoformat()


def _t_opt(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class _Ticker:
    """Calls ``progress`` every ``every`` items (and at the start and end)."""

    def __init__(self, total: int, progress: Progress | None, every: int) -> None:
        self.total = total
        self.done = 0
        self._progress = progress
        self._every = max(1, every)
        self._next = self._every
        if progress is not None:
            progress(0, total)

    def add(self, n: int = 1) -> None:
        self.done += n
        if self._progress is not None and self.done >= self._next:
            self._next = self.done + self._every
            self._progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress(self.total, self.total)


class ExportService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        vault: Vault,
        clock: Clock,
        audit: AuditLog,
        *,
        progress_every: int = PROGRESS_EVERY,
    ) -> None:
        self._settings = settings
        self._db = db
        self._vault = vault
        self._clock = clock
        self._audit = audit
        self.progress_every = progress_every

    # --- jobs --------------------------------------------------------------------------------
    def request(self, user_id: str) -> ExportView:
        """Queue an export (409 ``export_in_progress`` while another is queued or running)."""
        now = self._clock()
        job_id = new_id()
        with self._db.transaction(user_id) as s:
            # The audit append takes the log's head first, so concurrent requests serialise
            # here and the check below cannot race (SQLite write lock / PostgreSQL row lock).
            self._audit.append(
                s,
                actor="user",
                action="export.requested",
                subject_user_id=user_id,
                object_ref=job_id,
            )
            busy = s.scalars(
                select(ExportJob).where(ExportJob.user_id == user_id, ExportJob.status.in_(_BUSY))
            ).all()
            for job in busy:
                if job.status == "running" and as_utc(job.created_at) + STALE_RUNNING <= now:
                    job.status, job.error, job.finished_at = "failed", "interrupted", now
                    self._audit.append(
                        s,
                        actor="system",
                        action="export.failed",
                        subject_user_id=user_id,
                        object_ref=job.id,
                        details={"error": "interrupted"},
                    )
                    continue
                raise Conflict(
                    "an export is already being prepared; wait for it to finish",
                    code="export_in_progress",
                )
            row = ExportJob(
                id=job_id,
                user_id=user_id,
                status="queued",
                done=0,
                total=0,
                size_bytes=0,
                created_at=now,
            )
            s.add(row)
        return self._view(row)

    def _view(self, row: ExportJob) -> ExportView:
        status = row.status
        if status == "ready" and row.expires_at is not None:
            if as_utc(row.expires_at) <= self._clock():
                status = "expired"  # the archive goes with the next expiry run
        return ExportView(
            id=row.id,
            status=status,
            done=row.done,
            total=row.total,
            size_bytes=row.size_bytes,
            error=row.error,
            created_at=as_utc(row.created_at),
            finished_at=_as_utc_opt(row.finished_at),
            expires_at=_as_utc_opt(row.expires_at),
            has_link=row.token_hash is not None and status == "ready",
        )

    def _own(self, s: Session, user_id: str, export_id: str) -> ExportJob:
        row = s.scalar(
            select(ExportJob).where(ExportJob.user_id == user_id, ExportJob.id == export_id)
        )
        if row is None:
            raise NotFound("no such export")
        return row

    def get(self, user_id: str, export_id: str) -> ExportView:
        with self._db.reader(user_id) as s:
            return self._view(self._own(s, user_id, export_id))

    def list(self, user_id: str) -> list[ExportView]:
        """The user's exports, newest first."""
        with self._db.reader(user_id) as s:
            rows = s.scalars(
                select(ExportJob)
                .where(ExportJob.user_id == user_id)
                .order_by(ExportJob.created_at.desc(), ExportJob.id)
            ).all()
        return [self._view(r) for r in rows]

    def delete(self, user_id: str, export_id: str) -> None:
        """Discard an export (its archive too, whatever its state). A job being built when it
        is discarded finishes without storing anything."""
        with self._db.transaction(user_id) as s:
            self._own(s, user_id, export_id)
            s.execute(
                delete(ExportJob).where(ExportJob.user_id == user_id, ExportJob.id == export_id)
            )
            self._audit.append(
                s,
                actor="user",
                action="export.deleted",
                subject_user_id=user_id,
                object_ref=export_id,
            )

    def create_link(self, user_id: str, export_id: str) -> tuple[str, datetime]:
        """Mint the single-use download token (replacing any earlier one): (token, expiry)."""
        now = self._clock()
        with self._db.transaction(user_id) as s:
            row = self._own(s, user_id, export_id)
            _check_downloadable(row, now)
            token = secrets.token_urlsafe(32)  # 256 bits
            row.token_hash = _token_hash(token)
            assert row.expires_at is not None  # noqa: S101 - every ready row has one
            return token, as_utc(row.expires_at)

    def download(self, token: str) -> tuple[bytes, str]:
        """The archive, once: (zip bytes, file name). The archive is deleted as it is read."""
        if not token or len(token) > 128:
            raise NotFound("this download link is not valid", code="export_link_unknown")
        digest = _token_hash(token)
        now = self._clock()
        # The link is the credential: it names its account ("auth" may look a token up);
        # everything after acts for that account alone.
        with self._db.reader(scope="auth") as s:
            owner = s.scalar(select(ExportJob.user_id).where(ExportJob.token_hash == digest))
        with self._db.transaction(owner) as s:
            # Claim first (compare-and-set): of two concurrent downloads only one gets a row.
            claimed = s.execute(
                update(ExportJob)
                .where(
                    ExportJob.token_hash == digest,
                    ExportJob.status == "ready",
                    ExportJob.expires_at > now,
                    # An account being deleted is unreadable at once, through links too.
                    ExportJob.user_id.in_(select(User.id).where(User.status == "active")),
                )
                .values(status="downloaded")
            )
            if getattr(claimed, "rowcount", 0):
                row = s.scalar(select(ExportJob).where(ExportJob.token_hash == digest))
                assert row is not None  # noqa: S101 - just claimed
                assert row.archive_ct is not None  # noqa: S101 - claimed rows are ready
                archive = self._vault.open_bytes(
                    row.user_id, "export_jobs", "archive_ct", row.id, row.archive_ct
                )
                row.archive_ct = None
                self._audit.append(
                    s,
                    actor="user",
                    action="export.downloaded",
                    subject_user_id=row.user_id,
                    object_ref=row.id,
                    details={"size_bytes": len(archive)},
                )
                return archive, f"confide-export-{as_utc(row.created_at):%Y-%m-%d}.zip"
        with self._db.reader(owner) as s:
            row = s.scalar(select(ExportJob).where(ExportJob.token_hash == digest))
        if row is None or (row.status == "ready" and as_utc(row.expires_at or now) > now):
            # Unknown, or its account is being deleted: nothing to say about it.
            raise NotFound("this download link is not valid", code="export_link_unknown")
        if row.status == "downloaded":
            raise ExportGone(
                "this download link was already used; request a new export",
                code="export_link_used",
            )
        raise ExportGone("this export has expired; request a new one", code="export_expired")

    def expire(self, now: datetime) -> int:
        """Delete archives past their expiry (the export loop and retention). Returns how many."""
        with self._db.reader(scope="retention") as s:
            due = s.execute(
                select(ExportJob.id, ExportJob.user_id).where(
                    ExportJob.status == "ready", ExportJob.expires_at <= now
                )
            ).all()
        expired = 0
        with self._db.transaction(scope="retention") as s:
            for job_id, owner in due:
                # Compare-and-set: two nodes expiring at once record each archive once.
                result = s.execute(
                    update(ExportJob)
                    .where(ExportJob.id == job_id, ExportJob.status == "ready")
                    .values(status="expired", archive_ct=None)
                )
                if getattr(result, "rowcount", 0):
                    self._audit.append(
                        s,
                        actor="system",
                        action="export.expired",
                        subject_user_id=owner,
                        object_ref=job_id,
                    )
                    expired += 1
        return expired

    def run_pending(self) -> int:
        """Expire what is due, then build queued exports (any node). Returns how many were
        built."""
        self.expire(self._clock())
        built = 0
        while (claimed := self._claim()) is not None:
            built += self._run(*claimed)
        return built

    def _claim(self) -> tuple[str, str] | None:
        with self._db.reader(scope="jobs") as s:
            candidates = s.execute(
                select(ExportJob.id, ExportJob.user_id)
                .where(ExportJob.status == "queued")
                .order_by(ExportJob.created_at)
                .limit(5)
            ).all()
        for job_id, user_id in candidates:
            # A write first, in its own transaction: it sees the latest state on any database.
            with self._db.transaction(scope="jobs") as s:
                result = s.execute(
                    update(ExportJob)
                    .where(ExportJob.id == job_id, ExportJob.status == "queued")
                    .values(status="running", done=0, total=0)
                )
            if getattr(result, "rowcount", 0):
                return str(job_id), str(user_id)
        return None

    def _run(self, job_id: str, user_id: str) -> int:
        def progress(done: int, total: int) -> None:
            with self._db.transaction(user_id) as s:
                s.execute(
                    update(ExportJob)
                    .where(ExportJob.id == job_id, ExportJob.status == "running")
                    .values(done=done, total=total)
                )

        try:
            archive, counts = self.build_archive(user_id, progress)
            sealed = self._vault.seal(user_id, "export_jobs", "archive_ct", job_id, archive)
        except ConfideError as exc:
            code = "export_invalid" if exc.code == "invalid_export" else exc.code
            if code == "export_invalid":
                log.error("export document failed its schema: a bug", extra={"error_code": code})
            self._fail(job_id, user_id, code)
            return 0
        except Exception as exc:
            # Only the type: an exception's message may quote content.
            log.error("export failed", extra={"error_type": type(exc).__name__})
            self._fail(job_id, user_id, "internal_error")
            return 0
        now = self._clock()
        with self._db.transaction(user_id) as s:
            result = s.execute(
                update(ExportJob)
                .where(ExportJob.id == job_id, ExportJob.status == "running")
                .values(
                    status="ready",
                    archive_ct=sealed,
                    size_bytes=len(archive),
                    finished_at=now,
                    expires_at=now + timedelta(hours=self._settings.export_ttl_hours),
                    error=None,
                )
            )
            if not getattr(result, "rowcount", 0):
                return 0  # discarded while it was being built
            self._audit.append(
                s,
                actor="system",
                action="export.ready",
                subject_user_id=user_id,
                object_ref=job_id,
                details={"size_bytes": len(archive), **counts},
            )
        return 1

    def _fail(self, job_id: str, user_id: str, code: str) -> None:
        with self._db.transaction(user_id) as s:
            result = s.execute(
                update(ExportJob)
                .where(ExportJob.id == job_id, ExportJob.status == "running")
                .values(status="failed", error=code[:60], finished_at=self._clock())
            )
            if getattr(result, "rowcount", 0):
                self._audit.append(
                    s,
                    actor="system",
                    action="export.failed",
                    subject_user_id=user_id,
                    object_ref=job_id,
                    details={"error": code},
                )

    # --- building ----------------------------------------------------------------------------
    def build_archive(
        self, user_id: str, progress: Progress | None = None
    ) -> tuple[bytes, dict[str, int]]:
        """The zip for one user, and counts of what it holds. Raises ``InvalidInput``
        (``invalid_export``) if the document does not match the schema."""
        doc = self.build_document(user_id, progress)
        validate_document(doc)
        data_json = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        archive = pack_archive(data_json, render_html(doc), self._clock())
        counts = {
            "companions": len(doc["companions"]),
            "conversations": len(doc["conversations"]),
            "messages": sum(len(c["messages"]) for c in doc["conversations"]),
            "memories": len(doc["memories"]),
        }
        return archive, counts

    def build_document(self, user_id: str, progress: Progress | None = None) -> dict[str, Any]:
        """``data.json``: everything about the user, decrypted (see the schema)."""
        with self._db.reader(user_id) as s:
            user = s.get(User, user_id)
            if user is None or user.status != "active":  # being deleted: unreadable at once
                raise NotFound("no such user")
            total = sum(
                int(s.scalar(select(func.count()).select_from(t).where(t.user_id == user_id)) or 0)
                for t in (Message, MemoryItem, Companion, Conversation)
            )
            tick = _Ticker(total, progress, self.progress_every)
            doc: dict[str, Any] = {
                "format": EXPORT_FORMAT,
                "schema_version": SCHEMA_VERSION,
                "exported_at": _t(self._clock()),
                "confide_version": __version__,
                "profile": self._profile(user),
                "companions": self._companions(s, user_id, tick),
                "conversations": self._conversations(s, user_id, tick),
                "memories": self._memories(s, user_id, tick),
                **self._privacy(s, user_id),
            }
        doc["audit"] = self._audit_entries(user_id)
        tick.finish()
        return doc

    def _profile(self, user: User) -> dict[str, Any]:
        v = self._vault
        return {
            "username": user.username,
            "email": v.open_text(user.id, "users", "email_ct", user.id, user.email_ct),
            "date_of_birth": v.open_text(
                user.id, "users", "date_of_birth_ct", user.id, user.date_of_birth_ct
            ),
            "created_at": _t(user.created_at),
        }

    def _companions(self, s: Session, user_id: str, tick: _Ticker) -> builtins.list[dict[str, Any]]:
        out = []
        rows = s.scalars(
            select(Companion)
            .where(Companion.user_id == user_id)
            .order_by(Companion.created_at, Companion.id)
        )
        for row in rows:
            blob = self._vault.open_text(
                user_id, "companions", "profile_ct", row.id, row.profile_ct
            )
            out.append(
                {
                    "id": row.id,
                    "profile": json.loads(blob),
                    "memory_mode": row.memory_mode,
                    "starter_key": row.starter_key,
                    "created_at": _t(row.created_at),
                    "updated_at": _t(row.updated_at),
                }
            )
            tick.add()
        return out

    def _conversations(
        self, s: Session, user_id: str, tick: _Ticker
    ) -> builtins.list[dict[str, Any]]:
        v = self._vault
        sources: dict[str, Any] = {}
        for message_id, blob in s.execute(
            select(ReplySources.message_id, ReplySources.sources_ct).where(
                ReplySources.user_id == user_id
            )
        ):
            payload = json.loads(
                v.open_text(user_id, "reply_sources", "sources_ct", message_id, blob)
            )
            sources[message_id] = {
                "memories": list(payload.get("memories", [])),
                "messages": list(payload.get("messages", [])),
                "summary": payload.get("summary"),
            }
        convs: builtins.list[dict[str, Any]] = []
        by_id: dict[str, builtins.list[dict[str, Any]]] = {}
        for row in s.scalars(
            select(Conversation)
            .where(Conversation.user_id == user_id)
            .order_by(Conversation.created_at, Conversation.id)
        ):
            messages: builtins.list[dict[str, Any]] = []
            by_id[row.id] = messages
            convs.append(
                {
                    "id": row.id,
                    "companion_id": row.companion_id,
                    "title": v.open_optional(
                        user_id, "conversations", "title_ct", row.id, row.title_ct
                    ),
                    "created_at": _t(row.created_at),
                    "updated_at": _t(row.updated_at),
                    "memory_progress": {
                        "extracted_through_seq": row.extracted_through_seq,
                        "summary_through_seq": row.summary_through_seq,
                    },
                    "messages": messages,
                }
            )
            tick.add()
        # Column selects, not ORM objects: 100,000 rows must not pay the identity map.
        rows = s.execute(
            select(
                Message.id,
                Message.conversation_id,
                Message.seq,
                Message.role,
                Message.content_ct,
                Message.status,
                Message.model,
                Message.created_at,
            )
            .where(Message.user_id == user_id)
            .order_by(Message.conversation_id, Message.seq)
        )
        open_text = v.open_text
        for mid, conv_id, seq, role, content_ct, status, model, created_at in rows:
            by_id[conv_id].append(
                {
                    "id": mid,
                    "seq": seq,
                    "role": role,
                    "content": open_text(user_id, "messages", "content_ct", mid, content_ct),
                    "status": status,
                    "model": model,
                    "created_at": _t(created_at),
                    "ai_generated": role == "assistant",
                    "sources": sources.get(mid),
                }
            )
            tick.add()
        return convs

    def _memories(self, s: Session, user_id: str, tick: _Ticker) -> builtins.list[dict[str, Any]]:
        v = self._vault
        history: dict[str, builtins.list[dict[str, Any]]] = {}
        for r in s.scalars(
            select(MemoryVersion)
            .where(MemoryVersion.user_id == user_id)
            .order_by(MemoryVersion.item_id, MemoryVersion.version)
        ):
            history.setdefault(r.item_id, []).append(
                {
                    "version": r.version,
                    "old_text": v.open_optional(
                        user_id, "memory_versions", "old_ct", r.id, r.old_ct
                    ),
                    "new_text": v.open_text(user_id, "memory_versions", "new_ct", r.id, r.new_ct),
                    "actor": r.actor,
                    "at": _t(r.created_at),
                }
            )
        out = []
        for row in s.scalars(
            select(MemoryItem)
            .where(MemoryItem.user_id == user_id)
            .order_by(MemoryItem.created_at, MemoryItem.id)
        ):
            detail = json.loads(
                v.open_text(user_id, "memory_items", "detail_ct", row.id, row.detail_ct)
            )
            out.append(
                {
                    "id": row.id,
                    "companion_id": row.companion_id,
                    "conversation_id": row.conversation_id,
                    "kind": row.kind,
                    "status": row.status,
                    "origin": row.origin,
                    "pinned": bool(row.pinned),
                    "text": v.open_text(user_id, "memory_items", "text_ct", row.id, row.text_ct),
                    "sources": list(detail.get("sources", [])),
                    "event_date": detail.get("event_date"),
                    "replaces": detail.get("replaces"),
                    "through_seq": detail.get("through_seq"),
                    "version": row.version,
                    "created_at": _t(row.created_at),
                    "updated_at": _t(row.updated_at),
                    "history": history.get(row.id, []),
                }
            )
            tick.add()
        return out

    def _privacy(self, s: Session, user_id: str) -> dict[str, Any]:
        """Consents, policy acknowledgements, data-rights requests, nominee, sessions."""
        v = self._vault
        consents = [
            {
                "purpose": r.purpose,
                "granted": bool(r.granted),
                "policy_version": r.policy_version,
                "at": _t(r.at),
            }
            for r in s.scalars(
                select(ConsentRecord)
                .where(ConsentRecord.user_id == user_id)
                .order_by(ConsentRecord.id)
            )
        ]
        acks = [
            {"version": r.version, "at": _t(r.at)}
            for r in s.scalars(
                select(PolicyAck).where(PolicyAck.user_id == user_id).order_by(PolicyAck.id)
            )
        ]
        requests = [
            {
                "id": r.id,
                "kind": r.kind,
                "status": r.status,
                "filed_by": r.filed_by,
                "details": v.open_text(
                    user_id, "rights_requests", "details_ct", r.id, r.details_ct
                ),
                "resolution": v.open_optional(
                    user_id, "rights_requests", "resolution_ct", r.id, r.resolution_ct
                ),
                "created_at": _t(r.created_at),
                "due_at": _t(r.due_at),
                "closed_at": _t_opt(r.closed_at),
            }
            for r in s.scalars(
                select(RightsRequest)
                .where(RightsRequest.user_id == user_id)
                .order_by(RightsRequest.created_at, RightsRequest.id)
            )
        ]
        nominee = None
        row = s.get(Nominee, user_id)
        if row is not None:
            raw = v.open_text(user_id, "nominees", "details_ct", user_id, row.details_ct)
            nominee = {
                "details": _json_object(raw),
                "created_at": _t(row.created_at),
                "updated_at": _t(row.updated_at),
            }
        sessions = [
            {
                "id": r.id,
                "client": v.open_optional(
                    user_id, "sessions", "client_label_ct", r.id, r.client_label_ct
                ),
                "created_at": _t(r.created_at),
                "last_seen_at": _t(r.last_seen_at),
                "expires_at": _t(r.expires_at),
            }
            for r in s.scalars(
                select(SessionRow)
                .where(SessionRow.user_id == user_id)
                .order_by(SessionRow.created_at, SessionRow.id)
            )
        ]
        return {
            "consents": consents,
            "policy_acknowledgements": acks,
            "rights_requests": requests,
            "nominee": nominee,
            "sessions": sessions,
        }

    def _audit_entries(self, user_id: str) -> builtins.list[dict[str, Any]]:
        """The user's own entries, newest first, exactly as ``AuditLog.entries_for`` shows."""
        out: builtins.list[dict[str, Any]] = []
        before: int | None = None
        while True:
            page = self._audit.entries_for(user_id, before_seq=before, limit=500)
            out.extend(
                {
                    "seq": e.seq,
                    "at": _t(e.at),
                    "actor": e.actor,
                    "action": e.action,
                    "object_ref": e.object_ref,
                    "purpose": e.purpose,
                    "details": e.details,
                    "entry_hash": e.entry_hash,
                }
                for e in page
            )
            if len(page) < 500:
                return out
            before = page[-1].seq


def _json_object(raw: str) -> dict[str, Any]:
    """A sealed JSON object; anything else (an older format) is kept whole under ``text``."""
    try:
        value = json.loads(raw)
    except ValueError:
        return {"text": raw}
    return value if isinstance(value, dict) else {"text": raw}


def _as_utc_opt(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _check_downloadable(row: ExportJob, now: datetime) -> None:
    if row.status == "downloaded":
        raise ExportGone(
            "this export was already downloaded; request a new one", code="export_downloaded"
        )
    if row.status == "expired" or (
        row.status == "ready" and row.expires_at is not None and as_utc(row.expires_at) <= now
    ):
        raise ExportGone("this export has expired; request a new one", code="export_expired")
    if row.status == "failed":
        raise Conflict("this export failed; request a new one", code="export_failed")
    if row.status != "ready":
        raise Conflict("this export is not ready yet", code="export_not_ready")
