"""The ``local`` backend: a GGUF model run by llama.cpp in a worker process of its own.

The engine itself (loading the model, the schema held by a grammar, greedy decoding) is
:mod:`summarise.llm.engine`; it runs in the worker of :mod:`summarise.llm.worker`, started on
the first request and kept for the next ones (the model stays loaded and the article's evaluated
prompt is reused between its questions). A crash of that native code is one
:class:`~summarise.exceptions.EngineCrashedError`, not the end of the command.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from summarise.exceptions import ConfigError
from summarise.llm.base import ChatBackend
from summarise.llm.capabilities import EMBEDDED
from summarise.llm.embedded import DEFAULT_EMBEDDED_MODEL, EMBEDDED_MODELS, ensure_gguf
from summarise.llm.identity import local_identity
from summarise.llm.registry import BackendConfig, Progress, Registration

if TYPE_CHECKING:  # the SDK's types and the worker are imported when the model answers, not when it is named
    from openai.types.chat import ChatCompletion

    from summarise.llm.worker import EngineWorker

#: The engine the worker builds (``module:Class``); tests point it at scripted engines.
ENGINE = "summarise.llm.engine:LlamaEngine"


class LocalBackend(ChatBackend):
    """llama.cpp in a worker process."""

    name: ClassVar[str] = "local"

    def __init__(
        self,
        gguf_path: Path,
        *,
        model: str | None = None,
        sha256: str | None = None,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        seed: int = 0,
        timeout: float | None = None,
    ) -> None:
        self.gguf_path = gguf_path
        self.model = model or gguf_path.stem
        self.sha256 = sha256
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(os.cpu_count() or 1, 1)
        self.seed = seed
        #: Seconds a request (or loading the model) may take before the worker is stopped; None: no limit.
        self.timeout = timeout
        self._worker: EngineWorker | None = None
        self._lock = threading.Lock()

    def identity(self) -> str:
        """The model name and its file hash, or (for an unpinned GGUF) its size and modification time."""
        return local_identity(self.model, self.gguf_path, self.sha256)

    def describe(self) -> dict[str, Any]:
        """Backend, model, GGUF hash and runtime version."""
        from summarise.llm import native

        version = native.engine_version()
        return {
            "backend": self.name,
            "model": self.model,
            "gguf_sha256": self.sha256,
            "runtime": f"llama-cpp-python {version}" if version else "llama-cpp-python (not installed)",
            "n_ctx": self.n_ctx,
            "decoding": "greedy, temperature 0, seed 0",
        }

    def complete(self, request: dict[str, Any]) -> ChatCompletion:
        """Run one chat completion in the worker, schema-constrained when a schema is given."""
        self._check_allowed()
        answer = self.engine_call("complete", request)
        answer["model"] = self.model
        from openai.types.chat import ChatCompletion

        return ChatCompletion.model_validate(answer)

    def engine_call(self, method: str, *args: Any) -> Any:
        """Run ``method`` of the engine (``LlamaEngine``) in the worker, starting the worker first if needed."""
        with self._lock:
            return self._engine().call(method, *args, timeout=self.timeout)

    def build_features(self) -> str:
        """The engine's build features (``llama_print_system_info``), read in the worker."""
        with self._lock:
            return self._engine().start(self.timeout)

    def _engine(self) -> EngineWorker:
        if self._worker is None:
            from summarise.llm.worker import EngineWorker

            options = {"gguf_path": str(self.gguf_path), "n_ctx": self.n_ctx, "n_threads": self.n_threads}
            self._worker = EngineWorker(ENGINE, {**options, "seed": self.seed})
        return self._worker

    def close(self) -> None:
        """Free the model: the worker exits."""
        with self._lock:
            if self._worker is not None:
                self._worker.close()
                self._worker = None


def _existing(gguf: Path) -> Path:
    """The GGUF file given by ``--gguf`` or ``SUMMARISE_GGUF``, which must exist."""
    if not gguf.is_file():
        raise ConfigError(f"{gguf}: no such GGUF file (from --gguf or SUMMARISE_GGUF)")
    return gguf


def _identity(config: BackendConfig) -> str:
    if config.gguf is not None:
        return local_identity(config.model or config.gguf.stem, _existing(config.gguf), None)
    spec = EMBEDDED_MODELS.get(config.model or DEFAULT_EMBEDDED_MODEL)
    if spec is None:
        raise ConfigError(f"unknown embedded model '{config.model}': choose one of {', '.join(EMBEDDED_MODELS)}")
    return local_identity(spec.name, None, spec.sha256)


def _build(config: BackendConfig, progress: Progress | None) -> LocalBackend:
    """The backend of a given GGUF file, or of an embedded model (its file assembled first if need be)."""
    if config.gguf is not None:
        gguf = _existing(config.gguf)
        return LocalBackend(gguf, model=config.model or gguf.stem, n_ctx=config.n_ctx, timeout=config.timeout)
    model_name = config.model or DEFAULT_EMBEDDED_MODEL
    if model_name not in EMBEDDED_MODELS:
        choices = ", ".join(EMBEDDED_MODELS)
        raise ConfigError(f"unknown embedded model '{model_name}': choose one of {choices}, or pass --gguf PATH")
    spec = EMBEDDED_MODELS[model_name]
    path = ensure_gguf(spec, progress=progress)
    return LocalBackend(path, model=spec.name, sha256=spec.sha256, n_ctx=config.n_ctx, timeout=config.timeout)


#: The ``local`` backend: the embedded model, or any GGUF file, run by llama.cpp.
REGISTRATION = Registration("local", _identity, lambda config: EMBEDDED, _build)
