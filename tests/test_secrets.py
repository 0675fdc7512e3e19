"""Secrets never leave: after runs with a fake key and a secret webhook URL, nothing anywhere holds them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI
from test_slack import Webhook, webhook  # noqa: F401 - the stand-in webhook fixture

from summarise.articles import load_articles
from summarise.exceptions import SummariseError
from summarise.extract import Extractor
from summarise.llm import RetryPolicy, StructuredClient
from summarise.llm.openai_backend import OpenAIBackend
from summarise.store import Store

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
