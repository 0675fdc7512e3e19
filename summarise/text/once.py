"""Tables built once per process, safe to ask for from many threads at once.

``functools.lru_cache`` holds no lock while it builds: workers that ask for a table together
each build it (16 extraction workers built the entity tables 16 times). :func:`built_once`
builds on the first call and makes the other callers wait for that build.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def built_once(build: Callable[[], T]) -> Callable[[], T]:
    """``build()``'s result, built by the first caller; callers arriving meanwhile wait for it."""
    lock = threading.Lock()
    built: list[T] = []

    @functools.wraps(build)
    def table() -> T:
        if not built:
            with lock:
                if not built:
                    built.append(build())
        return built[0]

    return table
