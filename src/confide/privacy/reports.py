"""Abuse reports, the safety review queue and enforcement decisions (promises P8 and P12).

Threats handled:

- A report used as a back door into a user's chats: a report carries only the messages its
  reporter ticked (1 to ``MAX_REPORT_MESSAGES`` of their own conversation) and their note. A
  copy of exactly those messages is sealed, under the reporter's own key, into the report;
  nothing else of the conversation is ever read for the safety team, and erasing the account
  crypto-shreds the report with everything else.
- Staff browsing: the queue shows metadata only (category, counts, dates, the reporter's
  username). Opening a report's messages needs the safety role and is an audit entry in the
  reporter's own log (``report.viewed``); an admin may list the queue but neither open nor
  decide a report.
- Silent or arbitrary enforcement: every decision (dismiss, warn, suspend, close, close as under
  age) and every lifted suspension needs a human reason of at least ``MIN_REASON_CHARS``
  characters. The reason is sealed under the affected user's key and shown to them as a notice
  and in their audit log, with the deciding staff member's id, username and role.
- Deciding twice, or racing another reviewer: a decided report refuses another decision (409).

The reporter's own account is the one a decision affects: conversations are private, so the
reporter is the only account involved.

    ReportService
    ├── file / list_mine / selectable           the reporter (a user session)
    ├── notices / mark_seen                      the affected user
    └── queue / show / decide / lift_suspension  the safety team (StaffIdentity)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

from confide.accounts.staff import StaffIdentity
from confide.chat.conversations import ConversationService, MessageView
from confide.clock import Clock, as_utc, as_utc_or_none
from confide.errors import Conflict, InvalidInput, NotFound
from confide.ids import is_valid_id, new_id
from confide.privacy.audit import AuditLog
from confide.privacy.erasure import ErasureService
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database, act_for
from confide.storage.repositories import AccountActionRepo, ReportRepo, SessionRepo, UserRepo
from confide.storage.tables import AbuseReport, AccountAction

__all__ = [
    "CATEGORIES",
    "MAX_NOTE_CHARS",
    "MAX_REASON_CHARS",
    "MAX_REPORT_MESSAGES",
    "MAX_SUSPENSION_DAYS",
    "MIN_REASON_CHARS",
    "OUTCOMES",
    "Category",
    "DecisionView",
    "DisclosedMessage",
    "NoticeView",
    "Outcome",
    "QueueRow",
    "ReportService",
    "ReportView",
    "StaffReportView",
]


Category = Literal["harmful_reply", "sexual_content", "self_harm_encouragement", "hate", "other"]
CATEGORIES: tuple[Category, ...] = (
    "harmful_reply",
    "sexual_content",
    "self_harm_encouragement",
    "hate",
    "other",
)
Outcome = Literal["dismiss", "warn", "suspend", "close", "close_under_age"]
OUTCOMES: tuple[Outcome, ...] = ("dismiss", "warn", "suspend", "close", "close_under_age")
MAX_REPORT_MESSAGES = 50
MAX_NOTE_CHARS = 2000
MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 2000
MAX_SUSPENSION_DAYS = 3650
# Around the message a user chose to report, the form offers this many to tick.
FORM_WINDOW = MAX_REPORT_MESSAGES

# The audit action each account action records. Dismissing changes nothing on the account;
# ErasureService.close_under_age records its own ``account.closed_under_age``.
_AUDIT_ACTIONS = {
    "warn": "account.warned",
    "suspend": "account.suspended",
    "close": "account.closed_by_staff",
    "lift": "account.suspension_lifted",
}


@dataclass(frozen=True, slots=True)
class DisclosedMessage:
    """One message as the reporter disclosed it: who wrote it, what it said, when."""

    role: str  # user | assistant
    text: str
    at: datetime

    def __repr__(self) -> str:
        return f"DisclosedMessage(role={self.role!r}, text=<hidden>)"


@dataclass(frozen=True, slots=True)
class ReportView:
    """A report as its reporter sees it, with the decision once there is one."""

    id: str
    category: str
    status: str  # open | decided
    message_count: int
    created_at: datetime
    outcome: str | None
    decided_at: datetime | None
    reason: str | None  # the reviewer's reason, once decided

    def __repr__(self) -> str:
        return f"ReportView(id={self.id!r}, status={self.status!r}, outcome={self.outcome!r})"


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A line of the safety queue: metadata only, nothing decrypted."""

    id: str
    category: str
    status: str
    message_count: int
    created_at: datetime
    username: str
    outcome: str | None
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class StaffReportView:
    """A report opened by a safety reviewer: the disclosed messages and the note."""

    id: str
    user_id: str
    username: str
    category: str
    status: str
    created_at: datetime
    messages: list[DisclosedMessage]
    note: str
    outcome: str | None
    decided_at: datetime | None
    reason: str | None

    def __repr__(self) -> str:
        return f"StaffReportView(id={self.id!r}, status={self.status!r}, content=<hidden>)"


