"""Seconds per sample article on the embedded model: through ``summarise`` and through bare llama-cpp-python.

Usage::

    python benchmarks/embedded_overhead.py [ARTICLE] [--runs 1]

For one article (default: ``fixtures/articles/03_four_nation_pact_sarraj.txt``) both sides run the
same three requests, the first request of each question (topic, coalitions, people), with the same
Llama settings (greedy, seed 0, the same context and threads):

* **summarise**: ``Extractor.extract`` with no reask and no cache (prompt building, the schema,
  validation, evidence checks, logging to the store, assembling the brief, the engine's worker
  process);
* **bare**: ``Llama.create_chat_completion`` called directly, in this process, with those three requests.

Prints both times and our overhead on top of the bare calls (target: under 10 %). Real inference
on the CPU: about a minute per side on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
DEFAULT = Path(__file__).resolve().parents[1] / "fixtures" / "articles" / "03_four_nation_pact_sarraj.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("SUMMARISE_HOME", tempfile.mkdtemp(prefix="summarise-overhead-"))
    from summarise.articles import load_articles
    from summarise.extraction.extract import Extractor
    from summarise.llm import BackendConfig, RetryPolicy, StructuredClient, make_backend
    from summarise.llm.engine import LlamaEngine
    from summarise.store.database import Store

    article = load_articles([args.article]).articles[0]
    backend = make_backend(BackendConfig.from_env(backend="local"))
    store = Store()
    extractor = Extractor(
        StructuredClient(backend, store=store, policy=RetryPolicy(reasks=0)), store=store, use_cache=False
    )
    requests = [request for _, request in extractor.requests(article)]
    # summarise asks the engine in its worker process; the bare calls go to the same model loaded here
    engine = LlamaEngine(str(backend.gguf_path), n_ctx=backend.n_ctx, n_threads=backend.n_threads)
    llama = engine.llama
    llama.create_chat_completion(messages=[{"role": "user", "content": "warm up"}], max_tokens=1)
    backend.engine_call("load")

    ours, bare = [], []
    for _ in range(args.runs):
        backend.engine_call("reset")  # no prompt left in the KV cache: neither side starts with a prefix
        started = time.perf_counter()
        brief = extractor.extract(article)
        ours.append(time.perf_counter() - started)
        llama.reset()
        started = time.perf_counter()
        for request in requests:
            schema = request["response_format"]["json_schema"]["schema"]
            llama.create_chat_completion(
                messages=request["messages"],
                temperature=0,
                max_tokens=request["max_tokens"],
                seed=0,
                response_format={"type": "json_object", "schema": schema},
            )
        bare.append(time.perf_counter() - started)
        llama.reset()
    mine, theirs = min(ours), min(bare)
    print(f"article: {Path(args.article).name}, {len(requests)} requests, model {backend.model}")
    print(f"summarise: {mine:.1f} s ({brief.extraction.usage.calls} calls); bare llama-cpp-python: {theirs:.1f} s")
    print(f"overhead: {mine - theirs:+.1f} s ({(mine - theirs) / theirs:+.1%})")
    backend.close()
    engine.close()
    store.close()


if __name__ == "__main__":
    main()
