"""Typed settings, read from ``CONFIDE_*`` environment variables and an optional ``.env`` file.

There is no global instance: ``create_app(settings)`` and the CLI build one and pass it down.
Secrets are ``SecretStr`` so they mask themselves in ``repr()``, logs and ``confide doctor``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["MIN_AGE_FLOOR", "Settings", "default_data_dir"]


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/confide``, i.e. ``~/.local/share/confide`` by default."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "confide"


MIN_AGE_FLOOR = 13  # no instance may admit anyone younger (COPPA, GDPR art. 8's lowest age)


class Settings(BaseSettings):
    """Every knob confide has. Documented one by one in ``docs/settings.md`` (tested)."""

    model_config = SettingsConfigDict(
        env_prefix="CONFIDE_", env_file=None, extra="ignore", validate_default=True
    )

    # --- where things live -------------------------------------------------------------
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""  # default: sqlite:///<data_dir>/confide.db
    # PostgreSQL: the role that owns the tables and runs migrations; the app then connects as
    # ``database_url``'s role, which owns nothing (row-level security applies to it).
    database_owner_url: str = ""
    key_store_url: str = ""  # default: sqlite:///<data_dir>/keys.db (kept apart from content)
    key_store_owner_url: str = ""  # like database_owner_url, for the key store
    master_key_file: Path | None = None  # default: <data_dir>/master.key
    master_key: SecretStr | None = None  # base64 key from the environment instead of a file
    audit_signing_key_file: Path | None = None  # default: <data_dir>/audit-signing.key
    audit_checkpoint_interval_s: int = Field(default=3600, ge=1)
    privacy_policy_version: str = Field(default="2026-11-23", min_length=1, max_length=40)

    # --- web server ----------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str = ""  # e.g. https://companions.example.org; https → Secure cookies
    trusted_proxies: list[str] = Field(default_factory=list)  # IPs whose X-Forwarded-For we use
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)

    # --- model provider ------------------------------------------------------------------
    provider: Literal["local", "openai", "fake"] = "local"
    local_model: Literal["default", "small"] = "default"
    model_path: Path | None = None  # any other GGUF, by path; overrides local_model
    model_dir: Path | None = None  # where bundled models are assembled; default <data_dir>/models
    n_ctx: int = Field(default=4096, ge=512)
    n_threads: int = Field(default=0, ge=0)  # 0: all cores
    max_reply_tokens: int = Field(default=384, ge=16)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    remote_base_url: str = ""
    remote_model: str = ""
    remote_api_key: SecretStr | None = None
    remote_api_key_file: Path | None = None
    remote_context_size: int = Field(default=8192, ge=512)
    remote_timeout_s: float = Field(default=60.0, gt=0)
    remote_max_retries: int = Field(default=3, ge=0, le=10)

    # --- accounts ------------------------------------------------------------------------
    min_age: int = Field(default=18)  # the instance owner may change it from the web app
    # The first account created becomes the instance owner (may change the minimum age and the
    # model from the web app). Default: only when the server listens on loopback (personal).
    first_user_is_owner: bool | None = None
    instance_sync_s: float = Field(default=30.0, gt=0)  # apply the owner's model choice
    # Whose helplines a safety card shows a user who has not chosen a country (ISO 3166-1
    # alpha-2, e.g. IN, US, GB); unset: an international list.
    default_country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    session_ttl_days: int = Field(default=30, ge=1)
    session_idle_days: int = Field(default=7, ge=1)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_attempts_per_client: int = Field(default=20, ge=1)
    login_window_s: int = Field(default=900, ge=1)
    signup_max_per_client: int = Field(default=5, ge=1)
    signup_window_s: int = Field(default=3600, ge=1)

    # --- limits ----------------------------------------------------------------------------
    max_message_chars: int = Field(default=16_000, ge=1)
    history_page_max: int = Field(default=200, ge=1)

    # --- memory ---
    embeddings: Literal["auto", "off"] = "auto"  # auto: dense recall when installed
    memory_top_k: int = Field(default=10, ge=1, le=50)
    memory_prompt_tokens: int = Field(default=700, ge=0)  # recalled memories' share of a prompt
    memory_index_idle_s: int = Field(default=900, ge=1)  # evict a user's index when unused
    memory_index_max_users: int = Field(default=256, ge=1)
    memory_job_max_attempts: int = Field(default=5, ge=1)
    memory_idle_before_extract_s: float = Field(default=2.0, ge=0)  # local model: wait for quiet

    # --- privacy center: erasure, exports, retention, data-rights requests ---
    account_deletion_grace_days: int = Field(default=30, ge=0)  # closed accounts' retention
    export_ttl_hours: int = Field(default=24, ge=1)  # a finished export's link, then deleted
    max_import_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)  # an export archive
    retention_audit_details_days: int = Field(default=730, ge=0)  # 0: keep with the account
    retention_abuse_reports_days: int = Field(default=365, ge=1)
    retention_interval_s: int = Field(default=3600, ge=1)  # how often serve applies retention
    rights_request_due_days: int = Field(default=30, ge=1)
    tombstone_file: Path | None = None  # default: <data_dir>/erasures.jsonl

    # --- logging -----------------------------------------------------------------------
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("min_age")
    @classmethod
    def _min_age_allowed(cls, value: int) -> int:
        if value < MIN_AGE_FLOOR:
            raise ValueError(f"min_age must be at least {MIN_AGE_FLOOR}")
        return value

    @model_validator(mode="after")
    def _remote_complete(self) -> Settings:
        if self.provider == "openai" and not (self.remote_base_url and self.remote_model):
            raise ValueError(
                "provider 'openai' needs CONFIDE_REMOTE_BASE_URL and CONFIDE_REMOTE_MODEL"
            )
        return self

    # --- derived -------------------------------------------------------------------------
    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'confide.db'}"

    @property
    def resolved_key_store_url(self) -> str:
        return self.key_store_url or f"sqlite:///{self.data_dir / 'keys.db'}"

    @property
    def resolved_audit_signing_key_file(self) -> Path:
        return self.audit_signing_key_file or self.data_dir / "audit-signing.key"

    @property
    def resolved_tombstone_file(self) -> Path:
        return self.tombstone_file or self.data_dir / "erasures.jsonl"

    @property
    def resolved_master_key_file(self) -> Path:
        return self.master_key_file or self.data_dir / "master.key"

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def first_user_is_owner_resolved(self) -> bool:
        if self.first_user_is_owner is not None:
            return self.first_user_is_owner
        return self.host in {"127.0.0.1", "::1", "localhost"}

    @property
    def is_https(self) -> bool:
        return self.public_url.startswith("https://")

    def remote_api_key_value(self) -> str | None:
        """The remote API key from the environment, else from its secret file."""
        if self.remote_api_key is not None:
            return self.remote_api_key.get_secret_value()
        if self.remote_api_key_file is not None:
            return self.remote_api_key_file.read_text(encoding="utf-8").strip()
        return None
