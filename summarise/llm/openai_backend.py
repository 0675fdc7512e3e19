"""The ``openai`` backend: any OpenAI-compatible chat-completions endpoint.

OpenAI itself, Azure, Ollama, vLLM or a llama.cpp server: ``OPENAI_API_KEY``,
``OPENAI_BASE_URL`` and ``--model``. The SDK's own retries are switched off: transport
retries belong to :mod:`summarise.llm.retry`, so that they are counted and bounded once.
"""

from __future__ import annotations

from typing import Any, ClassVar

import openai
from openai.types.chat import ChatCompletion

from summarise.llm.base import ChatBackend
from summarise.llm.identity import DEFAULT_OPENAI_MODEL, openai_identity

__all__ = ["DEFAULT_OPENAI_MODEL", "OpenAIBackend"]


class OpenAIBackend(ChatBackend):
    """Chat completions over HTTP through the openai SDK."""

    name: ClassVar[str] = "openai"

    def __init__(self, model: str = DEFAULT_OPENAI_MODEL, *, api_key: str | None = None,
                 base_url: str | None = None, timeout: float = 180.0, http_client: Any = None) -> None:
        self.model = model
        self.base_url = base_url
        self._client = openai.OpenAI(api_key=api_key or "not-needed", base_url=base_url, timeout=timeout,
                                     max_retries=0, http_client=http_client)

    def identity(self) -> str:
        """Model and endpoint (never the key)."""
        return openai_identity(self.model, self.base_url)

    def describe(self) -> dict[str, Any]:
        """Backend, model and whether a custom endpoint is used (the URL may hold secrets)."""
        return {"backend": self.name, "model": self.model, "custom_base_url": bool(self.base_url)}

    def complete(self, request: dict[str, Any]) -> ChatCompletion:
        """Send one request.

        Posted as built (``StructuredClient.request_for``) rather than through
        ``chat.completions.create``, whose parameter transform walks the whole JSON schema
        of every request: ~2 ms of CPU each, more than the HTTP exchange itself.
        """
        self._check_allowed()
        return self._client.post("/chat/completions", body=request, cast_to=ChatCompletion)

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()
