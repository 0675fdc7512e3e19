"""Load news articles from files, stdin and JSONL, strip page chrome and give each a stable id.

Every input becomes an :class:`Article` or one :class:`~summarise.exceptions.InputError`;
:func:`load_articles` never raises for a bad input, so one broken file does not stop a run.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from summarise.exceptions import ConfigError, InputError, MissingDependencyError

DEFAULT_MAX_BYTES = 5_000_000
MAX_BYTES_ENV = "SUMMARISE_MAX_ARTICLE_BYTES"
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
STDIN_SOURCE = "<stdin>"

_HTML_SUFFIXES = (".html", ".htm")
_METADATA_KEYS = ("title", "outlet", "url", "published")
_TEXT_FIELDS = ("text", "body", "content")


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


@dataclass
class LoadResult:
    """What :func:`load_articles` found: articles, per-input errors and skipped duplicates."""

    articles: list[Article] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)


def article_id(text: str) -> str:
    """Return the stable id of a cleaned text: the first 16 hex digits of its sha256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load_articles(
    inputs: Sequence[str],
    *,
    stdin: TextIO | None = None,
    max_bytes: int | None = None,
) -> LoadResult:
    """Load every input (file, directory, ``-`` for stdin, JSONL) into articles.

    Bad inputs become :class:`InputError` entries in ``errors``; the others still load,
    in input order. An article whose id was already loaded is skipped and recorded in
    ``duplicates`` as ``(skipped source, first source)``.
    """
    limit = _resolve_max_bytes(max_bytes)
    result = LoadResult()
    first_source: dict[str, str] = {}
    for item in _iter_loaded(inputs, stdin, limit):
        if isinstance(item, InputError):
            result.errors.append(item)
        elif item.id in first_source:
            result.duplicates.append((item.source, first_source[item.id]))
        else:
            first_source[item.id] = item.source
            result.articles.append(item)
    return result


def iter_articles(
    inputs: Sequence[str], *, max_bytes: int | None = None
) -> Iterator[Article | InputError | tuple[str, str]]:
    """Like :func:`load_articles`, one at a time: thousands of articles never sit in memory together.

    Yields each article, each :class:`InputError`, and ``(skipped source, first source)`` for
    a duplicate. Only the ids seen are kept.
    """
    limit = _resolve_max_bytes(max_bytes)
    first_source: dict[str, str] = {}
    for item in _iter_loaded(inputs, None, limit):
        if isinstance(item, InputError):
            yield item
        elif item.id in first_source:
            yield (item.source, first_source[item.id])
        else:
            first_source[item.id] = item.source
            yield item


def _resolve_max_bytes(max_bytes: int | None) -> int:
    if max_bytes is not None:
        return max_bytes
    configured = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not configured:
        return DEFAULT_MAX_BYTES
    try:
        value = int(configured.replace("_", ""))
    except ValueError:
        value = -1
    if value <= 0:
        raise ConfigError(f"{MAX_BYTES_ENV} must be a positive whole number of bytes, got {configured!r}")
    return value


def _iter_loaded(inputs: Sequence[str], stdin: TextIO | None, limit: int) -> Iterator[Article | InputError]:
    for spec in inputs:
        if spec == "-":
            yield _guard(lambda: _load_stdin(stdin or sys.stdin, limit))
            continue
        path = Path(spec)
        if path.is_dir():
            yield from _load_directory(spec, limit)
        else:
            yield from _load_file(spec, limit)


def _guard(load: Callable[[], Article]) -> Article | InputError:
    try:
        return load()
    except InputError as error:
        return error


def _load_directory(spec: str, limit: int) -> Iterator[Article | InputError]:
    try:
        names = sorted(os.listdir(spec))
    except OSError as error:
        yield InputError(spec, f"cannot read directory: {_os_reason(error)}")
        return
    files = [
        os.path.join(spec, name)
        for name in names
        if not name.startswith(".")
        and Path(name).suffix.lower() in SUPPORTED_SUFFIXES
        and os.path.isfile(os.path.join(spec, name))
    ]
    if not files:
        yield InputError(spec, f"directory has no article files ({', '.join(SUPPORTED_SUFFIXES)})")
        return
    for path in files:
        yield from _load_file(path, limit)


def _load_file(spec: str, limit: int) -> Iterator[Article | InputError]:
    try:
        text = _read_text_file(spec, limit)
    except InputError as error:
        yield error
        return
    if not text.strip():
        yield InputError(spec, "empty article")
        return
    suffix = Path(spec).suffix.lower()
    if suffix == ".jsonl":
        yield from _articles_from_jsonl(text, spec)
    elif suffix in _HTML_SUFFIXES or (suffix not in SUPPORTED_SUFFIXES and _looks_like_html(text)):
        yield _guard(lambda: _article_from_html(text, spec))
    else:
        yield _guard(lambda: article_from_text(text, spec))


