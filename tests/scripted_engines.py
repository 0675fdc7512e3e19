"""Scripted engines for the engine's worker process: no model, answers written here or recorded.

The worker (``summarise.llm.worker``) builds whatever engine class it is named; these stand in
for ``summarise.llm.engine.LlamaEngine`` so that the worker's edges (a segfault, a hang, Ctrl-C,
an error raised in the engine) are tested in a second or two. Every answer they give is scripted
(``ScriptedEngine``) or a recorded exchange of ``fixtures/llm`` (``ReplayingEngine``); the crash
is real: the worker process kills itself with SIGSEGV, as llama.cpp's faulty kernels do.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from summarise.exceptions import ContextOverflowError

ROOT = Path(__file__).resolve().parents[1]
#: What these engines report as their build: the format of llama.cpp's ``llama_print_system_info``.
BUILD_WITHOUT_AMX = "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | AVX512 = 1 | REPACK = 1 | "
BUILD_WITH_AMX = BUILD_WITHOUT_AMX + "AMX_INT8 = 1 | "
#: Environment variables that script the engine (the worker inherits the test's environment).
CRASH_AFTER = "SCRIPTED_ENGINE_CRASH_AFTER"  # answer this many requests, then die of SIGSEGV
CRASH_ON_LOAD = "SCRIPTED_ENGINE_CRASH_ON_LOAD"  # die of SIGSEGV when the model is loaded
CRASH_ON_TEXT = "SCRIPTED_ENGINE_CRASH_ON_TEXT"  # die of SIGSEGV at the first request whose prompt has this text
WITH_AMX = "SCRIPTED_ENGINE_WITH_AMX"  # report a build with AMX kernels


def scripted_model(monkeypatch: Any, folder: Path, engine: str = "ScriptedEngine") -> Path:
    """Make the local backend's worker build ``engine`` of this module; the GGUF path it is given, never loaded."""
    import summarise.llm.local

    monkeypatch.setattr(summarise.llm.local, "ENGINE", f"scripted_engines:{engine}")
    gguf = folder / "model.gguf"
    gguf.write_bytes(b"GGUF, never loaded: the engine is scripted")
    return gguf


def segfault() -> None:
    """Die as a native crash does: killed by SIGSEGV, no Python cleanup."""
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)  # never reached: the signal's default action ends the process


class ScriptedEngine:
    """An engine whose every method is scripted: answers, errors, hangs and crashes on demand."""

    def __init__(self, gguf_path: str = "", **options: Any) -> None:
        self.options = {"gguf_path": gguf_path, **options}
        self.answered = 0

    def system_info(self) -> str:
        return BUILD_WITH_AMX if os.environ.get(WITH_AMX) else BUILD_WITHOUT_AMX

    def load(self) -> None:
        if os.environ.get(CRASH_ON_LOAD):
            segfault()

    def complete(self, request: dict[str, Any]) -> dict[str, Any]:
        """A scripted completion echoing how many requests came before; SIGSEGV after CRASH_AFTER of them."""
        self.load()
        if (limit := os.environ.get(CRASH_AFTER)) is not None and self.answered >= int(limit):
            segfault()
        self.answered += 1
        return completion(f'{{"answered": {self.answered}}}')

    def measure_speed(self, generate: int = 32) -> dict[str, float]:
        """Scripted figures (nothing is measured: there is no model)."""
        return {"prompt_tokens": 50, "prompt_seconds": 1.0, "generated": generate, "generate_seconds": 2.0}

    def environment(self, name: str) -> str | None:
        """An environment variable as the worker process sees it."""
        return os.environ.get(name)

    def pid(self) -> int:
        return os.getpid()

    def echo(self, value: Any) -> Any:
        return value

    def sleep(self, seconds: float) -> str:
        time.sleep(seconds)
        return "awake"

    def overflow(self) -> None:
        raise ContextOverflowError("the article does not fit the model's context of 8 tokens")

    def fail(self) -> None:
        raise ValueError("a bug in the engine")

    def crash(self) -> None:
        segfault()


class ReplayingEngine(ScriptedEngine):
    """Answers with the recorded exchanges of ``fixtures/llm`` (recorded from the embedded model)."""

    def complete(self, request: dict[str, Any]) -> dict[str, Any]:
        from summarise.llm.replay import ReplayBackend

        text = os.environ.get(CRASH_ON_TEXT)
        if text and any(text in str(message.get("content")) for message in request["messages"]):
            segfault()
        self.answered += 1
        return ReplayBackend(ROOT / "fixtures" / "llm").complete(request).model_dump()


def completion(content: str) -> dict[str, Any]:
    """A chat completion, as llama-cpp-python returns it, carrying ``content``."""
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": "scripted",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }
