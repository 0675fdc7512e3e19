"""Properties of the text helpers and the Slack digest, for any input hypothesis can think of.

- The span finder returns the article's own words: whatever ``find_span`` (exact or fuzzy),
  ``quoted_words`` and ``sentences`` return is a substring of the text they were given, or None;
  every numbered sentence the model may cite can be quoted back from the article.
- A resolved date never has a year the words and the publication date cannot give: a year taken
  from the text (basis ``text``) is written in it, and one taken from the publication date (basis
  ``publication_date``) is the publication year or one next to it; with no publication date, only a
  year written in the text. Publication dates range over the whole calendar but its first and last
  years, whose edges are a property of their own: a date there is a calendar date or none.
- The Slack digest keeps Slack's limits and escapes every text, whatever the brief says.

A property marked ``xfail`` fails on the current code: its reason gives the counter-example (also an
``@example``, so it fails every run) and says what breaks.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from summarise.output.slack import (
    BLOCK_LIMIT,
    HEADER_LIMIT,
    MESSAGE_LIMIT,
    SECTION_LIMIT,
    escape,
    render_blocks,
    render_mrkdwn,
    shorten,
)
from summarise.schemas import CoalitionBrief
from summarise.text.dates import date_span, resolve_date
from summarise.text.grounding import find_span, numbered_sentences, quoted_words, sentences

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- the span finder ---------------------------------------------------------------------------------

#: Article text with what the finder folds: case (with "ß" and "İ", whose folds are longer), curly
#: quotes, dashes, brackets, line breaks, no-break spaces, ellipses, accents composed and combining.
ARTICLE_CHARS = st.sampled_from(
    [
        *"abcdeiostuyABCDEIST0123456789 .,;:!?()[]\"'-\n\t",
        *("\u201c", "\u201d", "\u2019", "\u2013", "\u2014", "\u00a0", "\u2026", "ß", "İ", "é", "ü", "Ö", "ﬁ", "\u0301"),
    ]
)
articles = st.text(ARTICLE_CHARS, max_size=300)


def retyped(quote: str, how: int) -> str:
    """The quote as a model might write it: another case, straight quotes and dashes, other spaces."""
    if how == 1:
        return quote.upper()
    if how == 2:
        return quote.lower()
    if how == 3:
        return quote.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'").replace("\u2014", "-")
    if how == 4:
        return " ".join(quote.split())
    if how == 5:
        return f"...{quote}."
    return quote


@st.composite
def article_and_quote(draw: st.DrawFn, text: st.SearchStrategy[str]) -> tuple[str, str]:
    """An article and a quote: a piece of it retyped (one character changed, sometimes), or any text."""
    article = draw(text)
    if draw(st.booleans()) or not article:
        return article, draw(st.text(ARTICLE_CHARS, max_size=60))
    start = draw(st.integers(0, len(article) - 1))
    end = draw(st.integers(start + 1, len(article)))
    quote = retyped(article[start:end], draw(st.integers(0, 5)))
    if quote and draw(st.booleans()):
        at = draw(st.integers(0, len(quote) - 1))
        quote = quote[:at] + draw(ARTICLE_CHARS) + quote[at + 1 :]
    return article, quote


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@FAST
@given(article_and_quote(articles.map(nfc)), st.booleans(), st.sampled_from([None, lambda a, b: True]))
def test_find_span_returns_a_substring_of_the_article_or_none(case, fuzzy, same_entity):
    article, quote = case
    span = find_span(article, quote, fuzzy=fuzzy, same_entity=same_entity)
    assert span is None or span in article


@pytest.mark.xfail(
    strict=True,
    reason="find_span returns the article's NFC form, not its own characters: find_span('Tu\\u0308rkiye and "
    "Syria', 'Türkiye') == 'Türkiye' (composed ü), which is not in the decomposed article. Articles read by "
    "summarise are NFC already (articles/cleaning.py), so only a caller passing its own text meets it",
)
@FAST
@given(article_and_quote(articles), st.booleans())
@example(("Tu\u0308rkiye and Syria", "Türkiye"), False)
def test_find_span_returns_a_substring_of_any_article_even_one_not_in_nfc(case, fuzzy):
    article, quote = case
    span = find_span(article, quote, fuzzy=fuzzy)
    assert span is None or span in article


@FAST
@given(st.text(ARTICLE_CHARS, max_size=120))
def test_quoted_words_are_words_of_the_sentence(sentence):
    words = quoted_words(sentence)
    assert words is None or words in sentence


@pytest.mark.xfail(
    strict=True,
    reason="sentences() joins a sentence split after an abbreviation with one space, whatever separated the "
    "pieces: sentences('Mr.\\nSmith left.') == ['Mr. Smith left.'], not a substring of the text (the evidence "
    "check still finds it: find_span folds whitespace, see the next test)",
)
@FAST
@given(st.text(ARTICLE_CHARS, max_size=200).map(nfc))
@example("Mr.\nSmith left.")
def test_every_sentence_is_a_substring_of_the_article(article):
    assert all(sentence in article for sentence in sentences(article))


@FAST
@given(st.text(ARTICLE_CHARS, max_size=300).map(nfc))
@example("Mr.\nSmith left.")
def test_every_numbered_sentence_with_a_word_can_be_quoted_back_from_the_article(article):
    for sentence in numbered_sentences(article):
        if any(char.isalnum() for char in sentence):
            span = find_span(article, sentence)
            assert span is not None and span in article, sentence


# --- dates ---------------------------------------------------------------------------------------------

MONTHS = ["January", "Feb.", "March", "mar", "April", "May", "june", "July", "Aug", "Sept.", "October", "Nov", "Dec."]
DATE_WORDS = [
    *MONTHS,
    *(f"{day}{suffix}" for day in (1, 3, 8, 13, 24, 29, 30, 31, 32) for suffix in ("", "th")),
    *("1999 2014 2019 2024 2025 2026 1899 2100 0203 19 20 3 08".split()),
    *("Monday Tuesday Sunday today yesterday tomorrow week month year".split()),
    *("on in by since of the last next this previous coming earlier later ago before after and to - ,".split()),
    *("2019-03-04 2024-02-30 2025-13-01".split()),
]
CLAUSE_WORDS = ["will", "would", "was", "met", "fell", "scheduled", "expected", "said", "talks", "resume", "since"]
wordings = st.lists(st.sampled_from(DATE_WORDS), min_size=1, max_size=6).map(" ".join) | st.text(max_size=40)
clauses = st.none() | st.lists(st.sampled_from(CLAUSE_WORDS + DATE_WORDS), max_size=8).map(" ".join)


def years_of(date: str) -> set[int]:
    """The years of a partial ISO date or a range of days."""
    return {int(part.split("-")[0]) for part in date.split("/")}


@settings(max_examples=300, deadline=None)
@given(
    wordings,
    st.none() | st.dates(min_value=dt.date(2, 1, 1), max_value=dt.date(9998, 12, 31)),
    clauses,
)
@example("on March 3", dt.date(2025, 1, 10), None)
@example("last Tuesday", dt.date(2025, 1, 2), None)
@example("in 2019", dt.date(2025, 3, 12), "talks will resume")
@example("January 5", dt.date(2024, 12, 20), "ministers will meet")
def test_a_resolved_date_has_a_year_the_words_or_the_publication_date_give(when, published, context):
    date, basis = resolve_date(when, published, context)
    if date is None:
        assert basis is None
        return
    assert date_span(date) is not None, date
    written = {int(digits) for digits in re.findall(r"\d+", when)}
    if basis == "text":
        assert years_of(date) <= written, (date, when)
    else:
        assert basis == "publication_date" and published is not None
        assert years_of(date) <= {published.year - 1, published.year, published.year + 1}, (date, published)


@settings(max_examples=100, deadline=None)
@given(wordings, st.dates(min_value=dt.date(9999, 1, 1)) | st.dates(max_value=dt.date(1, 12, 31)), clauses)
@example("next month", dt.date(9999, 12, 5), None)
@example("January 5", dt.date(9999, 12, 20), None)
@example("Dec. 8", dt.date(1, 3, 12), None)
@example("next year", dt.date(9999, 3, 1), None)
@example("last year", dt.date(1, 3, 1), None)
def test_a_date_at_the_edge_of_the_calendar_is_a_calendar_date_or_none(when, published, context):
    date, _ = resolve_date(when, published, context)
    assert date is None or date_span(date) is not None, date


# --- the Slack digest ------------------------------------------------------------------------------------

#: Text Slack would read as markup or a ping, and runs long enough to need cutting once escaped.
SLACK_NASTY = [
    "<!channel>",
    "<@U1>",
    "<#C1>",
    "<http://e.example|x>",
    "&amp;",
    "&",
    "<",
    ">",
    "@here",
    "a.example",
    "*",
    "|",
]
any_slack_text = (
    st.text(max_size=80)
    | st.lists(st.sampled_from([*SLACK_NASTY, " ", "x", "é", "\n"]), max_size=40).map("".join)
    | st.builds(
        lambda piece, times: piece * times, st.sampled_from(["&", "<>", "x", "@here ", "a.b "]), st.integers(0, 900)
    )
)
#: The longest text a per-article brief admits is 500 characters (a coalition's name 200, its target and
#: leader 200 each): the merger never makes a longer one.
LONGEST_EXTRACTED = 500
ISO_DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)).map(dt.date.isoformat)


@st.composite
def coalition_briefs(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> CoalitionBrief:
    """A merged brief whose every text (story, names, outlets, URLs, events, conflicts) is drawn from ``texts``."""
    count = draw(st.integers(1, 70))
    ids = [f"a{n:03d}" for n in range(count)]
    supports = [{"source": ids[0], "evidence": "e"}]

    def sources_of() -> list[str]:
        return draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))

    def members() -> list[dict]:
        return [
            {
                "name": draw(texts),
                "status": draw(st.sampled_from(["agreed", "single_source", "conflict"])),
                "membership": ["member"],
                "omitted_by": sources_of() if draw(st.booleans()) else [],
                "supports": supports,
                "outlets": draw(st.integers(1, 99)),
            }
            for _ in range(draw(st.integers(0, 12)))
        ]

    sources = [
        {
            "label": f"S{n + 1}",
            "id": ids[n],
            "source": draw(texts),
            "title": draw(st.none() | texts),
            "outlet": draw(st.none() | texts),
            "url": draw(st.none() | texts | texts.map(lambda tail: f"https://example.org/{tail}")),
            "published": draw(st.none() | ISO_DATES),
            "on_topic": draw(st.sampled_from([True, False, None])),
        }
        for n in range(count)
    ]
    coalitions = [
        {
            "id": f"C{n + 1}",
            "name": draw(texts),
            "names_seen": [],
            "kind": "regional",
            "target": draw(st.none() | texts),
            "led_by": draw(st.none() | texts),
            "members": members(),
            "supports": supports,
            "outlets": draw(st.integers(1, 99)),
        }
        for n in range(draw(st.integers(0, 30)))
    ]
    timeline = [
        {
            "date": draw(ISO_DATES),
            "approximate": draw(st.booleans()),
            "when": [],
            "description": draw(texts),
            "supports": [{"source": source, "evidence": "e"} for source in sources_of()],
            "outlets": 1,
        }
        for _ in range(draw(st.integers(0, 30)))
    ]
    conflicts = [
        {
            "id": f"X{n + 1}",
            "kind": draw(st.sampled_from(["member_list", "date", "figure", "claim"])),
            "about": draw(texts),
            "values": [{"value": draw(texts), "sources": sources_of()} for _ in range(draw(st.integers(2, 4)))],
        }
        for n in range(draw(st.integers(0, 20)))
    ]
    return brief_of(
        story=draw(texts),
        sources=sources,
        outlets=draw(st.integers(0, count)),
        first_published=draw(st.none() | ISO_DATES),
        last_published=draw(st.none() | ISO_DATES),
        coalitions=coalitions,
        timeline=timeline,
        conflicts=conflicts,
    )


def brief_of(**fields: object) -> CoalitionBrief:
    """A merged brief of these fields (one source, no facts, unless they say otherwise)."""
    one_source = {"label": "S1", "id": "a000", "source": "a.txt", "on_topic": True}
    empty = {"story": "s", "sources": [one_source], "outlets": 1, "merge_version": "test"}
    return CoalitionBrief.model_validate(empty | fields)


#: A coalition whose name, escaped, is longer than a Block Kit section may be: 600 "&" are 3,000 "&amp;".
LONG_NAMED = brief_of(
    coalitions=[
        {
            "id": "C1",
            "name": "&" * 600,
            "names_seen": [],
            "kind": "regional",
            "outlets": 1,
            "supports": [{"source": "a000", "evidence": "e"}],
        }
    ]
)
#: A source's own web link, ``<http(s)://...|label>``: the only ``<...>`` Slack may read in a digest.
SOURCE_LINK = re.compile(r"<https?://[^\s<>|]+\|[^<>|]*>")


def assert_escaped(text: str) -> None:
    """No markup Slack would act on: every ``<...>`` a source link, every ``&`` an escape, no ping outside a URL."""
    assert "<" not in SOURCE_LINK.sub("", text) and ">" not in SOURCE_LINK.sub("", text), text
    assert not re.search(r"&(?!amp;|lt;|gt;)", text), text
    assert not re.search(r"@(here|channel|everyone)\b", re.sub(r"<https?://[^\s<>|]+\|", "<", text)), text


def assert_within_slacks_limits(brief: CoalitionBrief, max_items: int) -> None:
    """Every Block Kit payload and mrkdwn message of the digest within Slack's limits, its text escaped."""
    for payload in render_blocks(brief, max_items=max_items):
        assert 1 <= len(payload["blocks"]) <= BLOCK_LIMIT
        assert len(payload["text"]) <= 3000
        assert_escaped(payload["text"])
        for block in payload["blocks"]:
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= HEADER_LIMIT
            elif block["type"] == "section":
                assert block["text"]["type"] == "mrkdwn" and block["text"]["verbatim"] is True
                assert len(block["text"]["text"]) <= SECTION_LIMIT
                assert_escaped(block["text"]["text"])
    for message in render_mrkdwn(brief, max_items=max_items):
        assert len(message) < MESSAGE_LIMIT
        assert_escaped(message)


