"""The engine's worker process: native code that crashes costs one clear error, not the run.

The embedded model (llama.cpp, native code) runs in a child process of its own. The command's
process sends it one request at a time over a pipe and waits; when the child dies (a segfault
in llama.cpp's AMX kernels, an instruction the CPU lacks, the kernel's out-of-memory killer),
the wait ends with :class:`~summarise.exceptions.EngineCrashedError`, which says what died, on
which CPU, and the command that rebuilds the engine. Everything finished before is kept.

The worker also gives the other ways a request can end a clean edge: it runs in a session of
its own, so the terminal's Ctrl-C reaches only the command, which then stops the worker at once
(even mid-decode); a request that outlasts its ``timeout`` stops the worker, fails that request
and the next one starts a new worker; and a worker whose command has gone exits by itself.

The protocol: each message is an 8-byte little-endian length and a pickle. The command sends
``("start", engine, options)`` first, then ``("call", method, args)`` or ``("close",)``; the
worker answers ``("ok", result)``, ``("error", SummariseError)`` or ``("failed", text)``. The
engine is any class named ``"module:Class"`` whose methods take and return plain data
(:class:`summarise.llm.engine.LlamaEngine` by default; the tests name scripted ones).
"""

from __future__ import annotations

import importlib
import json
import os
import pickle
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from typing import IO, Any

from summarise.exceptions import BackendError, EngineCrashedError, SummariseError, TransportError
from summarise.llm import native

#: How the child starts: the command's own import path (``sys.argv[1]``), then :func:`serve`.
_BOOT = "import json, sys; sys.path[:] = json.loads(sys.argv[1]); from summarise.llm.worker import serve; serve()"
_HEADER = 8
#: What the engine was doing when it died, by the method called (for the crash's message).
_DOING = {
    "complete": "while answering a request",
    "load": "while loading the model",
    "measure_speed": "while generating",
}


class _Died(Exception):
    """The worker's pipe closed: the process is gone."""


