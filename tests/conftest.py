"""Shared fixtures: an isolated home folder, no real model requests, no network.

Real model calls are forbidden by the module switch ``ALLOW_MODEL_REQUESTS`` (set to
``False`` here, as pydantic-ai does); a test that needs one requests the
``allow_model_requests`` fixture. Independently, any socket connection to a
non-loopback address fails, so a test that reaches for the network fails loudly
instead of hanging or spending money.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

import summarise.llm.base
from summarise.exceptions import ModelUnavailableError

summarise.llm.base.ALLOW_MODEL_REQUESTS = False

ENVIRONMENT = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "SUMMARISE_BACKEND",
    "SUMMARISE_MODEL",
    "SUMMARISE_GGUF",
    "SUMMARISE_REPLAY_DIR",
)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    """Point the store and the page cache at a temporary folder and forget any configured backend."""
    monkeypatch.setenv("SUMMARISE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SUMMARISE_PAGE_CACHE", str(tmp_path / "pages"))  # pages fetched by URL
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path (or abstract socket)
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def block_network(monkeypatch):
    """Refuse socket connections to anything but loopback and unix sockets."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(real):
        def connect(self, address):
            if self.family != getattr(socket, "AF_UNIX", None) and not _is_local(address):
                self.close()  # socket.create_connection closes only on OSError: do not leak it
                raise RuntimeError(f"network access blocked in tests: connection to {address!r}")
            return real(self, address)

        return connect

    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))


@pytest.fixture
def allow_model_requests(monkeypatch):
    """Let real backends run for one test."""
    monkeypatch.setattr(summarise.llm.base, "ALLOW_MODEL_REQUESTS", True)


def _embedded_missing() -> str | None:
    """Why the embedded model cannot run here, or ``None`` if it can."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed: pip install 'summarise[local]'"
    from summarise.llm.embedded import DEFAULT_EMBEDDED_MODEL, EMBEDDED_MODELS

    spec = EMBEDDED_MODELS[DEFAULT_EMBEDDED_MODEL]
    try:
        for number in range(1, spec.parts + 1):
            spec.part_path(number)
    except ModelUnavailableError as error:
        return str(error)
    return None


def pytest_collection_modifyitems(config, items):
    """Skip ``embedded`` tests, with the reason, when the embedded model is not installed."""
    embedded = [item for item in items if item.get_closest_marker("embedded")]
    if not embedded:
        return
    reason = _embedded_missing()
    if reason is None:
        return
    for item in embedded:
        item.add_marker(pytest.mark.skip(reason=f"embedded model unavailable: {reason}"))


@pytest.fixture(scope="session")
def embedded_backend() -> Iterator[Any]:
    """The real embedded model (``LocalBackend``), built once; skips if it cannot be built.

    Uses the real model cache (assembling the GGUF once is slow). The test must also
    request ``allow_model_requests`` to send it anything.
    """
    from summarise.llm import BackendConfig, make_backend

    try:
        backend = make_backend(BackendConfig(backend="local"))
    except ModelUnavailableError as error:
        pytest.skip(f"embedded model unavailable: {error}")
    yield backend
    backend.close()