def _read_text_file(spec: str, limit: int) -> str:
    path = Path(spec)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(spec, "no such file") from None
    except OSError as error:
        raise InputError(spec, f"cannot read file: {_os_reason(error)}") from None
    if size > limit:
        raise InputError(spec, _oversize_problem(f"file is {_format_size(size)},", limit))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(spec, f"cannot read file: {_os_reason(error)}") from None
    return _decode(data, spec)


def _load_stdin(stream: TextIO, limit: int) -> Article:
    raw = getattr(stream, "buffer", None)
    if raw is not None:
        data = raw.read(limit + 1)
        if len(data) > limit:
            raise InputError(STDIN_SOURCE, _oversize_problem("input is", limit))
        text = _decode(data, STDIN_SOURCE)
    else:
        text = stream.read(limit + 1)
        if len(text.encode("utf-8", errors="replace")) > limit:
            raise InputError(STDIN_SOURCE, _oversize_problem("input is", limit))
    text = text.removeprefix("\ufeff")
    if "\x00" in text or _mostly_control(text):
        raise InputError(STDIN_SOURCE, "binary file, not an article")
    if _looks_like_html(text):
        return _article_from_html(text, STDIN_SOURCE)
    return article_from_text(text, STDIN_SOURCE)


def _oversize_problem(what: str, limit: int) -> str:
    return f"{what} over the {_format_size(limit)} limit (set {MAX_BYTES_ENV} to raise it)"


def _format_size(size: int) -> str:
    if size >= 100_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} kB"
    return f"{size} bytes"


def _os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def _decode(data: bytes, source: str) -> str:
    if b"\x00" in data:
        raise InputError(source, "binary file, not an article")
    offset = 0
    if data.startswith(b"\xef\xbb\xbf"):
        data, offset = data[3:], 3
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if _mostly_binary_bytes(data):
            raise InputError(source, "binary file, not an article") from None
        bad = data[error.start]
        raise InputError(
            source,
            f"not UTF-8 text: invalid byte 0x{bad:02X} at offset {error.start + offset}",
        ) from None
    if _mostly_control(text):
        raise InputError(source, "binary file, not an article")
    return text


