"""Erasure routes (promise P3): account deletion with a signed receipt, its cancellation
during the grace period, and the bulk deletions of conversations.

Threat handled: an erasure by accident or by someone holding a stolen session. Account
deletion needs the password again; bulk deletions need an explicit ``confirm``; cancelling is
rate-limited exactly like log-in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from confide.chat.conversations import ConversationsErased
from confide.errors import ConfirmationRequired
from confide.privacy.erasure import DeletionReceipt
from confide.web.deps import SESSION_COOKIE, ClientDep, IdentityDep, ServicesDep
from confide.web.routes.auth import client_label, issue_session
from confide.web.schemas import IsoDate, TokenOut

router = APIRouter(prefix="/api", tags=["erasure"])


class AccountDeleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=1024)
    immediate: bool = Field(
        default=False,
        description="Destroy the data key now instead of after the grace period (no undo).",
    )

    def __repr__(self) -> str:
        return f"AccountDeleteIn(immediate={self.immediate!r}, password=<hidden>)"


class DeletionCancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)

    def __repr__(self) -> str:
        return f"DeletionCancelIn(username={self.username!r}, password=<hidden>)"


class ReceiptOut(BaseModel):
    receipt_id: str
    user_id: str
    username: str
    requested_at: datetime
    inaccessible_from: datetime
    unreadable_from: datetime
    purge_at: datetime
    immediate: bool
    counts: dict[str, int]
    public_key: str = Field(description="PEM Ed25519 public key (the audit checkpoint key).")
    signature: str = Field(description="Base64 Ed25519 signature; see docs/api.md.")

    @classmethod
    def of(cls, r: DeletionReceipt) -> ReceiptOut:
        return cls(**r.to_json())


class ConversationsErasedOut(BaseModel):
    conversations: int
    messages: int
    memories_deleted: int
    memories_for_review: int
    memories_trimmed: int
    summaries_reset: int

    @classmethod
    def of(cls, e: ConversationsErased) -> ConversationsErasedOut:
        return cls(
            conversations=len(e.conversation_ids), messages=e.messages, **e.memories.counts()
        )


@router.post("/account/delete", response_model=ReceiptOut)
def delete_account(
    body: AccountDeleteIn,
    who: IdentityDep,
    services: ServicesDep,
    response: Response,
    background: BackgroundTasks,
) -> ReceiptOut:
    services.accounts.check_password(who, body.password, code="wrong_password")
    receipt = services.erasure.delete_account(who.user_id, immediate=body.immediate)
    response.delete_cookie(SESSION_COOKIE, path="/")
    if receipt.immediate:
        # The key is destroyed already; the rows go after the response (and, should this
        # fail, at the next retention run).
        background.add_task(services.erasure.purge_user, who.user_id)
    return ReceiptOut.of(receipt)


class CountryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: str | None = Field(
        default=None,
        max_length=2,
        description="ISO 3166-1 alpha-2 code (IN, US, GB, ...); null for the instance default.",
    )


class CountryOut(BaseModel):
    country: str | None
    helplines_country: str = Field(description="The country whose helplines a card shows.")


@router.put("/account/country", response_model=CountryOut)
def set_country(body: CountryIn, who: IdentityDep, services: ServicesDep) -> CountryOut:
    """Choose the country whose helplines the safety card shows (P11)."""
    code = services.accounts.set_country(who, body.country)
    return CountryOut(
        country=code, helplines_country=services.chat.helplines_for(who.user_id).country
    )


class DateOfBirthIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date_of_birth: IsoDate


class DateOfBirthOut(BaseModel):
    corrected: bool
    account_closed: bool = Field(
        description="True when the corrected date is under the minimum age: the account was "
        "closed and erased at once (P12)."
    )
    receipt: ReceiptOut | None = None


@router.put("/account/date-of-birth", response_model=DateOfBirthOut)
def correct_date_of_birth(
    body: DateOfBirthIn,
    who: IdentityDep,
    services: ServicesDep,
    response: Response,
    background: BackgroundTasks,
) -> DateOfBirthOut:
    """Correct the date of birth. Under the minimum age, the account is closed and erased
    at once, with a signed receipt."""
    if services.accounts.correct_date_of_birth(who, body.date_of_birth):
        return DateOfBirthOut(corrected=True, account_closed=False)
    receipt = services.erasure.close_under_age(
        who.user_id, actor="user", details={"min_age": services.accounts.min_age()}
    )
    response.delete_cookie(SESSION_COOKIE, path="/")
    background.add_task(services.erasure.purge_user, who.user_id)
    return DateOfBirthOut(corrected=True, account_closed=True, receipt=ReceiptOut.of(receipt))


@router.post("/account/deletion/cancel", response_model=TokenOut)
def cancel_account_deletion(
    body: DeletionCancelIn,
    request: Request,
    response: Response,
    services: ServicesDep,
    client: ClientDep,
) -> TokenOut:
    new = services.accounts.cancel_deletion(
        username=body.username,
        password=body.password,
        client=client,
        client_label=client_label(request),
    )
    return issue_session(response, services, new)


@router.delete("/conversations", response_model=ConversationsErasedOut)
def delete_all_conversations(
    who: IdentityDep,
    services: ServicesDep,
    confirm: Annotated[
        Literal["all"] | None, Query(description="Must be `all`: this cannot be undone.")
    ] = None,
) -> ConversationsErasedOut:
    if confirm != "all":
        raise ConfirmationRequired("deleting every conversation needs confirm=all")
    return ConversationsErasedOut.of(services.erasure.delete_conversations(who.user_id))


@router.delete("/companions/{companion_id}/conversations", response_model=ConversationsErasedOut)
def delete_companion_conversations(
    companion_id: str,
    who: IdentityDep,
    services: ServicesDep,
    confirm: Annotated[
        Literal["all"] | None, Query(description="Must be `all`: this cannot be undone.")
    ] = None,
) -> ConversationsErasedOut:
    if confirm != "all":
        raise ConfirmationRequired("deleting every conversation of a companion needs confirm=all")
    erased = services.erasure.delete_conversations(who.user_id, companion_id=companion_id)
    return ConversationsErasedOut.of(erased)
