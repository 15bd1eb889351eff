"""The PII shield (P7): identifiers become placeholders before a remote model sees them.

Values are generated with valid checksums (Luhn, Verhoeff, mod-97, mod-11, mod-23, base58check)
so each test exercises Presidio's real validation; several carry the log canary, so the session
fails if the shield ever logs what it found.
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections.abc import Mapping, Sequence
from typing import Any

import presidio_analyzer.pattern_recognizer as presidio_patterns
import pytest
import tldextract
from benchmarks.identifiers import (
    base58check,
    iban_check,
    luhn_complete,
    nhs_number,
    verhoeff_complete,
)
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer

from confide.llm.base import ChatMessage, GenerationOptions, Provider
from confide.llm.fake import FakeProvider
from confide.privacy.shield import (
    SENSITIVE_KINDS,
    Finding,
    PiiShield,
    ShieldedProvider,
    ShieldFailed,
)
from tests.conftest import CANARY_PREFIX

# --- generators of valid identifiers -------------------------------------------------------


def luhn_card(rng: random.Random, prefix: str = "4", length: int = 16) -> str:
    return luhn_complete(
        prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    )


def verhoeff_aadhaar(rng: random.Random) -> str:
    while True:
        body = str(rng.randrange(2, 10)) + "".join(str(rng.randrange(10)) for _ in range(10))
        number = verhoeff_complete(body)
        if number != number[::-1]:
            return number


def iban_de(rng: random.Random) -> str:
    bban = "".join(str(rng.randrange(10)) for _ in range(18))
    return f"DE{iban_check('DE', bban)}{bban}"


def es_nif(rng: random.Random) -> str:
    n = rng.randrange(10_000_000, 100_000_000)
    return f"{n}{'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}"


def es_nie(rng: random.Random) -> str:
    prefix = rng.choice("XYZ")
    n = rng.randrange(1_000_000, 10_000_000)
    full = int(str("XYZ".index(prefix)) + f"{n:07d}")
    return f"{prefix}{n:07d}{'TRWAGMYFPDXBNJZSQVHLCKE'[full % 23]}"


def btc_address(rng: random.Random) -> str:
    return base58check(b"\x00" + rng.randbytes(20))


def us_ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"


def uk_nino(rng: random.Random) -> str:
    first, second = rng.choice("ABCEHJKLMPRSTWXY"), rng.choice("ABCEHJKLMPRSTWXY")
    digits = "".join(str(rng.randrange(10)) for _ in range(6))
    return f"{first}{second}{digits}{rng.choice('ABCD')}"


def pan(rng: random.Random) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    head = "".join(rng.choice(letters) for _ in range(3)) + rng.choice("ABCFGHLJPT")
    return f"{head}{rng.choice(letters)}{rng.randrange(1000, 10000)}{rng.choice(letters)}"


RNG = random.Random(20261123)
CARD = luhn_card(RNG)
AADHAAR = verhoeff_aadhaar(RNG)

# kind -> (value, a sentence around it). Government ids appear with the words people use.
SAMPLES: dict[str, tuple[str, str]] = {
    "CARD": (CARD, "my visa is {} and it expires soon"),
    "EMAIL": (f"{CANARY_PREFIX}.asha@example.org", "write to me at {} whenever"),
    "PHONE": ("+91 98765 43210", "call me on {} after six"),
    "IBAN": (iban_de(RNG), "please send the rent to {} today"),
    "IP_ADDRESS": ("203.0.113.77", "my router's address is {} at home"),
    "CRYPTO_WALLET": (btc_address(RNG), "my bitcoin wallet is {} fyi"),
    "AADHAAR": (AADHAAR, "my aadhaar number is {} ok"),
    "PAN": (pan(RNG), "my PAN card says {} on it"),
    "IN_PASSPORT": ("K4512378", "my passport number is {} for the visa"),
    "IN_VOTER_ID": ("ABC1234567", "my voter id is {} in Pune"),
    "IN_VEHICLE_REG": ("MH12AB4321", "my car is {} if you see it"),
    "US_SSN": (us_ssn(RNG), "my ssn is {} please keep it"),
    "US_PASSPORT": ("C03005988", "my passport number is {} I think"),
    "UK_NINO": (uk_nino(RNG), "my national insurance number is {} btw"),
    "UK_NHS": (nhs_number(RNG), "my NHS number is {} for the GP"),
    "ES_NIF": (es_nif(RNG), "mi NIF es {} para la factura"),
    "ES_NIE": (es_nie(RNG), "mi NIE es {} desde 2019"),
    "PASSWORD": (f"{CANARY_PREFIX}-Hunter2!x", "my password is {} don't tell"),
}


@pytest.fixture(scope="module")
def shield() -> PiiShield:
    return PiiShield()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def echo(messages: Sequence[ChatMessage]) -> str:
    """A model that repeats what it was told (placeholders included)."""
    return "You said: " + messages[-1].content


# --- detection -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_shield_text_each_kind_is_replaced_in_running_text(shield: PiiShield, kind: str) -> None:
    value, template = SAMPLES[kind]
    text = template.format(value)

    findings = shield.find(text)
    shielded = shield.session().shield_text(text)

    assert [(f.kind, text[f.start : f.end]) for f in findings] == [(kind, value)]
    assert value not in shielded
    assert shielded == template.format(f"[{kind}_1]")


def test_find_gives_every_sample_kind_in_one_long_message(shield: PiiShield) -> None:
    text = " and ".join(template.format(value) for value, template in SAMPLES.values())

    shielded = shield.session().shield_text(text)

    assert {f.kind for f in shield.find(text)} == set(SAMPLES)
    assert not any(value in shielded for value, _ in SAMPLES.values())
    assert shield.find(shielded) == []


@pytest.mark.parametrize("seed", range(20))
def test_find_valid_checksums_are_cards_and_aadhaar(shield: PiiShield, seed: int) -> None:
    rng = random.Random(seed)
    card = luhn_card(rng, prefix=rng.choice(["4", "51", "6011", "37"]), length=16)
    aadhaar = verhoeff_aadhaar(rng)

    kinds = [f.kind for f in shield.find(f"card {card} and aadhaar {aadhaar} there")]

    assert kinds == ["CARD", "AADHAAR"]


@pytest.mark.parametrize("seed", range(20))
def test_find_invalid_checksums_are_not_cards_or_aadhaar(shield: PiiShield, seed: int) -> None:
    rng = random.Random(seed)
    card, aadhaar = luhn_card(rng), verhoeff_aadhaar(rng)
    bad_card = card[:-1] + str((int(card[-1]) + 1) % 10)
    bad_aadhaar = aadhaar[:-1] + str((int(aadhaar[-1]) + 3) % 10)

    kinds = {f.kind for f in shield.find(f"card {bad_card} and aadhaar {bad_aadhaar} there")}

    assert "CARD" not in kinds
    assert "AADHAAR" not in kinds


@pytest.mark.parametrize(
    "text",
    [
        "I went for a long walk by the river today and saw two herons.",
        "Everything was fine in 2024, I walked 10000 steps and paid 1500 rupees.",
        "My meeting is at 10:30 on 2024-05-06 and costs $1,234.56 in total.",
        "Room 221B Baker Street, flight AI302 on Monday.",
        "Mujhe kal 5 baje milna hai, theek hai? Sab kuch achha hai.",
        "Tengo 25 años y vivo en Madrid desde 2019, calle Mayor 12.",
        "मेरा पासवर्ड भूल गया, फिर से सेट करना है",
        "I forgot my password yesterday.",
        "My password is not working again.",
        "pin code 560001, Bangalore",
        "It was +15 degrees, and the score was +2 by 2024.",
    ],
)
def test_find_ordinary_chat_has_no_findings(shield: PiiShield, text: str) -> None:
    assert shield.find(text) == []


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("my car is MH 12 AB 4321 if you see it", "IN_VEHICLE_REG", "MH 12 AB 4321"),
        ("bike mh-12-ab-4321 got a challan", "IN_VEHICLE_REG", "mh-12-ab-4321"),
        # An unallocated UK mobile range: not "valid" to phonenumbers, still a phone number.
        ("mi teléfono es +44 7700 950259, llámame", "PHONE", "+44 7700 950259"),
    ],
)
def test_find_identifiers_written_loosely(
    shield: PiiShield, text: str, kind: str, value: str
) -> None:
    assert [(f.kind, text[f.start : f.end]) for f in shield.find(text)] == [(kind, value)]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("my password is hunter2!", "hunter2"),
        ("password: sunshine", "sunshine"),
        ('the password for my bank account is "correct horse"', "correct horse"),
        ("pwd abc@123 for the wifi", "abc@123"),
        ("my ATM pin is 4821.", "4821"),
        ("mi contraseña es gato123", "gato123"),
        ("mera password abc@123 hai", "abc@123"),
        ("मेरा पासवर्ड है tiger99 याद रखना", "tiger99"),
    ],
)
def test_find_password_after_cue_word(shield: PiiShield, text: str, secret: str) -> None:
    findings = shield.find(text)

    assert [(f.kind, text[f.start : f.end]) for f in findings] == [("PASSWORD", secret)]


def test_finding_repr_and_session_repr_hold_no_text(shield: PiiShield) -> None:
    value, template = SAMPLES["EMAIL"]
    session = shield.session()
    session.shield_text(template.format(value))

    assert value not in repr(shield.find(template.format(value)))
    assert value not in repr(session)
    assert repr(Finding("EMAIL", 1, 2, 1.0)) == "Finding(kind='EMAIL', start=1, end=2, score=1.0)"


# --- sensitive ------------------------------------------------------------------------------
def test_sensitive_lists_distinct_sensitive_kinds_sorted(shield: PiiShield) -> None:
    card_text = SAMPLES["CARD"][1].format(CARD)
    text = f"{card_text}. Also {SAMPLES['AADHAAR'][1].format(AADHAAR)} and again {CARD}."

    assert shield.sensitive(text) == ["AADHAAR", "CARD"]


def test_sensitive_ignores_contact_details(shield: PiiShield) -> None:
    text = "mail me at asha@example.org or call +91 98765 43210, my IP is 203.0.113.9"

    assert len(shield.find(text)) == 3
    assert shield.sensitive(text) == []


@pytest.mark.parametrize("kind", sorted(SENSITIVE_KINDS & set(SAMPLES)))
def test_sensitive_warns_for_each_sensitive_sample(shield: PiiShield, kind: str) -> None:
    value, template = SAMPLES[kind]

    assert shield.sensitive(template.format(value)) == [kind]


# --- placeholders and restore --------------------------------------------------------------
def test_shield_text_same_value_same_placeholder_numbered_by_first_appearance(
    shield: PiiShield,
) -> None:
    session = shield.session()

    first = session.shield_text("mail a@example.org or b@example.org")
    second = session.shield_text("I said B@Example.org, not a@example.org")

    assert first == "mail [EMAIL_1] or [EMAIL_2]"
    assert second == "I said [EMAIL_2], not [EMAIL_1]"
    assert session.replaced == 2


def test_shield_text_card_with_and_without_spaces_gets_one_placeholder(shield: PiiShield) -> None:
    spaced = " ".join(CARD[i : i + 4] for i in range(0, 16, 4))
    session = shield.session()

    shielded = session.shield_text(f"card {spaced}, i.e. {CARD}")

    assert shielded == "card [CARD_1], i.e. [CARD_1]"
    assert session.restore("[CARD_1]") == spaced


def test_shield_text_numbers_past_placeholders_the_user_wrote(shield: PiiShield) -> None:
    session = shield.session()
    text = "the docs call it [EMAIL_1]; mine is asha@example.org"

    shielded = session.shield_text(text)

    assert shielded == "the docs call it [EMAIL_1]; mine is [EMAIL_2]"
    assert session.restore(shielded) == text


def test_shield_messages_reserves_literal_placeholders_across_messages(shield: PiiShield) -> None:
    session = shield.session()
    messages = [
        ChatMessage("user", "mine is asha@example.org"),
        ChatMessage("user", "what does [EMAIL_1] mean in the docs?"),
    ]

    shielded = session.shield_messages(messages)

    assert [m.content for m in shielded] == [
        "mine is [EMAIL_2]",
        "what does [EMAIL_1] mean in the docs?",
    ]
    assert [m.role for m in shielded] == ["user", "user"]


def test_restore_round_trip(shield: PiiShield) -> None:
    text = " | ".join(template.format(value) for value, template in SAMPLES.values())
    session = shield.session()

    shielded = session.shield_text(text)

    assert shielded != text
    assert session.restore(shielded) == text
    assert session.replaced == len(SAMPLES)


def test_restore_leaves_unknown_placeholders(shield: PiiShield) -> None:
    session = shield.session()
    session.shield_text("mail asha@example.org")

    assert session.restore("[EMAIL_1] [EMAIL_2] [PHONE_1] [email_1]") == (
        "asha@example.org [EMAIL_2] [PHONE_1] [email_1]"
    )


def test_known_values_are_replaced_whole_word_and_case_insensitively(shield: PiiShield) -> None:
    session = shield.session({"Asha Kumari": "person", "Card": "nickname"})
    text = f"asha kumari (Card to friends) paid with {CARD}; Ashas no"

    shielded = session.shield_text(text)

    assert shielded == "[PERSON_1] ([NICKNAME_1] to friends) paid with [CARD_1]; Ashas no"
    assert session.restore(shielded) == text


# --- streaming restore ---------------------------------------------------------------------
def _stream_session(shield: PiiShield) -> tuple[Any, str]:
    session = shield.session()
    session.shield_text("a@example.org, b@example.org, +91 98765 43210 and " + CARD)
    reply = "Got [EMAIL_1] and [EMAIL_2]; [PHONE_1]! [CARD_1][EMAIL_1] [EMAIL_9] [x] end ["
    return session, reply


def test_stream_restorer_placeholder_split_at_every_position(shield: PiiShield) -> None:
    session, reply = _stream_session(shield)
    expected = session.restore(reply)
    assert "a@example.org" in expected

    for cut in range(len(reply) + 1):
        restorer = session.restorer()
        out = restorer.feed(reply[:cut]) + restorer.feed(reply[cut:]) + restorer.finish()
        assert out == expected, cut


def test_stream_restorer_one_character_pieces(shield: PiiShield) -> None:
    session, reply = _stream_session(shield)
    restorer = session.restorer()

    out = "".join(restorer.feed(ch) for ch in reply) + restorer.finish()

    assert out == session.restore(reply)


def test_stream_restorer_holds_only_possible_placeholders(shield: PiiShield) -> None:
    session, _ = _stream_session(shield)
    restorer = session.restorer()

    assert restorer.feed("see [no") == "see [no"
    assert restorer.feed(" and [EMA") == " and "
    assert restorer.feed("IL_2] ok") == "b@example.org ok"
    assert restorer.feed("[PHO") == ""
    assert restorer.finish() == "[PHO"


# --- the provider wrapper ------------------------------------------------------------------
def _conversation() -> list[ChatMessage]:
    card_value, card_text = SAMPLES["CARD"]
    return [
        ChatMessage("system", f"You are Mira. Memory: the user's email is {SAMPLES['EMAIL'][0]}."),
        ChatMessage("user", card_text.format(card_value)),
        ChatMessage("assistant", "Thanks, I'll remember that."),
        ChatMessage("user", " ".join(t.format(v) for v, t in SAMPLES.values())),
    ]


def _all_request_text(provider: FakeProvider) -> str:
    return "\n".join(m.content for request in provider.requests for m in request)


def test_shielded_provider_stream_sends_no_identifier_and_restores_reply(
    shield: PiiShield,
) -> None:
    inner = FakeProvider(remote=True, reply=echo)
    provider = ShieldedProvider(inner, shield, known={"Asha": "person"})
    messages = _conversation()
    messages[-1] = ChatMessage("user", "I'm Asha. " + messages[-1].content)

    async def collect() -> list[str]:
        return [p async for p in provider.stream(messages, GenerationOptions())]

    pieces = run(collect())

    sent = _all_request_text(inner)
    assert len(inner.requests) == 1
    assert [m.role for m in inner.requests[0]] == [m.role for m in messages]
    for value, _ in SAMPLES.values():
        assert value not in sent
    assert "Asha" not in sent
    assert all(shield.find(m.content) == [] for m in inner.requests[0])
    assert "".join(pieces) == "You said: " + messages[-1].content


def test_shielded_provider_complete_restores_json_strings(shield: PiiShield) -> None:
    password = 'pa"ss\\9x'

    def structured(messages: Sequence[ChatMessage], schema: Mapping[str, Any]) -> str:
        facts = [m.content for m in messages if m.role == "user"]
        return json.dumps({"facts": facts})

    inner = FakeProvider(remote=True, structured=structured)
    provider = ShieldedProvider(inner, shield)
    messages = [ChatMessage("user", f"my password is {password} and mail asha@example.org")]
    options = GenerationOptions(json_schema={"type": "object"})

    completion = run(provider.complete(messages, options))

    assert password not in _all_request_text(inner)
    assert "asha@example.org" not in _all_request_text(inner)
    assert json.loads(completion.text) == {"facts": [messages[0].content]}


def test_shielded_provider_complete_plain_text(shield: PiiShield) -> None:
    inner = FakeProvider(remote=True, reply=echo)
    provider = ShieldedProvider(inner, shield)
    messages = [ChatMessage("user", f"card {CARD}")]

    completion = run(provider.complete(messages, GenerationOptions()))

    assert CARD not in _all_request_text(inner)
    assert completion.text == f"You said: card {CARD}"


def test_shielded_provider_aclose_of_stream_closes_inner_stream(shield: PiiShield) -> None:
    inner = FakeProvider(remote=True, reply=lambda _m: "one two three four five")
    provider = ShieldedProvider(inner, shield)

    async def first_then_close() -> str:
        stream = provider.stream([ChatMessage("user", "hi")], GenerationOptions())
        first = await stream.__anext__()
        await stream.aclose()  # type: ignore[attr-defined]
        return first

    assert run(first_then_close()) == "one"
    assert inner.cancelled == 1


def test_shielded_provider_delegates_and_is_a_provider(shield: PiiShield) -> None:
    inner = FakeProvider(remote=True, context_size=1234, model="m-1")
    provider = ShieldedProvider(inner, shield)

    assert isinstance(provider, Provider)
    assert (provider.name, provider.model, provider.is_remote) == ("fake", "m-1", True)
    assert provider.context_size == 1234
    assert provider.count_tokens("x" * 40) == inner.count_tokens("x" * 40)
    assert provider.message_overhead() == inner.message_overhead()
    assert provider.inner is inner


# --- fail closed ---------------------------------------------------------------------------
@pytest.fixture
def broken_recognizer(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: object, pattern_text: str) -> bool:
        raise RuntimeError(f"validator crashed on {pattern_text}")

    monkeypatch.setattr(CreditCardRecognizer, "validate_result", explode)


@pytest.mark.usefixtures("broken_recognizer")
def test_find_recognizer_error_raises_shield_failed(
    shield: PiiShield, captured_log_lines: list[str]
) -> None:
    with pytest.raises(ShieldFailed) as caught:
        shield.find(SAMPLES["CARD"][1].format(CARD))

    assert caught.value.code == "pii_shield_failed"
    assert caught.value.status == 503
    assert "nothing was sent" in caught.value.message
    assert not any(CARD in line for line in captured_log_lines)


@pytest.mark.usefixtures("broken_recognizer")
@pytest.mark.parametrize("call", ["stream", "complete"])
def test_shielded_provider_detection_error_never_calls_inner(shield: PiiShield, call: str) -> None:
    inner = FakeProvider(remote=True, reply=echo)
    provider = ShieldedProvider(inner, shield)
    messages = [ChatMessage("user", SAMPLES["CARD"][1].format(CARD))]

    async def go() -> None:
        if call == "stream":
            async for _ in provider.stream(messages, GenerationOptions()):
                pass
        else:
            await provider.complete(messages, GenerationOptions())

    with pytest.raises(ShieldFailed):
        run(go())
    assert inner.requests == []


def test_find_regex_timeout_fails_closed(
    shield: PiiShield, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Presidio skips a pattern whose regex times out and only logs it: that must not pass.
    monkeypatch.setattr(presidio_patterns, "REGEX_TIMEOUT_SECONDS", 1e-9)

    with pytest.raises(ShieldFailed):
        shield.find("word " * 20_000 + SAMPLES["EMAIL"][0])


# --- offline -------------------------------------------------------------------------------
@pytest.fixture
def outbound_attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A socket guard: any non-loopback connection or name lookup is refused and recorded."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def is_loopback(host: object) -> bool:
        return str(host) in {"localhost", "127.0.0.1", "::1"} or str(host).startswith("127.")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if self.family == socket.AF_UNIX or is_loopback(host):
            return real_connect(self, address)
        attempts.append(str(host))
        raise ConnectionRefusedError("outbound connection blocked by the test guard")

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is None or is_loopback(host):
            return real_getaddrinfo(host, *args, **kwargs)
        attempts.append(str(host))
        raise socket.gaierror("name lookup blocked by the test guard")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    return attempts


def test_socket_guard_catches_tldextract_default_download(outbound_attempts: list[str]) -> None:
    # Proves the guard works: an online tldextract tries to fetch the suffix list.
    online = tldextract.TLDExtract(cache_dir=None)

    assert online("asha@example.co.uk").suffix == "co.uk"  # fell back to its snapshot
    assert outbound_attempts != []


def test_pii_shield_opens_no_connection(outbound_attempts: list[str]) -> None:
    fresh = PiiShield()
    text = "mail asha@example.co.uk, ravi@mail.example.in or x@foo.dev; call +44 20 7946 0958"

    kinds = [f.kind for f in fresh.find(text)]
    fresh.session().shield_text(text)

    assert kinds == ["EMAIL", "EMAIL", "EMAIL", "PHONE"]
    assert outbound_attempts == []
