"""Secrets: which values are secrets, and masking them in every log line, error and stored row.

A secret is an API key, a webhook URL, or the credentials inside an endpoint URL
(``https://user:password@host/v1``, ``...?api-key=...``), however it was given: in the
environment (:data:`SECRET_VARIABLES`) or on the command line (the command calls
:func:`remember`). :func:`redact` masks every known secret and its parts (the password, the
user and password, a query's key, a webhook's path), and whatever looks like a secret anyway
(``sk-...`` keys, bearer tokens, URL credentials, key-like query parameters).
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, unquote, urlsplit

#: The environment variables whose values are secrets.
SECRET_VARIABLES = ("OPENAI_API_KEY", "SLACK_WEBHOOK_URL", "OPENAI_BASE_URL")
#: A variable whose URL's path is itself the secret (a webhook's token is its path).
_PATH_IS_SECRET = ("SLACK_WEBHOOK_URL",)
#: Parts shorter than this are not masked on their own ("v1", a one-letter user): masking them would
#: garble every line without hiding anything.
_SHORTEST = 6
_MASK = "***"

_given: set[str] = set()


def remember(value: str | None, *, path_is_secret: bool = False) -> None:
    """Treat ``value`` (a key, or a URL given on the command line) and its parts as secrets from now on."""
    if value:
        _given.update(_parts(value, path_is_secret=path_is_secret))


def redact(text: str) -> str:
    """``text`` with every known secret and its parts masked, and whatever looks like a secret."""
    for secret in sorted(_known(), key=len, reverse=True):  # the whole URL before its parts
        text = text.replace(secret, _MASK)
    text = re.sub(r"\b(?:sk|rk|pk)-[A-Za-z0-9_\-*]{6,}", _MASK, text)
    text = re.sub(r"(?<=://)[^/@\s]+@", _MASK + "@", text)
    text = re.sub(
        r"(?i)([?&;](?:api[-_]?key|key|token|access[-_]?token|auth|sig|signature|secret|password|code)=)[^&\s#'\"]+",
        r"\1" + _MASK,
        text,
    )
    return re.sub(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}", r"\1 " + _MASK, text)


def short_error(error: BaseException | str) -> str:
    """An error (or its message) as one short line, secrets masked."""
    text = " ".join(redact(str(error)).split())
    return text[:200]


def _known() -> set[str]:
    known = set(_given)
    for name in SECRET_VARIABLES:
        known |= _parts(os.environ.get(name, ""), path_is_secret=name in _PATH_IS_SECRET)
    return known


def _parts(value: str, *, path_is_secret: bool) -> set[str]:
    """``value`` and the parts of it that are secrets on their own, each at least ``_SHORTEST`` long."""
    value = value.strip()
    parts = {value}
    try:
        url = urlsplit(value)
    except ValueError:
        url = None
    if url is not None and url.scheme and url.netloc:
        userinfo = url.netloc.rpartition("@")[0]
        parts |= {userinfo, unquote(userinfo), url.password or "", unquote(url.password or "")}
        parts |= {secret for _, secret in parse_qsl(url.query)}
        if path_is_secret:
            parts |= {url.path, url.path.strip("/")}
    return {part for part in parts if len(part) >= _SHORTEST}
