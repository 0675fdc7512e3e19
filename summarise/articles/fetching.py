"""Articles by URL: one ``http://`` or ``https://`` page fetched with the standard library.

A page is fetched with a timeout (``SUMMARISE_FETCH_TIMEOUT``, default 20 s, for each wait and for the
whole download), at most the article size limit (``SUMMARISE_MAX_ARTICLE_BYTES``), a User-Agent naming
summarise, redirects followed within http and https only; it is decoded by its charset (else UTF-8)
and an HTML page goes through trafilatura as an ``.html`` file does. Pages are kept by
:mod:`~summarise.articles.page_cache`: fetching one again sends ``If-None-Match``/``If-Modified-Since``
and a 304 serves the page kept. The article's source is the URL as given. Every failure is one
:class:`InputError` naming the URL and a short reason; no response body is ever part of it.
"""

from __future__ import annotations

import codecs
import email.message
import http
import http.client
import os
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from typing import Any

from summarise import __version__
from summarise.articles.content import (
    article_from_html,
    decode_text,
    format_size,
    looks_like_html,
    oversize_problem,
)
from summarise.articles.model import Article, article_from_text
from summarise.articles.page_cache import Page, cached_page, keep_page, page_cache_dir
from summarise.exceptions import ConfigError, InputError

FETCH_TIMEOUT_ENV = "SUMMARISE_FETCH_TIMEOUT"
DEFAULT_FETCH_TIMEOUT = 20.0
USER_AGENT = f"summarise/{__version__} (+article reader; one request per article)"

_ACCEPT = "text/html, application/xhtml+xml, text/plain;q=0.9, text/*;q=0.8"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 65_536
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def is_url(spec: str) -> bool:
    """Whether an input is an ``http://`` or ``https://`` URL (the scheme in any case)."""
    return spec[:8].lower().startswith(("http://", "https://"))


def fetch_timeout() -> float:
    """Seconds a page may take: ``SUMMARISE_FETCH_TIMEOUT``, default 20."""
    configured = os.environ.get(FETCH_TIMEOUT_ENV, "").strip()
    if not configured:
        return DEFAULT_FETCH_TIMEOUT
    try:
        value = float(configured)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{FETCH_TIMEOUT_ENV} must be a positive number of seconds, got {configured!r}")
    return value


def fetch_article(url: str, limit: int) -> Article:
    """The article of the page at ``url``, its source the URL; raises :class:`InputError` on any failure."""
    page = fetch_page(url, limit)
    media, charset = _media_type(page.content_type)
    if media and not (media.startswith("text/") or media in _HTML_TYPES):
        raise InputError(url, f"not an article: content type {media}")
    if not page.body.strip():
        raise InputError(url, "empty page")
    encoding = _encoding(charset) or (_encoding(_meta_charset(page.body)) if media in _HTML_TYPES else None)
    text = decode_text(page.body, url, encoding=encoding or "utf-8", what="page").removeprefix("\ufeff")
    if not text.strip():
        raise InputError(url, "empty page")
    if media in _HTML_TYPES or looks_like_html(text):
        article = article_from_html(text, url, url=page.final_url)
    else:
        article = article_from_text(text, url, url=page.final_url)
    if page.stale:
        article = replace(article, note=f"{page.stale}: read from the page cache (fetched {page.fetched})")
    return article


def fetch_page(url: str, limit: int) -> Page:
    """The page at ``url``, at most ``limit`` bytes: from the server, or from the cache.

    The page kept is served when the server says it has not changed (304), and when the server
    cannot answer now (a timeout, a refused or dropped connection, 429, 5xx): then marked
    ``stale`` with the reason. Without a page kept, such a failure is a transient InputError.
    """
    timeout = fetch_timeout()
    folder = page_cache_dir()
    kept = cached_page(folder, url) if folder is not None else None
    asking = {"User-Agent": USER_AGENT, "Accept": _ACCEPT, **(kept.validators() if kept else {})}
    try:
        page = _download(url, asking, limit, timeout)
    except InputError as error:
        if error.transient and kept is not None and len(kept.body) <= limit:
            return replace(kept, stale=error.problem)  # the site is down or slow: the page as last read
        raise
    except urllib.error.HTTPError as error:
        error.close()
        transient = error.code in _TRANSIENT_STATUS or error.code >= 500
        if transient and kept is not None and len(kept.body) <= limit:
            return replace(kept, stale=_http_problem(error.code))
        if error.code != http.HTTPStatus.NOT_MODIFIED or kept is None:
            raise InputError(url, _http_problem(error.code), transient=transient) from None
        if len(kept.body) > limit:
            raise InputError(url, oversize_problem(f"page is {format_size(len(kept.body))},", limit)) from None
        etag, modified = error.headers.get("ETag"), error.headers.get("Last-Modified")  # a 304 may renew them
        page = replace(kept, etag=etag or kept.etag, last_modified=modified or kept.last_modified)
    if folder is not None and page.body.strip():
        page = keep_page(folder, page)
    return page


