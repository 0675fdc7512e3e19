"""Failures are reported as what they are, never as a quiet empty result (scripted model)."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from summarise.cli import app
from summarise.exceptions import BackendError
from summarise.llm import RetryPolicy, StructuredClient
from summarise.store.database import Store
from summarise.text.dates import resolve_date
from summarise.text.secrets import redact

from fakes import ScriptedBackend
from test_extract_steps import ARTICLE, Extractor, answering, article_from_text


def extractor(backend, store=None):
    client = StructuredClient(backend, store=store, policy=RetryPolicy(reasks=1, sleep=lambda seconds: None))
    return Extractor(client, store=store)


def test_a_failed_topic_question_leaves_the_topic_unknown_and_is_not_cached(tmp_path):
    article = article_from_text(ARTICLE, "story.md")
    store = Store(tmp_path / "db.sqlite")
    backend = ScriptedBackend(function=answering(topic="not json at all"))

    brief = extractor(backend, store).extract(article)

    assert brief.on_topic is None and brief.extraction.failed_steps == ["topic"]
    assert brief.coalitions  # the other questions still ran
    calls = len(backend.history)
    extractor(backend, store).extract(article)
    assert len(backend.history) == 2 * calls  # an incomplete brief is asked again, not served from the cache


def test_a_failed_coalitions_question_is_reported_and_not_cached(tmp_path):
    article = article_from_text(ARTICLE, "story.md")
    store = Store(tmp_path / "db.sqlite")
    backend = ScriptedBackend(function=answering(coalitions="not json at all"))

    brief = extractor(backend, store).extract(article)

    assert brief.on_topic is True  # the topic question answered
    assert brief.coalitions == []
    assert brief.extraction.failed_steps == ["coalitions"]
    assert brief.people  # the other questions still ran
    calls = len(backend.history)
    extractor(backend, store).extract(article)
    assert len(backend.history) == 2 * calls  # an incomplete brief is asked again, not served from the cache


def test_a_backend_crash_is_not_disguised_as_a_validation_failure():
    article = article_from_text(ARTICLE, "story.md")
    backend = ScriptedBackend(function=lambda request: (_ for _ in ()).throw(PermissionError("read-only folder")))

    try:
        extractor(backend).extract(article)
    except BackendError as error:
        assert "PermissionError" in str(error) and "read-only folder" in str(error)
    else:
        raise AssertionError("a crashing backend must fail the article")
    assert len(backend.history) == 1  # and is not reasked


def test_secrets_are_masked_in_error_text():
    text = "Incorrect API key provided: sk-proj-abcdef123456 at https://alice:pa55@gw.example/v1 (Bearer tok123)"
    masked = redact(text)
    assert "abcdef123456" not in masked and "pa55" not in masked and "tok123" not in masked
    assert "gw.example" in masked


def test_non_utf8_stdin_is_a_one_line_error():
    result = CliRunner().invoke(app, ["extract", "--backend", "replay", "-"], input=b"ISIS \xff\xfe text\n")
    assert result.exit_code == 2
    assert "<stdin>: not UTF-8 text" in result.stderr
    assert "Traceback" not in result.output


def test_unwritable_output_is_a_one_line_error(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("A ferry terminal opened in the harbour on Monday, the port authority said.\n")
    arguments = ["extract", "--backend", "replay", "--replay-dir", str(tmp_path), "-o", "/nonexistent/x.jsonl"]
    result = CliRunner().invoke(app, [*arguments, str(article)])
    assert result.exit_code == 3
    assert "cannot write" in result.stderr and "Traceback" not in result.output


def test_relative_wording_never_gets_a_year():
    published = dt.date(2025, 3, 12)
    assert resolve_date("March last year", published) == (None, None)
    assert resolve_date("next March", published) == (None, None)
    assert resolve_date("troops march", published) == (None, None)
    assert resolve_date("February 29", dt.date(2024, 3, 1)) == ("2024-02-29", "publication_date")
    assert resolve_date("February 29", published) == ("2025-02", "publication_date")
