"""The pages fetched before, kept by URL so that fetching one again asks only whether it changed.

One file a URL, named by the sha256 of the URL, in ``$SUMMARISE_PAGE_CACHE`` or the user's cache
folder (on Linux ``~/.cache/summarise/pages``): a line of JSON (the URL, the address it ended at, the
content type, ``ETag``, ``Last-Modified``, the fetch time, the body's size and sha256), then the body's
bytes. Files are replaced whole (a temporary file, then a rename); a file that is damaged, cut short
or not what its line says is ignored and the page fetched again. ``SUMMARISE_NO_PAGE_CACHE=1``
neither reads nor writes the cache. A cache that cannot be written is no error: the page is just
not kept.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

PAGE_CACHE_ENV = "SUMMARISE_PAGE_CACHE"
NO_PAGE_CACHE_ENV = "SUMMARISE_NO_PAGE_CACHE"


@dataclass(frozen=True)
class Page:
    """A page as fetched: the URL asked for, the one it ended at after redirects, and what it sent."""

    url: str
    final_url: str
    body: bytes
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    fetched: str = ""
    #: why the page kept was served instead of the server's (never kept in the cache)
    stale: str = ""

    def validators(self) -> dict[str, str]:
        """The headers that ask the server whether this page changed (empty when it gave no validator)."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


def page_cache_dir() -> Path | None:
    """Where fetched pages are kept, or ``None`` when ``SUMMARISE_NO_PAGE_CACHE`` turns the cache off."""
    if os.environ.get(NO_PAGE_CACHE_ENV, "").strip().lower() not in ("", "0", "false", "no"):
        return None
    if folder := os.environ.get(PAGE_CACHE_ENV):
        return Path(folder).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("summarise", appauthor=False)) / "pages"


def entry_path(folder: Path, url: str) -> Path:
    """The file that keeps the page of ``url``."""
    return folder / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()}.page"


def cached_page(folder: Path, url: str) -> Page | None:
    """The page of ``url`` kept earlier, or ``None`` when there is none or its file is damaged."""
    try:
        data = entry_path(folder, url).read_bytes()
    except OSError:
        return None
    line, newline, body = data.partition(b"\n")
    try:
        fields = json.loads(line) if newline else None
    except ValueError:  # not JSON, or not UTF-8
        return None
    if not isinstance(fields, dict) or fields.get("url") != url:
        return None
    if fields.get("size") != len(body) or fields.get("sha256") != hashlib.sha256(body).hexdigest():
        return None
    text = {key: fields.get(key) for key in ("final_url", "content_type", "etag", "last_modified", "fetched")}
    if not all(value is None or isinstance(value, str) for value in text.values()):
        return None
    return Page(
        url=url,
        final_url=text["final_url"] or url,
        body=body,
        content_type=text["content_type"] or "",
        etag=text["etag"],
        last_modified=text["last_modified"],
        fetched=text["fetched"] or "",
    )


def keep_page(folder: Path, page: Page) -> Page:
    """Keep ``page`` (stamped with the time now) as the page of its URL; returns the page as kept."""
    page = replace(page, fetched=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))
    line = json.dumps(
        {
            "url": page.url,
            "final_url": page.final_url,
            "content_type": page.content_type,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "fetched": page.fetched,
            "size": len(page.body),
            "sha256": hashlib.sha256(page.body).hexdigest(),
        },
        ensure_ascii=True,
    )
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".", suffix=".partial", delete=False) as out:
            temporary = Path(out.name)
            out.write(line.encode("ascii") + b"\n" + page.body)
        os.replace(temporary, entry_path(folder, page.url))
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    return page
