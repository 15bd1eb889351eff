"""The PII shield end to end (P7): do generated identifiers reach a remote model?

1,000 identifiers of every kind the shield knows (seeded RNG; valid checksums: Luhn cards,
Verhoeff Aadhaar numbers, mod-97 IBANs, mod-11 NHS numbers, mod-23 NIF/NIE, base58check
bitcoin addresses), written the ways people write them, inside random chat text, go through
the real pipeline: ``ChatService.complete_turn`` on a real instance (SQLite on disk, real
crypto) whose provider is a *remote* recording fake. The fake echoes the user's message back,
so the reply carries whatever placeholders it received; the memory worker is drained as it
goes, so extraction requests (and memories recalled into later system prompts) are checked too.

    python benchmarks/pii_shield.py --json
Last line: {"items", "messages", "leaked", "restored_ok", "by_kind", "median_shield_ms", "met"}.
- leaked: identifiers whose value (as written, or with its spaces/dashes removed) appears in
  any recorded provider request (system prompt, memories, history, extraction prompts).
- restored_ok: share of replies whose stored text contains every original value of the
  message, among replies where the provider echoed placeholders (null if it never got any).
- median_shield_ms: one message through ``PiiShield`` alone (session + shield_text).
Target: leaked == 0 (met).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import report, sign_up
from confide.llm.base import ChatMessage
from confide.llm.fake import FakeProvider
from confide.privacy.keys import FileMasterKeyring
from confide.privacy.shield import PiiShield
from confide.services import Services, build_services
from confide.settings import Settings
from identifiers import base58check, iban_check, luhn_complete, nhs_number, verhoeff_complete

_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_]*_\d+\]")
_NON_ALNUM = re.compile(r"[\W_]+")

# --- identifiers with valid checksums ------------------------------------------------------
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_NAMES = ["asha", "ravi", "priya", "arjun", "lucia", "diego", "emma", "oliver", "sofia", "kabir"]
_DOMAINS = ["gmail.com", "yahoo.co.in", "outlook.com", "example.org", "correo.es", "mail.co.uk"]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def _group(value: str, sizes: Sequence[int], sep: str) -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(value[i : i + size])
        i += size
    return sep.join(parts)


def card(rng: random.Random) -> str:
    prefix, length = rng.choice([("4", 16), ("51", 16), ("55", 16), ("6011", 16), ("37", 15)])
    number = luhn_complete(prefix + _digits(rng, length - len(prefix) - 1))
    sizes = [4, 6, 5] if length == 15 else [4, 4, 4, 4]
    return rng.choice([number, _group(number, sizes, " "), _group(number, sizes, "-")])


def aadhaar(rng: random.Random) -> str:
    while True:
        number = verhoeff_complete(str(rng.randrange(2, 10)) + _digits(rng, 10))
        if number != number[::-1]:
            return rng.choice([number, _group(number, [4, 4, 4], " ")])


def iban(rng: random.Random) -> str:
    country, bban = rng.choice(
        [
            ("DE", _digits(rng, 18)),
            ("ES", _digits(rng, 20)),
            ("GB", "".join(rng.choice(_LETTERS) for _ in range(4)) + _digits(rng, 14)),
        ]
    )
    number = f"{country}{iban_check(country, bban)}{bban}"
    return rng.choice([number, " ".join(number[i : i + 4] for i in range(0, len(number), 4))])


def nhs(rng: random.Random) -> str:
    number = nhs_number(rng)
    return rng.choice([number, _group(number, [3, 3, 4], " ")])


def nif(rng: random.Random) -> str:
    n = rng.randrange(10_000_000, 100_000_000)
    return f"{n}{_NIF_LETTERS[n % 23]}"


def nie(rng: random.Random) -> str:
    prefix = rng.choice("XYZ")
    n = rng.randrange(1_000_000, 10_000_000)
    return f"{prefix}{n:07d}{_NIF_LETTERS[int(str('XYZ'.index(prefix)) + f'{n:07d}') % 23]}"


def bitcoin(rng: random.Random) -> str:
    return base58check(bytes([rng.choice([0, 5])]) + rng.randbytes(20))


def email(rng: random.Random) -> str:
    name = rng.choice(_NAMES)
    local = rng.choice([f"{name}{rng.randrange(10, 9999)}", f"{name}.{rng.choice(_NAMES)}"])
    return f"{local}{rng.randrange(100)}@{rng.choice(_DOMAINS)}"


def phone(rng: random.Random) -> str:
    mobile_in = str(rng.choice([9, 8, 7])) + _digits(rng, 9)
    us = f"{rng.choice([212, 415, 646, 312, 617, 206])}{rng.randrange(200, 1000)}{_digits(rng, 4)}"
    uk = "7" + rng.choice(["911", "700", "400", "845"]) + _digits(rng, 6)
    es = "6" + _digits(rng, 8)
    return rng.choice(
        [
            f"+91 {mobile_in[:5]} {mobile_in[5:]}",
            f"+91-{mobile_in}",
            mobile_in,
            f"+1 ({us[:3]}) {us[3:6]}-{us[6:]}",
            f"{us[:3]}-{us[3:6]}-{us[6:]}",
            f"+44 {uk[:4]} {uk[4:]}",
            f"0{uk[:4]} {uk[4:]}",
            f"+34 {es[:3]} {es[3:6]} {es[6:]}",
        ]
    )


def ip_address(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return ".".join(str(rng.randrange(1, 255)) for _ in range(4))
    return "2001:db8:" + ":".join(f"{rng.randrange(65536):x}" for _ in range(6))


def pan(rng: random.Random) -> str:
    head = "".join(rng.choice(_LETTERS) for _ in range(3)) + rng.choice("ABCFGHLJPT")
    return f"{head}{rng.choice(_LETTERS)}{rng.randrange(1000, 10000)}{rng.choice(_LETTERS)}"


def in_passport(rng: random.Random) -> str:
    return f"{rng.choice(_LETTERS)}{rng.randrange(1, 10)}{_digits(rng, 5)}{rng.randrange(1, 10)}"


def voter_id(rng: random.Random) -> str:
    return (
        rng.choice(_LETTERS) + rng.choice("ABCDGHJKMNPRSY") + rng.choice(_LETTERS) + _digits(rng, 7)
    )


def vehicle(rng: random.Random) -> str:
    state, district = rng.choice(
        [("MH", "12"), ("KA", "01"), ("DL", "3C"), ("TN", "09"), ("GJ", "05"), ("UP", "32")]
    )
    letters = "".join(rng.choice(_LETTERS) for _ in range(rng.choice([1, 2])))
    number = f"{rng.randrange(1, 10000):04d}"
    return rng.choice(
        [
            f"{state}{district}{letters}{number}",
            f"{state} {district} {letters} {number}",
            f"{state}-{district}-{letters}-{number}",
        ]
    )


def ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"


def us_passport(rng: random.Random) -> str:
    return rng.choice([_digits(rng, 9), rng.choice(_LETTERS) + _digits(rng, 8)])


def nino(rng: random.Random) -> str:
    allowed = "ABCEHJKLMPRSTWXY"
    number = rng.choice(allowed) + rng.choice(allowed) + _digits(rng, 6) + rng.choice("ABCD")
    return rng.choice([number, _group(number, [2, 2, 2, 2, 1], " ")])


def password(rng: random.Random) -> str:
    word = rng.choice(["tiger", "sunshine", "Mumbai", "dragon", "gato", "chai", "Lakers"])
    return f"{word}{rng.randrange(10, 9999)}{rng.choice(['', '!', '@', '#'])}"


@dataclass(frozen=True)
class Kind:
    name: str
    make: Callable[[random.Random], str]
    templates: tuple[str, ...]


KINDS: tuple[Kind, ...] = (
    Kind("CARD", card, ("my card number is {}", "charge it to {} please", "la tarjeta es {}")),
    Kind("EMAIL", email, ("email me at {}", "{} is my address", "mera email {} hai")),
    Kind("PHONE", phone, ("call me on {}", "my number is {}", "mi teléfono es {}")),
    Kind("IBAN", iban, ("my IBAN is {}", "send it to {} tomorrow", "cuenta {}")),
    Kind("IP_ADDRESS", ip_address, ("my server is at {}", "the ip was {}")),
    Kind("CRYPTO_WALLET", bitcoin, ("my bitcoin wallet is {}", "send btc to {}")),
    Kind("AADHAAR", aadhaar, ("my aadhaar is {}", "aadhaar number {} hai", "here: {}")),
    Kind("PAN", pan, ("my PAN is {}", "PAN card {} pe hai", "{} for the tax form")),
    Kind("IN_PASSPORT", in_passport, ("my passport number is {}", "passport {} renewed")),
    Kind("IN_VOTER_ID", voter_id, ("my voter id is {}", "voter card {}")),
    Kind("IN_VEHICLE_REG", vehicle, ("my car number is {}", "bike {} got a challan")),
    Kind("US_SSN", ssn, ("my ssn is {}", "social security {}")),
    Kind("US_PASSPORT", us_passport, ("my passport number is {}", "US passport {}")),
    Kind("UK_NINO", nino, ("my national insurance number is {}", "NI number {}")),
    Kind("UK_NHS", nhs, ("my NHS number is {}", "NHS no. {} for the GP")),
    Kind("ES_NIF", nif, ("mi NIF es {}", "DNI {} para la factura")),
    Kind("ES_NIE", nie, ("mi NIE es {}", "NIE {} caduca pronto")),
    Kind("PASSWORD", password, ("my password is {}", "password: {}", "mi contraseña es {}")),
)

FILLER = [
    "I went for a long walk by the river today and saw two herons.",
    "Work was stressful, my manager moved the deadline again.",
    "I'm thinking about learning to bake sourdough this winter.",
    "Do you remember what I told you about my sister's wedding?",
    "Aaj office mein bahut kaam tha, thak gaya hoon.",
    "Mañana voy al médico a las 10, estoy un poco nerviosa.",
    "We paid 1500 rupees for dinner on 2024-05-06, totally worth it.",
    "My flight AI302 leaves at 10:30 from gate 14.",
]


@dataclass
class Item:
    kind: str
    value: str


@dataclass
class ChatText:
    text: str
    items: list[Item] = field(default_factory=list)


def generate(rng: random.Random, count: int) -> list[ChatText]:
    """``count`` identifiers, one to three per message, kinds in turn, amid filler."""
    out: list[ChatText] = []
    made = 0
    while made < count:
        message = ChatText("")
        parts = [rng.choice(FILLER)]
        for _ in range(min(rng.randint(1, 3), count - made)):
            kind = KINDS[made % len(KINDS)]
            value = kind.make(rng)
            parts.append(rng.choice(kind.templates).format(value) + rng.choice([".", ",", "!", ""]))
            message.items.append(Item(kind.name, value))
            made += 1
        rng.shuffle(parts)
        message.text = " ".join(parts)
        out.append(message)
    return out


# --- the fake remote model -----------------------------------------------------------------
def echo(messages: Sequence[ChatMessage]) -> str:
    last = next((m.content for m in reversed(messages) if m.role == "user"), "")
    return "You said: " + last


def extract(messages: Sequence[ChatMessage], schema: Mapping[str, Any]) -> str:
    """Answers extraction requests with one memory per numbered user line, quoting it (so
    memories carry identifiers back into later system prompts)."""
    items = []
    for line in messages[-1].content.splitlines():
        match = re.match(r"\((\d+)\) ([^:]+): (.*)", line)
        if match:
            text = f"{match.group(2)} said: {match.group(3)}"[:290]
            items.append(
                {
                    "kind": "fact",
                    "text": text,
                    "date": "",
                    "sources": [int(match.group(1))],
                    "replaces": 0,
                }
            )
    return json.dumps({"memories": items[:5]})


def build(data_dir: Path, provider: FakeProvider) -> Services:
    settings = Settings(
        data_dir=data_dir,
        provider="fake",
        embeddings="off",
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
    )
    FileMasterKeyring.create(settings.resolved_master_key_file)
    return build_services(settings, provider=provider)


# --- measuring -----------------------------------------------------------------------------
def _compact(text: str) -> str:
    return _NON_ALNUM.sub("", text).casefold()


def count_leaks(items: list[Item], provider: FakeProvider) -> dict[str, dict[str, int]]:
    sent = {m.content for request in provider.requests for m in request}
    corpus = "\n".join(sent)
    compact_corpus = _compact(corpus)
    by_kind: dict[str, dict[str, int]] = {k.name: {"items": 0, "leaked": 0} for k in KINDS}
    for item in items:
        by_kind[item.kind]["items"] += 1
        compact = _compact(item.value)
        # As written, or reformatted (a card without its spaces); short compact forms (an IP
        # like 1.2.3.4) are only checked as written, to avoid chance matches.
        if item.value in corpus or (len(compact) >= 8 and compact in compact_corpus):
            by_kind[item.kind]["leaked"] += 1
    return by_kind


def median_shield_ms(shield: PiiShield, messages: list[ChatText]) -> float:
    times = []
    for message in messages:
        t0 = time.perf_counter()
        shield.session().shield_text(message.text)
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 3)


async def run(count: int, seed: int, drain_every: int) -> dict[str, Any]:
    rng = random.Random(seed)
    messages = generate(rng, count)
    provider = FakeProvider(remote=True, reply=echo, structured=extract)
    failed_turns = echoed = restored = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        services = build(Path(tmp), provider)
        uid = sign_up(services, "bench")
        companion = services.companions.create_from_starter(uid, "mira")
        conv = services.conversations.create(uid, companion.id, "bench", user_name="bench")
        for i, message in enumerate(messages):
            before = len(provider.requests)
            try:
                _, reply = await services.chat.complete_turn(uid, "bench", conv.id, message.text)
            except Exception:  # noqa: BLE001 — a failed turn is counted, the run goes on
                failed_turns += 1
                continue
            received = echo(provider.requests[before]) if len(provider.requests) > before else ""
            if _PLACEHOLDER.search(received):
                echoed += 1
                restored += all(item.value in reply.content for item in message.items)
            if (i + 1) % drain_every == 0:
                await services.memory_worker.drain(wait_idle=False)
        await services.memory_worker.drain(wait_idle=False)
        outbound = getattr(services, "outbound", None)
        shield = outbound.shield if outbound is not None else PiiShield()
        shield_ms = median_shield_ms(shield, messages)
        services.close()
    items = [item for message in messages for item in message.items]
    by_kind = count_leaks(items, provider)
    leaked = sum(v["leaked"] for v in by_kind.values())
    return {
        "benchmark": "pii_shield",
        "items": len(items),
        "messages": len(messages),
        "provider_requests": len(provider.requests),
        "failed_turns": failed_turns,
        "leaked": leaked,
        "restored_ok": round(restored / echoed, 4) if echoed else None,
        "replies_with_placeholders": echoed,
        "by_kind": by_kind,
        "median_shield_ms": shield_ms,
        "seconds": round(time.perf_counter() - started, 1),
        "met": leaked == 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--drain-every", type=int, default=10, help="turns between memory runs")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    args = parser.parse_args()
    result = asyncio.run(run(args.items, args.seed, args.drain_every))
    report(result, args.json)


if __name__ == "__main__":
    main()
