r"""Article links: the one check every renderer makes before it writes a source's URL as a link.

Only ``http(s)`` URLs with a host are linked, percent-encoded where a link needs it. A URL holding
a control character is refused outright: ``urllib.parse.urlsplit`` (like a browser) silently drops
tabs and newlines, so ``"ht\ttps://x.org/a"`` would pass a scheme check as ``https`` and then be
written out as ``ht%09tps://x.org/a``, a different URL from the one checked.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, urlsplit

_WEB_SCHEMES = ("http", "https")
_KEEP = ":/?#[]@!$&'()*+,;=%~-._"


def web_url(url: str | None) -> str | None:
    """``url`` fit for a link if it is an http(s) URL with a host, else ``None``."""
    if not url:
        return None
    url = url.strip()
    if any(unicodedata.category(char) == "Cc" for char in url):
        return None
    if not _is_web(url):
        return None
    encoded = quote(url, safe=_KEEP)
    return encoded if _is_web(encoded) else None  # what is returned is checked, not only what was given


def _is_web(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.lower() in _WEB_SCHEMES and bool(parts.netloc)
