"""Reading articles from files, folders, stdin, JSON Lines and http(s) URLs (text, Markdown or HTML).

Every input becomes an :class:`~summarise.articles.model.Article` or one
:class:`~summarise.exceptions.InputError`; :func:`load_articles` never raises for a bad input, so one
broken file does not stop a run. Inputs are size-limited, decoded as UTF-8 and told apart from
binary files (:mod:`~summarise.articles.content`); HTML pages are reduced to their article by
trafilatura. An input starting ``http://`` or ``https://`` is fetched by :mod:`~summarise.articles.fetching`.
"""

from __future__ import annotations

import functools
import json
import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from summarise.articles.content import (
    MAX_BYTES_ENV,
    article_from_html,
    decode_text,
    format_size,
    looks_like_html,
    mostly_control,
    oversize_problem,
)
from summarise.articles.fetching import fetch_article, is_url
from summarise.articles.model import Article, article_from_text
from summarise.exceptions import ConfigError, InputError

DEFAULT_MAX_BYTES = 5_000_000
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
STDIN_SOURCE = "<stdin>"

_HTML_SUFFIXES = (".html", ".htm")
_TEXT_FIELDS = ("text", "body", "content")


@dataclass
class LoadResult:
    """What :func:`load_articles` found: articles, per-input errors and skipped duplicates."""

    articles: list[Article] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)


def load_articles(
    inputs: Sequence[str],
    *,
    stdin: TextIO | None = None,
    max_bytes: int | None = None,
) -> LoadResult:
    """Load every input (file, directory, ``-`` for stdin, JSONL, http(s) URL) into articles.

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
        if is_url(spec):
            yield _guard(functools.partial(fetch_article, spec, limit))
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


def article_files(folder: str) -> list[str]:
    """The article files a folder holds, as a run reads them: by name, not hidden, a supported suffix.

    Raises :class:`OSError` when the folder cannot be listed.
    """
    return [
        os.path.join(folder, name)
        for name in sorted(os.listdir(folder))
        if not name.startswith(".")
        and Path(name).suffix.lower() in SUPPORTED_SUFFIXES
        and os.path.isfile(os.path.join(folder, name))
    ]


def _load_directory(spec: str, limit: int) -> Iterator[Article | InputError]:
    try:
        files = article_files(spec)
    except OSError as error:
        yield InputError(spec, f"cannot read directory: {_os_reason(error)}")
        return
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
    elif suffix in _HTML_SUFFIXES or (suffix not in SUPPORTED_SUFFIXES and looks_like_html(text)):
        yield _guard(lambda: article_from_html(text, spec))
    else:
        yield _guard(lambda: article_from_text(text, spec))


def _read_text_file(spec: str, limit: int) -> str:
    path = Path(spec)
    try:
        found = path.stat()
    except FileNotFoundError:
        url_like = " (only http:// and https:// URLs are fetched)" if "://" in spec else ""
        raise InputError(spec, f"no such file{url_like}") from None
    except OSError as error:
        raise InputError(spec, f"cannot read file: {_os_reason(error)}") from None
    if found.st_size > limit:
        raise InputError(spec, oversize_problem(f"file is {format_size(found.st_size)},", limit))
    try:
        data = read_capped(path, limit)
    except OSError as error:
        raise InputError(spec, f"cannot read file: {_os_reason(error)}") from None
    if len(data) > limit:  # a device, a pipe, or a file that grew: its size was not known before reading
        raise InputError(spec, oversize_problem("input is", limit))
    if not data and stat.S_ISFIFO(found.st_mode):
        raise InputError(spec, "named pipe with no program writing to it (start the writer first)")
    return decode_text(data, spec)


def read_capped(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``path``: a device (``/dev/zero``) or a pipe has no size to check first.

    A named pipe is opened without waiting for a writer (one that has none reads as empty, where a plain
    ``open`` would wait forever); reading then waits for what a writer sends, as reading standard input does.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as stream:
            return stream.read(limit + 1)
    finally:
        os.close(fd)


def _load_stdin(stream: TextIO, limit: int) -> Article:
    raw = getattr(stream, "buffer", None)
    if raw is not None:
        data = raw.read(limit + 1)
        if len(data) > limit:
            raise InputError(STDIN_SOURCE, oversize_problem("input is", limit))
        text = decode_text(data, STDIN_SOURCE)
    else:
        text = stream.read(limit + 1)
        if len(text.encode("utf-8", errors="replace")) > limit:
            raise InputError(STDIN_SOURCE, oversize_problem("input is", limit))
    text = text.removeprefix("\ufeff")
    if "\x00" in text or mostly_control(text):
        raise InputError(STDIN_SOURCE, "binary file, not an article")
    if looks_like_html(text):
        return article_from_html(text, STDIN_SOURCE)
    return article_from_text(text, STDIN_SOURCE)


def _os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def _articles_from_jsonl(text: str, path: str) -> Iterator[Article | InputError]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        source = f"{path}:{number}"
        yield _guard(functools.partial(_article_from_json_line, line, source))


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
        return article_from_html(html, source, **metadata)
    raise InputError(source, 'no article text: expected a "text", "body", "content" or "html" field')


def _json_str(record: dict[str, object], *keys: str) -> str | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
