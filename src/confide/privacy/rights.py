"""Data-rights requests (access, correction, erasure, grievance) and nominees.

Threats handled: a request that is filed and forgotten, and a request read by people who have
no business reading it. Each request carries a due date (``rights_request_due_days`` after
filing) that the operator's listing sorts by, overdue first. The user's words, the operator's
resolution and the nominee's contact details are sealed under the user's own key, so they are
as private as the user's messages and become unreadable when the account is erased; the
operator's listing shows only kinds and dates, and opening a request's details is an audit
entry the user can read (``rights_request.viewed``).

A nominee is someone the user names to act for them (for instance after death or incapacity);
when the nominee asks out of band, the operator records the request with ``file_for(...,
by_nominee=True)``, which is refused unless the user registered a nominee.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.clock import Clock, as_utc
from confide.errors import Conflict, InvalidInput, NotFound
from confide.ids import is_valid_id, new_id
from confide.privacy.audit import AuditLog
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database, act_for
from confide.storage.tables import Nominee, RightsRequest, User

__all__ = [
    "MAX_DETAILS_CHARS",
    "MAX_NOMINEE_FIELD_CHARS",
    "REQUEST_KINDS",
    "InvalidRequestText",
    "NomineeView",
    "OpenRequestRow",
    "OperatorRequestView",
    "RequestKind",
    "RequestView",
    "RightsService",
]

RequestKind = Literal["access", "correction", "erasure", "grievance"]
REQUEST_KINDS: tuple[RequestKind, ...] = ("access", "correction", "erasure", "grievance")
MAX_DETAILS_CHARS = 4000
MAX_NOMINEE_FIELD_CHARS = 200


class InvalidRequestText(InvalidInput):
    """A request's details or resolution is empty or too long (HTTP 400)."""

    code = "invalid_details"
    status = 400


@dataclass(frozen=True, slots=True)
class RequestView:
    """One request as its user (or an operator opening it) sees it."""

    id: str
    kind: str
    status: str  # open | closed | withdrawn
    filed_by: str  # user | nominee
    details: str
    resolution: str | None
    filed_at: datetime
    due_at: datetime
    closed_at: datetime | None

    def __repr__(self) -> str:  # the user's words stay out of logs and tracebacks
        return f"RequestView(id={self.id!r}, kind={self.kind!r}, status={self.status!r})"


@dataclass(frozen=True, slots=True)
class NomineeView:
    name: str
    contact: str
    relationship: str
    updated_at: datetime

    def __repr__(self) -> str:
        return "NomineeView(<sealed>)"


@dataclass(frozen=True, slots=True)
class OpenRequestRow:
    """A line of the operator's listing: no content, only who, what kind and when."""

    id: str
    username: str
    kind: str
    status: str
    filed_by: str
    filed_at: datetime
    due_at: datetime
    days_left: int  # whole days until due; negative: overdue by that many whole days
    is_overdue: bool  # open and past its due time (even by less than a day)


@dataclass(frozen=True, slots=True)
class OperatorRequestView:
    """A request opened by an operator: the details, and the user's registered nominee."""

    request: RequestView
    username: str
    nominee: NomineeView | None


def check_kind(kind: str) -> RequestKind:
    for k in REQUEST_KINDS:
        if k == kind:
            return k
    raise InvalidInput(
        f"kind must be one of: {', '.join(REQUEST_KINDS)}", code="unknown_request_kind"
    )


def _whole_days(delta: timedelta) -> int:
    """Whole days in ``delta``, rounded towards zero (-10 days and 3 hours: -10)."""
    return delta.days if delta >= timedelta(0) else -((-delta).days)


def _text(value: str, what: str, limit: int = MAX_DETAILS_CHARS) -> str:
    value = value.strip()
    if not value:
        raise InvalidRequestText(f"{what} must not be empty")
    if len(value) > limit:
        raise InvalidRequestText(f"{what} must be at most {limit} characters")
    return value