def _mostly_binary_bytes(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    control = sum(1 for byte in sample if (byte < 32 and byte not in b"\t\n\r\f") or byte == 127)
    return control / len(sample) > 0.05


def _mostly_control(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    odd = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\t\n\r\f")
    return odd / len(sample) > 0.05


def _looks_like_html(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


def _articles_from_jsonl(text: str, path: str) -> Iterator[Article | InputError]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        source = f"{path}:{number}"
        yield _guard(lambda line=line, source=source: _article_from_json_line(line, source))


def _article_from_json_line(line: str, source: str) -> Article:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(source, f"not valid JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(record, dict):
        raise InputError(source, 'not a JSON object (expected {"text": ...})')
    metadata = {
        "title": _json_str(record, "title"),
        "outlet": _json_str(record, "source", "outlet"),
        "url": _json_str(record, "url"),
        "published": _json_str(record, "published", "date"),
    }
    body = _json_str(record, *_TEXT_FIELDS)
    if body is not None and body.strip():
        return article_from_text(body, source, **metadata)
    html = _json_str(record, "html")
    if html is not None and html.strip():
        return _article_from_html(html, source, **metadata)
    raise InputError(source, 'no article text: expected a "text", "body", "content" or "html" field')


def _json_str(record: dict[str, object], *keys: str) -> str | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _article_from_html(html: str, source: str, **metadata: object) -> Article:
    try:
        import lxml_html_clean  # noqa: F401  (trafilatura cleans HTML with it but does not declare it)
        import trafilatura
    except ImportError as error:
        missing = error.name or "trafilatura"
        raise MissingDependencyError(
            missing, f"HTML articles need it: pip install {missing} (or reinstall summarise)"
        ) from None
    if not html.strip():
        raise InputError(source, "empty article")
    body = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
    found = trafilatura.extract_metadata(html)
    if found is not None:
        defaults = {
            "title": found.title,
            "outlet": found.sitename,
            "url": found.url,
            "published": found.date,
        }
        for key, value in defaults.items():
            if metadata.get(key) is None and value:
                metadata[key] = value
    if not body.strip():
        raise InputError(source, "no article text left after removing page chrome")
    return _build_article(body, source, raw_chars=len(html), **metadata)


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
    return _build_article(body, source, raw_chars=len(raw), **metadata)


def _build_article(body: str, source: str, *, raw_chars: int, **metadata: object) -> Article:
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


_BULLET = re.compile(r"^[•·▪◦●■►▸‣⁃]\s*")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,2}[.)])\s+")
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_CAPTION_CREDIT = re.compile(
    r"\((?:AP|AFP|Reuters|Getty(?: Images)?|EPA(?:-EFE)?|Xinhua|Anadolu(?: Agency)?|AA|dpa|"
    r"Shutterstock|File|(?:File |Archive )?(?:photo|image|picture|credit)[^()]{0,60})\)$",
    re.IGNORECASE,
)
_MIN_READ = re.compile(r"^\d+\s*(?:-\s*)?(?:min|mins|minute|minutes)\.?\s+read$", re.IGNORECASE)
_DATE_ONLY = re.compile(
    r"^(?:(?:published|updated|posted|last updated)\s*:?\s*)?"
    r"(?:\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2}|"
    r"\d{1,2}[./]\d{1,2}[./]\d{2,4})"
    r"(?:\s*[-|,]?\s*(?:at\s+)?\d{1,2}:\d{2}(?:\s*[ap]m)?(?:\s*[A-Z]{2,5})?)?$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:by|written by|reporting by|source|sources|photo|photos)\s*:?\s+\S",
    re.IGNORECASE,
)

_LINE_MARKERS = {
    "listen",
    "listen to this article",
    "listen to article",
    "share",
    "share this",
    "share this article",
    "share on facebook",
    "share on twitter",
    "share on x",
    "tweet",
    "advertisement",
    "advertisements",
    "sponsored",
    "sponsored content",
    "print",
    "email",
    "e-mail",
    "copy link",
    "copy",
    "save",
    "bookmark",
    "comments",
    "comment",
    "skip to content",
    "skip to main content",
    "menu",
    "search",
    "close",
    "toggle navigation",
    "sign in",
    "log in",
    "login",
    "subscribe",
    "sign up",
    "newsletter",
    "follow us",
    "font size",
    "text size",
    "a a",
    "a+ a-",
    "scroll to top",
    "live",
}
_TICKER_MARKERS = {
    "breaking",
    "breaking news",
    "latest",
    "latest news",
    "just in",
    "news ticker",
    "live updates",
    "urgent",
}
_LISTING_MARKERS = {
    "related",
    "related news",
    "related articles",
    "related stories",
    "related posts",
    "related content",
    "related topics",
    "related coverage",
    "read more",
    "read also",
    "also read",
    "see also",
    "more on this",
    "more on this story",
    "more stories",
    "more news",
    "more from",
    "most read",
    "most popular",
    "most viewed",
    "popular",
    "trending",
    "trending now",
    "read next",
    "up next",
    "what to read next",
    "recommended",
    "recommended for you",
    "you may also like",
    "you might also like",
    "you may be interested in",
    "don't miss",
    "show more",
    "load more",
    "view more",
    "more",
    "coverage",
    "tags",
    "topics",
    "keywords",
    "filed under",
    "in this story",
    "editor's picks",
    "editors' picks",
    "top stories",
    "latest stories",
}
_FOOTER_PATTERNS = re.compile(
    r"^(?:all rights reserved|©|\(c\)\s*\d{4}|copyright\b|privacy policy$|terms of (?:use|service)$|"
    r"cookie (?:policy|settings)$|back to top(?: button)?$|verified by \w+$|powered by \w+)",
    re.IGNORECASE,
)


@dataclass
class _Unit:
    text: str
    bullet: bool = False
    list_item: bool = False
    indented: bool = False
    block_start: bool = True

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def key(self) -> str:
        return re.sub(r"[^\w'&+ ]+", "", self.text.lower()).strip()


def clean_text(raw: str) -> str:
    """Strip the chrome of a scraped page and tidy whitespace, keeping the article's paragraphs.

    Removes navigation and tag bullet lists, runs of short menu-like lines, tickers after a
    "BREAKING" marker, "Related"/"Most Read"/"Read Next"-style listings (or the whole tail of
    the page when little prose follows them), bylines, reading-time and "Listen" lines, photo
    captions and footers. Joins a paragraph broken mid-sentence across lines. Paragraphs are
    returned separated by a blank line.
    """
    units = _join_broken(_split_units(raw))
    units = _drop_marked_sections(units)
    units = _drop_menu_runs(units)
    kept: list[str] = []
    for unit in units:
        if kept and _same_text(kept[-1], unit.text):
            continue
        kept.append(_strip_bullet(unit))
    return "\n\n".join(text for text in kept if text)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)
    return re.sub(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]", " ", text)


def _split_units(raw: str) -> list[_Unit]:
    units: list[_Unit] = []
    block_start = True
    for line in _normalise(raw).split("\n"):
        stripped = " ".join(line.split())
        if not stripped or _is_control_line(stripped):
            block_start = True
            continue
        bullet = bool(_BULLET.match(stripped))
        units.append(
            _Unit(
                text=stripped,
                bullet=bullet,
                list_item=not bullet and bool(_LIST_ITEM.match(stripped)),
                indented=line[:1] == " ",
                block_start=block_start,
            )
        )
        block_start = False
    return units


