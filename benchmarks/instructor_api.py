"""What instructor's public API would cost against the structured client's own loop over its handlers.

Usage::

    python benchmarks/instructor_api.py [--calls N]

Both paths ask the same question (the coalitions question of ``fixtures/articles/01``, its answer
model built for that article) of the same offline ``create``: it serves the answer recorded in
``fixtures/llm`` for that request, so no model runs and only the client's own work is timed
(scripted: the recorded content is served whatever the request says). Printed, per path:

- CPU milliseconds per call with a valid answer (median of N), and for the first call of a model;
- with a first answer that fails the evidence check and a valid second one: milliseconds, and the
  characters of the reask message the model would read (a small local model reads about 35 prompt
  tokens a second on this project's AMD machines);
- whether the request sent first is the one :meth:`StructuredClient.request_for` builds (the Batch
  API path and the replay keys depend on it).

The public path is ``instructor.patch(create=..., mode=Mode.JSON_SCHEMA)`` called with
``response_model=..., messages=..., max_retries=Retrying(...)``, the validation context
passed beside it (as the client does) so that instructor renders no message as a template.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def question() -> tuple[Any, list[dict], dict[str, Any], str]:
    """The coalitions question of the first sample article: model, messages, context, recorded answer."""
    from summarise.articles import load_articles
    from summarise.extraction.asking import Asker
    from summarise.extraction.prepared import PreparedArticle
    from summarise.extraction.questions import QUESTIONS
    from summarise.extraction.templates import load_prompts
    from summarise.llm.client import StructuredClient
    from summarise.llm.replay import ReplayBackend

    [article] = load_articles([str(ROOT / "fixtures/articles/01_amman_five_nations.txt")]).articles
    prompts = load_prompts()
    replay = ReplayBackend(ROOT / "fixtures/llm")
    asker = Asker(StructuredClient(replay), prompts)
    prepared = PreparedArticle.of(article, None, prompts)
    coalitions = next(q for q in QUESTIONS if q.name == "coalitions")
    model, messages = asker.question(prepared, coalitions)
    request = asker.client.request_for(model, messages, max_tokens=coalitions.max_tokens)
    answer = replay.complete(request).choices[0].message.content
    return model, messages, prepared.context(), answer


def served(contents: list[str]) -> Any:
    """A scripted ``create``: the given contents in turn (the last one again), whatever is asked."""
    from summarise.llm.base import completion_from_text

    sent: list[dict] = []

    def create(**request: Any) -> Any:
        sent.append(copy.deepcopy(request))  # the handlers extend the messages in place
        content = contents[min(len(sent) - 1, len(contents) - 1)]
        return completion_from_text(content, model="replay", prompt_tokens=1000, completion_tokens=100)

    create.sent = sent  # type: ignore[attr-defined]
    return create


class _Backend:
    """The project's backend interface over a scripted ``create``."""

    name = "scripted"
    model = "replay"

    def __init__(self, create: Any) -> None:
        self.create = create

    def complete(self, request: dict[str, Any]) -> Any:
        return self.create(**request)

    def remember_with(self, store: Any) -> None:
        pass

    def close(self) -> None:
        pass


def project_path(model: Any, messages: list[dict], context: dict[str, Any], contents: list[str]) -> tuple[Any, Any]:
    from summarise.llm.client import StructuredClient
    from summarise.llm.retry import RetryPolicy

    create = served(contents)
    client = StructuredClient(_Backend(create), policy=RetryPolicy(reasks=1))  # type: ignore[arg-type]
    answer, _ = client.structured(model, messages, context={**context, "dropped": []}, max_tokens=700)
    return answer, create.sent


def public_path(model: Any, messages: list[dict], context: dict[str, Any], contents: list[str]) -> tuple[Any, Any]:
    import instructor
    from tenacity import Retrying, stop_after_attempt

    from summarise.schemas import using_validation_context

    create = served(contents)
    patched = instructor.patch(create=create, mode=instructor.Mode.JSON_SCHEMA)
    with using_validation_context({**context, "dropped": []}):
        answer = patched(
            response_model=model,
            messages=[{**m, "content": m["content"].removesuffix("\n")} for m in messages],  # as the client sends
            max_retries=Retrying(stop=stop_after_attempt(2), reraise=True),
            model="replay",
            max_tokens=700,
            temperature=0,
        )
    return answer, create.sent


def timed(path: Any, args: tuple, calls: int) -> tuple[float, float, Any]:
    """Milliseconds of the first call, the median of the next ``calls``, and the last call's requests."""
    started = time.process_time()
    _, sent = path(*args)
    first = (time.process_time() - started) * 1000
    times = []
    for _ in range(calls):
        started = time.process_time()
        _, sent = path(*args)
        times.append((time.process_time() - started) * 1000)
    return first, statistics.median(times), sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    options = parser.parse_args()
    from summarise.llm.client import StructuredClient

    model, messages, context, answer = question()
    wrong = json.loads(answer)
    for coalition in wrong.get("coalitions", []):
        coalition["sentence"] = 10_000  # a sentence the article does not have: fails the evidence check
    bad = json.dumps(wrong)
    expected = StructuredClient(_Backend(served([answer]))).request_for(model, messages, max_tokens=700)  # type: ignore[arg-type]
    print(f"{'path':10} {'first ms':>9} {'valid ms':>9} {'reask ms':>9} {'reask chars':>12}  first request as built")
    for name, path in (("project", project_path), ("public", public_path)):
        first, valid, sent = timed(path, (model, messages, context, [answer]), options.calls)
        _, reasked, sent_twice = timed(path, (model, messages, context, [bad, answer]), options.calls)
        reask = sent_twice[-1]["messages"][-1]["content"] if len(sent_twice) > 1 else ""
        same = {k: sent[0].get(k) for k in expected} == expected
        print(f"{name:10} {first:9.1f} {valid:9.2f} {reasked:9.2f} {len(reask):12,}  {'yes' if same else 'no'}")
    print("\nCPU milliseconds (time.process_time) of the client's own work; the answer is served, not generated.")


if __name__ == "__main__":
    main()
