"""The LLM layer: one backend interface, three backends, and the validated client on top.

``make_backend`` picks a backend from a :class:`BackendConfig` (built by the CLI from
flags and environment variables): ``openai`` for any OpenAI-compatible endpoint,
``local`` for the embedded llama.cpp model, ``replay`` for recorded exchanges.
``auto`` picks ``openai`` when ``OPENAI_API_KEY`` or ``OPENAI_BASE_URL`` is set, else
``local``. Each backend's module declares its :class:`~summarise.llm.registry.Registration`
(name, identity, capabilities, factory); the functions here look the chosen one up in
:data:`REGISTRY`.

The SDKs (``openai``, ``instructor``, ``llama_cpp``) are imported on first use, not with this
package: a run whose briefs are all cached never needs them (they take about a second to
import) and ``backend_identity`` names a backend without building it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from summarise.exceptions import ConfigError
from summarise.llm import local, openai_backend, replay
from summarise.llm.capabilities import Capabilities
from summarise.llm.registry import BackendConfig, Progress, Registration

if TYPE_CHECKING:
    from summarise.llm.base import ChatBackend, completion_from_text, request_key
    from summarise.llm.client import CallInfo, StructuredClient
    from summarise.llm.retry import RetryPolicy

_LAZY = {
    "ChatBackend": "summarise.llm.base",
    "completion_from_text": "summarise.llm.base",
    "request_key": "summarise.llm.base",
    "CallInfo": "summarise.llm.client",
    "StructuredClient": "summarise.llm.client",
    "RetryPolicy": "summarise.llm.retry",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BackendConfig",
    "CallInfo",
    "Capabilities",
    "ChatBackend",
    "RetryPolicy",
    "StructuredClient",
    "backend_capabilities",
    "backend_identity",
    "completion_from_text",
    "make_backend",
    "request_key",
    "resolve_backend_name",
]

#: Every backend by name, as its module registers it.
REGISTRY: dict[str, Registration] = {
    entry.name: entry for entry in (openai_backend.REGISTRATION, local.REGISTRATION, replay.REGISTRATION)
}
BACKENDS = ("auto", *REGISTRY)


def resolve_backend_name(config: BackendConfig) -> str:
    """The backend ``auto`` stands for under this configuration."""
    if config.backend not in BACKENDS:
        raise ConfigError(f"unknown backend '{config.backend}': choose one of {', '.join(BACKENDS)}")
    if config.backend != "auto":
        return config.backend
    return "openai" if (config.api_key or config.base_url) else "local"


def registration(config: BackendConfig) -> Registration:
    """The registration of the backend this configuration chooses."""
    return REGISTRY[resolve_backend_name(config)]


def backend_identity(config: BackendConfig) -> str:
    """The identity (``ChatBackend.identity``) of the backend ``make_backend`` would build.

    Computed without building it: no SDK imported, no model file assembled or loaded.
    """
    return registration(config).identity(config)


def backend_capabilities(config: BackendConfig) -> Capabilities:
    """How the backend ``make_backend`` would build is best asked (a llama.cpp server is asked at ``/props``)."""
    return registration(config).capabilities(config)


def make_backend(config: BackendConfig, progress: Progress | None = None) -> ChatBackend:
    """Build the configured backend; ``progress`` reports assembling the embedded model."""
    return registration(config).build(config, progress)
