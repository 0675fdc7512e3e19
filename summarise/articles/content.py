"""What an input's bytes hold: text or binary, well decoded or not, HTML or not, and the article of a page.

Shared by :mod:`~summarise.articles.reading` (files, stdin, JSON Lines) and
:mod:`~summarise.articles.fetching` (pages fetched by URL), so both refuse and word the same way.
"""

from __future__ import annotations

import codecs
import unicodedata

from summarise.articles.model import Article, build_article
from summarise.exceptions import InputError, MissingDependencyError

MAX_BYTES_ENV = "SUMMARISE_MAX_ARTICLE_BYTES"


def oversize_problem(what: str, limit: int) -> str:
    """The problem of an input over the size limit: ``what`` says what it is (``"file is 6.0 MB,"``)."""
    return f"{what} over the {format_size(limit)} limit (set {MAX_BYTES_ENV} to raise it)"


def format_size(size: int) -> str:
    """A byte count as people read it: ``512 bytes``, ``2.5 kB``, ``6.0 MB``."""
    if size >= 100_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} kB"
    return f"{size} bytes"


def decode_text(data: bytes, source: str, *, encoding: str = "utf-8", what: str = "file") -> str:
    """The text of ``data`` in ``encoding`` (UTF-8 unless a web page names its own).

    Raises :class:`InputError` for binary data (``"binary file, not an article"``, ``what`` naming the
    input) and for bytes the encoding cannot decode, naming the first bad byte and its offset.
    """
    name = codecs.lookup(encoding).name
    binary = f"binary {what}, not an article"
    if b"\x00" in data and not name.startswith(("utf-16", "utf-32")):
        raise InputError(source, binary)
    offset = 0
    if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data, offset = data[3:], 3
    try:
        text = data.decode(name)
    except UnicodeDecodeError as error:
        if mostly_binary_bytes(data):
            raise InputError(source, binary) from None
        label = "UTF-8" if name == "utf-8" else encoding
        bad = data[error.start]
        raise InputError(
            source,
            f"not {label} text: invalid byte 0x{bad:02X} at offset {error.start + offset}",
        ) from None
    if mostly_control(text):
        raise InputError(source, binary)
    return text


def mostly_binary_bytes(data: bytes) -> bool:
    """Whether more than 5 % of the first 8 kB are control bytes (a text file has almost none)."""
    sample = data[:8192]
    if not sample:
        return False
    control = sum(1 for byte in sample if (byte < 32 and byte not in b"\t\n\r\f") or byte == 127)
    return control / len(sample) > 0.05


def mostly_control(text: str) -> bool:
    """Whether more than 5 % of the first 8192 characters are control, surrogate or private-use characters."""
    sample = text[:8192]
    if not sample:
        return False
    odd = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\t\n\r\f")
    return odd / len(sample) > 0.05


def looks_like_html(text: str) -> bool:
    """Whether a text starts as an HTML document does (``<!DOCTYPE html`` or ``<html``)."""
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


def article_from_html(html: str, source: str, **metadata: object) -> Article:
    """The article of an HTML page, found by trafilatura; the page's title, site, URL and date fill the metadata.

    ``metadata`` given here wins over what the page says. Raises :class:`InputError` when the page is
    empty or holds no article text, :class:`MissingDependencyError` when trafilatura is not installed.
    """
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
    return build_article(body, source, raw_chars=len(html), **metadata)
