"""Secrets never leave: after runs with a fake key and a secret webhook URL, nothing anywhere holds them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI
from test_slack import Webhook, webhook  # noqa: F401 - the stand-in webhook fixture

from summarise.articles import load_articles
from summarise.exceptions import SummariseError
from summarise.extraction.extract import Extractor
from summarise.llm import RetryPolicy, StructuredClient
from summarise.llm.openai_backend import OpenAIBackend
from summarise.store.database import Store

from fakes import run_summarise

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = str(ROOT / "fixtures/articles/02_fidan_four_nations.md")
KEY = "sk-proj-SECRETsecret0123456789abcdefXYZ"
TOKEN = "T0SECRET/B0SECRET/webhooktokenSECRET42"


def test_no_key_or_webhook_url_in_logs_store_fixtures_output_or_errors(tmp_path, webhook):  # noqa: F811
    secret_url = webhook.rsplit("/services/", 1)[0] + "/services/" + TOKEN
    home = tmp_path / "home"
    recorded = tmp_path / "recorded"
    with FakeOpenAI() as fake:
        env = {
            **os.environ,
            "SUMMARISE_HOME": str(home),
            "OPENAI_API_KEY": KEY,
            "OPENAI_BASE_URL": fake.url,
            "SLACK_WEBHOOK_URL": secret_url,
        }
        runs = [
            run_summarise(
                ["--verbose", "extract", "--backend", "openai", "--record", str(recorded), "-f", "json", ARTICLE], env
            ),
            run_summarise(["--verbose", "digest", "--backend", "openai", ARTICLE], env),
        ]
        Webhook.script = [(500, {}, "boom")] * 5
        runs.append(run_summarise(["--verbose", "digest", "--backend", "openai", "--retries", "1", ARTICLE], env))
        fake.chat_faults = {"TASK: coalitions": ["401"] * 5}
        runs.append(run_summarise(["--verbose", "extract", "--backend", "openai", "--no-cache", ARTICLE], env))
    assert [run.returncode for run in runs] == [0, 0, 5, 3]
    assert "DEBUG" in runs[0].stderr  # --verbose did log the HTTP traffic
    assert "rejected the API key" in runs[3].stderr
    texts = [run.stdout + run.stderr for run in runs]
    texts += [path.read_text(encoding="utf-8") for path in recorded.glob("*.json")]
    texts += [path.read_bytes().decode("utf-8", "replace") for path in home.rglob("*") if path.is_file()]
    assert len(list(recorded.glob("*.json"))) >= 1  # an endpoint is asked every question in one request
    for text in texts:
        assert KEY not in text and TOKEN not in text and KEY[8:24] not in text


def test_error_messages_and_reprs_hold_no_key(allow_model_requests):
    with FakeOpenAI() as fake:
        fake.chat_faults = {"TASK: coalitions": ["401", *["503"] * 5]}
        backend = OpenAIBackend("gpt-test", api_key=KEY, base_url=fake.url)
        client = StructuredClient(
            backend, store=Store(), policy=RetryPolicy(transport_attempts=2, sleep=lambda s: None)
        )
        extractor = Extractor(client, use_cache=False)
        article = load_articles([ARTICLE]).articles[0]
        errors = []
        for _ in range(2):
            with pytest.raises(SummariseError) as raised:
                extractor.extract(article)
            errors.append(raised.value)
        backend.close()
    for error in errors:
        assert KEY not in str(error) and KEY not in repr(error) and KEY not in repr(error.__dict__)
    assert KEY not in repr(backend) and KEY not in repr(client)


def test_a_webhook_url_given_on_the_command_line_is_masked_in_verbose_logs(tmp_path, webhook):  # noqa: F811
    secret_url = webhook.rsplit("/services/", 1)[0] + "/services/" + TOKEN
    env = {key: value for key, value in os.environ.items() if key not in ("SLACK_WEBHOOK_URL", "OPENAI_API_KEY")}
    env["SUMMARISE_HOME"] = str(tmp_path / "home")
    Webhook.script = [(500, {}, "boom")] * 3
    replay = ["--backend", "replay", "--replay-dir", str(ROOT / "fixtures/llm")]
    run = run_summarise(["--verbose", "digest", *replay, "--retries", "1", "--webhook-url", secret_url, ARTICLE], env)
    assert run.returncode == 5, run.stderr
    assert "DEBUG" in run.stderr  # slack_sdk did log the request
    assert TOKEN not in run.stdout + run.stderr and "webhooktokenSECRET42" not in run.stdout + run.stderr


def test_credentials_inside_an_endpoint_url_are_masked_wherever_they_are_echoed(monkeypatch):
    from summarise.llm.client import short_error
    from summarise.text.secrets import redact

    monkeypatch.setenv(
        "OPENAI_BASE_URL", "https://analyst:Pa55word-desk@llm.internal.example/v1?api-key=QK-77secretvalue"
    )
    echoed = "401 from llm.internal.example: user analyst:Pa55word-desk, password Pa55word-desk, key QK-77secretvalue"
    for text in (redact(echoed), short_error(RuntimeError(echoed))):
        assert "Pa55word-desk" not in text and "QK-77secretvalue" not in text
    # and any key-like query parameter or basic credentials, known or not
    other = redact("GET https://h.example/v1?api-key=abcdef123456&x=1 Authorization: Basic dXNlcjpwYXNzd29yZA==")
    assert "abcdef123456" not in other and "dXNlcjpwYXNzd29yZA" not in other and "x=1" in other
