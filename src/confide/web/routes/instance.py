"""The instance's settings: anyone signed in may read them; only the instance owner may change
the minimum age for new accounts and the model replies come from."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from confide.accounts.instance import MAX_MIN_AGE
from confide.services import Services
from confide.settings import MIN_AGE_FLOOR
from confide.web.deps import IdentityDep, ServicesDep

router = APIRouter(prefix="/api", tags=["instance"])


class ModelChoiceOut(BaseModel):
    key: str
    title: str
    description: str
    available: bool
    unavailable_reason: str


class InstanceOut(BaseModel):
    is_owner: bool  # whether the caller may change these
    min_age: int
    model: str  # what replies come from now
    model_is_remote: bool
    model_choice: str
    model_choices: list[ModelChoiceOut]  # empty: fixed by the server's configuration


class InstanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_age: int | None = Field(default=None, ge=MIN_AGE_FLOOR, le=MAX_MIN_AGE)
    model: str | None = Field(default=None, max_length=40)


def _out(services: Services, user_id: str) -> InstanceOut:
    menu = services.instance.models()
    return InstanceOut(
        is_owner=services.instance.is_owner(user_id),
        min_age=services.instance.min_age(),
        model=menu.model,
        model_is_remote=menu.is_remote,
        model_choice=menu.current,
        model_choices=[
            ModelChoiceOut(
                key=c.key,
                title=c.title,
                description=c.description,
                available=c.available,
                unavailable_reason=c.unavailable_reason,
            )
            for c in menu.choices
        ],
    )


@router.get("/instance", response_model=InstanceOut)
def get_instance(who: IdentityDep, services: ServicesDep) -> InstanceOut:
    return _out(services, who.user_id)


@router.patch("/instance", response_model=InstanceOut)
def change_instance(body: InstanceIn, who: IdentityDep, services: ServicesDep) -> InstanceOut:
    """Owner only (403 ``not_instance_owner`` otherwise); each change is audited."""
    if body.min_age is not None:
        services.instance.set_min_age(who.user_id, body.min_age)
    if body.model is not None:
        services.instance.set_model(who.user_id, body.model)
    return _out(services, who.user_id)
