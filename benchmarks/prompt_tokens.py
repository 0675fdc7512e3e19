"""Input tokens per article before and after cleaning, counted with the embedded model's own tokenizer.

Usage::

    python benchmarks/prompt_tokens.py [FILES or FOLDERS ...]   (default: ../shared/seeds/)

For each article prints the tokens of the raw file and of the text ``summarise`` sends (the
cleaned article: scraped-page chrome such as menus, tickers, "Most Read" blocks and footers
removed), and the share removed. Tokens are counted by loading only the vocabulary of the
embedded GGUF (``llama-cpp-python``, ``vocab_only``): no inference.
"""

from __future__ import annotations

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


if __name__ == "__main__":
    main()