#: Answers that may differ at another time: the page kept is served meanwhile, and ``watch`` asks again.
_TRANSIENT_STATUS = (408, 425, 429)
_TRANSIENT_ERRORS = (
    TimeoutError,
    socket.gaierror,
    ConnectionError,
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
)


class _Refused(Exception):
    """A redirect the fetcher does not follow."""


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects as urllib does, but only to http and https (never ``file:`` or ``ftp:``)."""

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        target = headers.get("Location") or headers.get("URI") or ""
        scheme = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, target)).scheme.lower()
        if target and scheme not in ("http", "https"):
            fp.close()
            raise _Refused(f"refused a redirect to a {scheme}: URL (only http and https are fetched)")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _download(url: str, asking: dict[str, str], limit: int, timeout: float) -> Page:
    """One request and its body; raises ``HTTPError`` for a status that is not success, InputError otherwise."""
    deadline = time.monotonic() + timeout
    try:
        request = urllib.request.Request(url, headers=asking)
        opener = urllib.request.build_opener(_HttpOnlyRedirects())  # built now: it reads the proxy settings
        with opener.open(request, timeout=timeout) as response:
            headers = response.headers
            encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
            if encoding != "identity":
                raise InputError(url, f"compressed page (content encoding {encoding}), not read")
            declared = headers.get("Content-Length", "").strip()
            if declared.isdigit() and int(declared) > limit:
                raise InputError(url, oversize_problem(f"page is {format_size(int(declared))},", limit))
            body = _read_body(response, limit, deadline)
            if declared.isdigit() and len(body) < int(declared):
                raise http.client.IncompleteRead(body)
            final_url = response.geturl()
    except urllib.error.HTTPError:
        raise
    except _Refused as refused:
        raise InputError(url, str(refused)) from None
    except urllib.error.URLError as error:
        reason = error.reason
        problem = _network_problem(reason, timeout) if isinstance(reason, BaseException) else str(reason).lower()
        raise InputError(url, problem, transient=isinstance(reason, _TRANSIENT_ERRORS)) from None
    except http.client.IncompleteRead:
        raise InputError(url, "connection closed before the whole page arrived", transient=True) from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        transient = isinstance(error, _TRANSIENT_ERRORS)
        raise InputError(url, _network_problem(error, timeout), transient=transient) from None
    if len(body) > limit:
        raise InputError(url, oversize_problem("page is", limit))
    return Page(
        url=url,
        final_url=final_url,
        body=body,
        content_type=headers.get("Content-Type", "").strip(),
        etag=headers.get("ETag"),
        last_modified=headers.get("Last-Modified"),
    )


def _read_body(response: http.client.HTTPResponse, limit: int, deadline: float) -> bytes:
    """At most ``limit + 1`` bytes of the body, within the deadline (a server sending a byte a second is cut off)."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        if time.monotonic() > deadline:
            raise TimeoutError("timed out")
        chunk = response.read1(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _http_problem(code: int) -> str:
    if 300 <= code < 400:
        return f"HTTP {code}: too many redirects, or a redirect without a target"
    try:
        return f"HTTP {code} {http.HTTPStatus(code).phrase.lower()}"
    except ValueError:
        return f"HTTP {code}"


def _network_problem(error: BaseException, timeout: float) -> str:
    if isinstance(error, http.client.InvalidURL) or (isinstance(error, ValueError) and not isinstance(error, OSError)):
        return f"not a valid URL: {str(error).lower()}"  # a bad port or IPv6 address, a space
    if isinstance(error, TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(error, socket.gaierror):
        return "host not found"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"certificate not trusted: {(error.verify_message or 'verification failed').lower()}"
    if isinstance(error, ssl.SSLError):
        return f"TLS error: {(error.reason or str(error)).lower()}"
    if isinstance(error, http.client.RemoteDisconnected):
        return "server closed the connection without answering"
    if isinstance(error, http.client.HTTPException):
        return f"not an HTTP answer ({type(error).__name__})"
    if isinstance(error, OSError):
        return f"cannot connect: {(error.strerror or str(error)).lower()}"
    return str(error).lower()


def _media_type(content_type: str) -> tuple[str, str | None]:
    """The media type (lower case; empty when not sent) and the charset of a Content-Type header."""
    if not content_type:
        return "", None
    message = email.message.Message()
    message["Content-Type"] = content_type
    return message.get_content_type(), message.get_content_charset()


def _meta_charset(body: bytes) -> str | None:
    found = _META_CHARSET.search(body[:4096])
    return found.group(1).decode("ascii") if found else None


def _encoding(charset: str | None) -> str | None:
    """``charset`` if Python knows it, else ``None`` (then UTF-8 is assumed)."""
    if not charset:
        return None
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None
