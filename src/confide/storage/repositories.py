"""Every query confide runs, scoped to the acting user.

Threat handled: one user reaching another's data through a missing ``WHERE``. Every method that
touches user data takes the acting ``user_id`` and filters on it, so an id that belongs to
someone else is indistinguishable from one that does not exist (callers raise ``NotFound``).
Repositories handle ciphertext only; services seal and open through the vault.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from confide.storage.tables import (
    AbuseReport,
    AccessGrant,
    AccountAction,
    AuditEntry,
    Companion,
    Conversation,
    ExportJob,
    MemoryItem,
    MemoryJob,
    MemoryVersion,
    Message,
    MessageEmbedding,
    RateLimitCounter,
    ReplySources,
    SessionRow,
    StaffMember,
    StaffSession,
    TrainingContribution,
    User,
)

__all__ = [
    "AccountActionRepo",
    "CompanionRepo",
    "ConversationRepo",
    "ErasureRepo",
    "GrantRepo",
    "MemoryJobRepo",
    "MemoryRepo",
    "MessageRepo",
    "RateLimitRepo",
    "ReportRepo",
    "SessionRepo",
    "StaffRepo",
    "TrainingRepo",
    "UserRepo",
]


class UserRepo:
    def __init__(self, s: Session) -> None:
        self.s = s

    def by_username(self, username: str) -> User | None:
        return self.s.scalar(select(User).where(User.username == username))

    def get(self, user_id: str) -> User | None:
        return self.s.get(User, user_id)

    def add(self, user: User) -> None:
        self.s.add(user)

    def username_taken(self, username: str) -> bool:
        return self.s.scalar(select(func.count()).where(User.username == username)) != 0


class StaffRepo:
    """Operator accounts and their sessions (not user data: no user id)."""

    def __init__(self, s: Session) -> None:
        self.s = s

    def add(self, row: StaffMember) -> None:
        self.s.add(row)

    def get(self, staff_id: str) -> StaffMember | None:
        return self.s.get(StaffMember, staff_id)

    def by_username(self, username: str) -> StaffMember | None:
        return self.s.scalar(select(StaffMember).where(StaffMember.username == username))

    def list_all(self) -> Sequence[StaffMember]:
        return self.s.scalars(select(StaffMember).order_by(StaffMember.username)).all()

    def add_session(self, row: StaffSession) -> None:
        self.s.add(row)

    def session_by_token_hash(self, token_hash: str) -> StaffSession | None:
        return self.s.scalar(select(StaffSession).where(StaffSession.token_hash == token_hash))

    def delete_session(self, session_id: str) -> None:
        self.s.execute(delete(StaffSession).where(StaffSession.id == session_id))

    def delete_sessions(self, staff_id: str) -> None:
        self.s.execute(delete(StaffSession).where(StaffSession.staff_id == staff_id))


class TrainingRepo:
    """Lineage rows of training exports (ids and counts only)."""

    def __init__(self, s: Session) -> None:
        self.s = s

    def add(self, row: TrainingContribution) -> None:
        self.s.add(row)

    def all(self) -> Sequence[TrainingContribution]:
        return self.s.scalars(
            select(TrainingContribution).order_by(
                TrainingContribution.created_at, TrainingContribution.id
            )
        ).all()

    def user_status(self, user_ids: Sequence[str]) -> dict[str, str]:
        """Each account's status; accounts already purged are missing."""
        found: dict[str, str] = {}
        for chunk in _chunks(user_ids, 500):
            rows = self.s.execute(select(User.id, User.status).where(User.id.in_(chunk)))
            found.update((user_id, status) for user_id, status in rows)
        return found

    def existing_conversations(self, conversation_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(conversation_ids, 500):
            found.update(self.s.scalars(select(Conversation.id).where(Conversation.id.in_(chunk))))
        return found


class GrantRepo:
    """Access grants, and the account metadata staff may see without one."""

    def __init__(self, s: Session) -> None:
        self.s = s

    def add(self, row: AccessGrant) -> None:
        self.s.add(row)

    def get(self, grant_id: str) -> AccessGrant | None:
        return self.s.get(AccessGrant, grant_id)

    def for_staff(self, staff_id: str) -> Sequence[tuple[AccessGrant, str]]:
        """A staff member's grants, newest first, with each user's username."""
        stmt = (
            select(AccessGrant, User.username)
            .join(User, User.id == AccessGrant.user_id)
            .where(AccessGrant.staff_id == staff_id)
            .order_by(AccessGrant.created_at.desc(), AccessGrant.id)
        )
        return [(g, name) for g, name in self.s.execute(stmt).all()]

    def for_user(self, user_id: str) -> Sequence[tuple[AccessGrant, StaffMember]]:
        """Every grant on a user's account, newest first, with the staff member."""
        stmt = (
            select(AccessGrant, StaffMember)
            .join(StaffMember, StaffMember.id == AccessGrant.staff_id)
            .where(AccessGrant.user_id == user_id)
            .order_by(AccessGrant.created_at.desc(), AccessGrant.id)
        )
        return [(g, m) for g, m in self.s.execute(stmt).all()]

    def count_pending(self, user_id: str, now: datetime) -> int:
        """Requests waiting for the user's answer (not lapsed)."""
        stmt = select(func.count()).where(
            AccessGrant.user_id == user_id,
            AccessGrant.status == "pending",
            AccessGrant.expires_at > now,
        )
        return int(self.s.scalar(stmt) or 0)

    def staff(self, staff_id: str) -> StaffMember | None:
        return self.s.get(StaffMember, staff_id)

    def user(self, user_id: str) -> User | None:
        return self.s.get(User, user_id)

    def user_by_username(self, username: str) -> User | None:
        return self.s.scalar(select(User).where(User.username == username))

    def has_conversation(self, user_id: str, conversation_id: str) -> bool:
        stmt = select(func.count()).where(
            Conversation.user_id == user_id, Conversation.id == conversation_id
        )
        return bool(self.s.scalar(stmt))

    def read_counts(self, user_id: str, grant_ids: Sequence[str]) -> dict[str, int]:
        """How many ``access.read`` entries each grant has in the user's audit log."""
        if not grant_ids:
            return {}
        stmt = (
            select(AuditEntry.object_ref, func.count())
            .where(
                AuditEntry.subject_user_id == user_id,
                AuditEntry.action == "access.read",
                AuditEntry.object_ref.in_(list(grant_ids)),
            )
            .group_by(AuditEntry.object_ref)
        )
        return {str(ref): int(n) for ref, n in self.s.execute(stmt).all()}

    def content_counts(self, user_id: str) -> dict[str, int]:
        """How many companions, conversations, messages and memories (numbers only)."""

        def count(table: Any, column: Any) -> int:
            stmt = select(func.count()).select_from(table).where(column == user_id)
            return int(self.s.scalar(stmt) or 0)

        return {
            "companions": count(Companion, Companion.user_id),
            "conversations": count(Conversation, Conversation.user_id),
            "messages": count(Message, Message.user_id),
            "memories": count(MemoryItem, MemoryItem.user_id),
        }


class ReportRepo:
    """Abuse reports (metadata in the clear, content sealed under the reporter's key)."""

    def __init__(self, s: Session) -> None:
        self.s = s

    def add(self, row: AbuseReport) -> None:
        self.s.add(row)

    def get(self, report_id: str) -> AbuseReport | None:
        return self.s.get(AbuseReport, report_id)

    def list_for(self, user_id: str) -> Sequence[AbuseReport]:
        """The user's reports, newest first."""
        return self.s.scalars(
            select(AbuseReport)
            .where(AbuseReport.user_id == user_id)
            .order_by(AbuseReport.created_at.desc(), AbuseReport.id)
        ).all()

    def queue(self, status: str | None) -> Sequence[tuple[AbuseReport, str]]:
        """Reports with their reporter's username; ``status`` None for every status."""
        stmt = select(AbuseReport, User.username).join(User, User.id == AbuseReport.user_id)
        if status is not None:
            stmt = stmt.where(AbuseReport.status == status)
        return [(r, name) for r, name in self.s.execute(stmt.order_by(AbuseReport.created_at))]

    def messages_in(
        self, user_id: str, conversation_id: str, message_ids: Sequence[str]
    ) -> Sequence[Message]:
        """The user's own messages among ``message_ids`` in that conversation, oldest first."""
        return self.s.scalars(
            select(Message)
            .where(
                Message.user_id == user_id,
                Message.conversation_id == conversation_id,
                Message.id.in_(list(message_ids)),
            )
            .order_by(Message.seq)
        ).all()

    def decide(self, report_id: str, *, outcome: str, staff_id: str, now: datetime) -> bool:
        """Mark an open report decided; False if it was not open (another reviewer won)."""
        result = self.s.execute(
            update(AbuseReport)
            .where(AbuseReport.id == report_id, AbuseReport.status == "open")
            .values(status="decided", outcome=outcome, decided_by=staff_id, decided_at=now)
        )
        return bool(getattr(result, "rowcount", 0))


class AccountActionRepo:
    """Enforcement decisions on accounts (reasons sealed under the affected user's key)."""

    def __init__(self, s: Session) -> None:
        self.s = s

    def add(self, row: AccountAction) -> None:
        self.s.add(row)

    def list_for(self, user_id: str) -> Sequence[AccountAction]:
        """The user's notices, newest first."""
        return self.s.scalars(
            select(AccountAction)
            .where(AccountAction.user_id == user_id)
            .order_by(AccountAction.created_at.desc(), AccountAction.id)
        ).all()

    def get_for(self, user_id: str, action_id: str) -> AccountAction | None:
        return self.s.scalar(
            select(AccountAction).where(
                AccountAction.user_id == user_id, AccountAction.id == action_id
            )
        )

    def for_report(self, report_id: str) -> AccountAction | None:
        return self.s.scalar(select(AccountAction).where(AccountAction.report_id == report_id))

    def count_unseen(self, user_id: str) -> int:
        stmt = select(func.count()).where(
            AccountAction.user_id == user_id, AccountAction.seen_at.is_(None)
        )
        return int(self.s.scalar(stmt) or 0)

    def mark_seen(self, user_id: str, now: datetime) -> None:
        self.s.execute(
            update(AccountAction)
            .where(AccountAction.user_id == user_id, AccountAction.seen_at.is_(None))
            .values(seen_at=now)
        )


class SessionRepo:
    def __init__(self, s: Session) -> None:
        self.s = s

    def by_token_hash(self, token_hash: str) -> SessionRow | None:
        return self.s.scalar(select(SessionRow).where(SessionRow.token_hash == token_hash))

    def add(self, row: SessionRow) -> None:
        self.s.add(row)

    def list_for(self, user_id: str) -> Sequence[SessionRow]:
        return self.s.scalars(
            select(SessionRow)
            .where(SessionRow.user_id == user_id)
            .order_by(SessionRow.last_seen_at.desc())
        ).all()

    def delete_one(self, user_id: str, session_id: str) -> bool:
        result = self.s.execute(
            delete(SessionRow).where(SessionRow.user_id == user_id, SessionRow.id == session_id)
        )
        return bool(getattr(result, "rowcount", 0))

    def delete_all(self, user_id: str, *, except_id: str | None = None) -> int:
        stmt = delete(SessionRow).where(SessionRow.user_id == user_id)
        if except_id is not None:
            stmt = stmt.where(SessionRow.id != except_id)
        return int(getattr(self.s.execute(stmt), "rowcount", 0))

    def delete_expired(self, now: datetime) -> int:
        result = self.s.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
        return int(getattr(result, "rowcount", 0))


class RateLimitRepo:
    def __init__(self, s: Session) -> None:
        self.s = s

    def hit(self, bucket: str, window_start: int, amount: int = 1) -> int:
        """Add to a window's counter and return the new count (one row per bucket+window).

        One atomic upsert: two nodes counting the first hit of a window at once must not both
        insert (a unique violation, a 500).
        """
        insert = pg_insert if self.s.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = (
            insert(RateLimitCounter)
            .values(bucket=bucket, window_start=window_start, count=amount)
            .on_conflict_do_update(
                index_elements=[RateLimitCounter.bucket, RateLimitCounter.window_start],
                set_={"count": RateLimitCounter.count + amount},
            )
            .returning(RateLimitCounter.count)
        )
        return int(self.s.execute(stmt).scalar_one())

    def count(self, bucket: str, window_start: int) -> int:
        return int(
            self.s.scalar(
                select(RateLimitCounter.count).where(
                    RateLimitCounter.bucket == bucket,
                    RateLimitCounter.window_start == window_start,
                )
            )
            or 0
        )

    def reset(self, bucket: str) -> None:
        self.s.execute(delete(RateLimitCounter).where(RateLimitCounter.bucket == bucket))

    def purge_before(self, window_start: int) -> None:
        self.s.execute(delete(RateLimitCounter).where(RateLimitCounter.window_start < window_start))


class CompanionRepo:
    def __init__(self, s: Session) -> None:
        self.s = s

    def get(self, user_id: str, companion_id: str) -> Companion | None:
        return self.s.scalar(
            select(Companion).where(Companion.user_id == user_id, Companion.id == companion_id)
        )

    def list_for(self, user_id: str) -> Sequence[Companion]:
        return self.s.scalars(
            select(Companion).where(Companion.user_id == user_id).order_by(Companion.created_at)
        ).all()

    def add(self, row: Companion) -> None:
        self.s.add(row)

    def delete(self, user_id: str, companion_id: str) -> bool:
        # Messages and conversations go first so secure_delete overwrites them explicitly,
        # rather than relying on the driver to honour ON DELETE CASCADE.
        conv_ids = select(Conversation.id).where(
            Conversation.user_id == user_id, Conversation.companion_id == companion_id
        )
        self.s.execute(
            delete(Message).where(Message.user_id == user_id, Message.conversation_id.in_(conv_ids))
        )
        self.s.execute(
            delete(Conversation).where(
                Conversation.user_id == user_id, Conversation.companion_id == companion_id
            )
        )
        self.s.execute(
            delete(MemoryItem).where(
                MemoryItem.user_id == user_id, MemoryItem.companion_id == companion_id
            )
        )
        result = self.s.execute(
            delete(Companion).where(Companion.user_id == user_id, Companion.id == companion_id)
        )
        return bool(getattr(result, "rowcount", 0))

    def bump_memory_revision(self, user_id: str, companion_id: str) -> int:
        """Mark the companion's memory index changed; return the new revision."""
        self.s.execute(
            update(Companion)
            .where(Companion.user_id == user_id, Companion.id == companion_id)
            .values(memory_revision=Companion.memory_revision + 1)
        )
        return int(
            self.s.scalar(
                select(Companion.memory_revision).where(
                    Companion.user_id == user_id, Companion.id == companion_id
                )
            )
            or 0
        )

    def memory_revision(self, user_id: str, companion_id: str) -> int | None:
        return self.s.scalar(
            select(Companion.memory_revision).where(
                Companion.user_id == user_id, Companion.id == companion_id
            )
        )


class ConversationRepo:
    def __init__(self, s: Session) -> None:
        self.s = s

    def get(
        self, user_id: str, conversation_id: str, *, for_update: bool = False
    ) -> Conversation | None:
        stmt = select(Conversation).where(
            Conversation.user_id == user_id, Conversation.id == conversation_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self.s.scalar(stmt)

    def list_for(
        self, user_id: str, *, companion_id: str | None = None, limit: int, offset: int
    ) -> Sequence[Conversation]:
        stmt = select(Conversation).where(Conversation.user_id == user_id)
        if companion_id is not None:
            stmt = stmt.where(Conversation.companion_id == companion_id)
        stmt = stmt.order_by(Conversation.updated_at.desc(), Conversation.id)
        return self.s.scalars(stmt.limit(limit).offset(offset)).all()

    def add(self, row: Conversation) -> None:
        self.s.add(row)

    def delete(self, user_id: str, conversation_id: str) -> bool:
        self.s.execute(
            delete(MemoryItem).where(
                MemoryItem.user_id == user_id, MemoryItem.conversation_id == conversation_id
            )
        )
        self.s.execute(
            delete(Message).where(
                Message.user_id == user_id, Message.conversation_id == conversation_id
            )
        )
        result = self.s.execute(
            delete(Conversation).where(
                Conversation.user_id == user_id, Conversation.id == conversation_id
            )
        )
        return bool(getattr(result, "rowcount", 0))

    def next_seq(self, user_id: str, conversation_id: str, now: datetime) -> int:
        """Reserve the next message number atomically (safe across nodes)."""
        self.s.execute(
            update(Conversation)
            .where(Conversation.user_id == user_id, Conversation.id == conversation_id)
            .values(
                last_seq=Conversation.last_seq + 1,
                revision=Conversation.revision + 1,
                updated_at=now,
            )
        )
        seq = self.s.scalar(
            select(Conversation.last_seq).where(
                Conversation.user_id == user_id, Conversation.id == conversation_id
            )
        )
        if seq is None:
            raise LookupError("conversation vanished")
        return int(seq)

    def revision(self, user_id: str, conversation_id: str) -> int | None:
        return self.s.scalar(
            select(Conversation.revision).where(
                Conversation.user_id == user_id, Conversation.id == conversation_id
            )
        )


class MessageRepo:
    def __init__(self, s: Session) -> None:
        self.s = s

    def add(self, row: Message) -> None:
        self.s.add(row)

    def get(self, user_id: str, message_id: str) -> Message | None:
        return self.s.scalar(
            select(Message).where(Message.user_id == user_id, Message.id == message_id)
        )

    def page(
        self, user_id: str, conversation_id: str, *, before_seq: int | None, limit: int
    ) -> Sequence[Message]:
        """Newest first, at most ``limit``, strictly older than ``before_seq`` if given."""
        stmt = select(Message).where(
            Message.user_id == user_id, Message.conversation_id == conversation_id
        )
        if before_seq is not None:
            stmt = stmt.where(Message.seq < before_seq)
        return self.s.scalars(stmt.order_by(Message.seq.desc()).limit(limit)).all()

    def count(self, user_id: str, conversation_id: str) -> int:
        return int(
            self.s.scalar(
                select(func.count()).where(
                    Message.user_id == user_id, Message.conversation_id == conversation_id
                )
            )
            or 0
        )

    def delete(self, user_id: str, message_id: str) -> str | None:
        """Delete one message; return its conversation id (None if not found)."""
        conversation_id = self.s.scalar(
            select(Message.conversation_id).where(
                Message.user_id == user_id, Message.id == message_id
            )
        )
        if conversation_id is None:
            return None
        self.s.execute(delete(Message).where(Message.user_id == user_id, Message.id == message_id))
        self.s.execute(
            update(Conversation)
            .where(Conversation.user_id == user_id, Conversation.id == conversation_id)
            .values(revision=Conversation.revision + 1)
        )
        return str(conversation_id)

    def in_conversation(
        self, user_id: str, conversation_id: str, *, after_seq: int, through_seq: int | None
    ) -> Sequence[Message]:
        """Oldest first, seq in (after_seq, through_seq]."""
        stmt = select(Message).where(
            Message.user_id == user_id,
            Message.conversation_id == conversation_id,
            Message.seq > after_seq,
        )
        if through_seq is not None:
            stmt = stmt.where(Message.seq <= through_seq)
        return self.s.scalars(stmt.order_by(Message.seq)).all()

    def for_companion(
        self, user_id: str, companion_id: str
    ) -> Sequence[tuple[Message, MessageEmbedding | None]]:
        rows = self.s.execute(
            select(Message, MessageEmbedding)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .outerjoin(MessageEmbedding, MessageEmbedding.message_id == Message.id)
            .where(Message.user_id == user_id, Conversation.companion_id == companion_id)
            .order_by(Message.conversation_id, Message.seq)
        ).all()
        return [(m, e) for m, e in rows]

    def without_embedding(
        self, user_id: str, conversation_id: str, through_seq: int
    ) -> Sequence[Message]:
        return self.s.scalars(
            select(Message)
            .outerjoin(MessageEmbedding, MessageEmbedding.message_id == Message.id)
            .where(
                Message.user_id == user_id,
                Message.conversation_id == conversation_id,
                Message.seq <= through_seq,
                MessageEmbedding.message_id.is_(None),
            )
            .order_by(Message.seq)
        ).all()

    def add_embedding(self, row: MessageEmbedding) -> None:
        self.s.merge(row)

    def set_sources(self, row: ReplySources) -> None:
        self.s.merge(row)

    def sources(self, user_id: str, message_id: str) -> ReplySources | None:
        return self.s.scalar(
            select(ReplySources).where(
                ReplySources.user_id == user_id, ReplySources.message_id == message_id
            )
        )

    def delete_many(self, user_id: str, message_ids: Sequence[str]) -> set[str]:
        """Delete these messages; return the conversations they were in (revisions bumped)."""
        if not message_ids:
            return set()
        conv_ids = set(
            self.s.scalars(
                select(Message.conversation_id).where(
                    Message.user_id == user_id, Message.id.in_(message_ids)
                )
            ).all()
        )
        self.s.execute(
            delete(Message).where(Message.user_id == user_id, Message.id.in_(message_ids))
        )
        if conv_ids:
            self.s.execute(
                update(Conversation)
                .where(Conversation.user_id == user_id, Conversation.id.in_(conv_ids))
                .values(revision=Conversation.revision + 1)
            )
        return conv_ids


class MemoryRepo:
    def __init__(self, s: Session) -> None:
        self.s = s

    def get(self, user_id: str, item_id: str) -> MemoryItem | None:
        return self.s.scalar(
            select(MemoryItem).where(MemoryItem.user_id == user_id, MemoryItem.id == item_id)
        )

    def list_for(
        self,
        user_id: str,
        *,
        companion_id: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        pinned: bool | None = None,
    ) -> Sequence[MemoryItem]:
        stmt = select(MemoryItem).where(MemoryItem.user_id == user_id)
        if companion_id is not None:
            stmt = stmt.where(MemoryItem.companion_id == companion_id)
        if kind is not None:
            stmt = stmt.where(MemoryItem.kind == kind)
        if status is not None:
            stmt = stmt.where(MemoryItem.status == status)
        if pinned is not None:
            stmt = stmt.where(MemoryItem.pinned.is_(pinned))
        return self.s.scalars(stmt.order_by(MemoryItem.updated_at.desc(), MemoryItem.id)).all()

    def summary_for(self, user_id: str, conversation_id: str) -> MemoryItem | None:
        return self.s.scalar(
            select(MemoryItem).where(
                MemoryItem.user_id == user_id,
                MemoryItem.conversation_id == conversation_id,
                MemoryItem.kind == "summary",
            )
        )

    def add(self, row: MemoryItem) -> None:
        self.s.add(row)

    def add_version(self, row: MemoryVersion) -> None:
        self.s.add(row)

    def versions(self, user_id: str, item_id: str) -> Sequence[MemoryVersion]:
        return self.s.scalars(
            select(MemoryVersion)
            .where(MemoryVersion.user_id == user_id, MemoryVersion.item_id == item_id)
            .order_by(MemoryVersion.version)
        ).all()

    def delete(self, user_id: str, item_ids: Sequence[str]) -> int:
        if not item_ids:
            return 0
        # Versions first so secure_delete overwrites their text explicitly.
        self.s.execute(
            delete(MemoryVersion).where(
                MemoryVersion.user_id == user_id, MemoryVersion.item_id.in_(item_ids)
            )
        )
        result = self.s.execute(
            delete(MemoryItem).where(MemoryItem.user_id == user_id, MemoryItem.id.in_(item_ids))
        )
        return int(getattr(result, "rowcount", 0) or 0)


class MemoryJobRepo:
    def __init__(self, s: Session) -> None:
        self.s = s

    def enqueue(
        self,
        job_id: str,
        user_id: str,
        companion_id: str,
        conversation_id: str,
        kind: str,
        through_seq: int,
        now: datetime,
    ) -> None:
        existing = self.s.scalar(
            select(MemoryJob).where(
                MemoryJob.user_id == user_id,
                MemoryJob.conversation_id == conversation_id,
                MemoryJob.kind == kind,
            )
        )
        if existing is not None:
            existing.through_seq = max(existing.through_seq, through_seq)
            return
        self.s.add(
            MemoryJob(
                id=job_id,
                user_id=user_id,
                companion_id=companion_id,
                conversation_id=conversation_id,
                kind=kind,
                through_seq=through_seq,
                attempts=0,
                run_after=now,
                claimed_until=None,
            )
        )

    def claim(self, now: datetime, lease_until: datetime, kinds: Sequence[str]) -> MemoryJob | None:
        """Take the oldest due job no other worker holds (compare-and-set on the lease).

        On PostgreSQL the candidates are locked ``FOR UPDATE SKIP LOCKED``, so workers on
        several nodes never wait on, or take, the same row; SQLite has one writer anyway.
        """
        candidates = self.s.scalars(
            select(MemoryJob)
            .where(
                MemoryJob.run_after <= now,
                MemoryJob.kind.in_(kinds),
                (MemoryJob.claimed_until.is_(None)) | (MemoryJob.claimed_until < now),
            )
            .order_by(MemoryJob.run_after)
            .limit(5)
            .with_for_update(skip_locked=True)
        ).all()
        for job in candidates:
            result = self.s.execute(
                update(MemoryJob)
                .where(
                    MemoryJob.id == job.id,
                    (MemoryJob.claimed_until.is_(None)) | (MemoryJob.claimed_until < now),
                )
                .values(claimed_until=lease_until)
            )
            if getattr(result, "rowcount", 0):
                self.s.refresh(job)
                return job
        return None

    def get(self, job_id: str) -> MemoryJob | None:
        return self.s.get(MemoryJob, job_id)

    def delete(self, job_id: str) -> None:
        self.s.execute(delete(MemoryJob).where(MemoryJob.id == job_id))

    def pending(self, user_id: str | None = None) -> int:
        stmt = select(func.count()).select_from(MemoryJob)
        if user_id is not None:
            stmt = stmt.where(MemoryJob.user_id == user_id)
        return int(self.s.scalar(stmt) or 0)


class ErasureRepo:
    """Bulk deletions and counts for erasure and retention (privacy/erasure.py, retention.py).

    Deletions are explicit, table by table, rather than left to ``ON DELETE CASCADE``, so
    SQLite's ``secure_delete`` overwrites each row whatever the driver does with cascades.
    Large deletions go in batches so no single statement holds the write lock for long.
    """

    BATCH = 2000

    def __init__(self, s: Session) -> None:
        self.s = s

    # --- conversations ------------------------------------------------------------------------
    def conversation_ids(self, user_id: str, *, companion_id: str | None = None) -> list[str]:
        stmt = select(Conversation.id).where(Conversation.user_id == user_id)
        if companion_id is not None:
            stmt = stmt.where(Conversation.companion_id == companion_id)
        return list(self.s.scalars(stmt).all())

    def conversations(self, user_id: str, conversation_ids: Sequence[str]) -> list[Conversation]:
        found: list[Conversation] = []
        for chunk in _chunks(conversation_ids, self.BATCH):
            found.extend(
                self.s.scalars(
                    select(Conversation).where(
                        Conversation.user_id == user_id, Conversation.id.in_(chunk)
                    )
                ).all()
            )
        return found

    def message_ids_in(self, user_id: str, conversation_ids: Sequence[str]) -> list[str]:
        ids: list[str] = []
        for chunk in _chunks(conversation_ids, self.BATCH):
            ids.extend(
                self.s.scalars(
                    select(Message.id).where(
                        Message.user_id == user_id, Message.conversation_id.in_(chunk)
                    )
                ).all()
            )
        return ids

    def delete_conversations(self, user_id: str, conversation_ids: Sequence[str]) -> int:
        """Delete these conversations with their messages and summaries; returns messages."""
        messages = 0
        for chunk in _chunks(conversation_ids, self.BATCH):
            self.s.execute(
                delete(MemoryItem).where(
                    MemoryItem.user_id == user_id, MemoryItem.conversation_id.in_(chunk)
                )
            )
            result = self.s.execute(
                delete(Message).where(
                    Message.user_id == user_id, Message.conversation_id.in_(chunk)
                )
            )
            messages += int(getattr(result, "rowcount", 0) or 0)
            self.s.execute(
                delete(Conversation).where(
                    Conversation.user_id == user_id, Conversation.id.in_(chunk)
                )
            )
        return messages

    # --- accounts -----------------------------------------------------------------------------
    def counts(self, user_id: str) -> dict[str, int]:
        """How many rows of each class the user has (for a deletion receipt)."""
        columns = {
            "companions": Companion.user_id,
            "conversations": Conversation.user_id,
            "messages": Message.user_id,
            "memories": MemoryItem.user_id,
            "sessions": SessionRow.user_id,
            "exports": ExportJob.user_id,
        }
        return {
            name: int(self.s.scalar(select(func.count()).where(column == user_id)) or 0)
            for name, column in columns.items()
        }

    def due_for_purge(self, now: datetime) -> list[str]:
        return list(
            self.s.scalars(
                select(User.id).where(User.status == "deleting", User.deletion_due_at <= now)
            ).all()
        )

    def latest_deletion_receipt(self, user_id: str) -> str | None:
        """The receipt id of the user's latest deletion request (its audit entry's object)."""
        return self.s.scalar(
            select(AuditEntry.object_ref)
            .where(
                AuditEntry.subject_user_id == user_id,
                AuditEntry.action == "account.deletion_requested",
            )
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        )

    def delete_memory_jobs(self, user_id: str) -> int:
        result = self.s.execute(delete(MemoryJob).where(MemoryJob.user_id == user_id))
        return int(getattr(result, "rowcount", 0) or 0)

    def delete_exports(self, user_id: str) -> int:
        result = self.s.execute(delete(ExportJob).where(ExportJob.user_id == user_id))
        return int(getattr(result, "rowcount", 0) or 0)

    def delete_message_batch(self, user_id: str) -> int:
        """Delete up to BATCH of the user's messages; returns how many (0 when none are left)."""
        ids = select(Message.id).where(Message.user_id == user_id).limit(self.BATCH)
        result = self.s.execute(delete(Message).where(Message.id.in_(ids)))
        return int(getattr(result, "rowcount", 0) or 0)

    def delete_user(self, user_id: str) -> int:
        """Delete every remaining row of the user, then the users row (its username with it).

        Returns how many rows went, the users row included."""
        total = 0
        for table in (
            MessageEmbedding,
            ReplySources,
            Message,
            MemoryVersion,
            MemoryItem,
            MemoryJob,
            Conversation,
            Companion,
            SessionRow,
            ExportJob,
        ):
            result = self.s.execute(delete(table).where(table.user_id == user_id))
            total += int(getattr(result, "rowcount", 0) or 0)
        # Other per-user tables (consents, policy acknowledgements, requests, nominee) go by
        # their ON DELETE CASCADE foreign keys; secure_delete overwrites them all the same.
        result = self.s.execute(delete(User).where(User.id == user_id))
        return total + int(getattr(result, "rowcount", 0) or 0)

    # --- retention ----------------------------------------------------------------------------
    def delete_idle_sessions(self, last_seen_before: datetime) -> int:
        result = self.s.execute(
            delete(SessionRow).where(SessionRow.last_seen_at <= last_seen_before)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def delete_decided_reports_before(self, decided_before: datetime) -> int:
        """Abuse reports decided before ``decided_before`` (their retention is over)."""
        result = self.s.execute(
            delete(AbuseReport).where(
                AbuseReport.status == "decided", AbuseReport.decided_at <= decided_before
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def expire_access_grants(self, now: datetime) -> int:
        """Grants (pending or active) past their expiry become ``expired``."""
        result = self.s.execute(
            update(AccessGrant)
            .where(AccessGrant.status.in_(("pending", "active")), AccessGrant.expires_at <= now)
            .values(status="expired", ended_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def delete_expired_staff_sessions(self, now: datetime) -> int:
        result = self.s.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
        return int(getattr(result, "rowcount", 0) or 0)

    def delete_rate_limits_before(self, window_start: int) -> int:
        result = self.s.execute(
            delete(RateLimitCounter).where(RateLimitCounter.window_start < window_start)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def drop_audit_details_before(self, before: datetime) -> int:
        """Drop the sealed details of entries older than ``before`` (the chain covers only
        their digest; on SQLite the append-only trigger allows exactly this change)."""
        result = self.s.execute(
            update(AuditEntry)
            .where(AuditEntry.at < before, AuditEntry.details_ct.is_not(None))
            .values(details_ct=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
