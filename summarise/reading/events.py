"""The article's dated events and its figures, read by the code from its sentences.

Every time expression the article writes dates what its sentence reports ("on Monday",
"in March last year", "since 2014"); every number it writes is a figure ("more than 43,000
people"). The code finds them (:mod:`summarise.reading.support`), resolves the date from the words and
the publication date (:mod:`summarise.text.dates`: never a year the article cannot give) and reads the
value, its qualifier and the noun it counts. Nothing here is written by a model, so nothing can
be misquoted or invented: each event's and figure's evidence is its sentence.

Measured on the recorded fixtures, asking the 1.5B model to choose among the same time
expressions and numbers found fewer of the gold events and figures than taking them all, at
about a quarter of an article's model time (see the quality table of docs/quality.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarise.reading.support import locate, numbers_written, qualifier_before, time_expressions
from summarise.schemas import DateBasis, FigureQualifier
from summarise.text.dates import looks_like_time, resolve_date
from summarise.text.numbers import number_in

MAX_EVENTS = 16
MAX_FIGURES = 16
#: A description is the clause around the time or number, widened to this many words at least.
MIN_CLAUSE_WORDS = 8
#: Where a clause ends: a semicolon, colon or dash, or a comma not inside a list of names (", Jordan and Lebanon").
_CLAUSE_MARK = re.compile(r"[;:\u2014\u2013]\s|\s[\u2014\u2013-]\s|,\s(?![A-Z\u00c0-\u00de])")
#: Words that end the noun phrase after a number ("ten merchant vessels whose ...").
_PHRASE_END = frozenset(
    "of in on at to for from by with and or but that which who whose were was are is have has had will would "
    "said says since after before during as than under over into against could can may might must should shall "
    "across through while when where off near out per each the a an its their his her this these those say "
    "agree once if because unless until now then so all both still already also yet just".split()
)
#: The determiners of a partitive count: "ten of their fighters" counts fighters.
_PARTITIVE = frozenset("the their its his her our these those".split())
_SCALE_WORDS = frozenset("hundred thousand million billion trillion".split())
_REFERRING = re.compile(r"\b(?:the|these|those|its|their|all|both|same)\s+$", re.IGNORECASE)
_DANGLING = frozenset("and or but that which who as while".split())


@dataclass(frozen=True)
class DatedEvent:
    """What a sentence reports at one of its time expressions."""

    when: str
    date: str | None
    basis: DateBasis | None
    description: str
    sentence: str


@dataclass(frozen=True)
class ReadFigure:
    """A number the article writes, with what it counts."""

    written: str
    value: float
    qualifier: FigureQualifier
    unit: str | None
    what: str
    sentence: str


def clause_around(sentence: str, start: int, end: int) -> str:
    """The clause of ``sentence`` holding ``sentence[start:end]``, widened to ``MIN_CLAUSE_WORDS`` words."""
    marks = [(m.start(), m.end()) for m in _CLAUSE_MARK.finditer(sentence)]
    lefts = [0] + [m_end for m_start, m_end in marks if m_end <= start]
    rights = [m_start for m_start, m_end in marks if m_start >= end] + [len(sentence)]
    left, right = len(lefts) - 1, 0
    clause = sentence[lefts[left] : rights[right]]
    while len(clause.split()) < MIN_CLAUSE_WORDS and (right < len(rights) - 1 or left > 0):
        if right < len(rights) - 1:
            right += 1
        else:
            left -= 1
        clause = sentence[lefts[left] : rights[right]]
    words = clause.strip(" ,;:-\u2014\u2013()").rstrip(".").split()
    while words and words[-1].lower() in _DANGLING:  # "... gathered in Amman in March and"
        words = words[:-1]
    return " ".join(words)


def events_in(sentences: Sequence[str], published: dt.date | None) -> list[DatedEvent]:
    """One event per distinct time expression, at the first sentence writing it, in the article's order."""
    found: list[DatedEvent] = []
    seen: set[str] = set()
    for sentence in sentences:
        expressions = time_expressions(sentence)
        for index, when in enumerate(expressions):
            if when in seen or not looks_like_time(when):
                continue
            at = sentence.find(when)
            # "next Monday", "last Friday": the word before a weekday says which one.
            before = re.search(r"\b(next|last|this)\s+$", sentence[max(0, at - 6) : at], re.IGNORECASE)
            if before and resolve_date(f"{before.group(1)} {when}", published)[0]:
                when, at = f"{before.group(1)} {when}", at - len(before.group(0))
            seen.add(when)
            date, basis = resolve_date(when, published, clause_around(sentence, at, at + len(when)))
            # "in March last year": the month of the one, the year of the other.
            following = expressions[index + 1] if index + 1 < len(expressions) else None
            if following and re.fullmatch(r"\s*", sentence[at + len(when) : sentence.find(following, at)] or " x"):
                year, _ = resolve_date(following, published)
                if date and year and len(year) == 4 and len(date) == 7:
                    date, when = f"{year}{date[4:]}", f"{when} {following}"
                    seen.add(following)
            description = clause_around(sentence, at, at + len(when))
            found.append(DatedEvent(when, date, basis, description or sentence, sentence))
            if len(found) >= MAX_EVENTS:
                return found
    return found


