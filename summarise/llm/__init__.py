"""The LLM layer: one backend interface, three backends, and the validated client on top.

``make_backend`` picks a backend from a :class:`BackendConfig` (built by the CLI from
flags and environment variables): ``openai`` for any OpenAI-compatible endpoint,
``local`` for the embedded llama.cpp model, ``replay`` for recorded exchanges.
``auto`` picks ``openai`` when ``OPENAI_API_KEY`` or ``OPENAI_BASE_URL`` is set, else
``local``.

The SDKs (``openai``, ``instructor``, ``llama_cpp``) are imported on first use, not with this
package: a run whose briefs are all cached never needs them (they take about a second to
import) and ``backend_identity`` names a backend without building it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarise.exceptions import ConfigError
from summarise.llm.capabilities import EMBEDDED, RECORDED, Capabilities, endpoint_capabilities
from summarise.llm.embedded import DEFAULT_EMBEDDED_MODEL, EMBEDDED_MODELS, ensure_gguf
from summarise.llm.identity import DEFAULT_OPENAI_MODEL, local_identity, openai_identity

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

BACKENDS = ("auto", "openai", "local", "replay")
#: Seconds an endpoint's request may take unless ``SUMMARISE_TIMEOUT`` says otherwise.
ENDPOINT_TIMEOUT = 180.0


@dataclass
class BackendConfig:
    """Everything needed to choose and build a backend."""

    backend: str = "auto"
    model: str | None = None
    gguf: Path | None = None
    replay_dir: Path | None = None
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = field(default=None, repr=False)
    n_ctx: int = 8192
    #: Seconds one request may take (``SUMMARISE_TIMEOUT``); ``None``: an endpoint's 180 s, no limit for the
    #: embedded model (reading a long article on a slow CPU takes minutes).
    timeout: float | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> BackendConfig:
        """Defaults from ``SUMMARISE_*`` and ``OPENAI_*`` variables, then ``overrides`` (``None`` ignored)."""
        config = cls(
            backend=os.environ.get("SUMMARISE_BACKEND", "auto"),
            model=os.environ.get("SUMMARISE_MODEL") or None,
            gguf=Path(os.environ["SUMMARISE_GGUF"]) if os.environ.get("SUMMARISE_GGUF") else None,
            replay_dir=Path(os.environ["SUMMARISE_REPLAY_DIR"]) if os.environ.get("SUMMARISE_REPLAY_DIR") else None,
            api_key=os.environ.get("OPENAI_API_KEY") or None,
            base_url=os.environ.get("OPENAI_BASE_URL") or None,
        )
        if value := os.environ.get("SUMMARISE_TIMEOUT"):
            try:
                config.timeout = float(value)
            except ValueError:
                raise ConfigError(f"SUMMARISE_TIMEOUT must be a number of seconds, not {value!r}") from None
        if value := os.environ.get("SUMMARISE_N_CTX"):
            try:
                config.n_ctx = int(value)
            except ValueError:
                raise ConfigError(f"SUMMARISE_N_CTX must be a whole number of tokens, not {value!r}") from None
        for key, given in overrides.items():
            if given is not None:
                setattr(config, key, given)
        return config


def resolve_backend_name(config: BackendConfig) -> str:
    """The backend ``auto`` stands for under this configuration."""
    if config.backend not in BACKENDS:
        raise ConfigError(f"unknown backend '{config.backend}': choose one of {', '.join(BACKENDS)}")
    if config.backend != "auto":
        return config.backend
    return "openai" if (config.api_key or config.base_url) else "local"


def backend_identity(config: BackendConfig) -> str:
    """The identity (``ChatBackend.identity``) of the backend ``make_backend`` would build.

    Computed without building it: no SDK imported, no model file assembled or loaded.
    """
    name = resolve_backend_name(config)
    if name == "openai":
        return openai_identity(config.model or DEFAULT_OPENAI_MODEL, config.base_url)
    if name == "replay":
        return f"replay:{config.model or 'replay'}"
    if config.gguf is not None:
        if not config.gguf.is_file():
            raise ConfigError(f"{config.gguf}: no such GGUF file (from --gguf or SUMMARISE_GGUF)")
        return local_identity(config.model or config.gguf.stem, config.gguf, None)
    spec = EMBEDDED_MODELS.get(config.model or DEFAULT_EMBEDDED_MODEL)
    if spec is None:
        raise ConfigError(f"unknown embedded model '{config.model}': choose one of {', '.join(EMBEDDED_MODELS)}")
    return local_identity(spec.name, None, spec.sha256)


def backend_capabilities(config: BackendConfig) -> Capabilities:
    """How the backend ``make_backend`` would build is best asked (a llama.cpp server is asked at ``/props``)."""
    name = resolve_backend_name(config)
    if name == "openai":
        return endpoint_capabilities(config.base_url)
    return RECORDED if name == "replay" else EMBEDDED


def make_backend(config: BackendConfig, progress: Callable[[int, int], None] | None = None) -> ChatBackend:
    """Build the configured backend; ``progress`` reports assembling the embedded model."""
    name = resolve_backend_name(config)
    if name == "openai":
        from summarise.llm.openai_backend import OpenAIBackend

        if not config.api_key and not config.base_url:
            raise ConfigError(
                "no API key found: set the OPENAI_API_KEY environment variable (and OPENAI_BASE_URL for "
                "another OpenAI-compatible endpoint), or use --backend local"
            )
        try:
            return OpenAIBackend(
                config.model or DEFAULT_OPENAI_MODEL,
                api_key=config.api_key,
                base_url=config.base_url,
                timeout=config.timeout or ENDPOINT_TIMEOUT,
            )
        except Exception as error:  # the SDK rejects a malformed base URL with its own error types
            raise ConfigError(
                f"cannot use OPENAI_BASE_URL: {type(error).__name__} (check the URL's form: scheme, host, port)"
            ) from None
    if name == "replay":
        from summarise.llm.replay import ReplayBackend

        directory = config.replay_dir or Path("fixtures/llm")
        if not directory.is_dir():
            raise ConfigError(
                f"replay folder {directory} does not exist: pass --replay-dir or set SUMMARISE_REPLAY_DIR"
            )
        return ReplayBackend(directory, model=config.model or "replay")
    from summarise.llm.local import LocalBackend

    if config.gguf is not None:
        if not config.gguf.is_file():
            raise ConfigError(f"{config.gguf}: no such GGUF file (from --gguf or SUMMARISE_GGUF)")
        return LocalBackend(
            config.gguf, model=config.model or config.gguf.stem, n_ctx=config.n_ctx, timeout=config.timeout
        )
    model_name = config.model or DEFAULT_EMBEDDED_MODEL
    if model_name not in EMBEDDED_MODELS:
        choices = ", ".join(EMBEDDED_MODELS)
        raise ConfigError(f"unknown embedded model '{model_name}': choose one of {choices}, or pass --gguf PATH")
    spec = EMBEDDED_MODELS[model_name]
    path = ensure_gguf(spec, progress=progress)
    return LocalBackend(path, model=spec.name, sha256=spec.sha256, n_ctx=config.n_ctx, timeout=config.timeout)
