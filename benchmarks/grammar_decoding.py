"""Decoding speed under the JSON schema: GreedyGrammar against llama-cpp-python's own grammar sampling.

Usage::

    python benchmarks/grammar_decoding.py [--requests 3]

Takes the first coalitions requests recorded in ``fixtures/llm/`` (the largest answers) and sends
each to the embedded model twice, both times from an empty cache so that the prompt is read the
same way: once through ``LlamaEngine.complete`` (the schema held by :class:`GreedyGrammar`, which checks
the most likely token first), once straight to ``Llama.create_chat_completion`` with the schema
as llama-cpp-python's ``json_object`` grammar (every token checked at every step). Prints, per
request, the seconds of each (prompt reading included), the generated tokens, and whether the two
answers are the same text, then the totals. Real inference on the CPU: about 40 s per request and
decoder on 2 cores; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from openai.types.chat import ChatCompletion

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def coalitions_requests(count: int) -> list[tuple[str, dict]]:
    """The first-attempt coalitions requests of the recording, largest answers first."""
    found = []
    for path in sorted((ROOT / "fixtures" / "llm").glob("*.json")):
        exchange = json.loads(path.read_text(encoding="utf-8"))
        request = exchange["request"]
        user = [m["content"] for m in request["messages"] if m["role"] == "user"]
        if len(user) == 1 and "TASK: coalitions" in user[0] and request.get("response_format"):
            found.append((exchange["response"]["usage"]["completion_tokens"], path.name, request))
    found.sort(key=lambda item: -item[0])
    return [(name, request) for _, name, request in found[:count]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3)
    args = parser.parse_args()
    from summarise.llm.embedded import DEFAULT_EMBEDDED_MODEL, EMBEDDED_MODELS, ensure_gguf
    from summarise.llm.engine import LlamaEngine

    # Both decoders in this process, on one loaded model: the engine's worker is not what is measured.
    engine = LlamaEngine(str(ensure_gguf(EMBEDDED_MODELS[DEFAULT_EMBEDDED_MODEL])))
    llama = engine.llama
    totals = {"checked": 0.0, "own": 0.0, "tokens": 0, "same": 0}
    print(f"{'request':24} {'GreedyGrammar s':>16} {'own grammar s':>14} {'tokens':>7}  same text")
    requests = coalitions_requests(args.requests)
    for name, request in requests:
        llama.reset()
        started = time.perf_counter()
        checked = ChatCompletion.model_validate(engine.complete(request))
        checked_seconds = time.perf_counter() - started
        llama.reset()
        schema = request["response_format"]["json_schema"]["schema"]
        started = time.perf_counter()
        own = llama.create_chat_completion(
            messages=request["messages"],
            temperature=0,
            max_tokens=request.get("max_tokens") or 800,
            seed=0,
            response_format={"type": "json_object", "schema": schema},
        )
        own_seconds = time.perf_counter() - started
        same = checked.choices[0].message.content == own["choices"][0]["message"]["content"]
        tokens = checked.usage.completion_tokens if checked.usage else 0
        print(f"{name:24} {checked_seconds:16.1f} {own_seconds:14.1f} {tokens:7d}  {'yes' if same else 'NO'}")
        totals["checked"] += checked_seconds
        totals["own"] += own_seconds
        totals["tokens"] += tokens
        totals["same"] += same
    print(
        f"total: GreedyGrammar {totals['checked']:.1f} s, own grammar {totals['own']:.1f} s "
        f"({totals['own'] - totals['checked']:.1f} s saved on {totals['tokens']} generated tokens); "
        f"same text {totals['same']} of {len(requests)}"
    )
    engine.close()


if __name__ == "__main__":
    main()