@dataclass(frozen=True, slots=True)
class NoticeView:
    """An enforcement action on the user's account, as shown to them."""

    id: str
    action: str  # warn | suspend | lift | close | close_under_age
    reason: str
    until: datetime | None  # suspensions: when it ends (None: until lifted)
    created_at: datetime
    report_id: str | None
    seen_at: datetime | None
    is_new: bool  # not seen before this read

    def __repr__(self) -> str:
        return f"NoticeView(id={self.id!r}, action={self.action!r}, reason=<hidden>)"


@dataclass(frozen=True, slots=True)
class DecisionView:
    report_id: str
    user_id: str
    outcome: str
    action_id: str | None  # the account action recorded (None for dismiss)
    until: datetime | None
    decided_at: datetime


def check_category(category: str) -> Category:
    for c in CATEGORIES:
        if c == category:
            return c
    raise InvalidInput(
        f"category must be one of: {', '.join(CATEGORIES)}", code="unknown_report_category"
    )


def check_outcome(outcome: str) -> Outcome:
    for o in OUTCOMES:
        if o == outcome:
            return o
    raise InvalidInput(f"outcome must be one of: {', '.join(OUTCOMES)}", code="unknown_outcome")


def check_reason(reason: str) -> str:
    """A decision's reason: a person's words, ``MIN_REASON_CHARS`` to ``MAX_REASON_CHARS``."""
    reason = reason.strip()
    if len(reason) < MIN_REASON_CHARS:
        raise InvalidInput(
            f"a decision needs a reason of at least {MIN_REASON_CHARS} characters",
            code="reason_required",
        )
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(
            f"the reason must be at most {MAX_REASON_CHARS} characters", code="reason_too_long"
        )
    return reason


def _check_selection(message_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(m.strip() for m in message_ids if m.strip()))
    if not ids:
        raise InvalidInput("select at least one message to report", code="no_messages_selected")
    if len(ids) > MAX_REPORT_MESSAGES:
        raise InvalidInput(
            f"a report may carry at most {MAX_REPORT_MESSAGES} messages",
            code="too_many_messages",
        )
    return ids


def _check_days(outcome: Outcome, days: int | None) -> int | None:
    if days is None:
        return None
    if outcome != "suspend":
        raise InvalidInput("days applies only to a suspension", code="days_not_allowed")
    if not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise InvalidInput(f"days must be between 1 and {MAX_SUSPENSION_DAYS}", code="invalid_days")
    return days


