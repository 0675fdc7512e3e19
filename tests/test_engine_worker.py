"""The embedded engine's worker process: a native crash is one clear error and nothing finished is lost.

The worker runs scripted engines here (``scripted_engines.py``: no model); the crashes are real
SIGSEGV deaths of the worker process, as llama.cpp's AMX kernels die on some Intel CPUs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarise.cli import app
from summarise.exceptions import (
    BackendError,
    ContextOverflowError,
    EngineCrashedError,
    ModelUnavailableError,
    TransportError,
)
from summarise.llm import native
from summarise.llm.local import LocalBackend
from summarise.llm.worker import ENGINE_SPIN_COUNT, EngineWorker, engine_environment

import scripted_engines

ROOT = Path(__file__).resolve().parents[1]
SCRIPTED = "scripted_engines:ScriptedEngine"
MESSAGES = [{"role": "user", "content": "Say something."}]


@pytest.fixture
def worker():
    engine = EngineWorker(SCRIPTED, {"gguf_path": "unused.gguf"})
    yield engine
    engine.stop()


def gone(pid: int, within: float = 5.0) -> bool:
    """Whether process ``pid`` has ended (and been reaped, or is not ours) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_the_engine_runs_in_another_process_in_a_session_of_its_own(worker):
    assert worker.call("echo", {"a": [1, 2]}) == {"a": [1, 2]}
    pid = worker.call("pid")
    assert pid == worker.pid != os.getpid()
    assert os.getsid(pid) != os.getsid(0)  # the terminal's Ctrl-C does not reach it
    assert worker.system_info == scripted_engines.BUILD_WITHOUT_AMX

    worker.close()
    assert worker.pid is None and gone(pid)


def test_a_segfault_is_one_error_naming_the_signal_the_cpu_and_the_rebuild_command(worker, monkeypatch):
    monkeypatch.setenv(scripted_engines.CRASH_AFTER, "0")  # the worker starts with the test's environment
    pid = worker.call("pid")

    with pytest.raises(EngineCrashedError) as caught:
        worker.call("complete", {"messages": MESSAGES})

    message = str(caught.value)
    assert "\n" not in message
    assert "killed by SIGSEGV (segmentation fault)" in message and "while answering a request" in message
    assert native.this_cpu().model in message
    assert f'CMAKE_ARGS="{native.ENGINE_CMAKE_ARGS}"' in message and "--no-cache-dir --force-reinstall" in message
    assert "AMX kernels" not in message  # the scripted build has none
    assert caught.value.exit_code == 7
    assert gone(pid)
    monkeypatch.delenv(scripted_engines.CRASH_AFTER)
    assert worker.call("complete", {"messages": MESSAGES})["choices"]  # the next call starts a new worker


def test_a_crash_of_a_build_with_amx_kernels_names_the_upstream_issue(worker, monkeypatch):
    monkeypatch.setenv(scripted_engines.WITH_AMX, "1")

    with pytest.raises(EngineCrashedError, match=r"AMX kernels, which crash on some CPUs with AMX \(llama.cpp issue"):
        worker.call("crash")


def test_errors_raised_in_the_engine_come_back_as_they_were(worker):
    with pytest.raises(ContextOverflowError, match="context of 8 tokens"):
        worker.call("overflow")
    with pytest.raises(BackendError, match="the embedded engine failed: ValueError: a bug in the engine"):
        worker.call("fail")
    assert worker.call("echo", "still here") == "still here"  # an error is not a crash: same worker


def test_an_engine_that_is_not_installed_is_the_install_hint_not_a_crash(tmp_path, monkeypatch):
    (tmp_path / "llama_cpp.py").write_text("raise ImportError('as if llama-cpp-python were not installed')\n")
    monkeypatch.syspath_prepend(str(tmp_path))  # the worker imports with the command's sys.path
    worker = EngineWorker("summarise.llm.engine:LlamaEngine", {"gguf_path": "never-loaded.gguf"})

    with pytest.raises(ModelUnavailableError, match=r"needs llama-cpp-python: pip install 'summarise\[local\]'"):
        worker.start()
    assert worker.pid is None  # the worker that could not build its engine is stopped


def test_a_request_past_its_timeout_stops_the_worker_and_the_next_starts_another(worker):
    first = worker.call("pid")
    started = time.monotonic()

    with pytest.raises(TransportError, match=r"no answer within 0.5 s .*SUMMARISE_TIMEOUT"):
        worker.call("sleep", 30, timeout=0.5)

    assert time.monotonic() - started < 5
    assert gone(first)
    assert worker.call("pid") != first


def test_ctrl_c_while_the_engine_works_stops_the_worker_at_once(worker):
    pid = worker.call("pid")
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    started = time.monotonic()

    with pytest.raises(KeyboardInterrupt):
        worker.call("sleep", 30)

    assert time.monotonic() - started < 5
    assert worker.pid is None and gone(pid)


