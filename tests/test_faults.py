"""Fault injection: a fake OpenAI-compatible server on 127.0.0.1 misbehaves per request.

Answers are the recorded ones of ``fixtures/llm`` (see ``fake_openai.py``); faults are scripted per
request. Each test asserts the outcome: the right retry policy (backoff for transport, an
immediate reask for validation), bounded attempts, usage counted, and, when attempts run out,
a clear failure of that article only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI
from typer.testing import CliRunner

from summarise.articles import load_articles
from summarise.cli import app
from summarise.exceptions import TransportError
from summarise.extraction.extract import Extractor
from summarise.llm import RetryPolicy, StructuredClient
from summarise.llm.openai_backend import OpenAIBackend
from summarise.store.database import Store

ROOT = Path(__file__).resolve().parents[1]
VICTIM = str(ROOT / "fixtures/articles/03_four_nation_pact_sarraj.txt")
BYSTANDER = str(ROOT / "fixtures/articles/01_amman_five_nations.txt")
MARKER = "Turkey, Iraq, Syria and Jordan pledge"  # the victim's title, in every request of it
COALITIONS = "TASK: coalitions"  # the coalitions question (its recorded answer has statements and needed no reask)


def victim_question(fault: str) -> str:
    """The question a validation fault hits: the coalitions (the topic's answer holds nothing to unground)."""
    return COALITIONS


FAKE_KEY = "sk-test-faults-0123456789abcdef"


@pytest.fixture
def fake(allow_model_requests):
    with FakeOpenAI() as server:
        yield server


def extract(fake: FakeOpenAI, sleeps: list[float], *, attempts: int = 4, reasks: int = 1, timeout: float = 5.0):
    backend = OpenAIBackend("gpt-test", api_key=FAKE_KEY, base_url=fake.url, timeout=timeout)
    store = Store()
    client = StructuredClient(
        backend, store=store, policy=RetryPolicy(transport_attempts=attempts, reasks=reasks, sleep=sleeps.append)
    )
    article = load_articles([VICTIM]).articles[0]
    try:
        return Extractor(client, store=store, use_cache=False).extract(article)
    finally:
        backend.close()
        store.close()


@pytest.fixture
def baseline(fake):
    """Usage of the victim's extraction with no fault (with whatever reasks its recording needs)."""
    usage = extract(fake, []).extraction.usage
    fake.chat_log.clear()
    return usage


def grounded(brief) -> bool:
    text = load_articles([VICTIM]).articles[0].text
    return all(fact.evidence in text for fact in brief.facts())


# Validation faults: reasked at once (no sleep), then the right answer validates.
@pytest.mark.parametrize("fault", ["malformed_json", "schema_break", "ungrounded"])
def test_a_validation_fault_is_reasked_at_once_and_recovers(fake, baseline, fault):
    fake.chat_faults = {victim_question(fault): [fault]}
    sleeps: list[float] = []
    brief = extract(fake, sleeps)
    usage = brief.extraction.usage
    assert sleeps == []  # a reask is immediate
    assert (usage.reasks, usage.calls, usage.transport_retries) == (baseline.reasks + 1, baseline.calls + 1, 0)
    assert usage.prompt_tokens > baseline.prompt_tokens and not brief.extraction.failed_steps
    assert {m.name for c in brief.coalitions for m in c.members} == {"Türkiye", "Iraq", "Syria", "Jordan"}
    assert grounded(brief)


@pytest.mark.parametrize("fault", ["malformed_json", "schema_break", "ungrounded"])
def test_a_validation_fault_that_never_ends_is_bounded_and_reported(fake, baseline, fault):
    fake.chat_faults = {victim_question(fault): [fault] * 3}
    sleeps: list[float] = []
    brief = extract(fake, sleeps, reasks=2)
    assert sleeps == []
    assert fake.chat_log.count(fault) == 2  # the question and one reask: the same answer again ends reasking
    if fault == "ungrounded":  # nothing ungrounded is kept: facts are dropped or re-anchored on the article
        assert brief.extraction.dropped_facts or brief.extraction.failed_steps
    else:
        assert brief.extraction.failed_steps == ["coalitions"]
        assert brief.coalitions == []
        assert brief.people  # read by the code whatever the model answered
    assert grounded(brief)
    assert any(warning.startswith("coalitions:") for warning in brief.extraction.warnings)


def test_an_answer_cut_off_by_the_token_limit_is_not_retried_and_is_reported(fake):
    fake.chat_faults = {COALITIONS: ["length"]}
    sleeps: list[float] = []
    brief = extract(fake, sleeps)
    assert sleeps == [] and fake.chat_log.count("length") == 1  # not asked again: it would be cut again
    assert any(warning.startswith("coalitions:") and "cut off" in warning for warning in brief.extraction.warnings)


def test_a_refusal_is_reasked_and_recovers(fake, baseline):
    fake.chat_faults = {COALITIONS: ["refusal"]}
    sleeps: list[float] = []
    brief = extract(fake, sleeps)
    assert sleeps == [] and brief.extraction.usage.reasks == baseline.reasks + 1
    assert not brief.extraction.failed_steps
    assert {m.name for c in brief.coalitions for m in c.members} == {"Türkiye", "Iraq", "Syria", "Jordan"}  # after it


# Transport faults: retried after a backoff (or the server's Retry-After), counted.
@pytest.mark.parametrize("fault", ["429", "429_no_retry_after", "500", "502", "503", "hang", "drop"])
def test_a_transport_fault_is_retried_after_a_wait_and_counted(fake, baseline, fault):
    fake.chat_faults = {MARKER: [fault]}
    fake.hang_seconds = 1.5
    sleeps: list[float] = []
    brief = extract(fake, sleeps, timeout=0.5)
    assert len(sleeps) == 1
    assert sleeps[0] == 0.0 if fault == "429" else 0.0 <= sleeps[0] <= 1.0  # Retry-After: 0, else jittered backoff
    usage = brief.extraction.usage
    assert (usage.transport_retries, usage.reasks, usage.calls) == (1, baseline.reasks, baseline.calls)
    assert not brief.extraction.failed_steps


def test_a_transport_fault_that_never_ends_is_a_transport_error_after_the_attempts(fake):
    fake.chat_faults = {MARKER: ["503"] * 10}
    sleeps: list[float] = []
    with pytest.raises(TransportError, match="HTTP 503 after 3 attempts"):
        extract(fake, sleeps, attempts=3)
    assert len(sleeps) == 2 and fake.chat_log == ["503"] * 3


# End to end: the victim fails on its own, the bystander still gets its brief.
@pytest.mark.parametrize(
    ("faults", "code", "message"),
    [
        (["500"] * 20, 5, "failed:"),
        (["malformed_json"] * 20, 6, "incomplete:"),
    ],
)
def test_one_failing_article_does_not_cost_the_others(fake, monkeypatch, faults, code, message):
    monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    fake.chat_faults = {MARKER: faults}
    args = ["extract", "--backend", "openai", "-f", "json", "--retries", "1", "--reasks", "1", VICTIM, BYSTANDER]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == code
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    sources = [Path(line["article"]["source"]).name for line in lines]
    assert "01_amman_five_nations.txt" in sources
    victim_lines = [line for line in result.stderr.splitlines() if "03_four_nation_pact_sarraj" in line]
    assert len(victim_lines) == 1 and victim_lines[0].startswith(message)
    assert "Traceback" not in result.stderr and FAKE_KEY not in result.stdout + result.stderr


def test_the_timeout_comes_from_the_environment(monkeypatch):
    from summarise.llm import BackendConfig, make_backend

    monkeypatch.setenv("SUMMARISE_TIMEOUT", "2.5")
    backend = make_backend(BackendConfig.from_env(backend="openai", base_url="http://127.0.0.1:9/v1"))
    assert backend._client.timeout == 2.5
    monkeypatch.setenv("SUMMARISE_TIMEOUT", "soon")
    with pytest.raises(Exception, match="SUMMARISE_TIMEOUT must be a number of seconds"):
        BackendConfig.from_env()