def _is_control_line(line: str) -> bool:
    return all(not ch.isalnum() for ch in line) and not _BULLET.match(line)


def _is_prose(unit: _Unit) -> bool:
    return unit.words >= 8 and bool(_TERMINAL.search(unit.text)) and not _is_caption(unit)


def _is_short(unit: _Unit) -> bool:
    return unit.words <= 4 and not _SENTENCE_END.search(unit.text)


def _is_caption(unit: _Unit) -> bool:
    return bool(_CAPTION_CREDIT.search(unit.text))


def _join_broken(units: list[_Unit]) -> list[_Unit]:
    joined: list[_Unit] = []
    for unit in _unwrap_blocks(units):
        previous = joined[-1] if joined else None
        if previous is not None and _continues(previous, unit):
            previous.text = f"{previous.text} {unit.text}"
            continue
        joined.append(unit)
    return joined


def _unwrap_blocks(units: list[_Unit]) -> list[_Unit]:
    blocks: list[list[_Unit]] = []
    for unit in units:
        if unit.block_start or not blocks:
            blocks.append([unit])
        else:
            blocks[-1].append(unit)
    unwrapped: list[_Unit] = []
    for block in blocks:
        if _is_hard_wrapped(block):
            block[0].text = " ".join(unit.text for unit in block)
            unwrapped.append(block[0])
        else:
            unwrapped.extend(block)
    return unwrapped


def _is_hard_wrapped(block: list[_Unit]) -> bool:
    if len(block) < 3 or any(unit.bullet or unit.list_item for unit in block):
        return False
    lengths = [len(unit.text) for unit in block[:-1]]
    return (
        min(lengths) >= 40
        and max(lengths) <= 100
        and max(lengths) - min(lengths) <= 25
        and any(not _SENTENCE_END.search(unit.text) for unit in block[:-1])
    )


def _continues(previous: _Unit, unit: _Unit) -> bool:
    if previous.bullet or unit.bullet or unit.list_item or previous.words < 6:
        return False
    return not _SENTENCE_END.search(previous.text) and unit.text[0].islower()


def _marker_kind(unit: _Unit) -> str | None:
    key = unit.key
    if unit.words > 8:
        return None
    if _FOOTER_PATTERNS.match(unit.text):
        return "footer"
    if unit.bullet:
        return None
    if key in _TICKER_MARKERS:
        return "ticker"
    if key in _LISTING_MARKERS or (re.match(r"^more (?:from|on|in|about) \w", key) and unit.words <= 5):
        return "listing"
    if key in _LINE_MARKERS or _MIN_READ.match(unit.text) or _DATE_ONLY.match(unit.text):
        return "line"
    if _BYLINE.match(unit.text) and unit.words <= 6 and not _TERMINAL.search(unit.text):
        return "line"
    return None


def _prose_chars(units: Sequence[_Unit]) -> int:
    return sum(len(unit.text) for unit in units if _is_prose(unit))


def _drop_marked_sections(units: list[_Unit]) -> list[_Unit]:
    kept: list[_Unit] = []
    index = 0
    while index < len(units):
        unit = units[index]
        kind = _marker_kind(unit)
        if kind is None:
            kept.append(unit)
            index += 1
            continue
        index += 1
        if kind == "line":
            continue
        if kind in ("footer", "listing") and _is_tail(kept, units[index:]):
            break
        if kind == "footer":
            continue
        if kind == "ticker":
            if index < len(units) and units[index].block_start:
                index += 1
            while index < len(units) and not units[index].block_start:
                index += 1
            continue
        while index < len(units) and not _is_prose(units[index]):
            index += 1
    return kept


def _is_tail(before: Sequence[_Unit], after: Sequence[_Unit]) -> bool:
    return _prose_chars(after) * 4 < _prose_chars(before)


def _drop_menu_runs(units: list[_Unit]) -> list[_Unit]:
    chrome = [_is_chrome_candidate(unit) for unit in units]
    kept: list[_Unit] = []
    for index, unit in enumerate(units):
        if unit.bullet and chrome[index]:
            continue
        if _is_caption(unit):
            continue
        if chrome[index]:
            neighbours = (
                index > 0 and chrome[index - 1],
                index + 1 < len(units) and chrome[index + 1],
            )
            if any(neighbours):
                continue
        kept.append(unit)
    return kept


def _is_chrome_candidate(unit: _Unit) -> bool:
    if unit.list_item:
        return False
    if unit.bullet:
        return not _is_prose(unit)
    return _is_short(unit)


def _strip_bullet(unit: _Unit) -> str:
    if unit.bullet:
        return "• " + _BULLET.sub("", unit.text)
    return unit.text


def _same_text(first: str, second: str) -> bool:
    return first.casefold() == second.casefold()
