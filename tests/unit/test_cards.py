"""Character Card V2 import/export: real JSON and real PNG files, no mocks."""

from __future__ import annotations

import base64
import io
import json
import struct
import tracemalloc
import zlib
from typing import Any

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from confide.companions.cards import (
    MAX_CARD_BYTES,
    MAX_CARD_JSON_BYTES,
    card_json,
    card_json_bytes,
    card_png,
    parse_card,
)
from confide.companions.profile import MAX_TEXT_CHARS, CompanionProfile
from confide.errors import InvalidInput, PayloadTooLarge

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SECRET = "ZEBRA-CANARY-7781"  # a marker that must never appear in an error message

CHARACTER_BOOK: dict[str, Any] = {
    "name": "Lore",
    "scan_depth": 4,
    "entries": [
        {
            "keys": ["harbour"],
            "content": "The harbour floods every spring.",
            "enabled": True,
            "insertion_order": 0,
            "extensions": {},
        }
    ],
    "extensions": {},
}


def v2_card(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Mira",
        "description": "A lighthouse keeper.",
        "personality": "Warm, dry humour.",
        "scenario": "A stormy night at the lighthouse.",
        "first_mes": "Oh! A visitor.",
        "mes_example": "<START>\n{{user}}: Hi\n{{char}}: Hello.",
        "creator_notes": "Best with long replies.",
        "system_prompt": "Stay in character.",
        "post_history_instructions": "Keep replies short.",
        "alternate_greetings": ["Evening.", "You're soaked!"],
        "character_book": CHARACTER_BOOK,
        "tags": ["fantasy", "cozy"],
        "creator": "anon",
        "character_version": "1.2",
        "extensions": {"talkativeness": "0.5", "depth_prompt": {"depth": 4, "prompt": "x"}},
    }
    data.update(overrides)
    return {"spec": "chara_card_v2", "spec_version": "2.0", "data": data}


def to_bytes(card: Any) -> bytes:
    return json.dumps(card).encode("utf-8")


def chunk(ctype: bytes, body: bytes, *, crc: int | None = None) -> bytes:
    value = zlib.crc32(ctype + body) if crc is None else crc
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", value)


def ihdr(width: int = 1, height: int = 1) -> bytes:
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))


def idat() -> bytes:
    # One RGB pixel, filter byte 0.
    return chunk(b"IDAT", zlib.compress(b"\x00\x10\x20\x30"))


def text_chunk(keyword: bytes, text: bytes) -> bytes:
    return chunk(b"tEXt", keyword + b"\x00" + text)


def handmade_png(*middle: bytes) -> bytes:
    return PNG_SIGNATURE + ihdr() + b"".join(middle) + idat() + chunk(b"IEND", b"")


def b64(card: Any) -> bytes:
    return base64.b64encode(to_bytes(card))