def test_a_worker_whose_command_was_killed_exits_by_itself(tmp_path):
    command = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from summarise.llm.worker import EngineWorker
        worker = EngineWorker("scripted_engines:ScriptedEngine", {{}})
        print(worker.call("pid"), flush=True)
        worker.call("sleep", 60)
        """
    )
    command_process = subprocess.Popen([sys.executable, "-c", command], stdout=subprocess.PIPE, text=True)
    assert command_process.stdout is not None
    worker_pid = int(command_process.stdout.readline())

    command_process.kill()  # as kill -9 would: no cleanup of its own
    command_process.wait()
    command_process.stdout.close()

    assert gone(worker_pid, within=5)  # mid-request, it notices within a second or so


def test_the_local_backend_answers_through_its_worker(monkeypatch, allow_model_requests, tmp_path):
    backend = LocalBackend(scripted_engines.scripted_model(monkeypatch, tmp_path), model="scripted-local")
    try:
        first = backend.complete({"messages": MESSAGES})
        second = backend.complete({"messages": MESSAGES})
        assert first.choices[0].message.content == '{"answered": 1}'
        assert second.choices[0].message.content == '{"answered": 2}'  # one worker, kept between requests
        assert first.model == "scripted-local"
        assert backend.build_features() == scripted_engines.BUILD_WITHOUT_AMX
    finally:
        backend.close()
    assert backend._worker is None


# --- the command: a crash mid-run -------------------------------------------------------------------

ARTICLES = [str(path) for path in sorted((ROOT / "fixtures" / "articles").glob("0[1-4]*"))]
#: The third article's title: its requests show it, so a scripted engine can crash on them.
THIRD_TITLE = Path(ARTICLES[2]).read_text(encoding="utf-8").splitlines()[1].removeprefix("title: ")


def brief(*args: str):
    return CliRunner().invoke(app, ["brief", "--backend", "local", *args], catch_exceptions=False)


def test_a_crash_mid_run_is_one_line_and_a_rerun_resumes_from_the_finished_briefs(
    monkeypatch, tmp_path, allow_model_requests
):
    """The engine dies of SIGSEGV at the third article's first request: exit 7, one line, two briefs kept."""
    gguf = scripted_engines.scripted_model(monkeypatch, tmp_path, "ReplayingEngine")
    monkeypatch.setenv(scripted_engines.CRASH_ON_TEXT, THIRD_TITLE)

    crashed = brief("--gguf", str(gguf), "--format", "json", *ARTICLES)

    errors = [line for line in crashed.stderr.splitlines() if line.startswith("error:")]
    assert crashed.exit_code == 7, crashed.stderr
    assert len(errors) == 1, crashed.stderr
    assert "killed by SIGSEGV" in errors[0] and "a rerun resumes" in errors[0] and "CMAKE_ARGS=" in errors[0]
    assert [line.split(": ")[1].split(" ")[0] for line in crashed.stderr.splitlines() if line.startswith("done:")] == (
        ARTICLES[:2]
    )

    monkeypatch.delenv(scripted_engines.CRASH_ON_TEXT)
    resumed = brief("--gguf", str(gguf), "--format", "json", *ARTICLES)

    assert resumed.exit_code == 0, resumed.stderr
    done = [line for line in resumed.stderr.splitlines() if line.startswith("done:")]
    assert [line.endswith("(cached)") for line in done] == [True, True, False, False], resumed.stderr


def test_a_crash_stops_a_local_batch_run_which_resumes_when_run_again(monkeypatch, tmp_path, allow_model_requests):
    """batch run --local: the crash is not recorded as each request's failure (every later one would crash too)."""
    gguf = scripted_engines.scripted_model(monkeypatch, tmp_path, "ReplayingEngine")
    monkeypatch.setenv(scripted_engines.CRASH_ON_TEXT, THIRD_TITLE)
    command = ["batch", "run", "--local", "--backend", "local", "--gguf", str(gguf), "-f", "json", *ARTICLES]

    crashed = CliRunner().invoke(app, command, catch_exceptions=False)

    assert crashed.exit_code == 7, crashed.stderr
    errors = [line for line in crashed.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "killed by SIGSEGV" in errors[0], crashed.stderr
    monkeypatch.delenv(scripted_engines.CRASH_ON_TEXT)
    resumed = CliRunner().invoke(app, command, catch_exceptions=False)

    assert resumed.exit_code == 0, resumed.stderr
    assert len(json.loads(resumed.stdout)["sources"]) == len(ARTICLES)


def test_the_worker_spins_briefly_unless_the_user_chose_a_wait_policy(worker, monkeypatch):
    # llama.cpp's OpenMP threads spin-wait; libgomp's default spin stalls every step when another
    # process holds a core (docs/performance.md: 328.8 s against 34.8 s for one article).
    assert worker.call("environment", "GOMP_SPINCOUNT") == ENGINE_SPIN_COUNT
    assert engine_environment({"OMP_WAIT_POLICY": "PASSIVE"}).get("GOMP_SPINCOUNT") is None
    assert engine_environment({"GOMP_SPINCOUNT": "5"})["GOMP_SPINCOUNT"] == "5"
