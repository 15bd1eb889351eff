"""The privacy center: what is stored and where it is processed, consents, exports, every
erasure, the audit timeline and the active sessions (promises P3, P5, P6, P9, P13, P14).

Every page here reads and changes only the signed-in user's own data: handlers pass
``who.user_id`` to the services, which look every id from the URL up under it (404 otherwise).

Threats handled:
- An erasure by accident, or from a stolen session: each erasure has a confirmation step that
  works without JavaScript (a confirm checkbox, checked again here); deleting the account needs
  the password again, which counts against the log-in budget.
- An export archive reaching someone else: the single-use link is minted on each click and the
  browser is sent straight to it; the link itself never appears on a page.
- A closed account still signed in somewhere: deleting the account ends every session and
  clears this browser's cookie; cancelling needs the username and password (rate-limited like
  log-in) on a form of its own, before any session exists.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from confide.accounts.service import Identity
from confide.clock import as_utc
from confide.errors import ConfideError, InvalidInput, NotFound
from confide.privacy.audit import ACTIONS, EntryView
from confide.privacy.consent import PURPOSES
from confide.services import Services
from confide.web.deps import SESSION_COOKIE, ClientDep, ServicesDep
from confide.web.pages.common import (
    FormUserDep,
    ViewerDep,
    password_form_sign_in,
    pre_session_form,
    render,
    see_other,
    to_login,
)
from confide.web.routes.privacy import PURPOSE_WORDS, privacy_summary

router = APIRouter(include_in_schema=False)

PURPOSE_LABELS = {
    "memory": "Memory",
    "model_improvement": "Model improvement (training)",
    "analytics": "Analytics",
    "marketing": "Marketing",
    "remote_unshielded": "Send identifiers to the remote model unshielded",
}

EXPORT_STATUS_WORDS = {
    "queued": "Waiting to start",
    "running": "Being prepared",
    "ready": "Ready to download",
    "downloaded": "Downloaded (the archive is deleted)",
    "expired": "Expired (the archive is deleted)",
    "failed": "Failed",
}

# What a redirect after a form may announce: fixed sentences only, so nothing from the URL is
# ever shown on the page. ``{n}`` is an integer, ``{purpose}`` a label from PURPOSE_LABELS.
NOTICES = {
    "consent_on": "{purpose} is now on. You can turn it off here at any time.",
    "consent_off": "{purpose} is now off, from this moment on.",
    "export": "Your export was requested; its progress is shown below.",
    "export_discarded": "The export and its archive were deleted.",
    "conversations_deleted": "Conversations deleted, with everything in them: {n}.",
    "memories_deleted": "Memories deleted: {n}.",
    "sessions_ended": "Other sessions signed out: {n}.",
    "session_ended": "That session is signed out.",
    "deletion_cancelled": "The deletion of your account is cancelled. Welcome back: "
    "everything is as it was.",
}

CONFIRM_MISSING = "tick the box to confirm; nothing was deleted"


# --- small helpers -------------------------------------------------------------------------
def countdown(when: datetime | None, now: datetime) -> str:
    """How long until ``when``, in words: ``in 2 days 3 hours``; ``passed`` once it has."""
    if when is None:
        return ""
    seconds = (as_utc(when) - now).total_seconds()
    if seconds <= 0:
        return "passed"
    # Whole minutes, rounded up: a date 30 days away a moment ago still reads "in 30 days".
    days, rest = divmod(math.ceil(seconds / 60), 1440)
    hours, minutes = divmod(rest, 60)

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        parts = [unit(days, "day")] + ([unit(hours, "hour")] if hours else [])
    elif hours:
        parts = [unit(hours, "hour")] + ([unit(minutes, "minute")] if minutes else [])
    else:
        parts = [unit(minutes, "minute")]
    return "in " + " ".join(parts)


def _notice(done: str | None, n: int | None, purpose: str | None) -> str | None:
    template = NOTICES.get(done or "")
    if template is None:
        return None
    return template.format(n=n or 0, purpose=PURPOSE_LABELS.get(purpose or "", "That purpose"))


def _confirmed(value: str) -> bool:
    return value == "yes"


def _where_processed(services: Services) -> str:
    provider = services.provider
    if provider.is_remote:
        return f"remote: {provider.name}/{provider.model}"
    return f"local model {provider.model}, on this server"


# --- the center --------------------------------------------------------------------------------
def _stored(services: Services, who: Identity, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Each class of data: how many, where it is processed, how long it is kept."""
    counts = summary["counts"]
    kept = {r["class"]: r["kept"] for r in summary["retention"]}
    model = _where_processed(services)
    here = "only on this server"
    rows = [
        ("Companions", counts["companions"], model, "messages"),
        ("Conversations", counts["conversations"], here, "messages"),
        ("Messages", counts["messages"], model, "messages"),
        ("Memories", counts["memories"], model, "memories"),
        ("Sign-in sessions", counts["sessions"], here, "sessions"),
        ("Exports", len(services.exports.list(who.user_id)), here, "exports"),
        ("Data-rights requests", counts["rights_requests"], here, "rights_requests"),
        ("Consent records", len(services.consents.history(who.user_id)), here, "consents"),
    ]
    return [
        {"what": what, "count": count, "where": where, "kept": kept[retention]}
        for what, count, where, retention in rows
    ]


