"""The one interface every model backend implements.

A backend turns one OpenAI-style chat-completions request (a dict of keyword
arguments: ``messages``, ``response_format``, ``max_tokens``, ...) into one
:class:`openai.types.chat.ChatCompletion`. Validation, reasks, transport retries,
logging and caching are built on top, once, in :mod:`summarise.llm.client`; no
other code knows which backend runs.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from summarise.exceptions import ConfigError

if TYPE_CHECKING:  # the SDK's types are imported when a backend answers, not when one is named
    from openai.types.chat import ChatCompletion

#: Tests set this to ``False`` (see ``tests/conftest.py``): a backend that would run a
#: real model (remote or embedded) then refuses, unless a test opts in.
ALLOW_MODEL_REQUESTS = True

#: Request keys that decide a model's answer; the model name is deliberately left out
#: of replay keys so that a recording answers whatever name a run gives its model.
ANSWER_KEYS = ("messages", "response_format", "tools", "tool_choice", "max_tokens", "temperature", "seed")


class ChatBackend(ABC):
    """A model that answers chat-completion requests."""

    name: ClassVar[str]
    model: str

    @abstractmethod
    def complete(self, request: dict[str, Any]) -> ChatCompletion:
        """Answer one chat-completions request."""

    def identity(self) -> str:
        """What cache keys use to tell this model from another."""
        return f"{self.name}:{self.model}"

    def describe(self) -> dict[str, Any]:
        """How this backend records itself in fixtures and logs."""
        return {"backend": self.name, "model": self.model}

    def remember_with(self, store: Any) -> None:  # noqa: B027 - optional hook, most backends learn nothing
        """Keep what this backend learns about its endpoint (e.g. a schema mode) in ``store``."""

    def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release the model's resources."""

    def _check_allowed(self) -> None:
        if not ALLOW_MODEL_REQUESTS:
            raise ConfigError(
                f"real model requests are blocked here ({self.name} backend): tests must use the "
                "replay or scripted backend, or opt in with the allow_model_requests fixture"
            )


class WrappingBackend(ChatBackend):
    """A backend around another (recording, rate limits, batch answers): it passes each request on.

    It is cached, recorded and remembered as the backend it wraps: identity, description,
    the store it learns with and closing are the inner backend's. A wrapper overrides
    :meth:`complete` to add its one concern.
    """

    def __init__(self, inner: ChatBackend) -> None:
        self.inner = inner
        self.model = inner.model

    def complete(self, request: dict[str, Any]) -> ChatCompletion:
        """The inner backend's answer."""
        return self.inner.complete(request)

    def identity(self) -> str:
        """The inner backend's identity (cache keys do not change with a wrapper)."""
        return self.inner.identity()

    def describe(self) -> dict[str, Any]:
        """The inner backend's description."""
        return self.inner.describe()

    def remember_with(self, store: Any) -> None:
        """The inner backend's memory (its schema mode) is kept as if it ran alone."""
        self.inner.remember_with(store)

    def close(self) -> None:
        """Close the inner backend."""
        self.inner.close()


def request_key(request: dict[str, Any]) -> str:
    """A stable 16-hex key of the parts of a request that decide the answer."""
    wanted = {key: request[key] for key in ANSWER_KEYS if request.get(key) is not None}
    canonical = json.dumps(wanted, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def completion_from_text(
    content: str,
    *,
    model: str,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    finish_reason: str = "stop",
    completion_id: str = "chatcmpl-local",
) -> ChatCompletion:
    """Build an SDK ``ChatCompletion`` carrying ``content`` as the assistant message."""
    from openai.types.chat import ChatCompletion

    return ChatCompletion.model_validate(
        {
            "id": completion_id,
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish_reason,
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )
