"""Placeholders for personal identifiers before a prompt leaves the machine (promise P7).

Threat handled: a remote model provider (its staff, its logs, its training pipeline, anyone who
breaches it) learning users' identifiers — card and bank numbers, government ids, phone
numbers, email and IP addresses, passwords — from the prompts confide sends it. Before a
request goes to a remote provider, every identifier in every message (persona, memories,
history, the new message) is replaced by a stable placeholder such as ``[EMAIL_1]``; the reply
is restored on the way back, piece by piece while it streams. Detection fails closed: if it
errors, or a detector gives up (a regex timeout), :class:`ShieldFailed` is raised and nothing
is sent.

Detection uses Presidio's predefined *pattern* recognizers directly — regexes plus checksums
(Luhn for cards, Verhoeff for Aadhaar, mod-97 for IBAN, mod-11 for NHS, …) and the
``phonenumbers`` library — with no NLP engine and no spaCy model. Two Presidio recognizers are
also run on looser forms people type: vehicle plates with spaces or dashes, and "+" phone
numbers in ranges ``phonenumbers`` does not know as allocated. Two detectors are our own,
where Presidio has none: a password-like secret after a cue word ("password", "pwd", "pin",
"contraseña", "पासवर्ड"), and literal values the caller knows (``known``: a user's name).
Presidio's email recognizer asks ``tldextract`` for the public suffix list, which by default it
downloads; here it reads the snapshot bundled with the package and opens no connection.

    ModelUnavailable            (confide.errors)
    └── ShieldFailed            "pii_shield_failed": detection failed, nothing was sent

Placeholders are numbered per kind in order of first appearance inside one
:class:`ShieldSession` (one per model request), so the same value gets the same placeholder in
the persona, a memory and the new message, and the model can refer to it consistently.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import anyio

from confide.errors import ModelUnavailable
from confide.llm.base import ChatMessage, Completion, GenerationOptions, Provider

__all__ = [
    "SENSITIVE_KINDS",
    "Finding",
    "PiiShield",
    "ShieldFailed",
    "ShieldSession",
    "ShieldedProvider",
    "StreamRestorer",
]

log = logging.getLogger(__name__)

#: Kinds that warrant a "you shared …" warning: government ids, card and bank numbers, secrets.
SENSITIVE_KINDS: frozenset[str] = frozenset(
    {
        "AADHAAR",
        "BANK_ACCOUNT",
        "CARD",
        "ES_NIE",
        "ES_NIF",
        "ES_PASSPORT",
        "IBAN",
        "IN_PASSPORT",
        "IN_VOTER_ID",
        "PAN",
        "PASSWORD",
        "UK_DRIVING_LICENCE",
        "UK_NHS",
        "UK_NINO",
        "UK_PASSPORT",
        "US_ITIN",
        "US_PASSPORT",
        "US_SSN",
    }
)

# Presidio recognizer class -> our kind, and whether the shield may run without it. The very
# noisy US driver-licence recognizer (it matches flight numbers and room numbers) is left out.
_RECOGNIZERS: tuple[tuple[str, str, bool], ...] = (
    ("CreditCardRecognizer", "CARD", True),
    ("EmailRecognizer", "EMAIL", True),
    ("PhoneRecognizer", "PHONE", True),
    ("IbanRecognizer", "IBAN", True),
    ("IpRecognizer", "IP_ADDRESS", True),
    ("CryptoRecognizer", "CRYPTO_WALLET", False),
    ("UsBankRecognizer", "BANK_ACCOUNT", False),
    ("InAadhaarRecognizer", "AADHAAR", True),
    ("InPanRecognizer", "PAN", True),
    ("InPassportRecognizer", "IN_PASSPORT", False),
    ("InVoterRecognizer", "IN_VOTER_ID", False),
    ("InVehicleRegistrationRecognizer", "IN_VEHICLE_REG", False),
    ("InGstinRecognizer", "IN_GSTIN", False),
    ("UsSsnRecognizer", "US_SSN", True),
    ("UsItinRecognizer", "US_ITIN", False),
    ("UsPassportRecognizer", "US_PASSPORT", False),
    ("UkNinoRecognizer", "UK_NINO", False),
    ("NhsRecognizer", "UK_NHS", False),
    ("UkPassportRecognizer", "UK_PASSPORT", False),
    ("UkDrivingLicenceRecognizer", "UK_DRIVING_LICENCE", False),
    ("EsNifRecognizer", "ES_NIF", False),
    ("EsNieRecognizer", "ES_NIE", False),
    ("EsPassportRecognizer", "ES_PASSPORT", False),
)
# National phone formats recognised without a country code (with one, any country matches).
_PHONE_REGIONS = ("IN", "US", "GB", "ES", "MX", "CA", "AU")
_MIN_PHONE_DIGITS = 8
# Presidio scores below this are its "very weak" guesses (any 10-letter word, any 4 digits
# after a letter): dropped. Checksum-validated results score 1.0 and always stay.
_MIN_SCORE = 0.05
# Like Presidio's context enhancer: a recognizer's context word shortly before a result
# ("passport number …") raises its score by 0.35, to at least 0.4.
_CONTEXT_CHARS = 48
_CONTEXT_BOOST = 0.35
_CONTEXT_FLOOR = 0.4
# A finding at least this confident keeps its kind and may trigger the "you shared …" warning;
# weaker ones (a bare 9-digit number as a possible passport) are replaced as kind "ID".
_WARN_SCORE = 0.4
# NHS numbers pass a mod-11 check that one 10-digit string in eleven passes, so without a
# context word ("NHS") one is weaker evidence than a phone-number reading of the same digits
# (an Indian mobile number).
_WEAK_CHECKSUM_CAP = {"UK_NHS": 0.39}
_GUESSED_KIND = "ID"
_PASSWORD_SCORE = 0.9
_KNOWN_SCORE = 1.0
_VERIFY_PASSES = 3

_PLACEHOLDER = re.compile(r"\[([A-Z][A-Z0-9_]*)_([1-9][0-9]*)\]")
_KIND_CHARS = re.compile(r"[^A-Z0-9]+")
_SEPARATORS = re.compile(r"[\s\-./()]+")

# An Indian vehicle plate written with spaces or dashes, or in lower case ("mh 12 ab 1234").
_PLATE = re.compile(
    r"(?<![\w-])[A-Za-z]{2}[ -]?[0-9]{1,2}[A-Za-z]?[ -]?[A-Za-z]{0,3}[ -]?[0-9]{1,4}(?![\w-])"
)
_PLATE_SEPARATORS = re.compile(r"[ -]+")

# --- password-like secrets after a cue word ------------------------------------------------
# "pin code" is the Indian postal code, not a secret.
_CUE = re.compile(
    r"(?<!\w)(?:pass(?:word|wd|code|phrase)s?|pwd|pins?(?!\s*-?\s*codes?(?!\w))|"
    r"contrase(?:ñ|n)as?|clave|पासवर्ड|पिन)(?!\w)",
    re.IGNORECASE,
)
_VALUE = r"(?P<value>\"[^\"\n]{1,64}\"|'[^'\n]{1,64}'|“[^”\n]{1,64}”|\S{1,64})"
# Cue, up to four filler words, an assignment ("is", ":", "es", "है"), then the value.
_ASSIGNED = re.compile(
    r"(?:[ \t]+[^\s:=]{1,24}?){0,4}?"
    r"(?:\s*(?:[:=]|-+>|(?<!\w)(?:is|was|es|era|será|hai|है|था)(?!\w))){1,2}"
    r"\s*" + _VALUE,
    re.IGNORECASE,
)
# Cue directly followed by the value ("pwd hunter2", "मेरा पासवर्ड abc@123 है"): only taken
# when the value looks like a secret (has a digit or a symbol).
_DIRECT = re.compile(r"[ \t]*[:=]?[ \t]*" + _VALUE)
_TRIM_END = ".,;:!?)]}\"'”’"
_TRIM_START = "([{\"'“‘"
# Words that follow "my password is" without being the password.
_NOT_SECRETS = frozenset(
    """
    a an and any are at because but by changed correct different easy expired fine for forgot
    forgotten from hard here in incorrect invalid it just long lost mine my new no not nothing
    now of ok okay old on or reset right safe same secure set short simple so something still
    strong that the their there this to too updated valid very weak what wrong yours your
    el la mi mis muy nada no su tu un una
    hai kya mera meri nahi nahin tera teri woh ye yeh
    मेरा मेरी नहीं क्या
    """.split()
)


class ShieldFailed(ModelUnavailable):
    """Personal-data detection failed, so the request was not sent (fail closed)."""

    code = "pii_shield_failed"

    def __init__(
        self,
        message: str = (
            "personal data could not be checked before sending to the remote model, "
            "so nothing was sent"
        ),
    ) -> None:
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Finding:
    """Where an identifier lies in a text; holds no text itself, so its repr is safe to log."""

    kind: str
    start: int
    end: int
    score: float


# --- Presidio wiring -----------------------------------------------------------------------
class _PresidioLogGuard(logging.Filter):
    """Sits on Presidio's logger. Two jobs:

    - Presidio logs some matched text (the IBAN recognizer on a validation error): arguments and
      tracebacks are dropped, as is its per-pattern debug chatter.
    - Presidio *skips* a pattern whose regex times out and only logs it — that would fail open.
      The timeout is noted for the current thread, and :meth:`PiiShield.find` raises.
    """

    def __init__(self) -> None:
        super().__init__()
        self._local = threading.local()

    def begin(self) -> None:
        self._local.gave_up = False

    def gave_up(self) -> bool:
        return bool(getattr(self._local, "gave_up", False))

    def filter(self, record: logging.LogRecord) -> bool:
        exc_type = record.exc_info[0] if record.exc_info else None
        if exc_type is not None and issubclass(exc_type, TimeoutError):
            self._local.gave_up = True
        if record.levelno < logging.WARNING:
            return False
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True


_LOG_GUARD = _PresidioLogGuard()
_INSTALL_LOCK = threading.Lock()


def _install_log_guard() -> None:
    presidio_log = logging.getLogger("presidio-analyzer")
    with _INSTALL_LOCK:
        if _LOG_GUARD not in presidio_log.filters:
            presidio_log.addFilter(_LOG_GUARD)


class _Result(Protocol):
    start: int
    end: int
    score: float


class _Recognizer(Protocol):
    """What we use of a Presidio recognizer (``nlp_artifacts=None``: pattern-only)."""

    supported_entities: list[str]
    context: list[str]

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: None = None
    ) -> Sequence[_Result]: ...


@dataclass(frozen=True, slots=True)
class _Detector:
    kind: str
    recognizer: _Recognizer
    context: re.Pattern[str] | None
    cap: float = 1.0

    def find(self, text: str) -> Iterable[Finding]:
        entities = self.recognizer.supported_entities
        for result in self.recognizer.analyze(text, entities=entities, nlp_artifacts=None):
            score = float(result.score)
            if score < _MIN_SCORE or result.end <= result.start:
                continue
            start, end = int(result.start), int(result.end)
            yield Finding(self.kind, start, end, self._confidence(text, start, score))

    def _confidence(self, text: str, start: int, score: float) -> float:
        window = max(0, start - _CONTEXT_CHARS)
        if self.context is None or self.context.search(text, window, start) is None:
            return min(score, self.cap)
        return max(_CONTEXT_FLOOR, min(1.0, score + _CONTEXT_BOOST))


@dataclass(frozen=True, slots=True)
class _SeparatedDetector:
    """Presidio's vehicle-plate patterns expect "MH12AB1234"; people also write "MH 12 AB 1234",
    "mh-12-ab-1234". Such spans are compacted and upper-cased, then judged by the same Presidio
    recognizer (its patterns and its state/district validation)."""

    inner: _Detector
    candidates: re.Pattern[str]

    def find(self, text: str) -> Iterable[Finding]:
        for match in self.candidates.finditer(text):
            raw = match.group(0)
            compact = _PLATE_SEPARATORS.sub("", raw).upper()
            if compact == raw:
                continue  # already in Presidio's own form: found by the plain detector
            for finding in self.inner.find(compact):
                if finding.start == 0 and finding.end == len(compact):
                    yield Finding(finding.kind, match.start(), match.end(), finding.score)


@dataclass(frozen=True, slots=True)
class _PlusPhoneDetector:
    """A number written with a "+" country code is a phone number even where ``phonenumbers``
    does not know its range as allocated (a new, foreign or mistyped number): Presidio's phone
    recognizer at its most lenient, kept only for such numbers (national formats at that
    leniency would catch years and prices)."""

    inner: _Detector

    def find(self, text: str) -> Iterable[Finding]:
        for finding in self.inner.find(text):
            digits = sum(ch.isdigit() for ch in text[finding.start : finding.end])
            if text.startswith("+", finding.start) and digits >= _MIN_PHONE_DIGITS:
                yield finding


def _context_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    cleaned = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(w) for w in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _build_detectors() -> list[_Detector | _SeparatedDetector | _PlusPhoneDetector]:
    # Imported here, not at module level: Presidio pulls in heavy NLP packages on import, and
    # only instances with a remote provider need it.
    import tldextract
    from presidio_analyzer import predefined_recognizers as predefined
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    # The bundled public-suffix snapshot; no URLs to fetch and no cache directory to write.
    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool | None:
            # A public suffix confirms the address; without one (".local", a typo) it stays at
            # the pattern's own score rather than being dropped: better replaced than leaked.
            return True if offline(pattern_text).fqdn else None

    detectors: list[_Detector | _SeparatedDetector | _PlusPhoneDetector] = []
    for class_name, kind, required in _RECOGNIZERS:
        recognizer_class = getattr(predefined, class_name, None)
        if recognizer_class is None:
            if required:
                raise ShieldFailed()
            continue
        if class_name == "EmailRecognizer":
            recognizer = OfflineEmailRecognizer()
        elif class_name == "PhoneRecognizer":
            recognizer = recognizer_class(supported_regions=_PHONE_REGIONS)
        else:
            recognizer = recognizer_class()
        context = _context_pattern(recognizer.context)
        detector = _Detector(kind, recognizer, context, _WEAK_CHECKSUM_CAP.get(kind, 1.0))
        detectors.append(detector)
        if kind == "IN_VEHICLE_REG":
            detectors.append(_SeparatedDetector(detector, _PLATE))
        elif kind == "PHONE":
            lenient = recognizer_class(supported_regions=("US",), leniency=0)
            detectors.append(_PlusPhoneDetector(_Detector(kind, lenient, context)))
    return detectors


# --- our own detectors ---------------------------------------------------------------------
def _clean_value(raw: str, start: int) -> tuple[str, int]:
    """Strip quotes and sentence punctuation around a secret: (value, its start)."""
    if len(raw) >= 2 and raw[0] in "\"'“" and raw[-1] in "\"'”":
        return raw[1:-1], start + 1
    lead = len(raw) - len(raw.lstrip(_TRIM_START))
    value = raw[lead:].rstrip(_TRIM_END)
    return value, start + lead


def _looks_secret(value: str) -> bool:
    """Has a digit, punctuation or a symbol (not just letters: Devanagari vowel signs are
    letters here, though regex ``\\W`` matches them)."""
    return any(ch.isdigit() or unicodedata.category(ch)[0] in "PS" for ch in value)


def _find_passwords(text: str) -> Iterable[Finding]:
    for cue in _CUE.finditer(text):
        match = _ASSIGNED.match(text, cue.end())
        must_look_secret = match is None
        if match is None:
            match = _DIRECT.match(text, cue.end())
        if match is None:
            continue
        if _PLACEHOLDER.match(match.group("value")):  # "password is [PASSWORD_1]": shielded
            continue
        value, start = _clean_value(match.group("value"), match.start("value"))
        if len(value.strip()) < 3 or value.casefold() in _NOT_SECRETS:
            continue
        if must_look_secret and not _looks_secret(value):
            continue
        yield Finding("PASSWORD", start, start + len(value), _PASSWORD_SCORE)


def _kind_name(kind: str) -> str:
    return _KIND_CHARS.sub("_", kind.upper()).strip("_") or "PRIVATE"


class _KnownValues:
    """Literal values the caller knows are personal (a user's name), matched case-insensitively
    as whole words."""

    def __init__(self, known: Mapping[str, str] | None) -> None:
        self._kinds: dict[str, str] = {}
        for value, kind in (known or {}).items():
            value = value.strip()
            if len(value) >= 2:
                self._kinds.setdefault(value.casefold(), _kind_name(kind))
        self._pattern: re.Pattern[str] | None = None
        if self._kinds:
            alternatives = "|".join(
                re.escape(v) for v in sorted(self._kinds, key=len, reverse=True)
            )
            self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def find(self, text: str) -> Iterable[Finding]:
        if self._pattern is None:
            return
        for match in self._pattern.finditer(text):
            kind = self._kinds.get(match.group(0).casefold(), "PRIVATE")
            yield Finding(kind, match.start(), match.end(), _KNOWN_SCORE)


def _merge(candidates: list[Finding]) -> list[Finding]:
    """Overlapping findings become one covering their union (no detected character is left
    out), with the kind and score of the most confident, then longest, of them."""
    merged: list[Finding] = []
    group: list[Finding] = []
    group_end = -1
    for finding in sorted(candidates, key=lambda f: (f.start, -f.end)):
        if group and finding.start < group_end:
            group.append(finding)
            group_end = max(group_end, finding.end)
            continue
        if group:
            merged.append(_union(group))
        group, group_end = [finding], finding.end
    if group:
        merged.append(_union(group))
    return merged


def _union(group: list[Finding]) -> Finding:
    best = max(group, key=lambda f: (f.score, f.end - f.start, f.kind))
    # A weak guess ("a bare 9-digit number might be a passport") is still replaced, but named
    # for what is known: a placeholder "[US_PASSPORT_1]" for an order number would mislead.
    kind = best.kind if best.score >= _WARN_SCORE else _GUESSED_KIND
    return Finding(kind, min(f.start for f in group), max(f.end for f in group), best.score)


class PiiShield:
    """Finds personal identifiers in text. Build once at start-up; safe to share across threads.

    Every method fails closed: any internal error becomes :class:`ShieldFailed`.
    """

    def __init__(self) -> None:
        try:
            _install_log_guard()
            self._detectors = _build_detectors()
            # Compile every pattern and load the suffix list now, not during the first request.
            self._detect("warm-up a@example.org 4111 1111 1111 1111 +91 98765 43210", None)
        except ShieldFailed:
            raise
        except Exception as exc:
            log.error("pii shield could not start", extra={"error_type": type(exc).__name__})
            raise ShieldFailed() from exc

    def find(self, text: str) -> list[Finding]:
        """Identifiers in ``text``, non-overlapping, in order."""
        return self._detect(text, None)

    def sensitive(self, text: str) -> list[str]:
        """Sorted distinct sensitive kinds confidently found (for the "you shared …" warning)."""
        kinds = {
            f.kind for f in self.find(text) if f.kind in SENSITIVE_KINDS and f.score >= _WARN_SCORE
        }
        return sorted(kinds)

    def session(self, known: Mapping[str, str] | None = None) -> ShieldSession:
        """A placeholder session for one model request; ``known`` maps literal value -> kind."""
        return ShieldSession(self, known)

    def _detect(self, text: str, known: _KnownValues | None) -> list[Finding]:
        try:
            _LOG_GUARD.begin()
            candidates: list[Finding] = []
            for detector in self._detectors:
                candidates.extend(detector.find(text))
            candidates.extend(_find_passwords(text))
            if known is not None:
                candidates.extend(known.find(text))
            if _LOG_GUARD.gave_up():
                raise TimeoutError("a detector gave up")
            return _merge(candidates)
        except Exception as exc:
            # The type only: messages of library errors can quote the text.
            log.warning("pii detection failed", extra={"error_type": type(exc).__name__})
            raise ShieldFailed() from exc


# --- placeholders --------------------------------------------------------------------------
def _normalise(value: str, kind: str) -> str:
    """The mapping key: the same card with or without spaces gets one placeholder."""
    if kind == "PASSWORD":
        return value
    if kind == "EMAIL":
        return value.casefold()
    return _SEPARATORS.sub("", value).casefold()


class ShieldSession:
    """Placeholders for one model request: the same value always maps to the same placeholder,
    and :meth:`restore` turns them back. Holds personal data in memory only; its repr hides it.
    """

    def __init__(self, shield: PiiShield, known: Mapping[str, str] | None = None) -> None:
        self._shield = shield
        try:
            self._known = _KnownValues(known)
        except Exception as exc:
            raise ShieldFailed() from exc
        self._by_value: dict[str, str] = {}  # normalised value -> placeholder
        self._originals: dict[str, str] = {}  # placeholder -> value as first written
        self._counters: dict[str, int] = {}
        self._reserved: set[str] = set()  # placeholder-shaped text the user wrote literally

    def __repr__(self) -> str:
        return f"ShieldSession(replaced={self.replaced})"

    @property
    def replaced(self) -> int:
        """How many distinct values were replaced."""
        return len(self._originals)

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(self._originals)

    def shield_text(self, text: str) -> str:
        """``text`` with every identifier replaced by its placeholder.

        Raises :class:`ShieldFailed` if detection fails, or if identifiers remain after
        replacing (the result never contains a finding)."""
        self._reserve(text)
        current = text
        for _ in range(_VERIFY_PASSES):
            findings = self._outside_ours(current, self._shield._detect(current, self._known))
            if not findings:
                return current
            current = self._replace(current, findings)
        raise ShieldFailed()

    def shield_messages(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        """Every message shielded within this session (system persona and memories included)."""
        for message in messages:
            self._reserve(message.content)
        return [ChatMessage(m.role, self.shield_text(m.content)) for m in messages]

    def restore(self, text: str) -> str:
        """Every placeholder of this session back to its value; unknown ones left as written."""
        if not self._originals:
            return text
        return _PLACEHOLDER.sub(lambda m: self._originals.get(m.group(0), m.group(0)), text)

    def restore_json(self, text: str) -> str:
        """Like :meth:`restore`, for a JSON reply: values are escaped as JSON strings need
        (a password may contain a quote). Text that is not JSON is restored as plain text."""
        if not self._originals or _PLACEHOLDER.search(text) is None:
            return text
        try:
            parsed = json.loads(text)
        except ValueError:
            return self.restore(text)
        return json.dumps(self._restore_value(parsed), ensure_ascii=False)

    def restorer(self) -> StreamRestorer:
        return StreamRestorer(self)

    # --- internals ---------------------------------------------------------------------
    def _restore_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.restore(value)
        if isinstance(value, list):
            return [self._restore_value(v) for v in value]
        if isinstance(value, dict):
            return {self.restore(k): self._restore_value(v) for k, v in value.items()}
        return value

    def _reserve(self, text: str) -> None:
        for match in _PLACEHOLDER.finditer(text):
            if match.group(0) not in self._originals:
                self._reserved.add(match.group(0))

    def _outside_ours(self, text: str, findings: list[Finding]) -> list[Finding]:
        """Drop findings inside our own placeholders (a known value "Card" in "[CARD_1]")."""
        if not self._originals:
            return findings
        ours = [m.span() for m in _PLACEHOLDER.finditer(text) if m.group(0) in self._originals]
        return [f for f in findings if not any(s <= f.start and f.end <= e for s, e in ours)]

    def _replace(self, text: str, findings: list[Finding]) -> str:
        parts: list[str] = []
        last = 0
        for finding in findings:
            parts.append(text[last : finding.start])
            parts.append(self._placeholder_for(text[finding.start : finding.end], finding.kind))
            last = finding.end
        parts.append(text[last:])
        return "".join(parts)

    def _placeholder_for(self, value: str, kind: str) -> str:
        key = _normalise(value, kind)
        existing = self._by_value.get(key)
        if existing is not None:
            return existing
        number = self._counters.get(kind, 0)
        while True:
            number += 1
            placeholder = f"[{kind}_{number}]"
            if placeholder not in self._reserved and placeholder not in self._originals:
                break
        self._counters[kind] = number
        self._by_value[key] = placeholder
        self._originals[placeholder] = value
        return placeholder


class StreamRestorer:
    """Restores a streamed reply piece by piece. A placeholder may arrive split across pieces
    ("[EMA" + "IL_1]"): a tail that could still become one of the session's placeholders is
    held back until it completes or cannot."""

    def __init__(self, session: ShieldSession) -> None:
        self._session = session
        self._placeholders = session.placeholders
        self._held = ""

    def feed(self, piece: str) -> str:
        """Text safe to emit now."""
        if not self._placeholders:
            return piece
        buffer = self._held + piece
        cut = self._hold_from(buffer)
        self._held = buffer[cut:]
        return self._session.restore(buffer[:cut])

    def finish(self) -> str:
        """Whatever is still held (an unfinished placeholder is emitted as written)."""
        held, self._held = self._held, ""
        return self._session.restore(held)

    def _hold_from(self, buffer: str) -> int:
        start = buffer.rfind("[")
        if start == -1:
            return len(buffer)
        tail = buffer[start:]
        if "]" in tail or not any(p.startswith(tail) for p in self._placeholders):
            return len(buffer)
        return start


# --- the provider wrapper ------------------------------------------------------------------
class ShieldedProvider:
    """A :class:`~confide.llm.base.Provider` that shields every request to ``inner``.

    Threat handled: identifiers reaching a remote provider. All messages are shielded with one
    session *before* ``inner`` is called; if shielding fails, :class:`ShieldFailed` is raised
    and ``inner`` is never called. Replies are restored (streamed pieces as they come).
    """

    def __init__(
        self, inner: Provider, shield: PiiShield, known: Mapping[str, str] | None = None
    ) -> None:
        self._inner = inner
        self._shield = shield
        self._known = dict(known or {})

    def __repr__(self) -> str:
        return f"ShieldedProvider(inner={self._inner.name!r})"

    @property
    def pii_shield(self) -> bool:
        """Recorded with each model call (``AuditLog.model_call``): identifiers were replaced."""
        return True

    @property
    def inner(self) -> Provider:
        return self._inner

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def model(self) -> str:
        return self._inner.model

    @property
    def is_remote(self) -> bool:
        return self._inner.is_remote

    @property
    def context_size(self) -> int:
        return self._inner.context_size

    def count_tokens(self, text: str) -> int:
        return self._inner.count_tokens(text)

    def message_overhead(self) -> int:
        return self._inner.message_overhead()

    async def _shielded(
        self, messages: Sequence[ChatMessage]
    ) -> tuple[ShieldSession, list[ChatMessage]]:
        session = self._shield.session(self._known)
        # Detection is CPU work (milliseconds per message): off the event loop.
        shielded = await anyio.to_thread.run_sync(session.shield_messages, list(messages))
        return session, shielded

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> AsyncIterator[str]:
        session, shielded = await self._shielded(messages)
        restorer = session.restorer()
        pieces = self._inner.stream(shielded, options)
        try:
            async for piece in pieces:
                text = restorer.feed(piece)
                if text:
                    yield text
            tail = restorer.finish()
            if tail:
                yield tail
        finally:
            aclose: Callable[[], Any] | None = getattr(pieces, "aclose", None)
            if aclose is not None:
                await aclose()

    async def complete(
        self, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> Completion:
        session, shielded = await self._shielded(messages)
        completion = await self._inner.complete(shielded, options)
        if options.json_schema is not None:
            text = session.restore_json(completion.text)
        else:
            text = session.restore(completion.text)
        return Completion(text, completion.finish_reason)

    async def aclose(self) -> None:
        await self._inner.aclose()