@FAST
@given(any_slack_text, st.integers(1, 4000))
def test_escaped_and_shortened_text_is_inert_and_within_its_limit(text, limit):
    escaped = escape(text)
    assert_escaped(escaped)
    short = shorten(escaped, limit)
    assert len(short) <= limit
    assert short == escaped or not re.search(r"&[a-z]*…$", short)  # never cut inside an escape


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(coalition_briefs(any_slack_text.map(lambda text: text[:LONGEST_EXTRACTED])), st.integers(1, 60))
def test_a_digest_of_any_text_an_article_brief_admits_keeps_slacks_limits_and_escapes_it(brief, max_items):
    assert_within_slacks_limits(brief, max_items)


@pytest.mark.xfail(
    strict=True,
    reason="a section's title line is never shortened: a coalition named with 600 '&' (3,000 characters once "
    "escaped) makes a Block Kit section of 3,005, which slack-sdk refuses (SlackObjectFormationError: text "
    "attribute cannot exceed 3000 characters). No per-article brief names a coalition that long (200 "
    "characters at most), so only a merged brief built by hand meets it",
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(coalition_briefs(any_slack_text), st.integers(1, 60))
@example(LONG_NAMED, 8)
def test_a_digest_of_any_text_at_all_keeps_slacks_limits_and_escapes_it(brief, max_items):
    assert_within_slacks_limits(brief, max_items)
