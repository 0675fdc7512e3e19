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
from typing import Any, ClassVar

from openai.types.chat import ChatCompletion

from summarise.llm import native
from summarise.llm.base import ChatBackend
from summarise.llm.identity import local_identity
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
            options = {"gguf_path": str(self.gguf_path), "n_ctx": self.n_ctx, "n_threads": self.n_threads}
            self._worker = EngineWorker(ENGINE, {**options, "seed": self.seed})
        return self._worker

    def close(self) -> None:
        """Free the model: the worker exits."""
        with self._lock:
            if self._worker is not None:
                self._worker.close()
                self._worker = None
