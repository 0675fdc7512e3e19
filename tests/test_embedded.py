"""Real inference on the embedded model (offline, slow: about a minute on 2 cores)."""

from __future__ import annotations

import json
import time

import pytest

from summarise.articles import article_from_text
from summarise.extraction.extract import Extractor
from summarise.llm import StructuredClient
from summarise.llm.engine import LlamaEngine
from summarise.text.entities import entities_in

SHORT_ARTICLE = """---
title: Jordan and Iraq join anti-Daesh operations room
source: Test Desk
published: 2025-03-20
---
Jordan and Iraq agreed in March to take part in a joint operations centre against Daesh,
Iraqi Foreign Minister Fuad Hussein said on Tuesday. "We will share intelligence every day,"
he told reporters in Baghdad.
"""


@pytest.mark.embedded
def test_the_embedded_model_extracts_a_grounded_brief(embedded_backend, allow_model_requests):
    article = article_from_text(SHORT_ARTICLE, "short.txt")
    extractor = Extractor(StructuredClient(embedded_backend), use_cache=False)
    started = time.perf_counter()
    brief = extractor.extract(article)
    seconds = time.perf_counter() - started
    print(f"embedded extraction: {seconds:.1f} s, usage {brief.extraction.usage}")

    assert brief.extraction.usage.calls >= 1
    assert brief.extraction.usage.completion_tokens > 0
    for fact in brief.facts():
        assert fact.evidence in article.text  # the article's own words, quoted by the code
    named = {entity.canonical for entity in entities_in(article.text)}
    members = {member.name for coalition in brief.coalitions for member in coalition.members}
    assert members <= named, f"members not named in the article: {members - named}"
    for event in brief.events:
        assert event.date is None or event.date.startswith("2025")


@pytest.mark.embedded
def test_the_grammar_check_gives_the_tokens_of_llama_cpp_own_grammar(embedded_backend, allow_model_requests):
    """GreedyGrammar (the most likely token checked first) answers exactly as llama-cpp-python's grammar does.

    Both start from an empty cache, so they read the same prompt the same way: the backend's worker
    process answers with GreedyGrammar, the engine loaded here answers with llama-cpp-python's grammar.
    """
    schema = {
        "type": "object",
        "properties": {
            "members": {"type": "array", "items": {"enum": ["Jordan", "Iraq", "Daesh"]}},
            "minister": {"type": "string", "maxLength": 40},
            "month": {"type": "integer", "minimum": 1, "maximum": 12},
        },
        "required": ["members", "minister", "month"],
        "additionalProperties": False,
    }
    messages = [
        {"role": "system", "content": "Answer with one JSON object."},
        {"role": "user", "content": SHORT_ARTICLE + "\nWho joined, which minister spoke, in which month?"},
    ]
    request = {
        "messages": messages,
        "temperature": 0,
        "max_tokens": 80,
        "response_format": {"type": "json_schema", "json_schema": {"name": "A", "schema": schema}},
    }
    embedded_backend.engine_call("reset")
    checked = embedded_backend.complete(request).choices[0].message.content
    engine = LlamaEngine(str(embedded_backend.gguf_path), n_ctx=embedded_backend.n_ctx)
    own = engine.llama.create_chat_completion(
        messages=messages,
        temperature=0,
        max_tokens=80,
        seed=0,
        response_format={"type": "json_object", "schema": schema},
    )
    engine.close()
    assert checked == own["choices"][0]["message"]["content"]
    assert json.loads(checked)["month"] in range(1, 13)
