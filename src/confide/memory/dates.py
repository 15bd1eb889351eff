"""Time expressions in a user's message, as the date range they refer to.

"What did I tell you last week?" or "remember the concert in May?" names a span of days; memory
recall can prefer memories and messages from that span. Everything here is pure (``today`` is a
parameter, no clock, no locale) and English only; text that names no time gives ``None``.

Supported, case-insensitive and on whole words:

* today, yesterday, the day before yesterday
* "N days/weeks/months/years ago" (N in digits, one..twelve, a/an, a couple (of), a few): the
  day, its Monday-Sunday week, its calendar month or its year
* last/this/next week (ISO, Monday-Sunday), last/this month, last/this year, last weekend
* "last <weekday>" (before today), "on <weekday>" (up to and including today)
* months, full or abbreviated, with an optional day and year: "in May", "May 2023",
  "in may of 2022", "8 May 2023", "May 8th, 2023"; without a year, the most recent one not after
  today ("last May": the most recent before the current month)
* ISO dates, "2023-05-08"
* a year 1900-2100 after in/since/during, or as the whole message ("2022?")
* last spring/summer/autumn/fall/winter (meteorological, Northern hemisphere): the most recent
  one that ended before the current season began

"May" (and "mar"/"march") double as verbs, so they count as a month only with a day or year, after
in/of/since/during/last/early/late, or capitalised, and not when only capitalisation or "last"
vouches for it and a verb's continuation follows ("May I ask", "the last may be best").
When several expressions occur the first in the text wins; impossible dates (31 February) are
skipped. ``find_date_range`` never raises.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = ["DateRange", "find_date_range", "format_day"]


@dataclass(frozen=True, slots=True)
class DateRange:
    """Days from ``start`` to ``end``, both inclusive."""

    start: date
    end: date

    def contains(self, moment: date) -> bool:
        """Whether a day (or a ``datetime``'s day, in its own timezone) lies in the range."""
        day = moment.date() if isinstance(moment, datetime) else moment
        return self.start <= day <= self.end


_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(_MONTH_NAMES, 1):
    _MONTHS[_name.lower()] = _number
    _MONTHS[_name[:3].lower()] = _number
_MONTHS["sept"] = 9
# Words that are also common verbs: a month only with more context (see the module docstring).
_AMBIGUOUS_MONTHS = frozenset({"may", "mar", "march"})

_WEEKDAYS = {
    name: i
    for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}

_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}

# Season -> first month; each lasts three months (winter runs into the next year).
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}

_MIN_YEAR, _MAX_YEAR = 1900, 2100

_FLAGS = re.IGNORECASE | re.ASCII | re.VERBOSE


def _alternation(words: list[str]) -> str:
    # Longest first, so "march" is tried before "mar" and "sept" before "sep".
    return "|".join(sorted(words, key=len, reverse=True))


_MONTH_WORDS = _alternation(list(_MONTHS))
_WEEKDAY_WORDS = _alternation(list(_WEEKDAYS))
_NUMBER_WORDS = _alternation([w for w in _NUMBERS if w not in ("a", "an")])
_ORDINAL = r"(?:st|nd|rd|th)"
_YEAR = r"(?P<year>[0-9]{4})\b(?![-/.][0-9])"


# --- ranges -------------------------------------------------------------------------------------


def _day(d: date) -> DateRange:
    return DateRange(d, d)


def _week(d: date) -> DateRange:
    start = d - timedelta(days=d.weekday())
    return DateRange(start, start + timedelta(days=6))


