"""Check-digit arithmetic for generating valid identifiers, shared by the PII shield's
benchmark (``pii_shield.py``) and its unit tests: Luhn (cards), Verhoeff (Aadhaar), mod-97
(IBAN), mod-11 (NHS), base58check (bitcoin addresses)."""

from __future__ import annotations

import hashlib
import random

__all__ = ["base58check", "iban_check", "luhn_complete", "nhs_number", "verhoeff_complete"]

_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def luhn_complete(body: str) -> str:
    """``body`` with its Luhn check digit appended."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)  # doubled: the check digit sits to the right
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def verhoeff_complete(body: str) -> str:
    """``body`` with its Verhoeff check digit appended (Aadhaar)."""
    c = 0
    for i, ch in enumerate(reversed(body)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][int(ch)]]
    return body + str(_VERHOEFF_INV[c])


def iban_check(country: str, bban: str) -> str:
    """The two mod-97 check digits of an IBAN."""
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{98 - int(numeric) % 97:02d}"


def nhs_number(rng: random.Random) -> str:
    """Ten digits passing the NHS mod-11 check."""
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        check = (-sum(d * (10 - i) for i, d in enumerate(digits))) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def base58check(payload: bytes) -> str:
    """A base58check string (bitcoin address) of ``payload`` (version byte included)."""
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n, out = int.from_bytes(data, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out
