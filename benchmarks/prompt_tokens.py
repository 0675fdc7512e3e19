"""Input tokens per article before and after cleaning, counted with the embedded model's own tokenizer.

Usage::

    python benchmarks/prompt_tokens.py [FILES or FOLDERS ...]   (default: ../shared/seeds/)

For each article prints the tokens of the raw file and of the text ``summarise`` sends (the
cleaned article: scraped-page chrome such as menus, tickers, "Most Read" blocks and footers
removed), and the share removed. Then, per article, the input tokens of the first requests
``summarise`` sends: three requests (one question each) against one request asking every question
(``--questions combined``, the default for an endpoint); messages and JSON schema both count, as an
endpoint bills both. Tokens are counted by loading only the vocabulary of the embedded GGUF
(``llama-cpp-python``, ``vocab_only``): no inference; an endpoint's tokenizer differs a little.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from llama_cpp import Llama

    from summarise.articles import load_articles
    from summarise.llm.embedded import DEFAULT_EMBEDDED_MODEL, EMBEDDED_MODELS, ensure_gguf

    inputs = sys.argv[1:] or [str(Path(__file__).resolve().parents[2] / "shared" / "seeds")]
    gguf = ensure_gguf(EMBEDDED_MODELS[DEFAULT_EMBEDDED_MODEL])
    vocabulary = Llama(model_path=str(gguf), vocab_only=True, verbose=False)

    def tokens(text: str) -> int:
        return len(vocabulary.tokenize(text.encode("utf-8"), add_bos=False))

    loaded = load_articles(inputs)
    for problem in loaded.errors:
        print(f"error: {problem}")
    total_raw = total_clean = 0
    print(f"{'article':<32} {'raw':>7} {'cleaned':>8} {'removed':>8}")
    for article in loaded.articles:
        raw = tokens(Path(article.source).read_text(encoding="utf-8", errors="replace"))
        clean = tokens(article.text)
        total_raw += raw
        total_clean += clean
        print(f"{Path(article.source).name:<32} {raw:>7} {clean:>8} {1 - clean / raw:>8.0%}")
    if total_raw:
        print(f"{'total':<32} {total_raw:>7} {total_clean:>8} {1 - total_clean / total_raw:>8.0%}")

    from summarise.extraction.extract import Extractor
    from summarise.llm import BackendConfig, StructuredClient, make_backend

    client = StructuredClient(make_backend(BackendConfig(backend="replay", replay_dir=Path("fixtures/llm"))))
    separate, combined = Extractor(client), Extractor(client, combined=True)

    def request_tokens(request: dict) -> int:
        text = "".join(message["content"] for message in request["messages"])
        return tokens(text) + tokens(json.dumps(request["response_format"]))

    print(f"\n{'input tokens sent':<32} {'3 requests':>10} {'1 request':>10} {'saved':>6}")
    total_separate = total_one = 0
    for article in loaded.articles:
        separate_tokens = sum(request_tokens(request) for _, request in separate.requests(article))
        one = sum(request_tokens(request) for _, request in combined.requests(article))
        if not separate_tokens:
            print(f"{Path(article.source).name:<32} {'off-topic: no request':>28}")
            continue
        total_separate, total_one = total_separate + separate_tokens, total_one + one
        print(f"{Path(article.source).name:<32} {separate_tokens:>10} {one:>10} {1 - one / separate_tokens:>6.0%}")
    if total_separate:
        print(f"{'total':<32} {total_separate:>10} {total_one:>10} {1 - total_one / total_separate:>6.0%}")


if __name__ == "__main__":
    main()
