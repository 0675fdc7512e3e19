"""Requests-per-minute and tokens-per-minute limits, in front of any backend."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from openai.types.chat import ChatCompletion

from summarise.llm.base import ChatBackend, WrappingBackend

WINDOW = 60.0


def estimated_tokens(request: dict[str, Any]) -> int:
    """A cheap upper estimate of the tokens a request may use: prompt characters / 4 plus ``max_tokens``."""
    prompt = len(json.dumps(request.get("messages", []), ensure_ascii=False)) // 4
    return prompt + int(request.get("max_tokens") or 0)


class RateLimitedBackend(WrappingBackend):
    """Waits before a request that would exceed ``rpm`` requests or ``tpm`` tokens in any 60 seconds.

    Thread-safe: concurrent extraction shares one limiter. Name, model and identity are the
    wrapped backend's (cache keys and recordings do not change).
    """

    def __init__(
        self,
        inner: ChatBackend,
        *,
        rpm: int | None = None,
        tpm: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(inner)
        self.name = inner.name  # type: ignore[misc]
        self.rpm, self.tpm = rpm, tpm
        self.clock, self.sleep = clock, sleep
        self._sent: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()
        self.waited = 0.0

    def _wait_for_room(self, tokens: int) -> None:
        while True:
            with self._lock:
                now = self.clock()
                while self._sent and now - self._sent[0][0] >= WINDOW:
                    self._sent.popleft()
                used = sum(spent for _, spent in self._sent)
                too_many = self.rpm is not None and len(self._sent) >= self.rpm
                too_much = self.tpm is not None and self._sent and used + tokens > self.tpm
                if not too_many and not too_much:
                    self._sent.append((now, tokens))
                    return
                delay = max(WINDOW - (now - self._sent[0][0]), 0.01)
            self.waited += delay
            self.sleep(delay)

    def complete(self, request: dict[str, Any]) -> ChatCompletion:
        """Send the request once the limits allow it."""
        self._wait_for_room(estimated_tokens(request))
        return self.inner.complete(request)

    def close(self) -> None:
        """Close the wrapped backend."""
        self.inner.close()