def pillow_png(chunks: dict[str, str]) -> bytes:
    info = PngInfo()
    for key, value in chunks.items():
        info.add_text(key, value)
    out = io.BytesIO()
    Image.new("RGB", (32, 48), (10, 20, 30)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def rich_profile() -> CompanionProfile:
    return CompanionProfile(
        name="Mira",
        gender="female",
        persona="A lighthouse keeper.",
        tone="Warm.",
        greeting="Oh! A visitor.",
        example_dialogue="<START>\n{{char}}: Hello.",
        creator_notes="notes",
        tags=["fantasy", "cozy"],
        creator="anon",
        character_version="2",
        extensions={
            "chara_card_v2": {
                "system_prompt": "Stay in character.",
                "post_history_instructions": "Be brief.",
                "alternate_greetings": ["Evening.", "Ünïcode greeting ☂"],
                "character_book": CHARACTER_BOOK,
                "extensions": {"talkativeness": "0.5"},
            }
        },
    )


# --- import: JSON ----------------------------------------------------------------------------


def test_parse_card_v2_json_maps_every_field() -> None:
    profile = parse_card(to_bytes(v2_card()), filename="mira.json")

    assert profile.name == "Mira"
    assert profile.persona == "A lighthouse keeper.\n\nScenario: A stormy night at the lighthouse."
    assert profile.tone == "Warm, dry humour."
    assert profile.greeting == "Oh! A visitor."
    assert profile.example_dialogue == "<START>\n{{user}}: Hi\n{{char}}: Hello."
    assert profile.creator_notes == "Best with long replies."
    assert profile.tags == ["fantasy", "cozy"]
    assert profile.creator == "anon"
    assert profile.character_version == "1.2"
    assert profile.gender == ""
    assert profile.extensions == {
        "chara_card_v2": {
            "scenario": "A stormy night at the lighthouse.",
            "system_prompt": "Stay in character.",
            "post_history_instructions": "Keep replies short.",
            "alternate_greetings": ["Evening.", "You're soaked!"],
            "character_book": CHARACTER_BOOK,
            "extensions": {"talkativeness": "0.5", "depth_prompt": {"depth": 4, "prompt": "x"}},
        }
    }


def test_parse_card_v1_flat_json_maps_fields() -> None:
    card = {
        "name": "Old Tom",
        "description": "A fisherman.",
        "personality": "Gruff.",
        "scenario": "",
        "first_mes": "Eh?",
        "mes_example": "{{char}}: Eh.",
    }

    profile = parse_card(to_bytes(card))

    assert profile == CompanionProfile(
        name="Old Tom",
        persona="A fisherman.",
        tone="Gruff.",
        greeting="Eh?",
        example_dialogue="{{char}}: Eh.",
    )


def test_parse_card_v1_scenario_only_persona_has_scenario_line() -> None:
    profile = parse_card(to_bytes({"name": "Tom", "scenario": "At sea."}))

    assert profile.persona == "Scenario: At sea."
    assert card_json(profile)["data"]["scenario"] == "At sea."
    assert card_json(profile)["data"]["description"] == ""


def test_parse_card_crlf_text_normalised_to_lf() -> None:
    card = v2_card(first_mes="Line one\r\nLine two", alternate_greetings=["a\r\nb"])

    profile = parse_card(to_bytes(card))

    assert profile.greeting == "Line one\nLine two"
    assert profile.extensions["chara_card_v2"]["alternate_greetings"] == ["a\nb"]


def test_parse_card_null_optional_fields_read_as_absent() -> None:
    card = v2_card(scenario=None, tags=None, character_book=None, extensions=None)

    profile = parse_card(to_bytes(card))

    assert profile.persona == "A lighthouse keeper."
    assert profile.tags == []
    assert "character_book" not in profile.extensions["chara_card_v2"]
    assert "extensions" not in profile.extensions["chara_card_v2"]


def test_parse_card_v3_spec_reads_data_like_v2() -> None:
    card = v2_card()
    card["spec"] = "chara_card_v3"
    card["spec_version"] = "3.0"

    assert parse_card(to_bytes(card)) == parse_card(to_bytes(v2_card()))


def test_parse_card_unknown_spec_raises_invalid_input() -> None:
    card = v2_card()
    card["spec"] = SECRET

    with pytest.raises(InvalidInput, match="'spec'") as info:
        parse_card(to_bytes(card))
    assert SECRET not in info.value.message


def test_parse_card_v2_data_not_object_raises_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="'data'"):
        parse_card(to_bytes({"spec": "chara_card_v2", "spec_version": "2.0", "data": []}))


def test_parse_card_card_extensions_cannot_set_internal_profile_keys() -> None:
    card = v2_card(extensions={"confide": {"gender": "f", "memory_enabled": False}})

    profile = parse_card(to_bytes(card))

    assert profile.gender == "f"
    assert set(profile.extensions) == {"chara_card_v2"}
    assert "extensions" not in profile.extensions["chara_card_v2"]


# --- import: PNG -----------------------------------------------------------------------------


def test_parse_card_pillow_png_imports_card() -> None:
    png = pillow_png({"chara": b64(v2_card()).decode("ascii")})

    profile = parse_card(png, filename="mira.png", content_type="image/png")

    assert profile == parse_card(to_bytes(v2_card()))


def test_parse_card_handmade_png_after_idat_chunk_imports_card() -> None:
    png = PNG_SIGNATURE + ihdr() + idat() + text_chunk(b"chara", b64(v2_card()))
    png += chunk(b"IEND", b"")

    assert parse_card(png).name == "Mira"


def test_parse_card_png_detected_by_signature_not_filename() -> None:
    png = pillow_png({"chara": b64(v2_card()).decode("ascii")})

    assert parse_card(png, filename="card.json", content_type="application/json").name == "Mira"
    assert parse_card(to_bytes(v2_card()), filename="card.png").name == "Mira"