def _consents(services: Services, user_id: str) -> list[dict[str, Any]]:
    state = services.consents.state(user_id)
    return [
        {
            "purpose": p,
            "label": PURPOSE_LABELS[p],
            "description": PURPOSE_WORDS[p],
            "granted": state[p].granted,
            "since": state[p].since,
            "policy_version": state[p].policy_version,
        }
        for p in PURPOSES
    ]


def _center(
    request: Request,
    who: Identity,
    services: Services,
    *,
    status: int = 200,
    error: ConfideError | None = None,
    notice: str | None = None,
) -> Response:
    summary = privacy_summary(who, services)
    now = services.clock()
    exports = services.exports.list(who.user_id)
    return render(
        request,
        "privacy.html",
        who=who,
        status=status,
        error=error,
        notice=notice,
        summary=summary,
        stored=_stored(services, who, summary),
        where=_where_processed(services),
        consents=_consents(services, who.user_id),
        exports=exports,
        exports_busy=any(e.status in ("queued", "running") for e in exports),
        export_words=EXPORT_STATUS_WORDS,
        export_ttl_hours=services.settings.export_ttl_hours,
        sessions=services.accounts.list_sessions(who),
        companions=services.companions.list(who.user_id),
        grace_days=services.settings.account_deletion_grace_days,
        left=lambda when: countdown(when, now),
    )


