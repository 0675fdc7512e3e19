"""What a backend can do, so that the commands ask each the way it answers best.

The commands choose from this, never from a backend's name: whether an article's questions go
in one request (``combined``), how many requests go at once (``workers``, and ``max_workers``
whatever ``--concurrency`` asks), a line that says why (shown when the choice is made), whether
the questions of one article, asked apart, go at once (``parallel_steps``), and the names of the
one model a server answers with whatever a request names (``serves``).

- The embedded model runs on this machine's CPU (in a worker process): one request at a time,
  one question at a time (it reuses the article's evaluated prompt between questions, and its
  small answers are what a 1.5B model gets right).
- A llama.cpp server says what it is at ``/props`` (``total_slots``: how many requests it
  decodes at once). It decodes on the same kind of hardware, keeps each slot's evaluated prompt,
  so it is asked like the embedded model: as many requests at once as it has slots, one
  question at a time. More requests than slots would only wait in its queue until they time
  out.
- Any other endpoint (OpenAI, vLLM, Ollama, ...) is asked every question of an article in one
  request (one latency, the article's tokens sent once), several articles at once.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Capabilities:
    """How a backend is best asked."""

    combined: bool
    workers: int
    why: str
    #: Ask an article's questions at once, each in its own request (when not combined).
    parallel_steps: bool = False
    #: At most this many requests at once, whatever ``--concurrency`` asks (``None``: no limit).
    max_workers: int | None = None
    #: The names of the one model the server answers with whatever a request names (a llama.cpp
    #: server's alias, file name and file stem); empty when it answers the model asked.
    serves: tuple[str, ...] = ()

    def workers_for(self, requested: int | None) -> int:
        """Requests to send at once: ``requested`` (``--concurrency``) or the default, at most ``max_workers``."""
        workers = requested or self.workers
        return workers if self.max_workers is None else min(workers, self.max_workers)


EMBEDDED = Capabilities(
    combined=False,
    workers=1,
    why="one question at a time, one article at a time: the embedded model runs on this machine's CPU",
    max_workers=1,  # one engine on the CPU: a second article at once only waits
)
ENDPOINT = Capabilities(
    combined=True,
    workers=8,
    why="every question of an article in one request, 8 articles at once: an endpoint (not a llama.cpp server)",
    parallel_steps=True,
)
RECORDED = Capabilities(
    combined=False,
    workers=8,
    why="one question at a time, as recorded: recorded answers",
    parallel_steps=True,
)


def endpoint_capabilities(base_url: str | None) -> Capabilities:
    """What the endpoint at ``base_url`` can do: a llama.cpp server says so at ``/props``."""
    slots = llama_server_slots(base_url) if base_url else None
    if slots is None:
        return ENDPOINT
    return Capabilities(
        combined=False,
        workers=slots,
        why=(
            f"one question at a time, {slots} article{'s' if slots != 1 else ''} at once: a llama.cpp server with "
            f"{slots} slot{'s' if slots != 1 else ''} (its /props), each slot reusing the article's evaluated prompt"
        ),
        serves=served_names(base_url),
    )


#: How long a llama.cpp server that says it is loading its model (HTTP 503) is waited for.
LOADING_WAIT = 300.0
#: How long an address that refuses connections is tried again (a server may be starting).
STARTING_WAIT = 10.0


@lru_cache(maxsize=16)
def llama_server_props(base_url: str, timeout: float = 3.0) -> dict[str, Any] | None:
    """What a llama.cpp server at ``base_url`` says of itself at ``/props``, else ``None``.

    A server still loading its model (HTTP 503) is waited for, up to ``LOADING_WAIT``
    seconds; an address that refuses the connection is tried again for ``STARTING_WAIT``
    seconds (a server may be starting). Anything else (no such page, not JSON, no answer
    within ``timeout``) is ``None``: the endpoint is then asked as any other.
    """
    try:
        parts = urllib.parse.urlsplit(base_url)
        host = parts.hostname
        address = f"[{host}]" if host and ":" in host else host
        if parts.port is not None:
            address = f"{address}:{parts.port}"
    except ValueError:  # a malformed port: the request itself will say so
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    # Never the address's credentials (user:password@): /props is public where a server has one.
    url = urllib.parse.urlunsplit((parts.scheme, address, "/props", "", ""))
    started = time.monotonic()
    deadline = started + STARTING_WAIT
    while True:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # http(s) only, checked above
                props = json.loads(response.read(1_000_000))
            return props if isinstance(props, dict) else None
        except urllib.error.HTTPError as error:
            error.close()
            if error.code != 503:
                return None
            deadline = max(deadline, started + LOADING_WAIT)  # loading its model: worth waiting for
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionRefusedError):
                return None
        except (OSError, ValueError, RuntimeError, http.client.HTTPException):
            return None
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.5)


def llama_server_slots(base_url: str) -> int | None:
    """The ``total_slots`` (requests decoded at once) a llama.cpp server at ``base_url`` reports, else ``None``."""
    slots = (llama_server_props(base_url) or {}).get("total_slots")
    return slots if isinstance(slots, int) and slots >= 1 else None


def served_names(base_url: str | None) -> tuple[str, ...]:
    """The names of the model a llama.cpp server at ``base_url`` serves: its alias, file name and file stem.

    Such a server answers with its one model whatever model name a request gives; empty when the
    endpoint does not say (any other endpoint, which refuses an unknown name itself).
    """
    props = (llama_server_props(base_url) or {}) if base_url else {}
    names = []
    for value in (props.get("model_alias"), props.get("model_path")):
        if isinstance(value, str) and value:
            names += [value, Path(value).name, Path(value).stem]
    return tuple(dict.fromkeys(names))