def test_parse_card_itxt_uncompressed_chara_imports_card() -> None:
    body = b"chara\x00\x00\x00\x00\x00" + b64(v2_card())
    png = handmade_png(chunk(b"iTXt", body))

    assert parse_card(png).name == "Mira"


def test_parse_card_itxt_compressed_chara_raises_invalid_input() -> None:
    body = b"chara\x00\x01\x00\x00\x00" + zlib.compress(b64(v2_card()))
    png = handmade_png(chunk(b"iTXt", body))

    with pytest.raises(InvalidInput, match="compressed"):
        parse_card(png)


def test_parse_card_chara_and_ccv3_chunks_prefers_chara() -> None:
    v3 = v2_card(name="Version Three")
    v3["spec"] = "chara_card_v3"
    png = handmade_png(text_chunk(b"ccv3", b64(v3)), text_chunk(b"chara", b64(v2_card())))

    assert parse_card(png).name == "Mira"


def test_parse_card_ccv3_only_png_imports_v3_data() -> None:
    v3 = v2_card(name="Version Three")
    v3["spec"] = "chara_card_v3"
    png = handmade_png(text_chunk(b"ccv3", b64(v3)))

    assert parse_card(png).name == "Version Three"


def test_parse_card_png_bad_crc_raises_invalid_input() -> None:
    good = text_chunk(b"chara", b64(v2_card()))
    bad = good[:-4] + struct.pack(">I", (zlib.crc32(good[4:-4]) + 1) & 0xFFFFFFFF)
    png = handmade_png(bad)

    with pytest.raises(InvalidInput, match="CRC"):
        parse_card(png)


def test_parse_card_png_flipped_data_byte_raises_invalid_input() -> None:
    png = bytearray(pillow_png({"chara": b64(v2_card()).decode("ascii")}))
    png[40] ^= 0x01  # inside the first chunks, past the signature

    with pytest.raises(InvalidInput):
        parse_card(bytes(png))


@pytest.mark.parametrize("keep", [8, 12, 20, 33, 60, -20, -12, -1])
def test_parse_card_truncated_png_raises_invalid_input(keep: int) -> None:
    png = handmade_png(text_chunk(b"chara", b64(v2_card())))

    with pytest.raises(InvalidInput, match="truncated"):
        parse_card(png[:keep])


def test_parse_card_png_without_iend_raises_invalid_input() -> None:
    png = PNG_SIGNATURE + ihdr() + text_chunk(b"chara", b64(v2_card())) + idat()

    with pytest.raises(InvalidInput, match="truncated"):
        parse_card(png)


def test_parse_card_png_first_chunk_not_ihdr_raises_invalid_input() -> None:
    png = PNG_SIGNATURE + text_chunk(b"chara", b64(v2_card())) + ihdr() + chunk(b"IEND", b"")

    with pytest.raises(InvalidInput, match="IHDR"):
        parse_card(png)


def test_parse_card_png_without_chara_chunk_raises_invalid_input() -> None:
    png = pillow_png({"Comment": "just a picture"})

    with pytest.raises(InvalidInput, match="chara"):
        parse_card(png)


def test_parse_card_invalid_base64_raises_invalid_input() -> None:
    png = handmade_png(text_chunk(b"chara", b"not*base64!" + SECRET.encode()))

    with pytest.raises(InvalidInput, match="base64") as info:
        parse_card(png)
    assert SECRET not in info.value.message


def test_parse_card_huge_declared_chunk_length_raises_invalid_input_without_allocating() -> None:
    header = struct.pack(">I", 0x7FFFFFF0) + b"tEXt"
    png = PNG_SIGNATURE + ihdr() + header + b"chara\x00AAAA" + b"\x00" * 64

    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput, match="limit"):
            parse_card(png)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


def test_parse_card_chunk_length_past_end_raises_invalid_input() -> None:
    header = struct.pack(">I", 5000) + b"tEXt"
    png = PNG_SIGNATURE + ihdr() + header + b"chara\x00AAAA"

    with pytest.raises(InvalidInput, match="truncated"):
        parse_card(png)


