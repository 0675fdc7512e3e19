"""The engine is built for every x86-64 CPU: no AMX kernels, the README's install says so, doctor checks it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarise.cli import app
from summarise.llm import native
from summarise.llm.worker import EngineWorker

import scripted_engines

ROOT = Path(__file__).resolve().parents[1]
needs_engine = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python is not installed: pip install '.[local]'"
)

#: llama_print_system_info of llama-cpp-python 0.3.36 built with -march=sapphirerapids (GGML_NATIVE=OFF, GCC 12),
#: as pip's native build is on an Intel CPU with AMX: the build this project's install must never produce.
AMX_BUILD = (
    "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX_VNNI = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | AVX512 = 1 | "
    "AVX512_VBMI = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | AMX_INT8 = 1 | LLAMAFILE = 1 | OPENMP = 1 | REPACK = 1 | "
)


def test_the_build_features_are_read_from_the_engines_system_info():
    assert native.has_amx_kernels(AMX_BUILD)
    assert not native.has_amx_kernels(AMX_BUILD.replace("AMX_INT8 = 1 | ", ""))
    assert not native.has_amx_kernels(AMX_BUILD.replace("AMX_INT8 = 1", "AMX_INT8 = 0"))
    assert native.enabled_features(AMX_BUILD)[:3] == ["SSE3", "SSSE3", "AVX"]


@needs_engine
def test_the_installed_engine_was_built_without_amx_kernels():
    """Read in the engine's worker from the installed build (no model loaded): it must list no AMX feature."""
    worker = EngineWorker("summarise.llm.engine:LlamaEngine", {"gguf_path": "no-model-is-loaded.gguf"})
    try:
        system_info = worker.start()
    finally:
        worker.close()
    assert "SSE3 = 1" in system_info, f"not llama.cpp's system info: {system_info!r}"
    assert not native.has_amx_kernels(system_info), (
        f"the installed llama-cpp-python has AMX kernels ({system_info.strip()}): they segfault on some Intel "
        f"CPUs ({native.UPSTREAM_ISSUE}); rebuild it: {native.rebuild_command()}"
    )


def test_the_readme_install_builds_the_engine_without_amx_and_without_pips_cache():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = re.findall(r"```sh\n(.*?)\n```", text, flags=re.S)[0]
    assert f'CMAKE_ARGS="{native.ENGINE_CMAKE_ARGS}" .venv/bin/pip install --no-cache-dir ' in setup
    for flag in ("-mno-amx-tile", "-mno-amx-int8", "-mno-amx-bf16"):
        assert native.ENGINE_CMAKE_ARGS.count(flag) == 2  # C and C++
    engine_doc = (ROOT / "docs" / "engine.md").read_text(encoding="utf-8")
    assert f'CMAKE_ARGS="{native.ENGINE_CMAKE_ARGS}"' in engine_doc and "issue 20824" in engine_doc


def test_the_rebuild_command_reinstalls_the_same_version_for_this_python():
    command = native.rebuild_command()
    assert command.startswith(f'CMAKE_ARGS="{native.ENGINE_CMAKE_ARGS}" ')
    assert "-m pip install --no-cache-dir --force-reinstall --no-deps llama-cpp-python" in command
    if native.engine_version():
        assert command.endswith(f"llama-cpp-python=={native.engine_version()}")


def test_the_cpu_is_read_from_proc_cpuinfo():
    cpuinfo = (
        "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8481C\n"
        "flags\t\t: fpu sse4_2 avx avx2 amx_tile amx_int8\n"
    )
    cpu = native.this_cpu(cpuinfo)
    assert cpu.model == "Intel(R) Xeon(R) Platinum 8481C"
    assert cpu.flags == ("sse4_2", "avx", "avx2", "amx_tile", "amx_int8") and cpu.has_amx
    assert not native.this_cpu("model name : AMD EPYC\nflags : avx avx2 avx512f\n").has_amx


# --- summarise doctor ------------------------------------------------------------------------------


def doctor(*args: str):
    return CliRunner().invoke(app, ["doctor", *args], catch_exceptions=False)


def test_doctor_reports_the_build_the_cpu_the_model_and_the_speed(tmp_path, monkeypatch):
    """Through a scripted engine (its speed figures are scripted, not measured)."""
    result = doctor("--gguf", str(scripted_engines.scripted_model(monkeypatch, tmp_path)))

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == f"cpu: {native.this_cpu().summary()}"
    assert any(line.startswith("engine build: SSE3 SSSE3 AVX AVX2") for line in lines)
    assert "amx kernels: none (compiled without them)" in lines
    assert any(line.startswith("model: ") and "no pinned sha256" in line for line in lines)
    assert "speed: read 50 prompt tokens in 1.00 s (50.0 tokens/s); wrote 32 tokens in 2.00 s (16.0 tokens/s)" in lines
    assert lines[-1] == "ok: the embedded engine runs on this machine"


def test_doctor_warns_of_a_build_with_amx_kernels(tmp_path, monkeypatch):
    monkeypatch.setenv(scripted_engines.WITH_AMX, "1")

    result = doctor("--gguf", str(scripted_engines.scripted_model(monkeypatch, tmp_path)))

    warning = next(line for line in result.stdout.splitlines() if line.startswith("warning:"))
    assert "AMX kernels" in warning and "issue 20824" in warning and "CMAKE_ARGS=" in warning


def test_doctor_says_the_engine_crashed_and_how_to_rebuild_it(tmp_path, monkeypatch):
    monkeypatch.setenv(scripted_engines.CRASH_ON_LOAD, "1")

    result = doctor("--gguf", str(scripted_engines.scripted_model(monkeypatch, tmp_path)))

    assert result.exit_code == 7
    last = result.stdout.splitlines()[-1]
    assert last.startswith("engine: died while loading the model: killed by SIGSEGV (segmentation fault)")
    assert f'CMAKE_ARGS="{native.ENGINE_CMAKE_ARGS}"' in last
    assert result.stderr.startswith("error: doctor: engine: died") and result.stderr.count("\n") == 1


def test_doctor_names_a_missing_model_file(tmp_path):
    result = doctor("--gguf", str(tmp_path / "missing.gguf"))

    assert result.exit_code == 3
    assert "missing.gguf: no such GGUF file" in result.stdout.splitlines()[-1]


@pytest.mark.embedded
def test_doctor_runs_the_real_engine(allow_model_requests):
    """Real inference: the installed engine loads the embedded model and writes a few tokens."""
    result = doctor("--generate", "8")

    assert result.exit_code == 0, result.output
    assert "amx kernels: none (compiled without them)" in result.stdout
    assert re.search(r"sha256 [0-9a-f]{16}\.\.\. verified", result.stdout)
    assert re.search(r"speed: read \d+ prompt tokens in [\d.]+ s \([\d.]+ tokens/s\); wrote 8 tokens", result.stdout)
