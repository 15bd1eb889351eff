"""Import and export of SillyTavern Character Cards (``chara_card_v2``), as JSON or PNG.

Threat handled: a card is an **untrusted upload** from anywhere on the internet, so this module
treats every byte as hostile.

* **Size limits.** The whole upload is capped at :data:`MAX_CARD_BYTES` and the card's JSON at
  :data:`MAX_CARD_JSON_BYTES`; both are checked before anything is decoded, and a PNG chunk that
  declares a length past the end of the file (or over the limit) is rejected *before* anything
  is allocated for it.
* **No pixel decoding on import.** A PNG card is read by walking its chunks with :mod:`struct`;
  image data is never decompressed, so decompression bombs and image-decoder bugs are out of
  reach. Every chunk's CRC is verified with :func:`zlib.crc32`, the first chunk must be ``IHDR``,
  reading stops at ``IEND``, and truncated files are refused.
* **Strict decoding.** The ``chara`` payload is decoded as strict base64, strict UTF-8 and JSON
  (``NaN``/``Infinity`` refused, deep nesting refused); every field is type-checked and then
  validated by :class:`~confide.companions.profile.CompanionProfile`.
* **Clear 4xx errors that never echo content.** Every failure is an
  :class:`~confide.errors.InvalidInput` (422) or :class:`~confide.errors.PayloadTooLarge` (413)
  whose message names the offending *field* (e.g. ``card field 'name' ...``) but never contains
  what the card said: card text is personal content and may also be crafted to inject markup.
* **Nothing internal is settable from a card.** Only the documented fields are read; a card can
  never set arbitrary keys of ``profile.extensions``.

Formats read: V2 (``spec == "chara_card_v2"``, fields under ``data``); V1 (a flat object with
``name``/``description``/``personality``/``scenario``/``first_mes``/``mes_example`` and no
``spec``; other top-level keys are ignored); and V3 (``spec == "chara_card_v3"``), whose ``data``
is read exactly like V2's -- V3-only fields (assets, nickname, group-only greetings, ...) are
dropped. In a PNG, a ``tEXt`` (or uncompressed ``iTXt``) chunk with keyword ``chara`` is used;
a ``ccv3`` chunk is used only when no ``chara`` chunk exists. JSON ``null`` for an optional field
is read as "absent". Export always writes V2.

Mapping to :class:`CompanionProfile`:

=========================  ==============================================================
card (``data``)            profile
=========================  ==============================================================
name                       name
description + scenario     persona (``description`` + ``"\\n\\nScenario: " + scenario``
                           when ``scenario`` is non-empty)
personality                tone
first_mes                  greeting
mes_example                example_dialogue
creator_notes, tags,       copied as-is
creator, character_version
system_prompt,             ``profile.extensions["chara_card_v2"]`` (only non-empty values,
post_history_instructions, so an export -> import round trip gives an equal profile); the
alternate_greetings,       original ``scenario`` is kept there too so export can split the
character_book,            persona back into ``description`` and ``scenario``
extensions
extensions.confide.gender  gender (a card has no gender field; export writes it there)
=========================  ==============================================================

Keys of ``profile.extensions`` other than ``"chara_card_v2"`` are confide-internal and are
neither exported nor importable.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import io
import json
import struct
import warnings
import zlib
from typing import Any, Final

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError
from PIL.PngImagePlugin import PngInfo
from pydantic import ValidationError

from confide.companions.profile import MAX_NAME_CHARS, CompanionProfile
from confide.errors import InvalidInput, PayloadTooLarge

__all__ = [
    "MAX_CARD_BYTES",
    "MAX_CARD_JSON_BYTES",
    "card_json",
    "card_json_bytes",
    "card_png",
    "parse_card",
]

MAX_CARD_BYTES: Final = 2 * 1024 * 1024
"""Largest accepted upload (PNG or JSON), in bytes."""

MAX_CARD_JSON_BYTES: Final = 512 * 1024
"""Largest accepted card JSON (raw, or after base64-decoding a PNG's ``chara`` chunk)."""

SPEC_V2: Final = "chara_card_v2"
SPEC_V3: Final = "chara_card_v3"
EXTENSION_KEY: Final = "chara_card_v2"
"""Key of ``profile.extensions`` that holds the card fields with no profile field."""

_CONFIDE_KEY: Final = "confide"
_SCENARIO_SEPARATOR: Final = "\n\nScenario: "
_SCENARIO_PREFIX: Final = "Scenario: "

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_PNG_MAX_CHUNK_LENGTH: Final = 2**31 - 1  # the PNG spec's own limit
_CHARA_KEYWORD: Final = b"chara"
_CCV3_KEYWORD: Final = b"ccv3"
# Base64 of the largest accepted JSON: a longer chunk is refused before decoding.
_MAX_BASE64_CHARS: Final = 4 * ((MAX_CARD_JSON_BYTES + 2) // 3)
_MAX_JSON_DEPTH: Final = 64

_MAX_AVATAR_SIDE: Final = 4096
_AVATAR_EXPORT_SIDE: Final = 1024
_AVATAR_FORMATS: Final = ("PNG", "JPEG", "WEBP", "GIF")
_GENERATED_SIDE: Final = 256

# Card text fields -> profile fields, for messages that name the card's field.
_PROFILE_TO_CARD_FIELD: Final = {
    "name": "name",
    "persona": "description",
    "tone": "personality",
    "greeting": "first_mes",
    "example_dialogue": "mes_example",
    "creator_notes": "creator_notes",
    "tags": "tags",
    "creator": "creator",
    "character_version": "character_version",
    "gender": "extensions.confide.gender",
}


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


def parse_card(
    data: bytes, *, filename: str | None = None, content_type: str | None = None
) -> CompanionProfile:
    """Parse an uploaded card (PNG or JSON) into a profile.

    The format is detected by the PNG signature, never by ``filename`` or ``content_type``;
    those only sharpen the error message when a file that claims to be a PNG is not one.

    Raises:
        PayloadTooLarge: the upload or its card JSON is over the size limits.
        InvalidInput: anything malformed; the message names the field, never its content.
    """
    if len(data) > MAX_CARD_BYTES:
        raise PayloadTooLarge(f"card file exceeds {MAX_CARD_BYTES} bytes")
    if data.startswith(_PNG_SIGNATURE):
        return _profile_from_card(_load_json(_chara_payload_from_png(data)))
    if len(data) > MAX_CARD_JSON_BYTES:
        raise PayloadTooLarge(f"card JSON exceeds {MAX_CARD_JSON_BYTES} bytes")
    claims_png = (content_type or "").lower() == "image/png" or (
        (filename or "").lower().endswith(".png")
    )
    not_json = (
        "card file is neither a PNG image (bad signature) nor a JSON card"
        if claims_png
        else "card is not valid JSON"
    )
    return _profile_from_card(_load_json(data, not_json=not_json))


def _chara_payload_from_png(data: bytes) -> bytes:
    """Walk the PNG's chunks and return the decoded JSON bytes of its character chunk."""
    view = memoryview(data)
    size = len(data)
    offset = len(_PNG_SIGNATURE)
    chara: bytes | None = None
    ccv3: bytes | None = None
    first = True
    while True:
        if offset + 8 > size:
            raise InvalidInput("PNG file is truncated")
        length, ctype = struct.unpack_from(">I4s", data, offset)
        if length > _PNG_MAX_CHUNK_LENGTH or length > MAX_CARD_BYTES:
            raise InvalidInput("PNG chunk length exceeds the limit")
        body_start = offset + 8
        body_end = body_start + length
        if body_end + 4 > size:
            raise InvalidInput("PNG file is truncated")
        if not all(65 <= c <= 90 or 97 <= c <= 122 for c in ctype):
            raise InvalidInput("PNG file has an invalid chunk type")
        if first and ctype != b"IHDR":
            raise InvalidInput("PNG file does not start with an IHDR chunk")
        first = False
        body = view[body_start:body_end]
        (expected_crc,) = struct.unpack_from(">I", data, body_end)
        if zlib.crc32(body, zlib.crc32(ctype)) != expected_crc:
            raise InvalidInput("PNG chunk checksum (CRC) mismatch")
        offset = body_end + 4
        if ctype == b"IEND":
            break
        if ctype == b"tEXt":
            keyword, text = _split_text_chunk(body)
        elif ctype == b"iTXt":
            keyword, text = _split_itxt_chunk(body)
        else:
            continue
        if keyword is None or text is None:
            continue
        if keyword == _CHARA_KEYWORD and chara is None:
            chara = text
        elif keyword == _CCV3_KEYWORD and ccv3 is None:
            ccv3 = text
    encoded = chara if chara is not None else ccv3
    if encoded is None:
        raise InvalidInput("PNG file has no character card data ('chara' chunk)")
    return _decode_base64(encoded)


def _split_text_chunk(body: memoryview) -> tuple[bytes | None, bytes | None]:
    """``tEXt``: keyword, NUL, Latin-1 text. Returns ``(None, None)`` if malformed."""
    if not _keyword_is(body, (_CHARA_KEYWORD, _CCV3_KEYWORD)):
        return None, None
    keyword, _, text = body.tobytes().partition(b"\x00")
    return keyword.lower(), text


def _split_itxt_chunk(body: memoryview) -> tuple[bytes | None, bytes | None]:
    """``iTXt``: keyword, NUL, flag, method, language, NUL, translated keyword, NUL, text."""
    if not _keyword_is(body, (_CHARA_KEYWORD, _CCV3_KEYWORD)):
        return None, None
    raw = body.tobytes()
    keyword, _, rest = raw.partition(b"\x00")
    if len(rest) < 2:
        raise InvalidInput("PNG iTXt chunk is malformed")
    if rest[0] != 0:
        raise InvalidInput("compressed iTXt character chunks are not supported")
    parts = rest[2:].split(b"\x00", 2)
    if len(parts) != 3:
        raise InvalidInput("PNG iTXt chunk is malformed")
    return keyword.lower(), parts[2]


def _keyword_is(body: memoryview, keywords: tuple[bytes, ...]) -> bool:
    """Whether the chunk's keyword (before the first NUL) is one of ``keywords``, any case."""
    head = body[:16].tobytes()
    keyword, sep, _ = head.partition(b"\x00")
    return bool(sep) and keyword.lower() in keywords


def _decode_base64(encoded: bytes) -> bytes:
    encoded = encoded.strip(b" \t\r\n")
    if len(encoded) > _MAX_BASE64_CHARS:
        raise PayloadTooLarge(f"card JSON exceeds {MAX_CARD_JSON_BYTES} bytes")
    try:
        decoded = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("PNG character chunk is not valid base64") from exc
    if len(decoded) > MAX_CARD_JSON_BYTES:
        raise PayloadTooLarge(f"card JSON exceeds {MAX_CARD_JSON_BYTES} bytes")
    return decoded


def _reject_constant(_name: str) -> Any:
    raise ValueError("non-finite numbers are not allowed")


def _load_json(payload: bytes, *, not_json: str = "card is not valid JSON") -> dict[str, Any]:
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(not_json) from exc
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise InvalidInput("card JSON is nested too deeply") from exc
    except ValueError as exc:
        raise InvalidInput(not_json) from exc
    if not isinstance(obj, dict):
        raise InvalidInput("card JSON must be an object")
    if _depth(obj) > _MAX_JSON_DEPTH:
        raise InvalidInput("card JSON is nested too deeply")
    return obj


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value, computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item)
    return deepest


def _profile_from_card(card: dict[str, Any]) -> CompanionProfile:
    if "spec" in card:
        spec = card["spec"]
        if spec not in (SPEC_V2, SPEC_V3):
            raise InvalidInput(
                f"card field 'spec' must be '{SPEC_V2}' (or '{SPEC_V3}', or absent for V1)"
            )
        fields = card.get("data")
        if not isinstance(fields, dict):
            raise InvalidInput("card field 'data' must be an object")
        return _profile_from_fields(fields, v1=False)
    return _profile_from_fields(card, v1=True)


def _profile_from_fields(fields: dict[str, Any], *, v1: bool) -> CompanionProfile:
    name = _text(fields, "name").strip()
    if not name:
        raise InvalidInput("card field 'name' is required")
    description = _text(fields, "description").strip()
    scenario = _text(fields, "scenario").strip()
    persona = description
    if scenario:
        persona = (
            f"{description}{_SCENARIO_SEPARATOR}{scenario}"
            if description
            else f"{_SCENARIO_PREFIX}{scenario}"
        )

    profile_fields: dict[str, Any] = {
        "name": name,
        "persona": persona,
        "tone": _text(fields, "personality"),
        "greeting": _text(fields, "first_mes"),
        "example_dialogue": _text(fields, "mes_example"),
    }
    preserved: dict[str, Any] = {}
    if scenario:
        preserved["scenario"] = scenario
    if not v1:
        profile_fields["creator_notes"] = _text(fields, "creator_notes")
        profile_fields["tags"] = _text_list(fields, "tags")
        profile_fields["creator"] = _text(fields, "creator")
        profile_fields["character_version"] = _text(fields, "character_version")
        for key in ("system_prompt", "post_history_instructions"):
            value = _text(fields, key)
            if value:
                preserved[key] = value
        greetings = _text_list(fields, "alternate_greetings")
        if greetings:
            preserved["alternate_greetings"] = greetings
        book = _object(fields, "character_book")
        if book is not None:
            preserved["character_book"] = book
        card_extensions = _object(fields, "extensions") or {}
        confide = card_extensions.pop(_CONFIDE_KEY, None)
        if confide is not None:
            if not isinstance(confide, dict):
                raise InvalidInput(f"card field 'extensions.{_CONFIDE_KEY}' must be an object")
            gender = confide.get("gender")
            if gender is not None:
                if not isinstance(gender, str):
                    raise InvalidInput("card field 'extensions.confide.gender' must be a string")
                profile_fields["gender"] = _normalise(gender)
        if card_extensions:
            preserved["extensions"] = card_extensions
    if preserved:
        profile_fields["extensions"] = {EXTENSION_KEY: preserved}
    try:
        return CompanionProfile.model_validate(profile_fields)
    except ValidationError as exc:
        raise InvalidInput(_validation_message(exc)) from exc


def _normalise(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _text(fields: dict[str, Any], key: str) -> str:
    value = fields.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"card field '{key}' must be a string")
    return _normalise(value)


def _text_list(fields: dict[str, Any], key: str) -> list[str]:
    value = fields.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidInput(f"card field '{key}' must be a list of strings")
    return [_normalise(item) for item in value]


def _object(fields: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = fields.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidInput(f"card field '{key}' must be an object")
    return value


def _validation_message(exc: ValidationError) -> str:
    """A message built only from the error's field and constraint, never from its input."""
    errors = exc.errors(include_input=False, include_url=False)
    if not errors:
        return "card is invalid"
    error = errors[0]
    loc = error.get("loc", ())
    profile_field = str(loc[0]) if loc else ""
    card_field = _PROFILE_TO_CARD_FIELD.get(profile_field, profile_field or "card")
    if profile_field == "persona":
        card_field = "description (with scenario)"
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "string_too_long":
        return f"card field '{card_field}' must be at most {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return f"card field '{card_field}' must not be empty"
    if kind == "too_long":
        return f"card field '{card_field}' must have at most {ctx.get('max_length')} items"
    if kind == "value_error" and profile_field == "tags":
        return f"card field 'tags' entries must be at most {MAX_NAME_CHARS} characters"
    return f"card field '{card_field}' is invalid"


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def card_json(profile: CompanionProfile) -> dict[str, Any]:
    """The profile as a Character Card V2 object (``spec``, ``spec_version``, ``data``)."""
    stored_raw = profile.extensions.get(EXTENSION_KEY)
    stored: dict[str, Any] = stored_raw if isinstance(stored_raw, dict) else {}

    description, scenario = _split_persona(profile.persona, _stored_text(stored, "scenario"))
    greetings_raw = stored.get("alternate_greetings")
    greetings = (
        [g for g in greetings_raw if isinstance(g, str)] if isinstance(greetings_raw, list) else []
    )
    extensions_raw = stored.get("extensions")
    card_extensions: dict[str, Any] = (
        copy.deepcopy(extensions_raw) if isinstance(extensions_raw, dict) else {}
    )
    card_extensions.pop(_CONFIDE_KEY, None)
    if profile.gender:
        card_extensions[_CONFIDE_KEY] = {"gender": profile.gender}

    data: dict[str, Any] = {
        "name": profile.name,
        "description": description,
        "personality": profile.tone,
        "scenario": scenario,
        "first_mes": profile.greeting,
        "mes_example": profile.example_dialogue,
        "creator_notes": profile.creator_notes,
        "system_prompt": _stored_text(stored, "system_prompt"),
        "post_history_instructions": _stored_text(stored, "post_history_instructions"),
        "alternate_greetings": greetings,
    }
    book = stored.get("character_book")
    if isinstance(book, dict):
        data["character_book"] = copy.deepcopy(book)
    data["tags"] = list(profile.tags)
    data["creator"] = profile.creator
    data["character_version"] = profile.character_version
    data["extensions"] = card_extensions
    return {"spec": SPEC_V2, "spec_version": "2.0", "data": data}


def card_json_bytes(profile: CompanionProfile) -> bytes:
    """The V2 card as UTF-8 JSON (indented, non-ASCII kept as-is)."""
    return json.dumps(card_json(profile), indent=2, ensure_ascii=False).encode("utf-8")


def card_png(profile: CompanionProfile, *, avatar: bytes | None = None) -> bytes:
    """The V2 card as a PNG: the avatar (or a generated tile) plus a ``chara`` ``tEXt`` chunk.

    ``avatar`` is re-encoded (PNG, JPEG, WebP or GIF accepted; only the first frame is kept;
    its metadata is dropped). Avatars over 4096x4096 are refused; larger than 1024 on a side
    are scaled down to fit 1024x1024 so the exported card stays small.

    Raises:
        PayloadTooLarge: ``avatar`` is over :data:`MAX_CARD_BYTES`.
        InvalidInput: ``avatar`` is not a readable image or is too large in pixels.
    """
    image = _avatar_image(avatar) if avatar is not None else _generated_image(profile.name)
    compact = json.dumps(card_json(profile), ensure_ascii=False, separators=(",", ":"))
    info = PngInfo()
    info.add_text("chara", base64.b64encode(compact.encode("utf-8")).decode("ascii"))
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _stored_text(stored: dict[str, Any], key: str) -> str:
    value = stored.get(key)
    return value if isinstance(value, str) else ""


def _split_persona(persona: str, scenario: str) -> tuple[str, str]:
    """Undo the import's ``description + "\\n\\nScenario: " + scenario`` when still intact."""
    if scenario:
        if persona == f"{_SCENARIO_PREFIX}{scenario}":
            return "", scenario
        suffix = f"{_SCENARIO_SEPARATOR}{scenario}"
        if persona.endswith(suffix):
            return persona[: -len(suffix)], scenario
    return persona, ""


def _avatar_image(avatar: bytes) -> Image.Image:
    if len(avatar) > MAX_CARD_BYTES:
        raise PayloadTooLarge(f"avatar exceeds {MAX_CARD_BYTES} bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(avatar), formats=list(_AVATAR_FORMATS))
            width, height = image.size
            if width > _MAX_AVATAR_SIDE or height > _MAX_AVATAR_SIDE:
                raise InvalidInput(
                    f"avatar must be at most {_MAX_AVATAR_SIDE}x{_MAX_AVATAR_SIDE} pixels"
                )
            image.load()
    except InvalidInput:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
    ) as exc:
        raise InvalidInput("avatar is not a readable image") from exc
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    converted = image.convert("RGBA" if has_alpha else "RGB")
    if max(converted.size) > _AVATAR_EXPORT_SIDE:
        converted.thumbnail((_AVATAR_EXPORT_SIDE, _AVATAR_EXPORT_SIDE), Image.Resampling.LANCZOS)
    return converted


def _generated_image(name: str) -> Image.Image:
    """A solid tile coloured by a hash of the name, with the name's first letter if ASCII."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    colour = (64 + digest[0] % 128, 64 + digest[1] % 128, 64 + digest[2] % 128)
    image = Image.new("RGB", (_GENERATED_SIDE, _GENERATED_SIDE), colour)
    letter = name[:1].upper()
    if letter.isascii() and letter.isprintable() and not letter.isspace():
        font = ImageFont.load_default(size=_GENERATED_SIDE // 2)
        draw = ImageDraw.Draw(image)
        left, top, right, bottom = draw.textbbox((0, 0), letter, font=font)
        origin = (
            (_GENERATED_SIDE - (right - left)) / 2 - left,
            (_GENERATED_SIDE - (bottom - top)) / 2 - top,
        )
        draw.text(origin, letter, fill=(255, 255, 255), font=font)
    return image
