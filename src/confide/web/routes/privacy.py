"""The consent ledger (P6) and the plain-words summary (P14) of what is stored, where it is
processed, how long each class of data is kept (from the running settings), which privacy
policy is in force and whether a notice of a material change awaits the user."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select

from confide.privacy.consent import PURPOSES, ConsentState
from confide.services import Services
from confide.settings import Settings
from confide.storage.tables import (
    Companion,
    Conversation,
    MemoryItem,
    Message,
    RightsRequest,
    SessionRow,
)
from confide.web.deps import IdentityDep, ServicesDep

router = APIRouter(tags=["privacy"])

PURPOSE_WORDS = {
    "memory": "Companions remember facts about you across conversations.",
    "model_improvement": "Your conversations may be used to train or tune models.",
    "analytics": "Your usage may be counted in product analytics.",
    "marketing": "We may send you news about the service.",
    "remote_unshielded": "Your messages reach the remote model with names, numbers and "
    "addresses as you wrote them (the PII shield is off). Only for a provider you trust.",
}


class ConsentOut(BaseModel):
    purpose: str
    granted: bool
    since: datetime | None
    policy_version: str | None
    description: str

    @classmethod
    def of(cls, state: ConsentState) -> ConsentOut:
        return cls(
            purpose=state.purpose,
            granted=state.granted,
            since=state.since,
            policy_version=state.policy_version,
            description=PURPOSE_WORDS[state.purpose],
        )


class ConsentsOut(BaseModel):
    policy_version: str
    consents: list[ConsentOut]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    granted: bool


class ConsentRecordOut(BaseModel):
    purpose: str
    granted: bool
    policy_version: str
    at: datetime


def _consents(services: Services, user_id: str) -> ConsentsOut:
    state = services.consents.state(user_id)
    return ConsentsOut(
        policy_version=services.consents.policy_version,
        consents=[ConsentOut.of(state[p]) for p in PURPOSES],
    )


@router.get("/api/privacy/consents", response_model=ConsentsOut)
def my_consents(who: IdentityDep, services: ServicesDep) -> ConsentsOut:
    return _consents(services, who.user_id)


@router.put("/api/privacy/consents/{purpose}", response_model=ConsentsOut)
def set_consent(
    purpose: str, body: ConsentIn, who: IdentityDep, services: ServicesDep
) -> ConsentsOut:
    """Grant (`{"granted": true}`) or withdraw (`{"granted": false}`): one call either way."""
    services.consents.set(who.user_id, purpose, body.granted)
    return _consents(services, who.user_id)


@router.get("/api/privacy/consents/history", response_model=list[ConsentRecordOut])
def consent_history(who: IdentityDep, services: ServicesDep) -> list[ConsentRecordOut]:
    return [
        ConsentRecordOut(
            purpose=r.purpose, granted=r.granted, policy_version=r.policy_version, at=r.at
        )
        for r in services.consents.history(who.user_id)
    ]


def _retention(st: Settings) -> list[dict[str, str]]:
    """The retention of each data class, in plain words, from the running settings."""
    grace = st.account_deletion_grace_days
    audit_days = st.retention_audit_details_days
    return [
        {
            "class": "messages",
            "what": "Companions, conversations and messages",
            "kept": "until you delete them or your account",
        },
        {
            "class": "memories",
            "what": "Memories and their history",
            "kept": "until you delete them or your account",
        },
        {
            "class": "sessions",
            "what": "Sign-in sessions",
            "kept": f"ended after {st.session_idle_days} days unused, {st.session_ttl_days} "
            "days at most, or when you sign out",
        },
        {
            "class": "closed_accounts",
            "what": "An account you asked to delete",
            "kept": (
                "unreadable at once; erased (your key destroyed, every row removed) "
                + (f"after {grace} days, during which you can cancel" if grace else "immediately")
            ),
        },
        {
            "class": "exports",
            "what": "Exports of your data",
            "kept": f"{st.export_ttl_hours} hours after they are ready, or until downloaded once",
        },
        {
            "class": "audit_details",
            "what": "Details of audit-log entries",
            "kept": (
                f"{audit_days} days, then removed (the entry itself, without details, stays "
                "so the log can still be verified)"
                if audit_days
                else "as long as your account; unreadable once it is erased"
            ),
        },
        {
            "class": "abuse_reports",
            "what": "Abuse reports and the messages you chose to include",
            "kept": f"{st.retention_abuse_reports_days} days after a decision",
        },
        {
            "class": "rights_requests",
            "what": "Your data-rights requests, their resolutions and your nominee",
            "kept": "as long as your account, so you can see how each was handled; answered "
            f"within {st.rights_request_due_days} days",
        },
        {
            "class": "consents",
            "what": "Your consent choices and policy acknowledgements",
            "kept": "as long as your account (the record of what you agreed to)",
        },
    ]


def _summary(services: Services, user_id: str) -> dict[str, Any]:
    st = services.settings
    provider = services.provider
    with services.db.reader(user_id) as s:

        def count(table: Any, *where: Any) -> int:
            return int(s.scalar(select(func.count()).select_from(table).where(*where)) or 0)

        counts = {
            "companions": count(Companion, Companion.user_id == user_id),
            "conversations": count(Conversation, Conversation.user_id == user_id),
            "messages": count(Message, Message.user_id == user_id),
            "memories": count(MemoryItem, MemoryItem.user_id == user_id),
            "sessions": count(SessionRow, SessionRow.user_id == user_id),
            "rights_requests": count(RightsRequest, RightsRequest.user_id == user_id),
        }
    if provider.is_remote:
        shield = (
            "Email addresses, phone numbers, card, bank and id numbers, passwords and your "
            "name are replaced by placeholders before sending (the PII shield), and put back "
            "in the reply; if they cannot be checked, nothing is sent."
            if services.outbound.shielded_for(user_id)
            else "You turned the PII shield off: identifiers are sent as you wrote them."
        )
        where = (
            f"Replies are written by the model {provider.model} at {st.remote_base_url}: your "
            "messages, recalled memories and the companion's persona are sent there for each "
            f"reply and for memory extraction. {shield}"
        )
    else:
        where = (
            f"Replies are written by {provider.model}, running on this server. Nothing you "
            "write leaves this machine."
        )
    consents = services.consents.state(user_id)
    policy = services.policy.current()
    notice = services.policy.notice_for(user_id)
    retention = _retention(st)
    kept = {r["class"]: r["kept"] for r in retention}
    return {
        "stored": [
            {
                "what": "Your account",
                "detail": "username (readable, to log you in), email and date of birth "
                "(encrypted), a password hash",
                "retention": f"until you delete it; then {kept['closed_accounts']}",
            },
            {
                "what": "Companions, conversations and messages",
                "detail": f"{counts['companions']} companions, {counts['conversations']} "
                f"conversations, {counts['messages']} messages, encrypted with your own key",
                "retention": kept["messages"],
            },
            {
                "what": "Memories",
                "detail": f"{counts['memories']} memories with where each came from and its "
                "history, encrypted with your own key; see and change them under Memory",
                "retention": kept["memories"],
            },
            {
                "what": "Sign-in sessions",
                "detail": f"{counts['sessions']} sessions (only a hash of each token)",
                "retention": kept["sessions"],
            },
            {
                "what": "Audit log",
                "detail": "every access to and change of your data, with details encrypted "
                "with your key; read it under Audit",
                "retention": kept["audit_details"],
            },
            {
                "what": "Data-rights requests and nominee",
                "detail": f"{counts['rights_requests']} requests; your words, the answers and "
                "your nominee's contact details are encrypted with your key",
                "retention": kept["rights_requests"],
            },
        ],
        "retention": retention,
        "processing": where,
        "training": (
            "on: messages you write from now on may go into training exports, until you turn it off"
            if consents["model_improvement"].granted
            else "off: nothing you write goes into a training export"
        ),
        "memory": (
            "on: companions remember across conversations"
            if consents["memory"].granted
            else "off: nothing is extracted or recalled"
        ),
        "consents": {p: consents[p].granted for p in PURPOSES},
        "policy_version": policy.version,
        "policy": {
            "version": policy.version,
            "published_at": policy.published_at,
            "notice_pending": bool(notice),
        },
        "counts": counts,
    }


@router.get("/api/privacy/summary")
def privacy_summary(who: IdentityDep, services: ServicesDep) -> dict[str, Any]:
    """In plain words: what is stored about you, where it is processed, how long it is kept."""
    return _summary(services, who.user_id)


@router.get("/privacy/summary", include_in_schema=True)
def privacy_summary_alias(who: IdentityDep, services: ServicesDep) -> dict[str, Any]:
    """The same as `/api/privacy/summary`."""
    return _summary(services, who.user_id)
