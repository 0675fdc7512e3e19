"""A scripted fake model for tests.

Every answer a :class:`ScriptedBackend` gives is a scripted response, written by hand
for the test that uses it: none of them is a recording of a real model. The helpers
at the bottom build the openai SDK's own exception objects (on ``httpx2``, the HTTP
library openai 3.x speaks through); a scripted backend raises them translated as the
OpenAI backend translates them, so the code under test sees exactly what a real
endpoint failure looks like.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar

import httpx2
import openai
from openai.types.chat import ChatCompletion

from summarise.llm.base import ChatBackend, completion_from_text
from summarise.llm.openai_backend import translate_error

DEFAULT_PROMPT_TOKENS = 100
DEFAULT_COMPLETION_TOKENS = 20

#: One scripted turn: the assistant's content, a dict ``{"content": ..., "usage":
#: {"prompt_tokens": ..., "completion_tokens": ...}, "finish_reason": ...}``, an exception to raise, or a
#: function of the request returning one of those.
Step = str | dict[str, Any] | BaseException | Callable[[dict[str, Any]], Any]

FAKE_URL = "http://127.0.0.1/v1/chat/completions"


class ScriptedBackend(ChatBackend):
    """A backend that answers from a script of hand-written responses, in order.

    A callable step is called with the request (like pydantic-ai's ``FunctionModel``)
    and is used for one request only, unless the backend was built with ``function=``,
    which answers every request once the queued steps run out.
    """

    name: ClassVar[str] = "scripted"

    def __init__(
        self,
        steps: list[Step] | None = None,
        *,
        function: Callable[[dict[str, Any]], Any] | None = None,
        model: str = "scripted-model",
        prompt_tokens: int = DEFAULT_PROMPT_TOKENS,
        completion_tokens: int = DEFAULT_COMPLETION_TOKENS,
    ) -> None:
        self.model = model
        self.steps: deque[Step] = deque(steps or [])
        self.function = function
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
        self.history: list[dict[str, Any]] = []

    def enqueue(self, *steps: Step) -> None:
        """Add scripted turns at the end of the script."""
        self.steps.extend(steps)

    def complete(self, request: dict[str, Any]) -> ChatCompletion:
        """Record the request and answer with the next scripted turn."""
        self.history.append(copy.deepcopy(request))
        if self.steps:
            step: Any = self.steps.popleft()
        elif self.function is not None:
            step = self.function
        else:
            raise AssertionError(
                f"the scripted backend ran out of responses at request {len(self.history)} "
                f"(the script had {len(self.history) - 1})"
            )
        if callable(step) and not isinstance(step, BaseException):
            step = step(copy.deepcopy(request))
        if isinstance(step, BaseException):
            raise translate_error(step)  # an SDK error as the OpenAI backend raises it; any other as it is
        return self._completion(step)

    def _completion(self, step: str | dict[str, Any]) -> ChatCompletion:
        if isinstance(step, str):
            step = {"content": step}
        usage = {**step, **step.get("usage", {})}
        return completion_from_text(
            step["content"],
            model=self.model,
            prompt_tokens=usage.get("prompt_tokens", self.prompt_tokens),
            completion_tokens=usage.get("completion_tokens", self.completion_tokens),
            finish_reason=step.get("finish_reason", "stop"),
            completion_id=f"chatcmpl-scripted-{len(self.history)}",
        )


def last_user_message(request: dict[str, Any]) -> str:
    """The content of the last user message of a request."""
    return next(m["content"] for m in reversed(request["messages"]) if m["role"] == "user")


# --- the SDK's own errors ------------------------------------------------------------------------


def _request() -> httpx2.Request:
    return httpx2.Request("POST", FAKE_URL)


def _response(status: int, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(status, headers=headers or {}, request=_request())


def rate_limit(retry_after: str | None = None) -> openai.RateLimitError:
    """HTTP 429, with a ``Retry-After`` header when given."""
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return openai.RateLimitError("Rate limit reached (scripted)", response=_response(429, headers), body=None)


def server_error(status: int = 500) -> openai.InternalServerError:
    """HTTP 5xx."""
    return openai.InternalServerError(f"Server error {status} (scripted)", response=_response(status), body=None)


def auth_error(message: str = "Incorrect API key provided (scripted)") -> openai.AuthenticationError:
    """HTTP 401."""
    return openai.AuthenticationError(message, response=_response(401), body=None)


def connection_error() -> openai.APIConnectionError:
    """A dropped connection."""
    return openai.APIConnectionError(request=_request())


def timeout_error() -> openai.APITimeoutError:
    """A request that timed out."""
    return openai.APITimeoutError(request=_request())


def run_summarise(args: list[str], env: dict[str, str], crash_at: str | None = None) -> Any:
    """Run the ``summarise`` command in a new Python process (``crash_at`` sets ``SUMMARISE_CRASH_AT``)."""
    import subprocess
    import sys

    environment = {**env, **({"SUMMARISE_CRASH_AT": crash_at} if crash_at else {})}
    code = "import sys; from summarise.cli import run; sys.argv = ['summarise', *sys.argv[1:]]; run()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=environment, capture_output=True, text=True, timeout=120
    )
