"""A companion's profile: who the companion is, as the user wrote or imported it.

Every field is personal content (a persona can say a lot about the person who wrote it), so the
whole profile is sealed as one blob under the owner's key and ``repr`` shows only its shape.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["MAX_NAME_CHARS", "MAX_TEXT_CHARS", "CompanionProfile"]

MAX_NAME_CHARS = 100
MAX_TEXT_CHARS = 16_000


class CompanionProfile(BaseModel):
    """The editable fields of a companion (and of a Character Card V2)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    gender: str = Field(default="", max_length=MAX_NAME_CHARS)
    persona: str = Field(default="", max_length=MAX_TEXT_CHARS, description="Persona/backstory")
    tone: str = Field(default="", max_length=MAX_TEXT_CHARS, description="Tone and style")
    greeting: str = Field(default="", max_length=MAX_TEXT_CHARS)
    example_dialogue: str = Field(default="", max_length=MAX_TEXT_CHARS)
    # Character Card V2 fields kept so an imported card exports again without loss.
    creator_notes: str = Field(default="", max_length=MAX_TEXT_CHARS)
    tags: list[str] = Field(default_factory=list, max_length=64)
    creator: str = Field(default="", max_length=MAX_NAME_CHARS)
    character_version: str = Field(default="", max_length=MAX_NAME_CHARS)
    extensions: dict[str, Any] = Field(default_factory=dict)

    @field_validator("tags")
    @classmethod
    def _short_tags(cls, tags: list[str]) -> list[str]:
        cleaned = [t.strip() for t in tags if t.strip()]
        if any(len(t) > MAX_NAME_CHARS for t in cleaned):
            raise ValueError(f"tags must be at most {MAX_NAME_CHARS} characters")
        return cleaned

    def __repr__(self) -> str:
        return f"CompanionProfile(<{len(self.name)}-char name>, <{len(self.persona)}-char persona>)"

    __str__ = __repr__
