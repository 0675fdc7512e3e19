"""Concurrent extraction keeps input order and its limits; the rate limiter waits as it should."""

from __future__ import annotations

import json
from pathlib import Path

from fake_openai import FakeOpenAI
from typer.testing import CliRunner

from summarise.cli import app
from summarise.llm.limits import RateLimitedBackend, estimated_tokens

from fakes import ScriptedBackend

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted(str(p) for p in (ROOT / "fixtures" / "articles").iterdir() if p.suffix in (".txt", ".md"))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def request(chars: int = 40, max_tokens: int = 10) -> dict:
    return {"messages": [{"role": "user", "content": "x" * chars}], "max_tokens": max_tokens}


def test_requests_per_minute_wait_for_the_window():
    clock = Clock()
    backend = RateLimitedBackend(ScriptedBackend(function=lambda r: "{}"), rpm=2, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        backend.complete(request())
        clock.now += 1
    assert clock.sleeps == [58.0, 58.0]  # the 3rd and 5th wait until the oldest of the minute is 60 s old


def test_tokens_per_minute_wait_for_room():
    clock = Clock()
    tokens = estimated_tokens(request(400, 100))
    backend = RateLimitedBackend(
        ScriptedBackend(function=lambda r: "{}"), tpm=tokens * 2, clock=clock, sleep=clock.sleep
    )
    for _ in range(3):
        backend.complete(request(400, 100))
    assert clock.sleeps == [60.0]
    assert backend.identity() == "scripted:scripted-model"


def test_concurrent_extraction_keeps_input_order(monkeypatch, allow_model_requests):
    with FakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-concurrency-000000")
        result = CliRunner().invoke(
            app, ["extract", "--backend", "openai", "-f", "json", "-j", "4", *ARTICLES], catch_exceptions=False
        )
    assert result.exit_code == 0, result.stderr
    sources = [Path(json.loads(line)["article"]["source"]).name for line in result.stdout.splitlines()]
    assert sources == [Path(a).name for a in ARTICLES]
    assert "4 at once" in result.stderr and "7 done, 0 cached, 0 failed" in result.stderr
