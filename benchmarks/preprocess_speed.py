"""How long an article takes to read before its first model request, from 0.1 MB to the 5 MB limit.

Usage::

    python benchmarks/preprocess_speed.py [--sizes 0.1,0.4,1.6,5] [--kinds lines,paragraphs,articles]

Builds articles of each size (no model involved): ``lines`` are short lines of a few words,
``paragraphs`` are paragraphs of sentences, ``articles`` are the fixture stories' own articles
repeated (names, numbers, dates and page furniture as real pages have them). For each it prints
the seconds spent loading and cleaning the text, splitting it into sentences, scanning it for
states and organisations, and extracting up to the first model request (a backend that answers
nothing: the time is the code's alone). Every step should grow in proportion to the text:
twice the text, twice the time.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarise.articles import article_from_text  # noqa: E402 - after the path above
from summarise.extraction.extract import Extractor  # noqa: E402 - after the path above
from summarise.llm import RetryPolicy, StructuredClient  # noqa: E402 - after the path above
from summarise.llm.base import ChatBackend  # noqa: E402 - after the path above
from summarise.text.entities import entities_in  # noqa: E402 - after the path above
from summarise.text.grounding import numbered_sentences  # noqa: E402 - after the path above

_WORDS = (
    "the coalition of France Italy and Greece met on Monday in Athens to plan naval patrols with 12 ships "
    "against piracy said the minister of defence after talks on March 3"
).split()


class _Silent(ChatBackend):
    """A backend that answers no request: extraction stops at its first question."""

    name = "silent"
    model = "none"

    def complete(self, request):
        raise RuntimeError("no model in this benchmark")


def generated(kind: str, size: int, rng: random.Random) -> str:
    """About ``size`` characters of text of ``kind``."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("fixtures/stories/*/0*"))]

    def words(low: int, high: int) -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(low, high))).capitalize()

    def make() -> str:
        if kind == "articles":
            return rng.choice(texts) + "\n\n"
        if kind == "lines":
            return words(2, 5) + ".\n"
        return " ".join(words(8, 20) + "." for _ in range(5)) + "\n\n"

    parts, total = [], 0
    while total < size:
        parts.append(make())
        total += len(parts[-1])
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0.1,0.4,1.6,5", help="article sizes in MB, comma-separated")
    parser.add_argument("--kinds", default="lines,paragraphs,articles")
    args = parser.parse_args()
    print(f"{'kind':10} {'size':>8} {'load':>7} {'sentences':>10} {'entities':>9} {'to request':>11}   (seconds)")
    for kind in args.kinds.split(","):
        for megabytes in (float(size) for size in args.sizes.split(",")):
            text = generated(kind, int(megabytes * 1_000_000), random.Random(1))
            started = time.perf_counter()
            article = article_from_text(text, f"{kind}.txt")
            loaded = time.perf_counter()
            numbered_sentences(article.text)
            split = time.perf_counter()
            entities_in(article.text)
            scanned = time.perf_counter()
            client = StructuredClient(_Silent(), policy=RetryPolicy(reasks=0, transport_attempts=1))
            with contextlib.suppress(Exception):  # the silent backend's refusal ends the extraction
                Extractor(client, use_cache=False).extract(article)
            asked = time.perf_counter()
            print(
                f"{kind:10} {len(text) / 1e6:6.2f} MB {loaded - started:7.2f} {split - loaded:10.2f} "
                f"{scanned - split:9.2f} {asked - scanned:11.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