@router.get("/privacy", response_class=HTMLResponse)
def privacy_center(
    request: Request,
    who: ViewerDep,
    services: ServicesDep,
    done: Annotated[str | None, Query(max_length=40)] = None,
    n: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
    purpose: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    if who is None:
        return to_login()
    return _center(request, who, services, notice=_notice(done, n, purpose))


# --- consents ----------------------------------------------------------------------------------
@router.post("/privacy/consents/{purpose}")
def consent_set(
    purpose: str,
    who: FormUserDep,
    services: ServicesDep,
    granted: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """One form per purpose; turning off is the same single step as turning on (P6)."""
    if granted not in ("on", "off"):
        raise InvalidInput("choose on or off")
    services.consents.set(who.user_id, purpose, granted == "on")
    return see_other(f"/privacy?done=consent_{granted}&purpose={purpose}#consents")


@router.get("/privacy/consents", response_class=HTMLResponse)
def consent_history(request: Request, who: ViewerDep, services: ServicesDep) -> Response:
    if who is None:
        return to_login()
    records = list(reversed(services.consents.history(who.user_id)))
    return render(
        request,
        "privacy_consents.html",
        who=who,
        records=records,
        labels=PURPOSE_LABELS,
        policy_version=services.consents.policy_version,
    )


# --- exports -----------------------------------------------------------------------------------
@router.post("/privacy/exports")
def export_request(
    request: Request, who: FormUserDep, services: ServicesDep, background: BackgroundTasks
) -> Response:
    try:
        services.exports.request(who.user_id)
    except ConfideError as exc:  # one is being prepared already
        return _center(request, who, services, status=exc.status, error=exc)
    # It starts at once, as through the API; the app's export loop picks up anything left.
    background.add_task(services.exports.run_pending)
    return see_other("/privacy?done=export#export")


@router.post("/privacy/exports/{export_id}/download")
def export_download(
    export_id: str, request: Request, who: FormUserDep, services: ServicesDep
) -> Response:
    """Mint the single-use link and send the browser to it: the archive comes as a download."""
    try:
        token, _expires = services.exports.create_link(who.user_id, export_id)
    except ConfideError as exc:  # used, expired, or not this user's
        return _center(request, who, services, status=exc.status, error=exc)
    return see_other(f"/api/exports/download/{token}")


@router.post("/privacy/exports/{export_id}/delete")
def export_discard(export_id: str, who: FormUserDep, services: ServicesDep) -> Response:
    services.exports.delete(who.user_id, export_id)
    return see_other("/privacy?done=export_discarded#export")


# --- erasure: conversations and memories -------------------------------------------------------
def _conversation_counts(
    services: Services, user_id: str, companion_id: str | None
) -> dict[str, int]:
    conversations = messages = offset = 0
    while True:
        page = services.conversations.list(
            user_id, companion_id=companion_id, limit=200, offset=offset
        )
        conversations += len(page)
        messages += sum(c.message_count for c in page)
        if len(page) < 200:
            return {"conversations": conversations, "messages": messages}
        offset += len(page)


def _erase_form(
    request: Request,
    who: Identity,
    services: Services,
    scope: str,
    companion_id: str | None,
    *,
    status: int = 200,
    error: ConfideError | None = None,
) -> Response:
    """The confirmation page of a bulk erasure (``scope``: conversations or memories)."""
    companion = services.companions.get(who.user_id, companion_id) if companion_id else None
    if scope == "conversations":
        counts = _conversation_counts(services, who.user_id, companion_id)
    else:
        _items, total = services.memory.list(who.user_id, companion_id=companion_id, limit=1)
        counts = {"memories": total}
    return render(
        request,
        "privacy_delete.html",
        who=who,
        status=status,
        error=error,
        scope=scope,
        companion=companion,
        counts=counts,
    )


@router.get("/privacy/erase/{scope}", response_class=HTMLResponse)
def erase_confirm(
    scope: str,
    request: Request,
    who: ViewerDep,
    services: ServicesDep,
    companion: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    if who is None:
        return to_login()
    if scope == "account":
        return _account_form(request, who, services)
    if scope not in ("conversations", "memories"):
        raise NotFound("no such page")
    return _erase_form(request, who, services, scope, companion or None)


@router.post("/privacy/erase/conversations")
@router.post("/privacy/erase/memories")
def erase_scope(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    companion: Annotated[str, Form(max_length=64)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """All conversations or all memories, or all of one companion's. Deleting conversations
    takes their messages and the memories drawn only from them (see
    ErasureService.delete_conversations)."""
    scope = request.url.path.rsplit("/", 1)[1]
    companion_id = companion or None
    if not _confirmed(confirm):
        return _erase_form(
            request,
            who,
            services,
            scope,
            companion_id,
            status=422,
            error=InvalidInput(CONFIRM_MISSING),
        )
    if scope == "conversations":
        erased = services.erasure.delete_conversations(who.user_id, companion_id=companion_id)
        n = len(erased.conversation_ids)
    else:
        n = services.erasure.delete_memories(who.user_id, companion_id=companion_id)
    return see_other(f"/privacy?done={scope}_deleted&n={n}#erase")


# --- erasure: the account ----------------------------------------------------------------------
def _account_form(
    request: Request,
    who: Identity,
    services: Services,
    *,
    status: int = 200,
    error: ConfideError | None = None,
) -> Response:
    grace = services.settings.account_deletion_grace_days
    now = services.clock()
    return render(
        request,
        "privacy_delete_account.html",
        who=who,
        status=status,
        error=error,
        counts=privacy_summary(who, services)["counts"],
        grace_days=grace,
        due=now + timedelta(days=grace),
    )


@router.post("/privacy/erase/account", response_class=HTMLResponse)
def erase_account(
    request: Request,
    who: FormUserDep,
    services: ServicesDep,
    background: BackgroundTasks,
    password: Annotated[str, Form(max_length=2048)] = "",
    immediate: Annotated[str, Form(max_length=10)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Close the account (password again), sign this browser out, show the signed receipt."""
    if not _confirmed(confirm):
        return _account_form(
            request, who, services, status=422, error=InvalidInput(CONFIRM_MISSING)
        )
    try:
        services.accounts.check_password(who, password, code="wrong_password")
    except ConfideError as exc:  # wrong password, or too many tries
        return _account_form(request, who, services, status=exc.status, error=exc)
    receipt = services.erasure.delete_account(who.user_id, immediate=_confirmed(immediate))
    if receipt.immediate:
        # The key is destroyed already; the rows go after the response (as the API does).
        background.add_task(services.erasure.purge_user, who.user_id)
    now = services.clock()
    response = render(
        request,
        "privacy_deleted.html",
        who=None,
        receipt=receipt,
        receipt_json=json.dumps(receipt.to_json(), indent=2, sort_keys=True),
        left=lambda when: countdown(when, now),
    )
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/deletion/cancel", response_class=HTMLResponse)
def cancel_deletion_form(request: Request, who: ViewerDep) -> Response:
    if who is not None:  # signed in: this account is not being deleted
        return see_other("/privacy")
    return pre_session_form(request, "privacy_cancel.html", username="", error=None)


@router.post("/account/deletion/cancel", response_class=HTMLResponse)
def cancel_deletion_submit(
    request: Request,
    services: ServicesDep,
    client: ClientDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=2048)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """During the grace period: the account comes back as it was, and this browser signs in."""
    return password_form_sign_in(
        request,
        csrf_token,
        "privacy_cancel.html",
        username,
        lambda label: services.accounts.cancel_deletion(
            username=username, password=password, client=client, client_label=label
        ),
        then="/privacy?done=deletion_cancelled",
    )


# --- sessions ----------------------------------------------------------------------------------
@router.post("/privacy/sessions/others/end")
def sessions_end_others(who: FormUserDep, services: ServicesDep) -> Response:
    """Sign out every session but this one (each is revoked, and audited, on its own)."""
    ended = 0
    for session in services.accounts.list_sessions(who):
        if session.is_current:
            continue
        try:
            services.accounts.revoke_session(who, session.id)
        except NotFound:  # ended meanwhile (signed out, expired)
            continue
        ended += 1
    return see_other(f"/privacy?done=sessions_ended&n={ended}#sessions")


@router.post("/privacy/sessions/{session_id}/end")
def session_end(session_id: str, who: FormUserDep, services: ServicesDep) -> Response:
    if session_id == who.session_id:  # this browser's own: a plain log-out
        services.accounts.log_out(who)
        response = see_other("/")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    services.accounts.revoke_session(who, session_id)
    return see_other("/privacy?done=session_ended#sessions")


# --- the audit timeline ------------------------------------------------------------------------
ACTOR_WORDS = {
    "user": "You",
    "ai-pipeline": "The AI model, writing a reply",
    "extraction": "Memory extraction (in the background)",
    "summary": "Conversation summarising (in the background)",
    "system": "The server (a scheduled job)",
    "operator": "The operator of this server",
    "staff": "A staff member (named in the details)",
}

ACTION_WORDS = {
    "account.created": "Account created",
    "account.logged_in": "Signed in",
    "account.login_failed": "A log-in with a wrong password",
    "account.logged_out": "Signed out",
    "account.logged_out_everywhere": "Signed out everywhere",
    "account.session_revoked": "A session was signed out",
    "account.password_changed": "Password changed",
    "memory.created": "A memory was written by you",
    "memory.extracted": "Memories were found in a conversation",
    "memory.updated": "A memory was edited",
    "memory.deleted": "A memory was deleted",
    "memory.pinned": "A memory was pinned",
    "memory.unpinned": "A memory was unpinned",
    "memory.approved": "A pending memory was approved",
    "memory.rejected": "A pending memory was rejected",
    "memory.forgotten": "Everything about something was forgotten",
    "memory.cleared": "All memories were deleted",
    "memory.summary_updated": "A conversation summary was written",
    "memory.mode_changed": "Memory was switched for a companion",
    "model.call": "The model was given your data",
    "consent.granted": "Consent given",
    "consent.withdrawn": "Consent withdrawn",
    "message.deleted": "A message was deleted",
    "conversation.deleted": "A conversation was deleted",
    "conversations.deleted": "Conversations were deleted",
    "companion.deleted": "A companion was deleted",
    "account.deletion_requested": "Account deletion requested",
    "account.deletion_cancelled": "Account deletion cancelled",
    "account.shredded": "The account's key was destroyed",
    "account.purged": "The account's data was removed",
    "export.requested": "An export was requested",
    "export.ready": "An export was prepared",
    "export.failed": "An export failed",
    "export.downloaded": "An export was downloaded",
    "export.expired": "An unused export expired and was deleted",
    "export.deleted": "An export was discarded",
    "account.imported": "The account was imported from an export",
    "retention.run": "Old data was removed (retention)",
    "backup.created": "A backup was made",
    "backup.restored": "A backup was restored",
    "policy.published": "A privacy policy version was published",
    "policy.acknowledged": "You acknowledged a privacy policy version",
    "rights_request.filed": "A data-rights request was filed",
    "rights_request.withdrawn": "A data-rights request was withdrawn",
    "rights_request.viewed": "The operator read a data-rights request",
    "rights_request.closed": "The operator closed a data-rights request",
    "nominee.set": "Your nominee was set",
    "nominee.removed": "Your nominee was removed",
    "training.exported": "Messages went into a training export",
    "safety.card_shown": "Helplines were shown to you (nothing was sent to anyone)",
    "account.country_changed": "Your country for helplines was changed",
    "account.dob_corrected": "Your date of birth was corrected",
    "account.closed_under_age": "The account was closed as under the minimum age",
    "access.requested": "A staff member asked to read your data",
    "access.approved": "You approved a staff access request",
    "access.denied": "You refused a staff access request",
    "access.revoked": "A staff access grant was ended early",
    "access.read": "A staff member read your data under a grant",
    "report.filed": "You filed a report",
    "report.viewed": "The safety team opened your report",
    "report.decided": "The safety team decided your report",
    "account.warned": "The safety team warned this account",
    "account.suspended": "The safety team suspended this account",
    "account.suspension_lifted": "The suspension was lifted",
    "account.closed_by_staff": "The safety team closed this account",
    "staff.created": "A staff account was created",
    "staff.disabled": "A staff account was disabled",
    "staff.logged_in": "A staff member signed in",
    "staff.looked_up": "A staff member looked up your account (dates and counts only)",
}


def _detail_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_detail_value(v)}" for k, v in value.items()) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _describe(entry: EntryView) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "action": entry.action,
        "words": ACTION_WORDS.get(entry.action, entry.action),
        "actor": ACTOR_WORDS.get(entry.actor, entry.actor),
        "object_ref": entry.object_ref,
        "purpose": entry.purpose,
        "details": [
            (key.replace("_", " "), _detail_value(value))
            for key, value in (entry.details or {}).items()
        ],
    }


def _day(value: str, field: str) -> datetime | None:
    """A date filter (``YYYY-MM-DD``) as the start of that day, UTC."""
    if not value.strip():
        return None
    try:
        return datetime.combine(date.fromisoformat(value.strip()), time(), tzinfo=UTC)
    except ValueError as exc:
        raise InvalidInput(f"enter the {field} date as YYYY-MM-DD") from exc


@router.get("/privacy/audit", response_class=HTMLResponse)
def audit_timeline(
    request: Request,
    who: ViewerDep,
    services: ServicesDep,
    action: Annotated[str, Query(max_length=40)] = "",
    since: Annotated[str, Query(max_length=20)] = "",
    until: Annotated[str, Query(max_length=20)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """The user's own entries, newest first, filtered by action and days (``until`` counts
    the whole day), a page at a time."""
    if who is None:
        return to_login()
    filters = {"action": action, "since": since, "until": until}
    context: dict[str, Any] = {
        "filters": filters,
        "actions": [(a, ACTION_WORDS.get(a, a)) for a in ACTIONS],
        "entries": [],
        "next_before": None,
        "is_first_page": before is None,
        "limit": limit,
    }
    try:
        if action and action not in ACTIONS:
            raise InvalidInput("choose an action from the list")
        start, end = _day(since, "from"), _day(until, "to")
    except ConfideError as exc:
        return render(
            request, "privacy_audit.html", who=who, status=exc.status, error=exc, **context
        )
    entries = services.audit.entries_for(
        who.user_id,
        action=action or None,
        since=start,
        until=end + timedelta(days=1) if end else None,
        before_seq=before,
        limit=limit + 1,
    )
    if len(entries) > limit:
        entries = entries[:limit]
        context["next_before"] = entries[-1].seq
    context["entries"] = [_describe(e) for e in entries]
    return render(request, "privacy_audit.html", who=who, error=None, **context)


@router.get("/privacy/audit/checkpoint")
def audit_checkpoint(who: ViewerDep, services: ServicesDep) -> Response:
    """The latest signed checkpoint, as a file to keep (and later check the log against with
    ``confide audit verify``), with the public key that signed it."""
    if who is None:
        return to_login()
    cp = services.audit.latest_checkpoint()
    if cp is None:
        raise NotFound("no checkpoint has been signed yet; the server signs one every few minutes")
    body = {**cp.to_json(), "public_key": services.audit.key.public_pem()}
    name = f"confide-audit-checkpoint-{cp.size}.json"
    return Response(
        json.dumps(body, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
