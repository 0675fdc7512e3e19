"""What the engine's worker process costs: per request, per start, and per article on the embedded model.

Usage::

    python benchmarks/engine_worker.py [--round-trips 200] [--starts 5] [--article PATH] [--runs 2] [--no-model]

1. **Round trips** (no model): the largest request recorded in ``fixtures/llm`` (an article and a
   question, about 10 KB with its schema) is sent to an engine in the worker that sends back a
   completion of the recorded answer's size; prints the median and 90th percentile milliseconds.
2. **Starts** (no model): starting a worker until it answers (a new Python, the worker's imports,
   llama-cpp-python imported for its build features); the model's loading is not in it (it costs the
   same in any process).
3. **One article on the embedded model** (unless ``--no-model``): the same sample article extracted
   through the worker (``LocalBackend``) and through the same engine loaded in this process, taking
   turns, each from an empty KV cache and with no brief cache; prints each run and the difference.
   About a minute per run on 2 cores: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT / "fixtures" / "articles" / "03_four_nation_pact_sarraj.txt"


class EchoEngine:
    """A worker engine with no model: answers every request with a completion of a given size."""

    def __init__(self, answer: str = "{}") -> None:
        self.answer = answer

    def system_info(self) -> str:
        import llama_cpp  # as the real engine does: its import is part of a worker's start

        return str(llama_cpp.llama_print_system_info())

    def complete(self, request: dict[str, Any]) -> dict[str, Any]:
        message = {"role": "assistant", "content": self.answer}
        return {"choices": [{"index": 0, "finish_reason": "stop", "message": message}], "usage": {}}


def largest_recorded_exchange() -> tuple[dict[str, Any], str]:
    """The recorded request with the most text, and its recorded answer."""
    best: tuple[int, dict[str, Any], str] = (0, {}, "")
    for path in (ROOT / "fixtures" / "llm").glob("*.json"):
        exchange = json.loads(path.read_text(encoding="utf-8"))
        size = len(json.dumps(exchange["request"]))
        if size > best[0]:
            best = (size, exchange["request"], exchange["response"]["choices"][0]["message"]["content"])
    return best[1], best[2]


def round_trips(count: int) -> None:
    from summarise.llm.worker import EngineWorker

    request, answer = largest_recorded_exchange()
    worker = EngineWorker("engine_worker:EchoEngine", {"answer": answer})
    worker.start()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        worker.call("complete", request)
        times.append((time.perf_counter() - started) * 1000)
    worker.close()
    times.sort()
    size = len(json.dumps(request)) / 1000
    print(
        f"round trip ({size:.1f} KB request, {len(answer)} character answer), {count} times: "
        f"median {statistics.median(times):.2f} ms, 90th percentile {times[int(0.9 * count)]:.2f} ms"
    )


def starts(count: int) -> None:
    from summarise.llm.worker import EngineWorker

    times = []
    for _ in range(count):
        worker = EngineWorker("engine_worker:EchoEngine", {})
        started = time.perf_counter()
        worker.start()
        times.append(time.perf_counter() - started)
        worker.close()
    print(f"worker start (python, imports, llama_cpp imported), {count} times: median {statistics.median(times):.2f} s")


def one_article(path: str, runs: int) -> None:
    import summarise.llm.base
    from summarise.articles import load_articles
    from summarise.extraction.extract import Extractor
    from summarise.llm import BackendConfig, RetryPolicy, StructuredClient, make_backend
    from summarise.llm.engine import LlamaEngine
    from summarise.llm.local import LocalBackend

    summarise.llm.base.ALLOW_MODEL_REQUESTS = True  # this script exists to run the model
    article = load_articles([path]).articles[0]
    worker_side = make_backend(BackendConfig.from_env(backend="local"))
    assert isinstance(worker_side, LocalBackend)

    class InProcess(LocalBackend):
        """The same engine, called in this process (as the backend did before the worker)."""

        engine = LlamaEngine(str(worker_side.gguf_path), n_ctx=worker_side.n_ctx, n_threads=worker_side.n_threads)

        def engine_call(self, method: str, *args: Any) -> Any:
            return getattr(self.engine, method)(*args)

    in_process = InProcess(worker_side.gguf_path, model=worker_side.model, sha256=worker_side.sha256)
    sides = {"worker": worker_side, "in process": in_process}
    for backend in sides.values():
        backend.engine_call("load")
    seconds: dict[str, list[float]] = {name: [] for name in sides}
    for run in range(runs):
        for name, backend in sides.items():
            backend.engine_call("reset")
            extractor = Extractor(StructuredClient(backend, policy=RetryPolicy(reasks=0)), use_cache=False)
            started = time.perf_counter()
            brief = extractor.extract(article)
            seconds[name].append(time.perf_counter() - started)
            usage = brief.extraction.usage if brief.extraction else None
            print(f"run {run + 1}, {name}: {seconds[name][-1]:.2f} s ({usage})")
    best = {name: min(values) for name, values in seconds.items()}
    print(
        f"article {Path(path).name}: worker {best['worker']:.2f} s, in process {best['in process']:.2f} s (best of "
        f"{runs}); difference {best['worker'] - best['in process']:+.2f} s"
    )
    worker_side.close()
    InProcess.engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round-trips", type=int, default=200)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--article", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--no-model", action="store_true", help="skip the article on the embedded model")
    args = parser.parse_args()
    from summarise.llm.embedded import model_cache_dir
    from summarise.llm.native import this_cpu

    os.environ.setdefault("SUMMARISE_MODEL_CACHE", str(model_cache_dir()))  # the model assembled once, not again
    os.environ.setdefault("SUMMARISE_HOME", tempfile.mkdtemp(prefix="summarise-worker-"))  # an empty store
    print(f"cpu: {this_cpu().summary()}")
    round_trips(args.round_trips)
    starts(args.starts)
    if not args.no_model:
        one_article(args.article, args.runs)


if __name__ == "__main__":
    main()
