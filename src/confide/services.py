"""Services: the wired collaborators, built once by ``build_services`` and handed to routes."""

from __future__ import annotations

from dataclasses import dataclass

from confide.accounts.instance import InstanceSettings
from confide.accounts.ratelimit import RateLimiter
from confide.accounts.service import AccountService
from confide.accounts.staff import StaffService
from confide.chat.conversations import ConversationService
from confide.chat.history import HistoryCache
from confide.chat.service import ChatService
from confide.clock import Clock, utcnow
from confide.companions.service import CompanionService
from confide.errors import ConfigurationError
from confide.llm.base import Provider
from confide.memory.embed import Embedder, load_embedder
from confide.memory.index import IndexCache
from confide.memory.service import MemoryService
from confide.memory.worker import MemoryWorker, TurnActivity
from confide.privacy import crypto
from confide.privacy.access import AccessService
from confide.privacy.audit import AuditLog, SigningKey
from confide.privacy.consent import ConsentLedger
from confide.privacy.erasure import ErasureService
from confide.privacy.export import ExportService
from confide.privacy.importer import ImportService
from confide.privacy.keys import EnvMasterKey, FileMasterKeyring, KeyStore, MasterKeyProvider
from confide.privacy.outbound import OutboundPolicy
from confide.privacy.policy import PolicyService
from confide.privacy.reports import ReportService
from confide.privacy.retention import RetentionService
from confide.privacy.rights import RightsService
from confide.privacy.safety import Helplines
from confide.privacy.safety_classifier import CrisisClassifier
from confide.privacy.vault import Vault
from confide.settings import Settings
from confide.storage.db import Database

__all__ = ["Services", "build_services", "master_key_provider"]


def master_key_provider(settings: Settings) -> MasterKeyProvider:
    if settings.master_key is not None:
        return EnvMasterKey(settings.master_key.get_secret_value())
    return FileMasterKeyring(settings.resolved_master_key_file)


@dataclass
class Services:
    settings: Settings
    db: Database
    key_db: Database
    keys: KeyStore
    vault: Vault
    accounts: AccountService
    companions: CompanionService
    conversations: ConversationService
    chat: ChatService
    history: HistoryCache
    audit: AuditLog
    consents: ConsentLedger
    memory: MemoryService
    memory_index: IndexCache
    memory_worker: MemoryWorker
    provider: Provider
    clock: Clock
    # the privacy center
    erasure: ErasureService
    exports: ExportService
    imports: ImportService
    retention: RetentionService
    policy: PolicyService
    rights: RightsService
    instance: InstanceSettings
    # safety and trust
    outbound: OutboundPolicy
    staff: StaffService
    access: AccessService
    reports: ReportService

    def close(self) -> None:
        self.db.dispose()
        self.key_db.dispose()


def build_services(
    settings: Settings,
    *,
    provider: Provider,
    clock: Clock = utcnow,
    master: MasterKeyProvider | None = None,
    migrate: bool = True,
    embedder: Embedder | None | str = "settings",
) -> Services:
    """Open the databases (migrating them), the key store, and every service."""
    db = Database.content(settings.resolved_database_url, owner_url=settings.database_owner_url)
    key_db = Database.key_store(
        settings.resolved_key_store_url, owner_url=settings.key_store_owner_url
    )
    if migrate:
        db.upgrade()
        key_db.upgrade()
    elif not (db.is_initialised() and key_db.is_initialised()):
        raise ConfigurationError("the database is not initialised; run `confide init`")
    master = master or master_key_provider(settings)
    keys = KeyStore(key_db, master)
    vault = Vault(keys)
    limiter = RateLimiter(crypto.derive_subkey(master.current().key, "rate-limit-buckets"))
    history = HistoryCache()
    audit = AuditLog(db, vault, clock, SigningKey(settings.resolved_audit_signing_key_file))
    policy = PolicyService(settings, db, clock, audit)
    consents = ConsentLedger(db, clock, audit, policy.current_version)
    index = IndexCache(
        max_indexes=settings.memory_index_max_users, idle_s=settings.memory_index_idle_s
    )

    def forget_user(user_id: str) -> None:
        """Drop every decrypted copy of a user's data held in this process."""
        history.forget_user(user_id)
        index.forget_user(user_id)

    memory = MemoryService(
        db,
        vault,
        clock,
        embedder=load_embedder(settings.embeddings) if isinstance(embedder, str) else embedder,
        cache=index,
        count_tokens=provider.count_tokens,
    )
    memory.events.subscribe(audit.on_memory_event)
    outbound = OutboundPolicy(provider, consents)
    activity = TurnActivity()
    worker = MemoryWorker(
        db,
        memory,
        provider,
        clock,
        activity,
        audit,
        consents,
        max_attempts=settings.memory_job_max_attempts,
        idle_before_s=settings.memory_idle_before_extract_s,
        outbound=outbound.for_user,
    )
    instance = InstanceSettings(settings, db, clock, audit, provider)
    accounts = AccountService(
        settings,
        db,
        keys,
        vault,
        limiter,
        clock,
        on_sign_out=forget_user,
        audit=audit,
        consents=consents,
        instance=instance,
    )
    companions = CompanionService(db, vault, clock, on_delete=forget_user)
    conversations = ConversationService(db, vault, companions, clock, history, memory)
    chat = ChatService(
        db,
        conversations,
        companions,
        provider,
        clock,
        history,
        memory=memory,
        worker=worker,
        activity=activity,
        audit=audit,
        consents=consents,
        outbound=outbound,
        helplines=Helplines.bundled(),
        default_country=settings.default_country,
        crisis_classifier=CrisisClassifier.bundled(memory.embedder),
        max_message_chars=settings.max_message_chars,
        reply_tokens=settings.max_reply_tokens,
        temperature=settings.temperature,
        memory_top_k=settings.memory_top_k,
        memory_prompt_tokens=settings.memory_prompt_tokens,
    )
    # --- the privacy center (one line per service) ---
    erasure = ErasureService(
        settings, db, keys, vault, clock, audit, memory, conversations, forget_user, companions
    )
    exports = ExportService(settings, db, vault, clock, audit)
    imports = ImportService(settings, db, keys, vault, clock, audit, accounts, memory, limiter)
    retention = RetentionService(settings, db, clock, audit, erasure, exports)
    rights = RightsService(settings, db, vault, clock, audit)
    # --- safety and trust ---
    staff = StaffService(settings, db, limiter, clock, audit)
    access = AccessService(settings, db, vault, clock, audit, conversations, memory)
    reports = ReportService(settings, db, vault, clock, audit, conversations, erasure)
    return Services(
        outbound=outbound,
        staff=staff,
        access=access,
        reports=reports,
        erasure=erasure,
        exports=exports,
        imports=imports,
        retention=retention,
        policy=policy,
        rights=rights,
        instance=instance,
        settings=settings,
        db=db,
        key_db=key_db,
        keys=keys,
        vault=vault,
        accounts=accounts,
        companions=companions,
        conversations=conversations,
        chat=chat,
        history=history,
        audit=audit,
        consents=consents,
        memory=memory,
        memory_index=index,
        memory_worker=worker,
        provider=provider,
        clock=clock,
    )