class RightsService:
    def __init__(
        self, settings: Settings, db: Database, vault: Vault, clock: Clock, audit: AuditLog
    ) -> None:
        self._settings = settings
        self._db = db
        self._vault = vault
        self._clock = clock
        self._audit = audit

    # --- requests: the user -------------------------------------------------------------------
    def file(self, user_id: str, kind: str, details: str) -> RequestView:
        """File a request in the user's name; due ``rights_request_due_days`` from now."""
        return self._file(user_id, kind, details, filed_by="user", actor="user")

    def _file(
        self,
        user_id: str,
        kind: str,
        details: str,
        *,
        filed_by: Literal["user", "nominee"],
        actor: Literal["user", "operator"],
    ) -> RequestView:
        kind = check_kind(kind)
        details = _text(details, "details")
        now = self._clock()
        due = now + timedelta(days=self._settings.rights_request_due_days)
        rid = new_id()
        with self._db.transaction(user_id) as s:
            s.add(
                RightsRequest(
                    id=rid,
                    user_id=user_id,
                    kind=kind,
                    status="open",
                    filed_by=filed_by,
                    details_ct=self._vault.seal(
                        user_id, "rights_requests", "details_ct", rid, details
                    ),
                    created_at=now,
                    due_at=due,
                )
            )
            self._audit.append(
                s,
                actor=actor,
                action="rights_request.filed",
                subject_user_id=user_id,
                object_ref=rid,
                details={"kind": kind, "due_at": due.isoformat(), "filed_by": filed_by},
            )
        return RequestView(rid, kind, "open", filed_by, details, None, now, due, None)

    def list_mine(self, user_id: str) -> list[RequestView]:
        """The user's requests, newest first, with the resolution of closed ones."""
        with self._db.reader(user_id) as s:
            rows = s.scalars(
                select(RightsRequest)
                .where(RightsRequest.user_id == user_id)
                .order_by(RightsRequest.created_at.desc(), RightsRequest.id)
            ).all()
            return [self._view(r) for r in rows]

    def get_mine(self, user_id: str, request_id: str) -> RequestView:
        with self._db.reader(user_id) as s:
            return self._view(self._owned(s, user_id, request_id))

    def withdraw(self, user_id: str, request_id: str) -> RequestView:
        """Withdraw an open request (one the user or their nominee filed)."""
        with self._db.transaction(user_id) as s:
            row = self._owned(s, user_id, request_id)
            if row.status != "open":
                raise Conflict(f"the request is already {row.status}", code="request_not_open")
            row.status = "withdrawn"
            row.closed_at = self._clock()
            self._audit.append(
                s,
                actor="user",
                action="rights_request.withdrawn",
                subject_user_id=user_id,
                object_ref=row.id,
                details={"kind": row.kind},
            )
            return self._view(row)

    @staticmethod
    def _owned(s: Session, user_id: str, request_id: str) -> RightsRequest:
        # Missing and not-yours are the same answer (errors.NotFound).
        row = s.get(RightsRequest, request_id) if is_valid_id(request_id) else None
        if row is None or row.user_id != user_id:
            raise NotFound("no such request")
        return row

    def _view(self, row: RightsRequest) -> RequestView:
        uid = row.user_id
        return RequestView(
            id=row.id,
            kind=row.kind,
            status=row.status,
            filed_by=row.filed_by,
            details=self._vault.open_text(
                uid, "rights_requests", "details_ct", row.id, row.details_ct
            ),
            resolution=self._vault.open_optional(
                uid, "rights_requests", "resolution_ct", row.id, row.resolution_ct
            ),
            filed_at=as_utc(row.created_at),
            due_at=as_utc(row.due_at),
            closed_at=None if row.closed_at is None else as_utc(row.closed_at),
        )

    # --- requests: the operator ---------------------------------------------------------------
    def list_open(self, *, include_closed: bool = False) -> list[OpenRequestRow]:
        """Open requests by due date (overdue first), then with ``include_closed`` the closed
        and withdrawn ones, newest first. No content is decrypted."""
        now = self._clock()
        stmt = select(RightsRequest, User.username).join(User, User.id == RightsRequest.user_id)
        if not include_closed:
            stmt = stmt.where(RightsRequest.status == "open")
        with self._db.reader(scope="operator") as s:
            found = s.execute(stmt).all()
        rows = [
            OpenRequestRow(
                id=r.id,
                username=username,
                kind=r.kind,
                status=r.status,
                filed_by=r.filed_by,
                filed_at=as_utc(r.created_at),
                due_at=as_utc(r.due_at),
                days_left=_whole_days(as_utc(r.due_at) - now),
                is_overdue=r.status == "open" and as_utc(r.due_at) < now,
            )
            for r, username in found
        ]
        open_rows = sorted((r for r in rows if r.status == "open"), key=lambda r: r.due_at)
        done = sorted((r for r in rows if r.status != "open"), key=lambda r: r.filed_at)
        return open_rows + done[::-1]

    def show(self, request_id: str) -> OperatorRequestView:
        """Open a request's details (and the user's nominee) for an operator; audited in the
        user's own log."""
        with self._db.transaction(scope="operator") as s:
            row = s.get(RightsRequest, request_id) if is_valid_id(request_id) else None
            if row is None:
                raise NotFound("no such request")
            act_for(s, row.user_id, scope="operator")  # this request's account: its nominee
            user = s.get(User, row.user_id)
            if user is None:  # pragma: no cover - the foreign key forbids it
                raise NotFound("no such request")
            view = self._view(row)
            nominee = self._nominee(s, row.user_id)
            self._audit.append(
                s,
                actor="operator",
                action="rights_request.viewed",
                subject_user_id=row.user_id,
                object_ref=row.id,
                details={"kind": row.kind},
            )
            return OperatorRequestView(view, user.username, nominee)

    def close(self, request_id: str, resolution: str) -> RequestView:
        """Close an open request with the operator's resolution (sealed; the user reads it)."""
        resolution = _text(resolution, "the resolution")
        with self._db.transaction(scope="operator") as s:
            row = s.get(RightsRequest, request_id) if is_valid_id(request_id) else None
            if row is None:
                raise NotFound("no such request")
            if row.status != "open":
                raise Conflict(f"the request is already {row.status}", code="request_not_open")
            row.status = "closed"
            row.closed_at = self._clock()
            row.resolution_ct = self._vault.seal(
                row.user_id, "rights_requests", "resolution_ct", row.id, resolution
            )
            self._audit.append(
                s,
                actor="operator",
                action="rights_request.closed",
                subject_user_id=row.user_id,
                object_ref=row.id,
                details={"kind": row.kind},
            )
            return self._view(row)

    def file_for(
        self, username: str, kind: str, details: str, *, by_nominee: bool = True
    ) -> RequestView:
        """Record a request made out of band (by post, by phone), by the user's registered
        nominee or, with ``by_nominee=False``, by the user themselves."""
        with self._db.reader(scope="operator") as s:
            user = s.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None:
                raise NotFound("no such user")
            act_for(s, user.id, scope="operator")
            if by_nominee and s.get(Nominee, user.id) is None:
                raise InvalidInput(
                    f"{user.username} has not registered a nominee", code="no_nominee"
                )
            user_id = user.id
        return self._file(
            user_id,
            kind,
            details,
            filed_by="nominee" if by_nominee else "user",
            actor="operator",
        )

    # --- nominee -----------------------------------------------------------------------------
    def set_nominee(
        self, user_id: str, *, name: str, contact: str, relationship: str
    ) -> NomineeView:
        """Name or replace the user's nominee (sealed)."""
        fields = {
            "name": _text(name, "name", MAX_NOMINEE_FIELD_CHARS),
            "contact": _text(contact, "contact", MAX_NOMINEE_FIELD_CHARS),
            "relationship": _text(relationship, "relationship", MAX_NOMINEE_FIELD_CHARS),
        }
        now = self._clock()
        sealed = self._vault.seal(
            user_id, "nominees", "details_ct", user_id, json.dumps(fields, sort_keys=True)
        )
        with self._db.transaction(user_id) as s:
            row = s.get(Nominee, user_id)
            replaced = row is not None
            if row is None:
                s.add(Nominee(user_id=user_id, details_ct=sealed, created_at=now, updated_at=now))
            else:
                row.details_ct = sealed
                row.updated_at = now
            self._audit.append(
                s,
                actor="user",
                action="nominee.set",
                subject_user_id=user_id,
                details={"replaced": replaced},
            )
        return NomineeView(fields["name"], fields["contact"], fields["relationship"], now)

    def get_nominee(self, user_id: str) -> NomineeView | None:
        with self._db.reader(user_id) as s:
            return self._nominee(s, user_id)

    def _nominee(self, s: Session, user_id: str) -> NomineeView | None:
        row = s.get(Nominee, user_id)
        if row is None:
            return None
        fields = json.loads(
            self._vault.open_text(user_id, "nominees", "details_ct", user_id, row.details_ct)
        )
        return NomineeView(
            str(fields["name"]),
            str(fields["contact"]),
            str(fields["relationship"]),
            as_utc(row.updated_at),
        )

    def remove_nominee(self, user_id: str) -> None:
        with self._db.transaction(user_id) as s:
            row = s.get(Nominee, user_id)
            if row is None:
                raise NotFound("no nominee is registered", code="no_nominee")
            s.delete(row)
            self._audit.append(s, actor="user", action="nominee.removed", subject_user_id=user_id)