def test_parse_card_oversized_chara_chunk_raises_payload_too_large() -> None:
    text = b"A" * (4 * (MAX_CARD_JSON_BYTES // 3) + 400)
    png = handmade_png(text_chunk(b"chara", text))

    with pytest.raises(PayloadTooLarge):
        parse_card(png)


# --- import: validation errors ---------------------------------------------------------------


@pytest.mark.parametrize("payload", [f'["{SECRET}"]', f'"{SECRET}"', "42", "null", "true"])
def test_parse_card_non_object_json_raises_invalid_input(payload: str) -> None:
    with pytest.raises(InvalidInput, match="object") as info:
        parse_card(payload.encode())
    assert SECRET not in info.value.message


@pytest.mark.parametrize("payload", [b"{not json " + SECRET.encode(), b"\xff\xfe{}", b""])
def test_parse_card_malformed_json_raises_invalid_input(payload: bytes) -> None:
    with pytest.raises(InvalidInput, match="JSON") as info:
        parse_card(payload)
    assert SECRET not in info.value.message


def test_parse_card_non_finite_number_raises_invalid_input() -> None:
    payload = b'{"spec": "chara_card_v2", "data": {"name": "A", "extensions": {"x": NaN}}}'

    with pytest.raises(InvalidInput):
        parse_card(payload)


def test_parse_card_deeply_nested_json_raises_invalid_input() -> None:
    nested = "[" * 100_000 + "]" * 100_000
    payload = (
        '{"name": "A", "spec": "chara_card_v2", "data": {"name": "A", "extensions": '
        '{"x": ' + nested + "}}}"
    ).encode()

    with pytest.raises(InvalidInput, match="nested"):
        parse_card(payload)


@pytest.mark.parametrize("name", [None, "", "   "])
def test_parse_card_name_missing_raises_invalid_input(name: str | None) -> None:
    card = v2_card(name=name)

    with pytest.raises(InvalidInput, match="'name' is required"):
        parse_card(to_bytes(card))


def test_parse_card_name_key_absent_raises_invalid_input() -> None:
    card = v2_card()
    del card["data"]["name"]

    with pytest.raises(InvalidInput, match="'name' is required"):
        parse_card(to_bytes(card))


def test_parse_card_name_too_long_raises_invalid_input_without_content() -> None:
    name = (SECRET * 10)[:101]
    assert len(name) == 101

    with pytest.raises(InvalidInput, match="'name'") as info:
        parse_card(to_bytes(v2_card(name=name)))
    assert SECRET not in info.value.message
    assert "100" in info.value.message


def test_parse_card_name_not_string_raises_invalid_input_without_content() -> None:
    with pytest.raises(InvalidInput, match="'name' must be a string") as info:
        parse_card(to_bytes(v2_card(name=[SECRET])))
    assert SECRET not in info.value.message


@pytest.mark.parametrize("tags", [SECRET, [SECRET, 3], {"a": SECRET}])
def test_parse_card_tags_wrong_type_raises_invalid_input_without_content(tags: Any) -> None:
    with pytest.raises(InvalidInput, match="'tags'") as info:
        parse_card(to_bytes(v2_card(tags=tags)))
    assert SECRET not in info.value.message


def test_parse_card_tag_too_long_raises_invalid_input_without_content() -> None:
    with pytest.raises(InvalidInput, match="'tags'") as info:
        parse_card(to_bytes(v2_card(tags=[SECRET * 10])))
    assert SECRET not in info.value.message


def test_parse_card_description_too_long_raises_invalid_input_without_content() -> None:
    description = SECRET * (MAX_TEXT_CHARS // len(SECRET) + 1)

    with pytest.raises(InvalidInput, match="description") as info:
        parse_card(to_bytes(v2_card(description=description)))
    assert SECRET not in info.value.message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("alternate_greetings", "hi"),
        ("character_book", ["x"]),
        ("extensions", "x"),
        ("first_mes", 3),
    ],
)
def test_parse_card_field_wrong_type_raises_invalid_input(field: str, value: Any) -> None:
    with pytest.raises(InvalidInput, match=f"'{field}'"):
        parse_card(to_bytes(v2_card(**{field: value})))


def test_parse_card_oversized_file_raises_payload_too_large() -> None:
    with pytest.raises(PayloadTooLarge):
        parse_card(PNG_SIGNATURE + b"\x00" * MAX_CARD_BYTES)


def test_parse_card_oversized_json_raises_payload_too_large() -> None:
    card = v2_card(extensions={"pad": "x" * MAX_CARD_JSON_BYTES})

    with pytest.raises(PayloadTooLarge):
        parse_card(to_bytes(card))


# --- export ----------------------------------------------------------------------------------


def test_card_json_profile_has_v2_shape() -> None:
    card = card_json(rich_profile())

    assert card["spec"] == "chara_card_v2"
    assert card["spec_version"] == "2.0"
    assert set(card["data"]) == {
        "name",
        "description",
        "personality",
        "scenario",
        "first_mes",
        "mes_example",
        "creator_notes",
        "system_prompt",
        "post_history_instructions",
        "alternate_greetings",
        "character_book",
        "tags",
        "creator",
        "character_version",
        "extensions",
    }
    assert card["data"]["extensions"]["confide"] == {"gender": "female"}


def test_card_json_bytes_round_trip_profile_equal() -> None:
    profile = rich_profile()

    raw = card_json_bytes(profile)

    assert "☂".encode() in raw  # ensure_ascii=False
    assert parse_card(raw) == profile


def test_card_png_round_trip_profile_equal() -> None:
    profile = rich_profile()

    assert parse_card(card_png(profile)) == profile


def test_card_json_minimal_profile_round_trip_equal() -> None:
    profile = CompanionProfile(name="Solo")

    assert parse_card(card_json_bytes(profile)) == profile
    assert parse_card(card_png(profile)) == profile


def test_parse_card_import_export_import_profile_equal() -> None:
    first = parse_card(to_bytes(v2_card()))

    exported = card_json(first)
    second = parse_card(card_json_bytes(first))
    third = parse_card(card_png(first))

    assert exported["data"]["description"] == "A lighthouse keeper."
    assert exported["data"]["scenario"] == "A stormy night at the lighthouse."
    assert second == first
    assert third == first


def test_card_json_edited_persona_exports_without_stale_scenario() -> None:
    imported = parse_card(to_bytes(v2_card()))
    edited = imported.model_copy(update={"persona": "Rewritten entirely."})

    data = card_json(edited)["data"]

    assert data["description"] == "Rewritten entirely."
    assert data["scenario"] == ""


def test_card_png_default_image_opens_with_pillow_256_square() -> None:
    png = card_png(rich_profile())

    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (256, 256)
        image.load()
        chara = image.text["chara"]  # type: ignore[attr-defined]
    assert json.loads(base64.b64decode(chara))["data"]["name"] == "Mira"


def test_card_png_non_latin_name_generates_image() -> None:
    profile = CompanionProfile(name="雪")

    assert parse_card(card_png(profile)) == profile


def test_card_png_avatar_reencoded_keeps_size() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (40, 60), (200, 10, 10, 128)).save(out, format="PNG")

    png = card_png(rich_profile(), avatar=out.getvalue())

    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (40, 60)
        assert image.mode == "RGBA"
    assert parse_card(png) == rich_profile()


