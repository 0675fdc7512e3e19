"""What choosing a backend needs: its configuration, and the one registration each backend declares.

Each backend module (``openai_backend.py``, ``local.py``, ``replay.py``) declares one
:class:`Registration`: its name, its identity and its capabilities computed from a
:class:`BackendConfig` alone, and its factory. :mod:`summarise.llm` looks backends up by name
among them. Naming a backend must stay cheap: a backend module imports its SDK (``openai``,
``llama_cpp``) only when it builds or runs its backend, never when it is imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from summarise.exceptions import ConfigError

if TYPE_CHECKING:
    from summarise.llm.base import ChatBackend
    from summarise.llm.capabilities import Capabilities

#: Reports assembling the embedded model's file: bytes done, bytes in all.
Progress = Callable[[int, int], None]


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


@dataclass(frozen=True)
class Registration:
    """One backend as choosing it needs it.

    ``identity`` and ``capabilities`` read the configuration only: they build nothing, load no
    model file and import no SDK (a run whose briefs are all cached asks them and nothing else).
    ``identity`` is what the built backend's :meth:`ChatBackend.identity` will say, or the
    :class:`ConfigError` of a model it cannot name (a missing GGUF file, an unknown model).
    ``build`` makes the backend, or says in a :class:`ConfigError` why it cannot; ``progress``
    reports assembling a model file, where there is one.
    """

    name: str
    identity: Callable[[BackendConfig], str]
    capabilities: Callable[[BackendConfig], Capabilities]
    build: Callable[[BackendConfig, Progress | None], ChatBackend]
