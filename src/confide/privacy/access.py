"""Staff access to one user's content, only under a grant (promise P8).

Threats handled:
- Staff browsing chats: no staff role reads content by itself. Reading needs an access grant
  for one user, with a case reference, a reason (sealed under the user's key), a scope
  (all conversations, one conversation, or memories) and an expiry of at most 72 hours. There
  is no bulk listing or export of content anywhere.
- Access behind the user's back: a support grant waits for the user's approval; safety and
  admin grants are active at once, and every request, decision and read is an entry in the
  user's own audit log (actor ``staff``, with the staff member's username and role), which the
  user reads at ``/api/audit`` and on ``/privacy/access``, and may end any grant early.
- A grant outliving its case: grants expire (``expired`` as soon as one is touched after its
  expiry); a pending request not approved within its duration expires too, and an approved one
  runs for its duration from the approval.
- Grants passed around: only the staff member who asked may use a grant; to anyone else, and
  for anything outside its scope or after it ended, the answer is the same 404.
- A read recorded for content never shown, or content shown without a record: the read runs
  first, then the grant is checked again and the ``access.read`` entry written in one
  transaction; if the grant ended meanwhile, nothing is returned.

Staff see account metadata (ids, dates, status, counts) without a grant: never content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from confide.accounts.service import is_suspended
from confide.accounts.staff import ROLES, StaffIdentity
from confide.chat.conversations import (
    ConversationService,
    ConversationView,
    MessagePage,
)
from confide.clock import Clock, as_utc, as_utc_or_none
from confide.errors import Conflict, InvalidInput, NotFound
from confide.ids import is_valid_id, new_id
from confide.memory.service import MemoryService, MemoryView
from confide.privacy.audit import AuditLog
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database, act_for
from confide.storage.repositories import GrantRepo
from confide.storage.tables import (
    AccessGrant,
    StaffMember,
    User,
)

__all__ = [
    "DEFAULT_HOURS",
    "GRANT_STATUSES",
    "MAX_CASE_REF_CHARS",
    "MAX_HOURS",
    "MAX_REASON_CHARS",
    "MIN_REASON_CHARS",
    "AccessService",
    "AccountMetadata",
    "GrantScope",
    "GrantStatus",
    "GrantView",
    "parse_scope",
]

GrantStatus = Literal["pending", "active", "denied", "revoked", "expired"]
GRANT_STATUSES: tuple[GrantStatus, ...] = ("pending", "active", "denied", "revoked", "expired")
MAX_CASE_REF_CHARS = 100
MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 1000
DEFAULT_HOURS = 24
MAX_HOURS = 72
MAX_READ_LIMIT = 500
_CONVERSATION_PREFIX = "conversation:"
_NO_GRANT = "no such active access grant"


@dataclass(frozen=True, slots=True)
class GrantScope:
    """What a grant lets its staff member read: ``conversations`` (all of them, with their
    messages), ``conversation:<id>`` (that one and its messages) or ``memories``."""

    kind: Literal["conversations", "conversation", "memories"]
    conversation_id: str | None = None

    def __str__(self) -> str:
        if self.kind == "conversation":
            return f"{_CONVERSATION_PREFIX}{self.conversation_id}"
        return self.kind

    def allows_conversation(self, conversation_id: str) -> bool:
        if self.kind == "conversations":
            return True
        return self.kind == "conversation" and self.conversation_id == conversation_id


def parse_scope(text: str) -> GrantScope:
    text = text.strip()
    if text == "conversations":
        return GrantScope("conversations")
    if text == "memories":
        return GrantScope("memories")
    if text.startswith(_CONVERSATION_PREFIX) and is_valid_id(text[len(_CONVERSATION_PREFIX) :]):
        return GrantScope("conversation", text[len(_CONVERSATION_PREFIX) :])
    raise InvalidInput(
        'scope must be "conversations", "memories" or "conversation:<id>"', code="invalid_scope"
    )


@dataclass(frozen=True, slots=True)
class GrantView:
    """One grant, as its staff member or its user sees it."""

    id: str
    user_id: str
    username: str
    staff_id: str
    staff_username: str
    staff_role: str
    case_ref: str
    reason: str
    scope: str
    status: str
    needs_approval: bool  # a support request: the user decides
    created_at: datetime
    decided_at: datetime | None
    expires_at: datetime
    ended_at: datetime | None
    reads: int

    def __repr__(self) -> str:  # the reason is about the user: out of logs and tracebacks
        return f"GrantView(id={self.id!r}, scope={self.scope!r}, status={self.status!r})"


@dataclass(frozen=True, slots=True)
class AccountMetadata:
    """What staff see of an account without a grant: no content, only numbers and dates."""

    id: str
    username: str
    created_at: datetime
    status: str
    is_suspended: bool
    suspended_until: datetime | None
    companions: int
    conversations: int
    messages: int
    memories: int


@dataclass(frozen=True, slots=True)
class _Usable:
    """What a read needs to know about an active grant, taken out of its transaction."""

    id: str
    user_id: str
    case_ref: str
    scope: GrantScope


def _text(value: str, what: str, low: int, high: int, code: str) -> str:
    value = value.strip()
    if not low <= len(value) <= high:
        raise InvalidInput(f"{what} must be {low} to {high} characters", code=code)
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise InvalidInput(f"{what} must not contain control characters", code=code)
    return value


def _hours(hours: int) -> int:
    if not 1 <= hours <= MAX_HOURS:
        raise InvalidInput(f"hours must be 1 to {MAX_HOURS}", code="invalid_hours")
    return hours


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_READ_LIMIT:
        raise InvalidInput(f"limit must be 1 to {MAX_READ_LIMIT}")
    return limit


def _touch(row: AccessGrant, now: datetime) -> None:
    """Flip a pending or active grant whose time is up to ``expired``."""
    if row.status in ("pending", "active") and as_utc(row.expires_at) <= now:
        row.status = "expired"
        row.ended_at = row.expires_at


class AccessService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        vault: Vault,
        clock: Clock,
        audit: AuditLog,
        conversations: ConversationService,
        memory: MemoryService,
    ) -> None:
        self._settings = settings
        self._db = db
        self._vault = vault
        self._clock = clock
        self._audit = audit
        self._conversations = conversations
        self._memory = memory

    # --- views -------------------------------------------------------------------------------
    def _view(
        self, row: AccessGrant, username: str, staff: StaffMember | StaffIdentity, reads: int
    ) -> GrantView:
        staff_username = staff.username
        role = staff.role
        return GrantView(
            id=row.id,
            user_id=row.user_id,
            username=username,
            staff_id=row.staff_id,
            staff_username=staff_username,
            staff_role=role,
            case_ref=row.case_ref,
            reason=self._vault.open_text(
                row.user_id, "access_grants", "reason_ct", row.id, row.reason_ct
            ),
            scope=row.scope,
            status=row.status,
            needs_approval=role == "support",
            created_at=as_utc(row.created_at),
            decided_at=as_utc_or_none(row.decided_at),
            expires_at=as_utc(row.expires_at),
            ended_at=as_utc_or_none(row.ended_at),
            reads=reads,
        )

    # --- staff: account metadata ---------------------------------------------------------------
    def lookup_user(self, who: StaffIdentity, username: str) -> AccountMetadata:
        """An account's metadata by username: dates, status and counts, never content. The
        lookup itself is in the user's audit log (``staff.looked_up``)."""
        who.require(*ROLES)
        now = self._clock()
        with self._db.transaction(scope="staff") as s:
            repo = GrantRepo(s)
            user = repo.user_by_username(username.strip().lower())
            if user is None:
                raise NotFound("no such user")
            act_for(s, user.id, scope="staff")  # counts of this one account's rows
            counts = repo.content_counts(user.id)
            self._audit.append(
                s,
                actor="staff",
                action="staff.looked_up",
                subject_user_id=user.id,
                details=who.audit_details(),
            )
            return AccountMetadata(
                id=user.id,
                username=user.username,
                created_at=as_utc(user.created_at),
                status=user.status,
                is_suspended=is_suspended(user, now),
                suspended_until=as_utc_or_none(user.suspended_until),
                **counts,
            )

    # --- staff: requests -----------------------------------------------------------------------
    def request(
        self,
        who: StaffIdentity,
        *,
        case_ref: str,
        reason: str,
        scope: str,
        username: str | None = None,
        user_id: str | None = None,
        hours: int = DEFAULT_HOURS,
    ) -> GrantView:
        """Ask to read one user's content. A support request waits for the user's approval;
        a safety or admin grant is active at once. Either way the user's log records it."""
        who.require(*ROLES)
        case_ref = _text(case_ref, "the case reference", 1, MAX_CASE_REF_CHARS, "invalid_case_ref")
        reason = _text(reason, "the reason", MIN_REASON_CHARS, MAX_REASON_CHARS, "invalid_reason")
        parsed = parse_scope(scope)
        duration = timedelta(hours=_hours(hours))
        if (username is None) == (user_id is None):
            raise InvalidInput("give either username or user_id", code="invalid_user")
        needs_approval = who.role == "support"
        now = self._clock()
        gid = new_id()
        with self._db.transaction(scope="staff") as s:
            repo = GrantRepo(s)
            user = self._target(repo, username, user_id)
            act_for(s, user.id, scope="staff")  # the grant is this account's row
            if user.status != "active":
                raise Conflict("that account is being deleted", code="account_not_active")
            if parsed.conversation_id is not None and not repo.has_conversation(
                user.id, parsed.conversation_id
            ):
                raise NotFound("no such conversation")
            row = AccessGrant(
                id=gid,
                user_id=user.id,
                staff_id=who.staff_id,
                case_ref=case_ref,
                reason_ct=self._vault.seal(user.id, "access_grants", "reason_ct", gid, reason),
                scope=str(parsed),
                status="pending" if needs_approval else "active",
                created_at=now,
                expires_at=now + duration,
            )
            repo.add(row)
            self._audit.append(
                s,
                actor="staff",
                action="access.requested",
                subject_user_id=user.id,
                object_ref=gid,
                details={
                    "grant_id": gid,
                    "case_ref": case_ref,
                    "reason": reason,
                    "scope": str(parsed),
                    "expires_at": row.expires_at.isoformat(),
                    "hours": hours,
                    "needs_approval": needs_approval,
                    **who.audit_details(),
                },
            )
            return self._view(row, user.username, who, 0)

    @staticmethod
    def _target(repo: GrantRepo, username: str | None, user_id: str | None) -> User:
        if username is not None:
            user = repo.user_by_username(username.strip().lower())
        else:
            user = repo.user(user_id) if user_id is not None and is_valid_id(user_id) else None
        if user is None:
            raise NotFound("no such user")
        return user

    def list_for_staff(self, who: StaffIdentity) -> list[GrantView]:
        """The staff member's own grants, newest first (expired ones flipped)."""
        who.require(*ROLES)
        now = self._clock()
        with self._db.transaction(scope="staff") as s:
            repo = GrantRepo(s)
            found = repo.for_staff(who.staff_id)
            for row, _name in found:
                _touch(row, now)
            reads: dict[str, int] = {}
            for row, _name in found:
                act_for(s, row.user_id, scope="staff")  # its reads are in that user's log
                reads.update(repo.read_counts(row.user_id, [row.id]))
            return [self._view(row, name, who, reads.get(row.id, 0)) for row, name in found]

    def get_for_staff(self, who: StaffIdentity, grant_id: str) -> GrantView:
        """One of the staff member's own grants (no content)."""
        who.require(*ROLES)
        now = self._clock()
        with self._db.transaction(scope="staff") as s:
            repo = GrantRepo(s)
            row = self._own(repo, who, grant_id, "no such access grant")
            _touch(row, now)
            act_for(s, row.user_id, scope="staff")  # its reads are in that user's log
            user = repo.user(row.user_id)
            name = user.username if user is not None else ""
            reads = repo.read_counts(row.user_id, [row.id]).get(row.id, 0)
            return self._view(row, name, who, reads)

    def end(self, who: StaffIdentity, grant_id: str) -> GrantView:
        """The staff member ends their own pending or active grant early."""
        who.require(*ROLES)
        now = self._clock()
        with self._db.transaction(scope="staff") as s:
            repo = GrantRepo(s)
            row = self._own(repo, who, grant_id, "no such access grant")
            _touch(row, now)
            if row.status not in ("pending", "active"):
                raise Conflict(f"the grant is already {row.status}", code="grant_not_open")
            row.status = "revoked"
            row.ended_at = now
            act_for(s, row.user_id, scope="staff")  # its reads are in that user's log
            self._audit.append(
                s,
                actor="staff",
                action="access.revoked",
                subject_user_id=row.user_id,
                object_ref=row.id,
                details={"grant_id": row.id, "case_ref": row.case_ref, **who.audit_details()},
            )
            user = repo.user(row.user_id)
            reads = repo.read_counts(row.user_id, [row.id]).get(row.id, 0)
            return self._view(row, user.username if user else "", who, reads)

    @staticmethod
    def _own(repo: GrantRepo, who: StaffIdentity, grant_id: str, message: str) -> AccessGrant:
        # Missing and another staff member's are the same answer.
        row = repo.get(grant_id) if is_valid_id(grant_id) else None
        if row is None or row.staff_id != who.staff_id:
            raise NotFound(message)
        return row

    # --- staff: reading under a grant ----------------------------------------------------------
    def _usable(self, who: StaffIdentity, grant_id: str) -> _Usable:
        """The grant if it is this staff member's, active and unexpired, on an account that is
        not being deleted; else 404 (an expired grant is flipped on the way)."""
        who.require(*ROLES)
        now = self._clock()
        with self._db.transaction(scope="staff") as s:
            repo = GrantRepo(s)
            row = repo.get(grant_id) if is_valid_id(grant_id) else None
            if row is None or row.staff_id != who.staff_id:
                raise NotFound(_NO_GRANT)
            _touch(row, now)  # committed even though a 404 follows
            user = repo.user(row.user_id)
            usable = row.status == "active" and user is not None and user.status == "active"
            found = _Usable(row.id, row.user_id, row.case_ref, parse_scope(row.scope))
        if not usable:
            raise NotFound(_NO_GRANT)
        return found

    def _record_read(self, who: StaffIdentity, grant: _Usable, details: dict[str, Any]) -> None:
        """Check the grant again and write ``access.read`` in one transaction; if the grant
        ended while the content was read, refuse (nothing is returned)."""
        now = self._clock()
        with self._db.transaction(scope="staff") as s:
            row = GrantRepo(s).get(grant.id)
            if (
                row is None
                or row.staff_id != who.staff_id
                or row.status != "active"
                or as_utc(row.expires_at) <= now
            ):
                raise NotFound(_NO_GRANT)
            self._audit.append(
                s,
                actor="staff",
                action="access.read",
                subject_user_id=grant.user_id,
                object_ref=grant.id,
                details={
                    "grant_id": grant.id,
                    "case_ref": grant.case_ref,
                    "scope": str(grant.scope),
                    **who.audit_details(),
                    **details,
                },
            )

    def read_conversations(
        self, who: StaffIdentity, grant_id: str, *, limit: int = 50, offset: int = 0
    ) -> list[ConversationView]:
        """The conversations the grant covers, with titles (audited)."""
        grant = self._usable(who, grant_id)
        limit = _limit(limit)
        if grant.scope.kind == "memories":
            raise NotFound(_NO_GRANT)
        if grant.scope.kind == "conversation":
            assert grant.scope.conversation_id is not None  # noqa: S101 - parse_scope sets it
            one = self._conversations.get(grant.user_id, grant.scope.conversation_id)
            views = [one] if offset == 0 else []
        else:
            views = self._conversations.list(
                grant.user_id, companion_id=None, limit=limit, offset=max(0, offset)
            )
        ids = [v.id for v in views]
        self._record_read(
            who, grant, {"read": "conversations", "conversation_ids": ids, "count": len(ids)}
        )
        return views

    def read_messages(
        self,
        who: StaffIdentity,
        grant_id: str,
        conversation_id: str,
        *,
        before: int | None = None,
        limit: int = 100,
    ) -> MessagePage:
        """A page of one conversation's messages, if the grant covers it (audited)."""
        grant = self._usable(who, grant_id)
        limit = _limit(limit)
        if not grant.scope.allows_conversation(conversation_id):
            raise NotFound(_NO_GRANT)
        page = self._conversations.messages(
            grant.user_id, conversation_id, before=before, limit=limit
        )
        ids = [m.id for m in page.items]
        self._record_read(
            who,
            grant,
            {
                "read": "messages",
                "conversation_id": conversation_id,
                "message_ids": ids,
                "count": len(ids),
            },
        )
        return page

    def read_memories(
        self, who: StaffIdentity, grant_id: str, *, limit: int = 100, offset: int = 0
    ) -> tuple[list[MemoryView], int]:
        """The user's memories, if the grant is for memories (audited): (page, total)."""
        grant = self._usable(who, grant_id)
        limit = _limit(limit)
        if grant.scope.kind != "memories":
            raise NotFound(_NO_GRANT)
        items, total = self._memory.list(grant.user_id, limit=limit, offset=max(0, offset))
        ids = [m.id for m in items]
        self._record_read(who, grant, {"read": "memories", "memory_ids": ids, "count": len(ids)})
        return items, total

    # --- the user ------------------------------------------------------------------------------
    def list_for_user(self, user_id: str) -> list[GrantView]:
        """Every request and grant on the user's account, newest first, with how many reads
        each has had (expired ones flipped)."""
        now = self._clock()
        with self._db.transaction(user_id) as s:
            repo = GrantRepo(s)
            found = repo.for_user(user_id)
            for row, _member in found:
                _touch(row, now)
            user = repo.user(user_id)
            name = user.username if user is not None else ""
            reads = repo.read_counts(user_id, [row.id for row, _m in found])
            return [self._view(row, name, m, reads.get(row.id, 0)) for row, m in found]

    def pending_count(self, user_id: str) -> int:
        """Requests waiting for the user's answer (the pages' banner)."""
        with self._db.reader(user_id) as s:
            return GrantRepo(s).count_pending(user_id, self._clock())

    def approve(self, user_id: str, grant_id: str) -> GrantView:
        """Approve a pending request: it runs for its duration from now."""
        return self._decide(user_id, grant_id, approve=True)

    def deny(self, user_id: str, grant_id: str) -> GrantView:
        return self._decide(user_id, grant_id, approve=False)

    def _decide(self, user_id: str, grant_id: str, *, approve: bool) -> GrantView:
        now = self._clock()
        with self._db.transaction(user_id) as s:
            repo = GrantRepo(s)
            row = self._users(repo, user_id, grant_id)
            _touch(row, now)
            if row.status != "pending":
                raise Conflict(f"the request is already {row.status}", code="grant_not_pending")
            if approve:
                duration = as_utc(row.expires_at) - as_utc(row.created_at)
                row.status = "active"
                row.expires_at = now + duration
            else:
                row.status = "denied"
                row.ended_at = now
            row.decided_at = now
            self._audit.append(
                s,
                actor="user",
                action="access.approved" if approve else "access.denied",
                subject_user_id=user_id,
                object_ref=row.id,
                details={"grant_id": row.id, "case_ref": row.case_ref},
            )
            return self._user_view(repo, row)

    def revoke(self, user_id: str, grant_id: str) -> GrantView:
        """The user ends an active grant early."""
        now = self._clock()
        with self._db.transaction(user_id) as s:
            repo = GrantRepo(s)
            row = self._users(repo, user_id, grant_id)
            _touch(row, now)
            if row.status != "active":
                raise Conflict(f"the grant is already {row.status}", code="grant_not_active")
            row.status = "revoked"
            row.ended_at = now
            act_for(s, row.user_id, scope="staff")  # its reads are in that user's log
            self._audit.append(
                s,
                actor="user",
                action="access.revoked",
                subject_user_id=user_id,
                object_ref=row.id,
                details={"grant_id": row.id, "case_ref": row.case_ref},
            )
            return self._user_view(repo, row)

    @staticmethod
    def _users(repo: GrantRepo, user_id: str, grant_id: str) -> AccessGrant:
        row = repo.get(grant_id) if is_valid_id(grant_id) else None
        if row is None or row.user_id != user_id:
            raise NotFound("no such access request")
        return row

    def _user_view(self, repo: GrantRepo, row: AccessGrant) -> GrantView:
        member = repo.staff(row.staff_id)
        user = repo.user(row.user_id)
        if member is None or user is None:  # pragma: no cover - foreign keys forbid it
            raise NotFound("no such access request")
        reads = repo.read_counts(row.user_id, [row.id]).get(row.id, 0)
        return self._view(row, user.username, member, reads)
