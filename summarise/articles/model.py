"""The article and what it is built from: a stable id, front matter, a publication date.

:func:`article_from_text` turns the text of one input into an :class:`Article`; the page chrome is
stripped by :func:`summarise.articles.cleaning.clean_text`.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass

from summarise.articles.cleaning import clean_text
from summarise.exceptions import InputError

_METADATA_KEYS = ("title", "outlet", "url", "published")


@dataclass(frozen=True)
class Article:
    """One cleaned article with its provenance and optional metadata."""

    id: str
    source: str
    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: datetime.date | None = None
    raw_chars: int = 0
    #: how it was read, when that needs saying (a page served from the page cache: its site was down)
    note: str | None = None


def article_id(text: str) -> str:
    """Return the stable id of a cleaned text: the first 16 hex digits of its sha256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def article_from_text(raw: str, source: str, **metadata: object) -> Article:
    """Build an article from raw text: parse front matter, clean the body, compute the id.

    ``metadata`` may give ``title``, ``outlet``, ``url`` and ``published`` (a date or a
    string); values given here win over the front matter. Raises :class:`InputError`
    when the text is empty or nothing is left after cleaning.
    """
    unknown = set(metadata) - set(_METADATA_KEYS)
    if unknown:
        raise TypeError(f"unknown article metadata: {', '.join(sorted(unknown))}")
    if not raw.strip():
        raise InputError(source, "empty article")
    fields, body = parse_front_matter(raw)
    from_front_matter = {
        "title": fields.get("title"),
        "outlet": fields.get("source") or fields.get("outlet"),
        "url": fields.get("url"),
        "published": fields.get("published") or fields.get("date"),
    }
    for key, value in from_front_matter.items():
        if metadata.get(key) is None and value:
            metadata[key] = value
    return build_article(body, source, raw_chars=len(raw), **metadata)


def build_article(body: str, source: str, *, raw_chars: int, **metadata: object) -> Article:
    """Build an article from a body already taken out of its page: clean it, tidy the metadata, compute the id.

    Raises :class:`InputError` when the body is empty or nothing is left after cleaning.
    """
    if not body.strip():
        raise InputError(source, "empty article")
    text = clean_text(body)
    if not text:
        raise InputError(source, "no article text left after removing page chrome")
    published = metadata.get("published")
    if isinstance(published, str):
        published = parse_published(published)
    elif isinstance(published, datetime.datetime):
        published = published.date()
    elif not isinstance(published, datetime.date):
        published = None
    return Article(
        id=article_id(text),
        source=source,
        text=text,
        title=_optional_str(metadata.get("title")),
        outlet=_optional_str(metadata.get("outlet")),
        url=_optional_str(metadata.get("url")),
        published=published,
        raw_chars=raw_chars,
    )


def _optional_str(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")


def parse_front_matter(raw: str) -> tuple[dict[str, str], str]:
    """Split ``---``-delimited ``key: value`` front matter from the top of a text.

    Returns ``(fields, body)`` with lower-cased keys and unquoted values. Text without
    front matter (or with an unterminated block) comes back unchanged with ``{}``.
    Only flat ``key: value`` lines are read; anything else inside the block is ignored.
    """
    text = raw.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, raw
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, raw
    fields: dict[str, str] = {}
    for line in lines[1:end]:
        match = _FRONT_MATTER_LINE.match(line.strip())
        if match:
            fields[match.group(1).lower()] = _unquote(match.group(2).strip())
    return fields, "".join(lines[end + 1 :])


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        if value[0] == '"':
            return inner.replace('\\"', '"').replace("\\\\", "\\")
        return inner.replace("''", "'")
    return re.sub(r"\s+#.*$", "", value)


_DATE_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y %m %d",
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_TRAILING_TIME = re.compile(
    r"[\s,]+(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:[A-Z]{2,5}|[+-]\d{2}:?\d{2}|Z))?$",
    re.IGNORECASE,
)


def parse_published(value: str) -> datetime.date | None:
    """Parse a publication date such as ``2025-02-06``, ``6 Feb 2025`` or ``February 6, 2025``.

    A time part (``2025-02-06T21:48:00Z``, ``6 Feb 2025 21:48``) is ignored. Returns
    ``None`` when the value is not a recognisable full date (a year is required).
    """
    text = " ".join(value.strip().split())
    if not text:
        return None
    iso = _ISO_DATE.match(text)
    if iso:
        try:
            return datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    text = _TRAILING_TIME.sub("", text)
    text = re.sub(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text, flags=re.IGNORECASE)
    text = text.replace(",", " ").replace("Sept", "Sep")
    text = re.sub(r"(?<=[A-Za-z])\.", "", text)
    text = " ".join(text.split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
