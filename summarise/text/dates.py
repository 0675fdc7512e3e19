"""Turn a text's own wording of a date into a partial ISO date, never inventing a year.

A date is ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a range of days ``YYYY-MM-DD/YYYY-MM-DD``
(an ISO 8601 interval: "this week" is Monday to Sunday of the week of publication), and covers
the days of :func:`date_span`.

A year is taken from the wording when it states one. When it does not ("in March",
"Dec. 8"), the year comes from the article's publication date: the date is placed
in the publication year unless that puts it more than two months after publication
(then it is the year before) or more than ten months before it (then the year after:
"on January 5" in a paper of December 20). The tense of the words around the date decides when
they say which: "the regime fell in December", in a paper of 11 November, is the December before,
and "talks will resume in October", in a paper of 20 November, the October after. Without a
publication date the year stays unknown and no date is given: the wording is kept as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_RANGE_END = r"(?:\s*(?:-|–|and|to)\s*[0-3]?\d)?"
_THEN_YEAR = r"(?:,?\s+" + _YEAR + r")?\b"
_PATTERNS = [
    re.compile(r"\b" + _YEAR + r"-(?P<nmonth>[01]\d)-(?P<nday>[0-3]\d)\b"),
    re.compile(r"\b" + _MONTH + r"\s+" + _DAY + _RANGE_END + _THEN_YEAR, re.I),
    re.compile(r"\b" + _DAY + _RANGE_END + r"\s+(?:of\s+)?" + _MONTH + _THEN_YEAR, re.I),
    re.compile(r"\b" + _MONTH + r"(?:,?\s+(?:of\s+)?" + _YEAR + r")?\b", re.I),
    re.compile(r"\b" + _YEAR + r"\b"),
]

DateBasis = Literal["text", "publication_date"]
_RELATIVE = re.compile(r"\b(last|next|previous|following|ago|earlier|later|before|after)\b", re.I)


def resolve_date(
    when_text: str, published: dt.date | None, context: str | None = None
) -> tuple[str | None, DateBasis | None]:
    """Return ``(partial ISO date, basis)`` for a date's wording, or ``(None, None)``.

    ``context`` is the clause the wording stands in: its tense places a date without a year
    before or after the publication date (see :func:`tense_of`).

    >>> resolve_date("in March", dt.date(2025, 3, 12))
    ('2025-03', 'publication_date')
    >>> resolve_date("Dec. 8", dt.date(2025, 3, 12))
    ('2024-12-08', 'publication_date')
    >>> resolve_date("in March", None)
    (None, None)

    A date beyond the calendar (a publication dated in its first or last year) is no date.
    """
    try:
        date, basis = _resolved(when_text, published, context)
    except (ValueError, OverflowError):  # a year 0 or 10000 met in the arithmetic
        return None, None
    if date is not None and not all(_CALENDAR_YEAR.fullmatch(part.split("-")[0]) for part in date.split("/")):
        return None, None  # "next year" from 9999, "last year" from year 1
    return date, basis


#: A year of the calendar as a partial ISO date writes it: 0001 to 9999.
_CALENDAR_YEAR = re.compile(r"(?!0000)\d{4}")


def _resolved(when_text: str, published: dt.date | None, context: str | None) -> tuple[str | None, DateBasis | None]:
    relative = _relative_date(when_text, published)
    if relative is not None:
        return relative, "publication_date"
    for pattern in _PATTERNS:
        match = pattern.search(when_text)
        if not match:
            continue
        parts = match.groupdict()
        year = int(parts["year"]) if parts.get("year") else None
        month = _month_number(parts)
        day = int(parts.get("day") or parts.get("nday") or 0) or None
        if month is None and year is not None:
            return f"{year:04d}", "text"
        if month is None or not 1 <= month <= 12:
            continue
        if parts.get("month") and day is None and year is None and parts["month"][:1].islower():
            continue  # "may", "march": verbs, not months
        basis: DateBasis = "text"
        if year is None:
            if published is None or _RELATIVE.search(when_text):
                return None, None  # "March last year": the year cannot be told from the wording alone
            year = _year_near(published, month, day, tense_of(context or ""))
            basis = "publication_date"
        if day is not None and not _valid_day(year, month, day):
            day = None
        if day is None:
            return f"{year:04d}-{month:02d}", basis
        return f"{year:04d}-{month:02d}-{day:02d}", basis
    return None, None


_RELATIVE_WEEK = re.compile(
    r"^\W*(?:in\s+|during\s+|earlier\s+|later\s+|by\s+)?(?:the\s+)?(last|this|next|previous|coming)\s+week\W*$", re.I
)
_RELATIVE_DAY = re.compile(r"^\W*(?:on\s+|earlier\s+|later\s+)?(today|yesterday|tomorrow)\W*$", re.I)
_RELATIVE_PERIOD = re.compile(r"^\W*(?:in\s+|during\s+|earlier\s+|later\s+)?(last|this|next)\s+(month|year)\W*$", re.I)


_WEEKDAYS = ("mon", "tues", "wednes", "thurs", "fri", "satur", "sun")
_WEEKDAY = re.compile(
    r"^\W*(?:on\s+|since\s+|by\s+)?(?:(last|this|next|past)\s+)?(" + "|".join(_WEEKDAYS) + r")day\W*$", re.I
)


def _weekday_date(when_text: str, published: dt.date) -> str | None:
    """The date of a weekday: "on Monday" is the last Monday up to publication, "next Monday" the one after."""
    match = _WEEKDAY.match(when_text)
    if match is None:
        return None
    which, day = (match.group(1) or "").lower(), _WEEKDAYS.index(match.group(2).lower())
    if which == "next":
        return (published + dt.timedelta(days=(day - published.weekday() - 1) % 7 + 1)).isoformat()
    back = (published.weekday() - day) % 7
    if which in ("last", "past") and back == 0:
        back = 7
    return (published - dt.timedelta(days=back)).isoformat()


def _relative_date(when_text: str, published: dt.date | None) -> str | None:
    """A date for "yesterday", "on Monday", "this week", "last month", "this year" and the like, from publication."""
    if published is None:
        return None
    return _counted_from(when_text, published)


def _counted_from(when_text: str, published: dt.date) -> str | None:
    weekday = _weekday_date(when_text, published)
    if weekday is not None:
        return weekday
    week = _RELATIVE_WEEK.match(when_text)
    if week:
        step = {"last": -1, "previous": -1, "this": 0, "next": 1, "coming": 1}[week.group(1).lower()]
        monday = published - dt.timedelta(days=published.weekday()) + dt.timedelta(weeks=step)
        return f"{monday.isoformat()}/{(monday + dt.timedelta(days=6)).isoformat()}"
    day = _RELATIVE_DAY.match(when_text)
    if day:
        offset = {"today": 0, "yesterday": -1, "tomorrow": 1}[day.group(1).lower()]
        return (published + dt.timedelta(days=offset)).isoformat()
    period = _RELATIVE_PERIOD.match(when_text)
    if period is None:
        return None
    step = {"last": -1, "this": 0, "next": 1}[period.group(1).lower()]
    if period.group(2).lower() == "year":
        return f"{published.year + step:04d}"
    return add_months(published.replace(day=1), step).isoformat()[:7]


def date_span(date: str | None) -> tuple[dt.date, dt.date] | None:
    """The days a date covers, as ``[start, end)``; ``None`` for no date or one that is no calendar date.

    >>> date_span("2025-02")
    (datetime.date(2025, 2, 1), datetime.date(2025, 3, 1))
    >>> date_span("2025-02-10/2025-02-16")
    (datetime.date(2025, 2, 10), datetime.date(2025, 2, 17))
    """
    if not date:
        return None
    try:
        if "/" in date:
            first, last = (dt.date.fromisoformat(part) for part in date.split("/", 1))
            return (first, last + dt.timedelta(days=1)) if first <= last else None
        parts = [int(part) for part in date.split("-")]
        if len(parts) == 3:
            start = dt.date(*parts)
            return start, start + dt.timedelta(days=1)
        if len(parts) == 2:
            start = dt.date(parts[0], parts[1], 1)
            return start, add_months(start, 1)
        return dt.date(parts[0], 1, 1), dt.date(parts[0] + 1, 1, 1)
    except (ValueError, OverflowError):
        return None


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def within(inner: str | None, outer: str | None) -> bool:
    """Whether every day of ``inner`` is a day of ``outer`` ("2025-02-12" within "2025-02" or within a week)."""
    a, b = date_span(inner), date_span(outer)
    return a is not None and b is not None and b[0] <= a[0] and a[1] <= b[1]


def overlap(a: str | None, b: str | None) -> bool:
    """Whether two dates share a day ("last week" and "in February" when the week ends in February)."""
    x, y = date_span(a), date_span(b)
    return x is not None and y is not None and x[0] < y[1] and y[0] < x[1]


def span_days(date: str | None) -> int:
    """How many days a date covers (its precision: fewer is more precise); a large number for none."""
    span = date_span(date)
    return (span[1] - span[0]).days if span else 1 << 30


def _month_number(parts: dict[str, str | None]) -> int | None:
    if parts.get("nmonth"):
        return int(parts["nmonth"] or 0) or None
    name = (parts.get("month") or "").lower().rstrip(".")
    if not name:
        return None
    return _MONTHS.get(name[:4]) or _MONTHS.get(name[:3])


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _year_near(published: dt.date, month: int, day: int | None, tense: str | None = None) -> int:
    """The year of a month (and day) without one: near the publication date, on the side the tense says."""
    candidate = dt.date(published.year, month, min(day or 1, 28))
    if candidate > published + dt.timedelta(days=62):
        year = published.year - 1
    elif candidate < published - dt.timedelta(days=303):
        year = published.year + 1
    else:
        year = published.year
    first = dt.date(year, month, min(day or 1, 28))
    last = first if day else add_months(first.replace(day=1), 1) - dt.timedelta(days=1)
    if tense == "past" and first > published:
        return year - 1
    if tense == "future" and last < published:
        return year + 1
    return year


#: Words that put a clause in the future, or in the past (a verb in the past tense, "ago", "since").
_FUTURE = re.compile(
    r"\b(?:will|would|shall|'ll|plans?\s+to|planning\s+to|planned\s+(?:for|to)|scheduled|expected|due\s+to|upcoming|coming|next|"
    r"set\s+to|to\s+be\s+held|intends?|aims?\s+to|is\s+to|are\s+to)\b",
    re.I,
)
_PAST = re.compile(
    r"\b(?:was|were|had|did|since|ago|last|previous|earlier|fell|began|took|came|met|won|lost|left|made|held|"
    r"signed|fled|saw|gave|went|became|withdrew|quit|said|told|sent|rose|after|following)\b|\b[a-z]{3,}ed\b",
    re.I,
)


def tense_of(clause: str) -> str | None:
    """``future`` when the clause speaks of what will be, ``past`` of what was, else ``None``.

    Future words win: "after the vote in December, the council will meet" is still to come.
    """
    if _FUTURE.search(clause):
        return "future"
    if _PAST.search(clause):
        return "past"
    return None


_TIME_WORDS = re.compile(
    r"\d|\b" + _MONTH.replace("(?P<month>", "(?:") + r"(?!\w)|"
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
    r"\b(?:today|yesterday|tomorrow|tonight|weeks?|months?|years?|decades?|ago|earlier|later|recently|"
    r"weekend|morning|afternoon|evening|night|spring|summer|autumn|fall|winter|century)\b",
    re.I,
)


def looks_like_time(when_text: str) -> bool:
    """Whether a wording names a time at all ("in March", "last week"), unlike "still going on"."""
    return _TIME_WORDS.search(when_text) is not None
