"""Import of an export archive as a new account (promise P9).

Threats handled:
- A hostile archive: only a zip holding exactly the members an export has is read; the
  archive's size and its declared uncompressed size are capped (zip bombs), and data.json is
  read with a cap too. data.json must match the schema shipped with this version, and every
  reference in it must point at something in the same document.
- Taking over someone else's data: an import always creates a NEW account, through the same
  age gate, username and password rules and sign-up rate limit as sign-up. Every id in the
  archive is replaced by a fresh one (references are rewritten through one mapping), so
  nothing in a file can name an existing row or user.
- A half-imported account: everything is written in one transaction; on any failure nothing
  is left behind, and the data key created for the new account is destroyed.
- Forged history: the audit log is not imported (this instance's log is its own record of what
  happened here; an ``account.imported`` entry is written), and neither are sessions.
- Content in errors: messages name a path in data.json and a rule, never a value.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from confide.accounts.login import password_hasher
from confide.accounts.ratelimit import RateLimiter
from confide.accounts.service import (
    AccountService,
    NewSession,
    age_on,
    check_password_strength,
    normalise_username,
)
from confide.clock import Clock
from confide.companions.profile import CompanionProfile
from confide.errors import (
    AgeRequirementNotMet,
    ConfigurationError,
    Conflict,
    InvalidInput,
    PayloadTooLarge,
)
from confide.ids import new_id
from confide.memory.embed import pack
from confide.memory.service import MemoryService
from confide.privacy.audit import AuditLog
from confide.privacy.export_format import (
    ARCHIVE_MEMBERS,
    EXPORT_FORMAT,
    SCHEMA_VERSION,
    validate_document,
)
from confide.privacy.keys import KeyStore
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database
from confide.storage.repositories import MemoryJobRepo, UserRepo
from confide.storage.tables import (
    Companion,
    ConsentRecord,
    Conversation,
    MemoryItem,
    MemoryVersion,
    Message,
    Nominee,
    PolicyAck,
    ReplySources,
    RightsRequest,
    User,
)

__all__ = ["UNCOMPRESSED_RATIO", "ImportService", "ImportedAccount", "read_archive"]

# An archive may unpack to at most this many times ``max_import_bytes`` (JSON and HTML of
# chat text compress three to five times; more than ten is a zip bomb).
UNCOMPRESSED_RATIO = 10
_EMBED_BATCH = 64

ImportActor = Literal["user", "operator"]


@dataclass(frozen=True, slots=True)
class ImportedAccount:
    """The new account's session (signed in, like after sign-up) and what was imported."""

    session: NewSession
    counts: dict[str, int]