def _month(year: int, month: int) -> DateRange:
    return DateRange(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def _year(year: int) -> DateRange:
    return DateRange(date(year, 1, 1), date(year, 12, 31))


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    y, m = divmod(year * 12 + month - 1 + delta, 12)
    return y, m + 1


def _season(year: int, first_month: int) -> DateRange:
    end_year, end_month = _shift_month(year, first_month, 2)
    return DateRange(_month(year, first_month).start, _month(end_year, end_month).end)


# --- handlers: one per pattern, each (match, text, today) -> range or None ------------------------

_Handler = Callable[[re.Match[str], str, date], DateRange | None]


def _relative_day(match: re.Match[str], text: str, today: date) -> DateRange | None:
    word = match.group(0).lower()
    if word == "today":
        return _day(today)
    return _day(today - timedelta(days=1 if word == "yesterday" else 2))


def _ago(match: re.Match[str], text: str, today: date) -> DateRange | None:
    if match.group("couple"):
        n = 2
    elif match.group("few"):
        n = 3
    elif match.group("digits"):
        n = int(match.group("digits"))
    else:
        n = _NUMBERS[match.group("word").lower()]
    unit = match.group("unit").lower()
    if unit.startswith("day"):
        return _day(today - timedelta(days=n))
    if unit.startswith("week"):
        return _week(today - timedelta(weeks=n))
    if unit.startswith("month"):
        return _month(*_shift_month(today.year, today.month, -n))
    return _year(today.year - n)


def _relative_period(match: re.Match[str], text: str, today: date) -> DateRange | None:
    offset = {"last": -1, "this": 0, "next": 1}[match.group("which").lower()]
    unit = match.group("unit").lower()
    if unit == "week":
        return _week(today + timedelta(weeks=offset))
    if unit == "month":
        return _month(*_shift_month(today.year, today.month, offset))
    return _year(today.year + offset)


def _last_weekend(match: re.Match[str], text: str, today: date) -> DateRange | None:
    saturday = _week(today - timedelta(weeks=1)).start + timedelta(days=5)
    return DateRange(saturday, saturday + timedelta(days=1))


def _weekday(match: re.Match[str], text: str, today: date) -> DateRange | None:
    back = (today.weekday() - _WEEKDAYS[match.group("weekday").lower()]) % 7
    if match.group("which").lower() == "last" and back == 0:
        back = 7
    return _day(today - timedelta(days=back))


def _last_season(match: re.Match[str], text: str, today: date) -> DateRange | None:
    # The current season began on the first of a month in (Dec, Mar, Jun, Sep).
    if today.month in (1, 2):
        current = date(today.year - 1, 12, 1)
    else:
        current = date(today.year, today.month - today.month % 3, 1)
    first_month = _SEASONS[match.group("season").lower()]
    for year in range(today.year, today.year - 3, -1):
        span = _season(year, first_month)
        if span.end < current:
            return span
    return None  # pragma: no cover - one of three consecutive years always ends in time


# What follows "may" as a verb: "May I ask", "the last may be", "it may not".
_AFTER_MODAL = r"\s+(?:be|not|have|also|well|just|never|still|even)\b"
_VERB_AFTER_MAY = re.compile(rf"\s+(?:i|we|you|he|she|it|they)\b|{_AFTER_MODAL}", _FLAGS)
_VERB_AFTER_LAST_MAY = re.compile(_AFTER_MODAL, _FLAGS)


def _month_expression(match: re.Match[str], text: str, today: date) -> DateRange | None:
    word = match.group("m1") or match.group("m2")
    month = _MONTHS[word.lower()]
    day_text = match.group("d1") or match.group("d2")
    year_text = match.group("year")
    pre = (match.group("pre") or "").lower()
    if word.lower() in _AMBIGUOUS_MONTHS:
        # A bare number before the word is weak context ("those 2 may be wrong"); an ordinal or
        # "of" ("the 3rd of march") is strong.
        strong_d1 = match.group("d1") is not None and (match.group("ord1") or match.group("of1"))
        context = bool(pre or match.group("d2") or year_text or strong_d1)
        if pre == "last" and not (day_text or year_text):
            # "Last May I went" is the month, "the last may be best" is not.
            context = not _VERB_AFTER_LAST_MAY.match(text, match.end())
        capitalised = word[0].isupper() and not _VERB_AFTER_MAY.match(text, match.end())
        if not (context or capitalised):
            return None
    if year_text is not None:
        year = int(year_text)
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return None
        if day_text is None:
            return _month(year, month)
        return _day(date(year, month, int(day_text)))  # ValueError on 31 February: skipped
    if day_text is not None:
        day = int(day_text)
        # The most recent such day not after today (29 February looks back to a leap year).
        for year in range(today.year, today.year - 9, -1):
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if candidate <= today:
                return _day(candidate)
        return None
    year = today.year
    if month > today.month or (pre == "last" and month == today.month):
        year -= 1
    return _month(year, month)


def _iso_date(match: re.Match[str], text: str, today: date) -> DateRange | None:
    return _day(date(int(match.group("y")), int(match.group("m")), int(match.group("d"))))


def _bare_year(match: re.Match[str], text: str, today: date) -> DateRange | None:
    year = int(match.group("year"))
    return _year(year) if _MIN_YEAR <= year <= _MAX_YEAR else None


_PATTERNS: tuple[tuple[re.Pattern[str], _Handler], ...] = (
    (re.compile(r"\b(?:the\s+day\s+before\s+yesterday|yesterday|today)\b", _FLAGS), _relative_day),
    (
        re.compile(
            rf"""\b(?:
                    (?P<couple>a\s+couple(?:\s+of)?)
                  | (?P<few>a\s+few)
                  | (?P<digits>[0-9]{{1,5}})
                  | (?P<word>{_NUMBER_WORDS}|an|a)
                )\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b""",
            _FLAGS,
        ),
        _ago,
    ),
    (re.compile(r"\b(?P<which>last|this|next)\s+(?P<unit>week)\b", _FLAGS), _relative_period),
    (re.compile(r"\b(?P<which>last|this)\s+(?P<unit>month|year)\b", _FLAGS), _relative_period),
    (re.compile(r"\blast\s+weekend\b", _FLAGS), _last_weekend),
    (re.compile(rf"\b(?P<which>last|on)\s+(?P<weekday>{_WEEKDAY_WORDS})\b", _FLAGS), _weekday),
    (re.compile(rf"\blast\s+(?P<season>{_alternation(list(_SEASONS))})\b", _FLAGS), _last_season),
    (
        re.compile(
            rf"""\b(?:(?P<pre>in|of|since|during|last|early|late)\s+)?
                (?:
                    (?P<d1>[0-9]{{1,2}})(?P<ord1>{_ORDINAL})?\s+(?P<of1>of\s+)?(?P<m1>{_MONTH_WORDS})
                  | (?P<m2>{_MONTH_WORDS})(?:\s+(?P<d2>[0-9]{{1,2}}){_ORDINAL}?\b(?![-/.:][0-9]))?
                )\b
                (?:(?:\s+of)?,?\s+{_YEAR})?""",
            _FLAGS,
        ),
        _month_expression,
    ),
    (
        re.compile(r"\b(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})\b", _FLAGS),
        _iso_date,
    ),
    (re.compile(rf"\b(?:in|since|during)\s+{_YEAR}", _FLAGS), _bare_year),
    (re.compile(rf"\A\W*{_YEAR}\W*\Z", _FLAGS), _bare_year),
)


# --- public -------------------------------------------------------------------------------------


def find_date_range(text: str, today: date) -> DateRange | None:
    """The time span a message refers to, relative to `today`, or None if it names none."""
    best: tuple[int, int, DateRange] | None = None
    for pattern, handler in _PATTERNS:
        for match in pattern.finditer(text):
            if best is not None and match.start() > best[0]:
                break  # later in the text than what we have; finditer only moves right
            try:
                found = handler(match, text, today)
            except (ValueError, OverflowError):  # impossible day, or beyond date.min/max
                continue
            if found is None:
                continue
            # Earliest start wins; at the same start, the longer (more specific) match.
            key = (match.start(), -match.end())
            if best is None or key < (best[0], best[1]):
                best = (key[0], key[1], found)
            break
    return None if best is None else best[2]


def format_day(d: date) -> str:
    """'8 May 2023' style (no leading zero), used to show when a memory is from."""
    return f"{d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"
