"""Time expressions in messages map to date ranges, relative to a fixed today."""

from __future__ import annotations

import random
import string
from datetime import UTC, date, datetime

import pytest

from confide.memory.dates import DateRange, find_date_range, format_day

TODAY = date(2024, 1, 17)  # a Wednesday


def _days(start: tuple[int, int, int], end: tuple[int, int, int] | None = None) -> DateRange:
    return DateRange(date(*start), date(*(end or start)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # relative days
        ("What did I say today?", _days((2024, 1, 17))),
        ("you told me yesterday's plan", _days((2024, 1, 16))),
        ("The day before yesterday", _days((2024, 1, 15))),
        # N units ago
        ("3 days ago", _days((2024, 1, 14))),
        ("about three DAYS ago", _days((2024, 1, 14))),
        ("a couple of days ago", _days((2024, 1, 15))),
        ("a few days ago", _days((2024, 1, 14))),
        ("a week ago", _days((2024, 1, 8), (2024, 1, 14))),
        ("3 weeks ago", _days((2023, 12, 25), (2023, 12, 31))),
        ("a month ago", _days((2023, 12, 1), (2023, 12, 31))),
        ("twelve months ago", _days((2023, 1, 1), (2023, 1, 31))),
        ("five years ago", _days((2019, 1, 1), (2019, 12, 31))),
        # last/this/next periods
        ("what did I tell you last week?", _days((2024, 1, 8), (2024, 1, 14))),
        ("this week", _days((2024, 1, 15), (2024, 1, 21))),
        ("next week", _days((2024, 1, 22), (2024, 1, 28))),
        ("last month", _days((2023, 12, 1), (2023, 12, 31))),
        ("this month", _days((2024, 1, 1), (2024, 1, 31))),
        ("last year", _days((2023, 1, 1), (2023, 12, 31))),
        ("this year", _days((2024, 1, 1), (2024, 12, 31))),
        ("last weekend", _days((2024, 1, 13), (2024, 1, 14))),
        # weekdays
        ("last Monday", _days((2024, 1, 15))),
        ("last wednesday", _days((2024, 1, 10))),
        ("on Wednesday", _days((2024, 1, 17))),
        ("on friday", _days((2024, 1, 12))),
        # months
        ("remember the concert in May?", _days((2023, 5, 1), (2023, 5, 31))),
        ("in may", _days((2023, 5, 1), (2023, 5, 31))),
        ("Remember May?", _days((2023, 5, 1), (2023, 5, 31))),
        ("May 2023", _days((2023, 5, 1), (2023, 5, 31))),
        ("in may of 2022", _days((2022, 5, 1), (2022, 5, 31))),
        ("in January", _days((2024, 1, 1), (2024, 1, 31))),
        ("last January", _days((2023, 1, 1), (2023, 1, 31))),
        ("during Dec", _days((2023, 12, 1), (2023, 12, 31))),
        # days
        ("8 May 2023", _days((2023, 5, 8))),
        ("on May 8th, 2023", _days((2023, 5, 8))),
        ("the 3rd of march", _days((2023, 3, 3))),
        ("Jan 10", _days((2024, 1, 10))),
        ("on 20 January", _days((2023, 1, 20))),
        ("29 Feb", _days((2020, 2, 29))),
        ("2023-05-08", _days((2023, 5, 8))),
        # years
        ("back in 2022", _days((2022, 1, 1), (2022, 12, 31))),
        ("since 2019", _days((2019, 1, 1), (2019, 12, 31))),
        ("2021?", _days((2021, 1, 1), (2021, 12, 31))),
        # seasons
        ("last summer", _days((2023, 6, 1), (2023, 8, 31))),
        ("last winter", _days((2022, 12, 1), (2023, 2, 28))),
        ("last spring", _days((2023, 3, 1), (2023, 5, 31))),
        ("last fall", _days((2023, 9, 1), (2023, 11, 30))),
        # "may" the verb
        ("we may meet on 5 May", _days((2023, 5, 5))),
        ("Last May I went to Paris", _days((2023, 5, 1), (2023, 5, 31))),
        # the first expression in the text wins; an impossible one is skipped
        ("last week, or maybe yesterday", _days((2024, 1, 8), (2024, 1, 14))),
        ("yesterday, or maybe last week", _days((2024, 1, 16))),
        ("on 31 Feb, or yesterday", _days((2024, 1, 16))),
    ],
)
def test_find_date_range(text: str, expected: DateRange) -> None:
    assert find_date_range(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello, how are you?",
        "I may go to the park",
        "May I ask you something?",
        "those 2 may be wrong",
        "the last may be the best",
        "I'm 30 years old and have 2000 reasons",
        "weekday mornings, the monthly report, todayish",
        "31 February",
        "February 30, 2023",
        "in 1850",
        "99999 years ago",
    ],
)
def test_no_date_range(text: str) -> None:
    assert find_date_range(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("last week", date(2024, 1, 3), _days((2023, 12, 25), (2023, 12, 31))),
        ("last month", date(2024, 1, 1), _days((2023, 12, 1), (2023, 12, 31))),
        ("in December", date(2024, 1, 1), _days((2023, 12, 1), (2023, 12, 31))),
        ("last summer", date(2024, 7, 1), _days((2023, 6, 1), (2023, 8, 31))),
        ("last spring", date(2024, 7, 1), _days((2024, 3, 1), (2024, 5, 31))),
        ("last winter", date(2024, 12, 5), _days((2023, 12, 1), (2024, 2, 29))),
        ("last weekend", date(2024, 1, 21), _days((2024, 1, 13), (2024, 1, 14))),
        ("next week", date.max, None),
        ("3 days ago", date.min, None),
    ],
)
def test_find_date_range_around_boundaries(
    text: str, today: date, expected: DateRange | None
) -> None:
    assert find_date_range(text, today) == expected


def test_never_raises_on_random_text() -> None:
    rng = random.Random(1234)
    words = ["last", "May", "may", "in", "31", "Feb", "2023", "ago", "a", "few", "week", "on", "of"]
    alphabet = string.printable + "éſ٣\u200b"
    for _ in range(500):
        noise = "".join(rng.choice(alphabet) for _ in range(rng.randrange(40)))
        text = " ".join([noise, *rng.choices(words, k=rng.randrange(6))])
        for today in (TODAY, date.min, date.max):
            found = find_date_range(text, today)
            assert found is None or found.start <= found.end


def test_contains_takes_days_and_datetimes() -> None:
    span = _days((2023, 5, 1), (2023, 5, 31))
    assert span.contains(date(2023, 5, 31))
    assert span.contains(datetime(2023, 5, 1, 23, 59, tzinfo=UTC))
    assert not span.contains(date(2023, 6, 1))


@pytest.mark.parametrize(
    ("day", "expected"),
    [(date(2023, 5, 8), "8 May 2023"), (date(2024, 12, 25), "25 December 2024")],
)
def test_format_day(day: date, expected: str) -> None:
    assert format_day(day) == expected