def _bad_archive(message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_archive")


def _bad_export(message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_export")


def read_archive(data: bytes, *, max_bytes: int) -> dict[str, Any]:
    """The validated ``data.json`` of an export archive, or ``InvalidInput``:
    ``invalid_archive`` (not an export zip), ``invalid_export`` (data.json is not valid JSON,
    not a confide export or does not match the schema; the message names the failing path),
    ``unsupported_export_version``; ``PayloadTooLarge`` over ``max_bytes``."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"an export archive may be at most {max_bytes} bytes")
    unpacked_limit = max_bytes * UNCOMPRESSED_RATIO
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _bad_archive("the file is not a zip archive") from None
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names) or not set(names) <= set(ARCHIVE_MEMBERS):
            raise _bad_archive(
                "the archive holds files a confide export does not have: "
                f"an export holds only {', '.join(ARCHIVE_MEMBERS)}"
            )
        if "data.json" not in names:
            raise _bad_archive("the archive has no data.json")
        if sum(i.file_size for i in infos) > unpacked_limit:
            raise _bad_archive(f"the archive unpacks to more than {unpacked_limit} bytes")
        info = zf.getinfo("data.json")
        if info.flag_bits & 0x1:
            raise _bad_archive("data.json is encrypted in the archive")
        try:
            with zf.open(info) as f:
                # zipfile stops at the declared size; the cap guards a lying header as well.
                raw = f.read(unpacked_limit + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
            raise _bad_archive("data.json could not be read from the archive") from None
    if len(raw) > unpacked_limit:
        raise _bad_archive(f"the archive unpacks to more than {unpacked_limit} bytes")
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        raise _bad_export("data.json is not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise _bad_export(f'data.json is not a confide export (format must be "{EXPORT_FORMAT}")')
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        shown = version if isinstance(version, int) and not isinstance(version, bool) else "?"
        raise InvalidInput(
            f"this export has schema version {shown}; this confide reads version {SCHEMA_VERSION}",
            code="unsupported_export_version",
        )
    validate_document(doc)
    _check_references(doc)
    return doc


def _check_references(doc: dict[str, Any]) -> None:
    """What the schema cannot say: ids are unique and references point inside the document."""

    def unique(ids: Sequence[str], where: str) -> set[str]:
        seen = set(ids)
        if len(seen) != len(ids):
            raise _bad_export(f"data.json {where} has two entries with the same id")
        return seen

    companions = unique([c["id"] for c in doc["companions"]], "companions")
    conversations = unique([c["id"] for c in doc["conversations"]], "conversations")
    unique([m["id"] for c in doc["conversations"] for m in c["messages"]], "messages")
    unique([m["id"] for m in doc["memories"]], "memories")
    unique([r["id"] for r in doc["rights_requests"]], "rights_requests")
    for i, conv in enumerate(doc["conversations"]):
        if conv["companion_id"] not in companions:
            raise _bad_export(f"data.json conversations[{i}].companion_id names no companion")
        seqs = [m["seq"] for m in conv["messages"]]
        if len(set(seqs)) != len(seqs):
            raise _bad_export(f"data.json conversations[{i}].messages repeat a seq")
    for i, mem in enumerate(doc["memories"]):
        if mem["companion_id"] not in companions:
            raise _bad_export(f"data.json memories[{i}].companion_id names no companion")
        if mem["conversation_id"] is not None and mem["conversation_id"] not in conversations:
            raise _bad_export(f"data.json memories[{i}].conversation_id names no conversation")
    for i, c in enumerate(doc["companions"]):
        try:
            CompanionProfile(**c["profile"])
        except ValidationError:
            raise _bad_export(f"data.json companions[{i}].profile is not a valid profile") from None
    try:
        date.fromisoformat(doc["profile"]["date_of_birth"])
        for mem in doc["memories"]:
            if mem["event_date"] is not None:
                date.fromisoformat(mem["event_date"])
    except ValueError:
        raise _bad_export("data.json holds a date that does not exist") from None


def _time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    # Stored as UTC: SQLite keeps no offset, so every time must be converted first.
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _time_opt(value: str | None) -> datetime | None:
    return None if value is None else _time(value)


class _Ids:
    """Old id -> new id, one fresh id per old one, so every reference keeps its target
    (and a reference to something deleted before the export stays consistently dangling)."""

    def __init__(self) -> None:
        self._map: dict[str, str] = {}

    def __call__(self, old: str) -> str:
        new = self._map.get(old)
        if new is None:
            new = self._map[old] = new_id()
        return new

    def opt(self, old: str | None) -> str | None:
        return None if old is None else self(old)

    def many(self, olds: Sequence[str]) -> list[str]:
        return [self(o) for o in olds]


class ImportService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        keys: KeyStore,
        vault: Vault,
        clock: Clock,
        audit: AuditLog,
        accounts: AccountService,
        memory: MemoryService | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._settings = settings
        self._db = db
        self._keys = keys
        self._vault = vault
        self._clock = clock
        self._audit = audit
        self._accounts = accounts
        self._memory = memory
        self._limiter = limiter
        # The same parameters as sign-up's hasher (log-in rehashes if they change later).
        self._hasher = password_hasher(settings)

    def import_archive(
        self,
        data: bytes,
        *,
        username: str,
        password: str,
        client: str,
        actor: ImportActor = "user",
        client_label: str | None = None,
    ) -> ImportedAccount:
        """Create a new account holding everything in the archive, and sign it in."""
        now = self._clock()
        st = self._settings
        if self._limiter is not None:
            # Counted first, in its own transaction: an unauthenticated route that unpacks
            # and validates a large file must not be a free way to spend the server's time.
            with self._db.transaction() as s:
                self._limiter.hit(
                    s,
                    "signup-client",
                    client,
                    limit=st.signup_max_per_client,
                    window_s=st.signup_window_s,
                    now=now,
                )
        doc = read_archive(data, max_bytes=st.max_import_bytes)
        dob = date.fromisoformat(doc["profile"]["date_of_birth"])
        if dob > now.date():
            raise InvalidInput("the export's date of birth is in the future")
        min_age = self._accounts.min_age()
        if age_on(dob, now.date()) < min_age:
            raise AgeRequirementNotMet(
                f"you must be at least {min_age} years old to use this service"
            )
        username = normalise_username(username)
        check_password_strength(password, username)
        with self._db.reader(scope="auth") as s:
            if UserRepo(s).username_taken(username):
                raise Conflict("that username is taken", code="username_taken")
        vectors = self._memory_vectors(doc)
        password_hash = self._hasher.hash(password)
        user_id = new_id()
        self._keys.create(user_id, now=now)
        try:
            with self._db.transaction(user_id) as s:
                return self._write(
                    s, doc, vectors, user_id, username, password_hash, now, actor, client_label
                )
        except IntegrityError as exc:
            self._keys.destroy(user_id, now=now)
            with self._db.reader(scope="auth") as s:
                if UserRepo(s).username_taken(username):  # a sign-up or import raced us
                    raise Conflict("that username is taken", code="username_taken") from exc
            raise
        except BaseException:
            self._keys.destroy(user_id, now=now)
            raise

    def _memory_vectors(self, doc: dict[str, Any]) -> dict[str, bytes]:
        """Embeddings of the memories' texts, by old id (none when dense recall is off).
        Computed before the transaction: it is the slow part and touches no row."""
        embedder = self._memory.embedder if self._memory is not None else None
        if embedder is None or not doc["memories"]:
            return {}
        out: dict[str, bytes] = {}
        items = doc["memories"]
        try:
            for start in range(0, len(items), _EMBED_BATCH):
                batch = items[start : start + _EMBED_BATCH]
                rows = embedder.embed([m["text"] for m in batch])
                for mem, row in zip(batch, rows, strict=True):
                    out[mem["id"]] = pack(row[None, :])
        except ConfigurationError:
            return {}  # a broken model install: recall goes on lexically, as in chat
        return out

    def _write(
        self,
        s: Session,
        doc: dict[str, Any],
        vectors: dict[str, bytes],
        user_id: str,
        username: str,
        password_hash: str,
        now: datetime,
        actor: ImportActor,
        client_label: str | None,
    ) -> ImportedAccount:
        ids = _Ids()
        seal = self._vault.seal
        profile = doc["profile"]
        if UserRepo(s).username_taken(username):
            raise Conflict("that username is taken", code="username_taken")
        UserRepo(s).add(
            User(
                id=user_id,
                username=username,
                email_ct=seal(user_id, "users", "email_ct", user_id, profile["email"]),
                date_of_birth_ct=seal(
                    user_id, "users", "date_of_birth_ct", user_id, profile["date_of_birth"]
                ),
                password_hash=password_hash,
                status="active",
                created_at=now,  # the account on this instance; the export keeps the old date
                password_changed_at=now,
            )
        )
        s.flush()
        companions = []
        for c in doc["companions"]:
            cid = ids(c["id"])
            body = CompanionProfile(**c["profile"]).model_dump_json()
            companions.append(
                {
                    "id": cid,
                    "user_id": user_id,
                    "profile_ct": seal(user_id, "companions", "profile_ct", cid, body),
                    "starter_key": c["starter_key"],
                    "memory_mode": c["memory_mode"],
                    "memory_revision": 0,
                    "created_at": _time(c["created_at"]),
                    "updated_at": _time(c["updated_at"]),
                }
            )
        _insert(s, Companion, companions)
        conversations, messages, sources = self._conversation_rows(doc, ids, user_id)
        _insert(s, Conversation, conversations)
        _insert(s, Message, messages)
        _insert(s, ReplySources, sources)
        jobs = MemoryJobRepo(s)
        for conv in conversations:
            if conv["last_seq"]:
                # Dense recall catches up in the background (message vectors are not exported).
                jobs.enqueue(
                    new_id(),
                    user_id,
                    conv["companion_id"],
                    conv["id"],
                    "embed",
                    conv["last_seq"],
                    now,
                )
        items, versions = self._memory_rows(doc, ids, vectors, user_id)
        _insert(s, MemoryItem, items)
        _insert(s, MemoryVersion, versions)
        self._privacy_rows(s, doc, ids, user_id)
        # Signed in exactly as sign-up signs in (AccountService's own session maker).
        new = self._accounts.open_session(s, user_id, username, client_label, now)
        counts = {
            "companions": len(companions),
            "conversations": len(conversations),
            "messages": len(messages),
            "memories": len(items),
            "consents": len(doc["consents"]),
            "rights_requests": len(doc["rights_requests"]),
        }
        self._audit.append(
            s,
            actor=actor,
            action="account.imported",
            subject_user_id=user_id,
            object_ref=f"schema-v{SCHEMA_VERSION}",
            details={**counts, "session_id": new.identity.session_id},
        )
        return ImportedAccount(new, counts)

    def _conversation_rows(
        self, doc: dict[str, Any], ids: _Ids, user_id: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        seal = self._vault.seal
        convs: list[dict[str, Any]] = []
        messages: list[dict[str, Any]] = []
        sources: list[dict[str, Any]] = []
        for c in doc["conversations"]:
            conv_id = ids(c["id"])
            companion_id = ids(c["companion_id"])
            last_seq = max((m["seq"] for m in c["messages"]), default=0)
            progress = c["memory_progress"]
            convs.append(
                {
                    "id": conv_id,
                    "user_id": user_id,
                    "companion_id": companion_id,
                    "title_ct": (
                        seal(user_id, "conversations", "title_ct", conv_id, c["title"])
                        if c["title"]
                        else None
                    ),
                    "last_seq": last_seq,
                    "revision": 0,
                    "summary_through_seq": min(progress["summary_through_seq"], last_seq),
                    "extracted_through_seq": min(progress["extracted_through_seq"], last_seq),
                    "created_at": _time(c["created_at"]),
                    "updated_at": _time(c["updated_at"]),
                }
            )
            for m in c["messages"]:
                mid = ids(m["id"])
                messages.append(
                    {
                        "id": mid,
                        "user_id": user_id,
                        "conversation_id": conv_id,
                        "seq": m["seq"],
                        "role": m["role"],
                        "content_ct": seal(user_id, "messages", "content_ct", mid, m["content"]),
                        "status": m["status"],
                        "model": m["model"],
                        "created_at": _time(m["created_at"]),
                    }
                )
                if m["sources"] is not None:
                    payload = {
                        "memories": ids.many(m["sources"]["memories"]),
                        "messages": ids.many(m["sources"]["messages"]),
                        "summary": ids.opt(m["sources"]["summary"]),
                    }
                    sources.append(
                        {
                            "message_id": mid,
                            "user_id": user_id,
                            "sources_ct": seal(
                                user_id, "reply_sources", "sources_ct", mid, json.dumps(payload)
                            ),
                        }
                    )
        return convs, messages, sources

    def _memory_rows(
        self, doc: dict[str, Any], ids: _Ids, vectors: dict[str, bytes], user_id: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        seal = self._vault.seal
        items: list[dict[str, Any]] = []
        versions: list[dict[str, Any]] = []
        for m in doc["memories"]:
            item_id = ids(m["id"])
            detail: dict[str, Any] = {"sources": ids.many(m["sources"])}
            if m["event_date"] is not None:
                detail["event_date"] = m["event_date"]
            if m["replaces"] is not None:
                detail["replaces"] = ids(m["replaces"])
            if m["through_seq"] is not None:
                detail["through_seq"] = m["through_seq"]
            vector = vectors.get(m["id"])
            items.append(
                {
                    "id": item_id,
                    "user_id": user_id,
                    "companion_id": ids(m["companion_id"]),
                    "conversation_id": ids.opt(m["conversation_id"]),
                    "kind": m["kind"],
                    "status": m["status"],
                    "origin": m["origin"],
                    "pinned": m["pinned"],
                    "text_ct": seal(user_id, "memory_items", "text_ct", item_id, m["text"]),
                    "detail_ct": seal(
                        user_id,
                        "memory_items",
                        "detail_ct",
                        item_id,
                        json.dumps(detail, sort_keys=True),
                    ),
                    "embedding_ct": (
                        seal(user_id, "memory_items", "embedding_ct", item_id, vector)
                        if vector is not None
                        else None
                    ),
                    "version": m["version"],
                    "created_at": _time(m["created_at"]),
                    "updated_at": _time(m["updated_at"]),
                }
            )
            for h in m["history"]:
                vid = new_id()
                versions.append(
                    {
                        "id": vid,
                        "item_id": item_id,
                        "user_id": user_id,
                        "version": h["version"],
                        "old_ct": (
                            seal(user_id, "memory_versions", "old_ct", vid, h["old_text"])
                            if h["old_text"] is not None
                            else None
                        ),
                        "new_ct": seal(user_id, "memory_versions", "new_ct", vid, h["new_text"]),
                        "actor": h["actor"],
                        "created_at": _time(h["at"]),
                    }
                )
        return items, versions

    def _privacy_rows(self, s: Session, doc: dict[str, Any], ids: _Ids, user_id: str) -> None:
        """Consent history (original times and policy versions), policy acknowledgements,
        data-rights requests and the nominee."""
        seal = self._vault.seal
        _insert(
            s,
            ConsentRecord,
            [
                {
                    "user_id": user_id,
                    "purpose": c["purpose"],
                    "granted": c["granted"],
                    "policy_version": c["policy_version"],
                    "at": _time(c["at"]),
                }
                for c in doc["consents"]
            ],
        )
        acks: dict[str, dict[str, Any]] = {}
        for a in doc["policy_acknowledgements"]:  # one per version (a unique constraint)
            acks.setdefault(a["version"], {"user_id": user_id, **a, "at": _time(a["at"])})
        _insert(s, PolicyAck, list(acks.values()))
        requests = []
        for r in doc["rights_requests"]:
            rid = ids(r["id"])
            requests.append(
                {
                    "id": rid,
                    "user_id": user_id,
                    "kind": r["kind"],
                    "status": r["status"],
                    "filed_by": r["filed_by"],
                    "details_ct": seal(user_id, "rights_requests", "details_ct", rid, r["details"]),
                    "resolution_ct": (
                        seal(user_id, "rights_requests", "resolution_ct", rid, r["resolution"])
                        if r["resolution"] is not None
                        else None
                    ),
                    "created_at": _time(r["created_at"]),
                    "due_at": _time(r["due_at"]),
                    "closed_at": _time_opt(r["closed_at"]),
                }
            )
        _insert(s, RightsRequest, requests)
        nominee = doc["nominee"]
        if nominee is not None:
            _insert(
                s,
                Nominee,
                [
                    {
                        "user_id": user_id,
                        "details_ct": seal(
                            user_id,
                            "nominees",
                            "details_ct",
                            user_id,
                            json.dumps(nominee["details"], sort_keys=True),
                        ),
                        "created_at": _time(nominee["created_at"]),
                        "updated_at": _time(nominee["updated_at"]),
                    }
                ],
            )


def _insert(s: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk insert with one executemany on the table (the ORM's bulk path sends 100,000
    messages one statement at a time); nothing for an empty list."""
    if rows:
        s.execute(insert(model.__table__), rows)