def counted(sentence: str, written: str) -> str | None:
    """The noun phrase the number counts, as the sentence writes it ("ten merchant vessels" -> "merchant vessels")."""
    at = locate(sentence, written)
    if at < 0:
        return None
    words = re.findall(r"[A-Za-z][\w'-]*|\d[\d,.]*\d|[^\sA-Za-z]", sentence[at + len(written) :])[:7]
    if len(words) > 2 and words[0].lower() == "of" and words[1].lower() in _PARTITIVE:
        words = words[2:]  # "ten of their fighters", "two of the ships": a part of what the noun counts
        if words and number_in(words[0]) is not None:
            words = words[1:]  # "four of the five members"
    words = words[:5]
    phrase: list[str] = []
    for word in words:
        lower = word.lower()
        if not word[0].isalpha() or lower in _PHRASE_END or (phrase and re.search(r"(?:ing|ed)$", lower)):
            break
        if lower not in _SCALE_WORDS:
            phrase.append(word)
    return " ".join(phrase) or None


def figures_in(sentences: Sequence[str]) -> list[ReadFigure]:
    """Every number the article writes outside its time expressions, in its order, once per thing counted.

    "ten countries" and "ten merchant vessels" are two figures; a number repeated for the same
    noun, or written alone (a headline's "to reach 6,000") where a sentence says what it counts,
    is one.
    """
    found: list[ReadFigure] = []
    for sentence in sentences:
        for written in numbers_written(sentence):
            value = number_in(written)
            if value is None or written.lower() == "one":
                continue  # "one of its ships", "one another": a pronoun far more often than a count
            at = locate(sentence, written)
            if _REFERRING.search(sentence[max(0, at - 20) : at]) and any(f.value == value for f in found):
                continue  # "the three capitals", "all three countries": the count already given, referred to again
            found.append(
                ReadFigure(
                    written=written,
                    value=value,
                    qualifier=qualifier_before(sentence, written),  # type: ignore[arg-type]
                    unit=counted(sentence, written),
                    what=clause_around(sentence, at, at + len(written)) or sentence,
                    sentence=sentence,
                )
            )
    with_unit = {f.value for f in found if f.unit}
    kept: list[ReadFigure] = []
    seen: set[tuple[float, str]] = set()
    for figure in found:
        key = (figure.value, (figure.unit or "").lower())
        if key in seen or (figure.unit is None and figure.value in with_unit):
            continue
        seen.add(key)
        kept.append(figure)
    return kept[:MAX_FIGURES]