def test_card_png_avatar_with_old_chara_chunk_replaced() -> None:
    old = pillow_png({"chara": b64(v2_card(name="Someone Else")).decode("ascii")})

    png = card_png(rich_profile(), avatar=old)

    assert parse_card(png).name == "Mira"


def test_card_png_avatar_over_4096_raises_invalid_input() -> None:
    # A real PNG header declaring 5000x10: Pillow reads the size without decoding pixels.
    avatar = PNG_SIGNATURE + ihdr(5000, 10) + idat() + chunk(b"IEND", b"")

    with pytest.raises(InvalidInput, match="4096"):
        card_png(rich_profile(), avatar=avatar)


def test_card_png_avatar_not_image_raises_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="avatar"):
        card_png(rich_profile(), avatar=b"definitely not an image")


def test_card_png_large_card_exports_and_imports() -> None:
    greetings = ["g" * 10_000 for _ in range(30)]
    profile = CompanionProfile(
        name="Big",
        persona="p" * MAX_TEXT_CHARS,
        tone="t" * MAX_TEXT_CHARS,
        greeting="h" * MAX_TEXT_CHARS,
        example_dialogue="e" * MAX_TEXT_CHARS,
        creator_notes="c" * MAX_TEXT_CHARS,
        extensions={"chara_card_v2": {"alternate_greetings": greetings}},
    )

    png = card_png(profile)

    assert len(card_json_bytes(profile)) > 350_000
    assert len(png) < MAX_CARD_BYTES
    assert parse_card(png) == profile
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (256, 256)
