"""Transport retries: rate limits, server errors, timeouts and dropped connections.

These are kept apart from validation reasks (which instructor runs, immediately, with
the validation error fed back). A transport failure is retried with exponential
backoff and jitter; a 429 that says how long to wait (``Retry-After`` or
``retry-after-ms``) is honoured. Both the number of attempts and the longest wait are
bounded. Which failures are transient, and the wait asked, each backend says in the
:class:`~summarise.exceptions.EndpointError` it raises: nothing here knows an SDK.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from summarise.exceptions import EndpointError


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` is worth retrying after a pause: an endpoint's failure its backend calls transient.

    The OpenAI-compatible backend calls 408, 409, 429, 5xx, timeouts and dropped connections transient.
    """
    return isinstance(error, EndpointError) and error.transient


def retry_after_seconds(error: BaseException) -> float | None:
    """The wait the endpoint asked for (``Retry-After``) before the request is sent again, if any."""
    return error.retry_after if isinstance(error, EndpointError) else None


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
