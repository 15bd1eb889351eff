"""Settings of the whole instance that its owner changes from the web app: the minimum age for
new accounts and the model replies come from.

Who the owner is: an account flagged ``is_owner``. ``confide owner grant USERNAME`` makes one
(the operator, with the machine); on a personal instance (``CONFIDE_FIRST_USER_IS_OWNER``,
on by default when the server listens on loopback only) the first account created is the owner.

Threats handled:
- A user changing the instance: every change checks the owner flag in the database, not
  anything the request carries, and is refused with 403 otherwise.
- Silent changes: every change is an audit entry in the owner's log, and the values in force
  are shown on the privacy summary and every page footer (the model).
- A minimum age below what the law allows anywhere: never under 13 (the settings floor).
- Nodes disagreeing: the values live in the database; ``sync()`` (run every
  ``CONFIDE_INSTANCE_SYNC_S`` by each server) applies the stored model choice on every node.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from confide.clock import Clock
from confide.errors import Forbidden, InvalidInput, NotFound
from confide.llm.base import Provider
from confide.llm.selectable import ModelChoice, SelectableProvider
from confide.privacy.audit import AuditLog
from confide.settings import MIN_AGE_FLOOR, Settings
from confide.storage.db import Database
from confide.storage.tables import InstanceSetting, User

__all__ = ["MAX_MIN_AGE", "InstanceSettings", "ModelMenu"]

log = logging.getLogger(__name__)

MAX_MIN_AGE = 120
_MIN_AGE = "min_age"
_MODEL = "model"


@dataclass(frozen=True, slots=True)
class ModelMenu:
    current: str  # the choice's key, or the fixed model's name
    choices: list[ModelChoice]  # empty: the model is fixed by the server's configuration
    model: str  # what replies come from now, as shown to users
    is_remote: bool


class InstanceSettings:
    def __init__(
        self, settings: Settings, db: Database, clock: Clock, audit: AuditLog, provider: Provider
    ) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self._audit = audit
        self._provider = provider

    # --- the owner ------------------------------------------------------------------------
    def is_owner(self, user_id: str) -> bool:
        with self._db.reader(user_id) as s:
            return bool(s.scalar(select(User.is_owner).where(User.id == user_id)))

    def first_user_becomes_owner(self, s: Session, user: User) -> None:
        """Called in the sign-up transaction: on a personal instance the first account is the
        owner (the person who installed it)."""
        if not self._settings.first_user_is_owner_resolved:
            return
        others = s.scalar(select(func.count()).select_from(User).where(User.id != user.id))
        if not others:
            user.is_owner = True

    def set_owner(self, username: str, owner: bool) -> None:
        """``confide owner grant|revoke``: the operator's, audited in that user's log."""
        with self._db.transaction(scope="operator") as s:
            user = s.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None or user.status != "active":
                raise NotFound("no such user")
            if user.is_owner == owner:
                return
            user.is_owner = owner
            self._audit.append(
                s,
                actor="operator",
                action="owner.granted" if owner else "owner.revoked",
                subject_user_id=user.id,
            )

    def owners(self) -> list[str]:
        with self._db.reader(scope="operator") as s:
            return list(
                s.scalars(select(User.username).where(User.is_owner.is_(True)).order_by(User.id))
            )

    def _require_owner(self, s: Session, user_id: str) -> None:
        if not s.scalar(select(User.is_owner).where(User.id == user_id)):
            raise Forbidden("only the instance owner can change this", code="not_instance_owner")

    # --- minimum age --------------------------------------------------------------------------
    def min_age(self) -> int:
        """The minimum age in force for new accounts (the owner's, else the configured one)."""
        with self._db.reader() as s:
            row = s.get(InstanceSetting, _MIN_AGE)
        return int(row.value) if row is not None else self._settings.min_age

    def set_min_age(self, user_id: str, age: int) -> int:
        if not MIN_AGE_FLOOR <= age <= MAX_MIN_AGE:
            raise InvalidInput(
                f"the minimum age must be between {MIN_AGE_FLOOR} and {MAX_MIN_AGE}",
                code="invalid_min_age",
            )
        with self._db.transaction(user_id) as s:
            self._require_owner(s, user_id)
            before = self._put(s, _MIN_AGE, str(age))
            if before != str(age):
                self._audit.append(
                    s,
                    actor="user",
                    action="instance.min_age_changed",
                    subject_user_id=user_id,
                    object_ref=str(age),
                    details={"from": before, "to": age},
                )
        return age

    # --- the model ----------------------------------------------------------------------------
    def models(self) -> ModelMenu:
        p = self._provider
        if isinstance(p, SelectableProvider):
            return ModelMenu(p.choice, list(p.choices.values()), p.model, p.is_remote)
        return ModelMenu(p.model, [], p.model, p.is_remote)

    def set_model(self, user_id: str, key: str) -> ModelMenu:
        p = self._provider
        if not isinstance(p, SelectableProvider):
            raise InvalidInput(
                "this server's model is fixed by its configuration", code="model_fixed"
            )
        with self._db.transaction(user_id) as s:
            self._require_owner(s, user_id)
            before = p.choice
            p.select(key)  # validates; raises before anything is stored
            self._put(s, _MODEL, key)
            if before != key:
                self._audit.append(
                    s,
                    actor="user",
                    action="instance.model_changed",
                    subject_user_id=user_id,
                    object_ref=key,
                    details={"from": before, "to": key},
                )
        return self.models()

    def sync(self) -> None:
        """Apply the stored model choice to this node (at start-up and periodically)."""
        p = self._provider
        if not isinstance(p, SelectableProvider):
            return
        with self._db.reader() as s:
            row = s.get(InstanceSetting, _MODEL)
        if row is None or row.value == p.choice:
            return
        try:
            p.select(row.value)
        except InvalidInput:
            # Stored on another node where that model is installed: keep ours, say so.
            log.warning("stored model choice is not available on this node")

    def _put(self, s: Session, key: str, value: str) -> str | None:
        row = s.get(InstanceSetting, key)
        now = self._clock()
        if row is None:
            s.add(InstanceSetting(key=key, value=value, updated_at=now))
            return None
        before = row.value
        s.execute(
            update(InstanceSetting)
            .where(InstanceSetting.key == key)
            .values(value=value, updated_at=now)
        )
        return before
