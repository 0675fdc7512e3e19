"""Transport retries: rate limits, server errors, timeouts and dropped connections.

These are kept apart from validation reasks (which instructor runs, immediately, with
the validation error fed back). A transport failure is retried with exponential
backoff and jitter; a 429 that says how long to wait (``Retry-After`` or
``retry-after-ms``) is honoured. Both the number of attempts and the longest wait are
bounded.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` is worth retrying after a pause: 408/409/429, 5xx, timeouts, resets."""
    if isinstance(error, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return False


def retry_after_seconds(error: BaseException) -> float | None:
    """The wait a server asked for in ``retry-after-ms`` / ``Retry-After``, if any."""
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    if (millis := headers.get("retry-after-ms")) is not None:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(parsed.timestamp() - time.time(), 0.0)


@dataclass
class RetryPolicy:
    """Bounds of both kinds of retry.

    ``transport_attempts`` counts every try of one request (so 4 means 3 retries);
    ``reasks`` counts validation reasks after the first answer.
    """

    transport_attempts: int = 4
    reasks: int = 1
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    timeout: float = 180.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def wait_seconds(self, state: RetryCallState) -> float:
        """Backoff before the next transport attempt: the server's word, else jittered exponential."""
        error = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(error) if error else None
        if asked is not None:
            return min(asked, self.backoff_max)
        ceiling = min(self.backoff_max, self.backoff_initial * 2 ** (state.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)

    def retrying(self, on_retry: Callable[[RetryCallState], Any] | None = None) -> Retrying:
        """A tenacity ``Retrying`` that retries transient transport errors only."""
        return Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(max(self.transport_attempts, 1)),
            wait=self.wait_seconds,
            sleep=self.sleep,
            before_sleep=on_retry,
            reraise=True,
        )