class EngineWorker:
    """An engine in a child process; :meth:`call` runs one of its methods there.

    Not thread-safe: one call at a time (the ``local`` backend holds a lock around it).
    """

    def __init__(self, engine: str, options: dict[str, Any]) -> None:
        self.engine = engine
        self.options = options
        self.system_info: str | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The worker's process id, ``None`` before it starts or after it stops."""
        return self._process.pid if self._process is not None else None

    def start(self, timeout: float | None = None) -> str:
        """Start the worker and build the engine there (once); return the engine's build features.

        Building the engine loads no model (its first call does): the build features are known
        before anything that could crash runs, so a crash's message can name them.
        """
        if self._process is None:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, json.dumps(sys.path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                bufsize=0,  # replies are read with a deadline: nothing may wait unseen in a buffer
                start_new_session=True,  # the terminal's Ctrl-C goes to the command, which stops the worker
                env=engine_environment(os.environ),
            )
            self.system_info = self._exchange(("start", self.engine, self.options), "while starting", timeout)
        return self.system_info or ""

    def call(self, method: str, *args: Any, timeout: float | None = None) -> Any:
        """``engine.method(*args)`` in the worker; its result, or the error it raised there."""
        self.start(timeout)
        return self._exchange(("call", method, args), _DOING.get(method, f"in {method}"), timeout)

    def _exchange(self, message: tuple[Any, ...], doing: str, timeout: float | None) -> Any:
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        try:
            _send(process.stdin, message)
            status, value = _receive(process.stdout, None if timeout is None else time.monotonic() + timeout)
        except (_Died, BrokenPipeError):
            raise self._crashed(doing) from None
        except TimeoutError:
            self.stop()
            raise TransportError(
                f"the embedded model gave no answer within {timeout:g} s ({doing}): the worker was stopped "
                "and the next request starts a new one; raise the limit with SUMMARISE_TIMEOUT"
            ) from None
        except BaseException:  # Ctrl-C, or anything else mid-exchange: the worker's state is unknown
            self.stop()
            raise
        if status == "ok":
            return value
        if message[0] == "start":
            self.stop()
        if status == "error":
            raise value
        raise BackendError(f"the embedded engine failed: {value}")

    def _crashed(self, doing: str) -> EngineCrashedError:
        """The error of a worker that died ``doing`` something; the process is reaped."""
        process, self._process = self._process, None
        assert process is not None
        returncode = _reap(process)
        amx = bool(self.system_info) and native.has_amx_kernels(self.system_info or "")
        return EngineCrashedError(
            cause=native.death_cause(returncode),
            doing=doing,
            cpu=native.this_cpu().summary(),
            amx_kernels=amx,
            rebuild=native.rebuild_command(),
        )

    def stop(self) -> None:
        """Stop the worker now (even mid-request) and reap it."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            _reap(process)

    def close(self) -> None:
        """Ask the worker to free the engine and exit; stop it if it does not within five seconds."""
        process = self._process
        if process is None:
            return
        try:
            assert process.stdin is not None
            _send(process.stdin, ("close",))
            process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.stop()


#: How long an idle OpenMP worker thread of llama.cpp spins before it sleeps (GNU libgomp's GOMP_SPINCOUNT).
#: Its default spins so long that a core taken by another process stalls every step: with one busy process
#: on a 2-core AMD EPYC, the engine wrote 0.3-0.5 tokens/s (25 alone); spinning 1,000 times it wrote 12.2
#: (28 alone); a passive wait (OMP_WAIT_POLICY=PASSIVE) 17.6, but 17-19 alone. See docs/performance.md.
ENGINE_SPIN_COUNT = "1000"


def engine_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """The worker's environment: the caller's, with a short OpenMP spin unless the user chose a wait policy."""
    chosen = {**environment}
    if "GOMP_SPINCOUNT" not in chosen and "OMP_WAIT_POLICY" not in chosen:
        chosen["GOMP_SPINCOUNT"] = ENGINE_SPIN_COUNT
    return chosen


def _reap(process: subprocess.Popen[bytes]) -> int:
    """Wait for ``process`` to end, close its pipes; its return code (minus the signal that killed it)."""
    returncode = process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
    return returncode


def _send(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(_HEADER, "little") + data)
    while view:  # an unbuffered pipe may take part of it at a time
        view = view[stream.write(view) or 0 :]
    stream.flush()


def _receive(stream: IO[bytes], deadline: float | None) -> Any:
    """The next message on ``stream``; ``TimeoutError`` when its first byte is not there by ``deadline``."""
    if deadline is not None:
        with selectors.DefaultSelector() as selector:
            selector.register(stream, selectors.EVENT_READ)
            if not selector.select(max(deadline - time.monotonic(), 0)):
                raise TimeoutError
    header = _read_exactly(stream, _HEADER)
    return pickle.loads(_read_exactly(stream, int.from_bytes(header, "little")))


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise _Died
        data += chunk
    return data


# --- in the worker process --------------------------------------------------------------------------


def serve() -> None:
    """The worker's main loop: build the engine, then run the calls it is sent until told to close."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command handles Ctrl-C and stops the worker
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever the native code prints goes to stderr, never into the replies
    sys.stdout = sys.stderr
    _exit_with_parent(os.getppid())
    engine: Any = None
    while True:
        try:
            message = _receive(requests, None)
        except _Died:  # the command closed the pipe
            break
        if message[0] == "close":
            break
        try:
            if message[0] == "start":
                engine = _build(message[1], message[2])
                result = engine.system_info()
            else:
                result = getattr(engine, message[1])(*message[2])
            reply: tuple[str, Any] = ("ok", result)
        except SummariseError as error:
            reply = ("error", error) if _picklable(error) else ("failed", f"{type(error).__name__}: {error}")
        except Exception as error:
            reply = ("failed", f"{type(error).__name__}: {error}")
        _send(replies, reply)
    if engine is not None and hasattr(engine, "close"):
        engine.close()


def _build(spec: str, options: dict[str, Any]) -> Any:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)(**options)


def _picklable(error: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return False
    return True


def _exit_with_parent(parent: int) -> None:
    """Exit as soon as the command that started this worker is gone, even in the middle of a decode."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