class ReportService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        vault: Vault,
        clock: Clock,
        audit: AuditLog,
        conversations: ConversationService,
        erasure: ErasureService,
    ) -> None:
        self._settings = settings
        self._db = db
        self._vault = vault
        self._clock = clock
        self._audit = audit
        self._conversations = conversations
        self._erasure = erasure

    # --- sealed content --------------------------------------------------------------------
    def _seal(self, user_id: str, report_id: str, content: dict[str, Any]) -> bytes:
        blob = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return self._vault.seal(user_id, "abuse_reports", "content_ct", report_id, blob)

    def _open(self, row: AbuseReport) -> dict[str, Any]:
        """The report's sealed content; Conflict once the reporter's key is destroyed."""
        try:
            text = self._vault.open_text(
                row.user_id, "abuse_reports", "content_ct", row.id, row.content_ct
            )
        except NotFound:  # the key store has no key: the account was erased
            raise Conflict(
                "the reporter's account has been erased; the report is unreadable",
                code="account_erased",
            ) from None
        content: dict[str, Any] = json.loads(text)
        return content

    # --- the reporter ------------------------------------------------------------------------
    def selectable(
        self, user_id: str, conversation_id: str, *, around: str | None = None
    ) -> list[MessageView]:
        """The messages the report form offers to tick: up to ``FORM_WINDOW`` of the user's
        own conversation, around the message ``around`` (else the latest), oldest first."""
        before = None
        if around:
            chosen = self._conversations.get_message(user_id, around)
            if chosen.conversation_id != conversation_id:
                raise NotFound("no such message")
            before = chosen.seq + FORM_WINDOW // 2
        page = self._conversations.messages(
            user_id, conversation_id, before=before, limit=FORM_WINDOW
        )
        return page.items

    def file(
        self,
        user_id: str,
        conversation_id: str,
        message_ids: Sequence[str],
        category: str,
        note: str = "",
    ) -> ReportView:
        """Report messages of the user's own conversation; only those are copied (sealed
        under the user's key) for the safety team. Unknown or foreign ids: NotFound."""
        checked = check_category(category)
        ids = _check_selection(message_ids)
        note = note.strip()
        if len(note) > MAX_NOTE_CHARS:
            raise InvalidInput(
                f"the note must be at most {MAX_NOTE_CHARS} characters", code="note_too_long"
            )
        if not is_valid_id(conversation_id) or not all(is_valid_id(m) for m in ids):
            raise NotFound("no such message")
        now = self._clock()
        report_id = new_id()
        with self._db.transaction(user_id) as s:
            repo = ReportRepo(s)
            rows = repo.messages_in(user_id, conversation_id, ids)
            if len(rows) != len(ids):  # missing and not-yours are the same answer
                raise NotFound("no such message")
            disclosed = [self._conversations.message_view(user_id, r) for r in rows]
            content = {
                "messages": [
                    {"role": m.role, "text": m.content, "at": m.created_at.isoformat()}
                    for m in disclosed
                ],
                "note": note,
            }
            repo.add(
                AbuseReport(
                    id=report_id,
                    user_id=user_id,
                    conversation_id=conversation_id,
                    category=checked,
                    content_ct=self._seal(user_id, report_id, content),
                    message_count=len(rows),
                    status="open",
                    created_at=now,
                )
            )
            self._audit.append(
                s,
                actor="user",
                action="report.filed",
                subject_user_id=user_id,
                object_ref=report_id,
                details={"report_id": report_id, "category": checked, "messages": len(rows)},
            )
        return ReportView(report_id, checked, "open", len(rows), now, None, None, None)

    def list_mine(self, user_id: str) -> list[ReportView]:
        """The user's reports, newest first, with each decision and its reason."""
        with self._db.reader(user_id) as s:
            rows = ReportRepo(s).list_for(user_id)
        return [self._reporter_view(r) for r in rows]

    def _reporter_view(self, row: AbuseReport) -> ReportView:
        reason = None
        if row.status == "decided":
            reason = self._open(row).get("decision_reason")
        return ReportView(
            id=row.id,
            category=row.category,
            status=row.status,
            message_count=row.message_count,
            created_at=as_utc(row.created_at),
            outcome=row.outcome,
            decided_at=as_utc_or_none(row.decided_at),
            reason=reason,
        )

    # --- the affected user -------------------------------------------------------------------
    def notices(self, user_id: str) -> list[NoticeView]:
        """The enforcement actions on the user's account, newest first; reading them marks
        them seen (``is_new`` says which were unseen until now)."""
        now = self._clock()
        with self._db.transaction(user_id) as s:
            repo = AccountActionRepo(s)
            rows = repo.list_for(user_id)
            views = [self._notice(r, seen_now=now) for r in rows]
            repo.mark_seen(user_id, now)
        return views

    def unseen_count(self, user_id: str) -> int:
        """How many notices the user has not read yet (the pages' banner)."""
        with self._db.reader(user_id) as s:
            return AccountActionRepo(s).count_unseen(user_id)

    def mark_seen(self, user_id: str, action_id: str) -> NoticeView:
        now = self._clock()
        with self._db.transaction(user_id) as s:
            repo = AccountActionRepo(s)
            row = repo.get_for(user_id, action_id) if is_valid_id(action_id) else None
            if row is None:
                raise NotFound("no such notice")
            view = self._notice(row, seen_now=now)
            if row.seen_at is None:
                row.seen_at = now
        return view

    def _notice(self, row: AccountAction, *, seen_now: datetime) -> NoticeView:
        return NoticeView(
            id=row.id,
            action=row.action,
            reason=self._vault.open_text(
                row.user_id, "account_actions", "reason_ct", row.id, row.reason_ct
            ),
            until=as_utc_or_none(row.until),
            created_at=as_utc(row.created_at),
            report_id=row.report_id,
            seen_at=as_utc_or_none(row.seen_at) or seen_now,
            is_new=row.seen_at is None,
        )

    # --- the safety team ---------------------------------------------------------------------
    def queue(self, who: StaffIdentity, *, status: str | None = "open") -> list[QueueRow]:
        """Reports by status (``open``, ``decided``, or None for all): open ones oldest first
        (first come, first served), decided ones newest first. Nothing is decrypted."""
        who.require("safety", "admin")
        if status not in ("open", "decided", None):
            raise InvalidInput("status must be open, decided or all", code="unknown_status")
        with self._db.reader(scope="staff") as s:
            found = ReportRepo(s).queue(status)
        rows = [
            QueueRow(
                id=r.id,
                category=r.category,
                status=r.status,
                message_count=r.message_count,
                created_at=as_utc(r.created_at),
                username=username,
                outcome=r.outcome,
                decided_at=as_utc_or_none(r.decided_at),
            )
            for r, username in found
        ]
        waiting = [r for r in rows if r.status == "open"]
        done = [r for r in rows if r.status != "open"]
        done.sort(key=lambda r: r.decided_at or r.created_at, reverse=True)
        return waiting + done

    def show(self, who: StaffIdentity, report_id: str) -> StaffReportView:
        """Open a report's disclosed messages (safety role); audited in the reporter's log."""
        who.require("safety")
        with self._db.transaction(scope="staff") as s:
            row = ReportRepo(s).get(report_id) if is_valid_id(report_id) else None
            user = UserRepo(s).get(row.user_id) if row is not None else None
            if row is None or user is None:
                raise NotFound("no such report")
            content = self._open(row)
            self._audit.append(
                s,
                actor="staff",
                action="report.viewed",
                subject_user_id=row.user_id,
                object_ref=row.id,
                details={"report_id": row.id, **who.audit_details()},
            )
            return StaffReportView(
                id=row.id,
                user_id=row.user_id,
                username=user.username,
                category=row.category,
                status=row.status,
                created_at=as_utc(row.created_at),
                messages=[
                    DisclosedMessage(
                        str(m["role"]), str(m["text"]), datetime.fromisoformat(str(m["at"]))
                    )
                    for m in content.get("messages", [])
                ],
                note=str(content.get("note", "")),
                outcome=row.outcome,
                decided_at=as_utc_or_none(row.decided_at),
                reason=content.get("decision_reason"),
            )

    def decide(
        self,
        who: StaffIdentity,
        report_id: str,
        outcome: str,
        reason: str,
        *,
        days: int | None = None,
        min_age: int | None = None,
    ) -> DecisionView:
        """Decide an open report (safety role). The reason is sealed under the reporter's key
        and shown to them; ``suspend`` signs them out everywhere (for ``days``, or until
        lifted); ``close`` erases the account like a deletion, ``close_under_age`` closes and
        erases it at once (P12; ``min_age`` is the minimum age in force, for the record)."""
        who.require("safety")
        checked = check_outcome(outcome)
        reason = check_reason(reason)
        days = _check_days(checked, days)
        now = self._clock()
        until = now + timedelta(days=days) if days is not None else None
        action_id = None if checked == "dismiss" else new_id()
        with self._db.transaction(scope="staff") as s:
            repo = ReportRepo(s)
            row = repo.get(report_id) if is_valid_id(report_id) else None
            if row is None:
                raise NotFound("no such report")
            user_id = row.user_id
            act_for(s, user_id, scope="staff")  # the decision writes to the reporter's rows
            content = self._open(row)
            if not repo.decide(row.id, outcome=checked, staff_id=who.staff_id, now=now):
                raise Conflict("the report is already decided", code="report_already_decided")
            row.content_ct = self._seal(user_id, row.id, {**content, "decision_reason": reason})
            staff = who.audit_details()
            self._audit.append(
                s,
                actor="staff",
                action="report.decided",
                subject_user_id=user_id,
                object_ref=row.id,
                details={"report_id": row.id, "outcome": checked, "reason": reason, **staff},
            )
            if action_id is not None:
                self._record_action(
                    s, user_id, action_id, checked, reason, who, now, report_id=row.id, until=until
                )
            if checked == "suspend":
                self._suspend(s, user_id, now, until)
        self._close_if_decided(checked, user_id, who, row_id=report_id, min_age=min_age)
        return DecisionView(report_id, user_id, checked, action_id, until, now)

    def lift_suspension(self, who: StaffIdentity, user_id: str, reason: str) -> NoticeView:
        """End a suspension early (safety role), with a reason the user reads."""
        who.require("safety")
        reason = check_reason(reason)
        now = self._clock()
        action_id = new_id()
        with self._db.transaction(user_id) as s:
            user = UserRepo(s).get(user_id) if is_valid_id(user_id) else None
            if user is None:
                raise NotFound("no such account")
            if user.suspended_at is None:
                raise Conflict("the account is not suspended", code="not_suspended")
            user.suspended_at = None
            user.suspended_until = None
            row = self._record_action(s, user_id, action_id, "lift", reason, who, now)
            view = self._notice(row, seen_now=now)
        return view

    def _record_action(
        self,
        s: Session,
        user_id: str,
        action_id: str,
        action: str,
        reason: str,
        who: StaffIdentity,
        now: datetime,
        *,
        report_id: str | None = None,
        until: datetime | None = None,
    ) -> AccountAction:
        """The notice the affected user reads, and its account.* audit entry."""
        row = AccountAction(
            id=action_id,
            user_id=user_id,
            action=action,
            reason_ct=self._vault.seal(user_id, "account_actions", "reason_ct", action_id, reason),
            report_id=report_id,
            staff_id=who.staff_id,
            created_at=now,
            until=until,
        )
        AccountActionRepo(s).add(row)
        audit_action = _AUDIT_ACTIONS.get(action)
        if audit_action is not None:
            details: dict[str, Any] = {"reason": reason, **who.audit_details()}
            if report_id is not None:
                details["report_id"] = report_id
            if action == "suspend":
                details["until"] = until.isoformat() if until else "until lifted"
            self._audit.append(
                s,
                actor="staff",
                action=audit_action,
                subject_user_id=user_id,
                object_ref=action_id,
                details=details,
            )
        return row

    @staticmethod
    def _suspend(s: Session, user_id: str, now: datetime, until: datetime | None) -> None:
        user = UserRepo(s).get(user_id)
        if user is None:  # pragma: no cover - the report's foreign key forbids it
            raise NotFound("no such account")
        user.suspended_at = now
        user.suspended_until = until
        SessionRepo(s).delete_all(user_id)  # signed out everywhere, at once

    def _close_if_decided(
        self,
        outcome: Outcome,
        user_id: str,
        who: StaffIdentity,
        *,
        row_id: str,
        min_age: int | None,
    ) -> None:
        """Erase a closed account, after the decision and its notice are committed (erasure
        destroys the key the reason is sealed under; the audit entries remain)."""
        if outcome == "close":
            self._erasure.delete_account(user_id, immediate=True, actor="staff")
        elif outcome == "close_under_age":
            self._erasure.close_under_age(
                user_id,
                actor="staff",
                details={
                    "min_age": self._settings.min_age if min_age is None else min_age,
                    "report_id": row_id,
                    **who.audit_details(),
                },
            )
        else:
            return
        # The key is destroyed already; the rows go now (else at the next retention run).
        self._erasure.purge_user(user_id)
