"""The ``openai`` backend through the real SDK against a fake endpoint on 127.0.0.1.

The server below answers with scripted responses (the same hand-written answers as
``test_extract_steps``); it stands in for any OpenAI-compatible endpoint, so the SDK,
its HTTP stack (``httpx2``), instructor and the CLI all run unchanged.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from summarise.cli import app
from summarise.schemas import ArticleBrief

from test_extract_steps import ARTICLE, answering

FAKE_KEY = "sk-test-0123456789abcdefSECRET"


class ScriptedEndpoint(BaseHTTPRequestHandler):
    answer = staticmethod(answering())
    requests: ClassVar[list[dict]] = []
    statuses: ClassVar[list[int]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if type(self).statuses:
            status = type(self).statuses.pop(0)
            self._send(status, {"error": {"message": "scripted failure", "type": "server_error"}}, {"Retry-After": "0"})
            return
        completion = {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": self.answer(body)}}
            ],
            "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60},
        }
        self._send(200, completion)

    def _send(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    ScriptedEndpoint.requests = []
    ScriptedEndpoint.statuses = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("questions", "calls"), [("auto", 1), ("separate", 2)])
def test_extract_through_an_openai_compatible_endpoint(
    endpoint, tmp_path, monkeypatch, allow_model_requests, questions, calls
):
    monkeypatch.setenv("OPENAI_BASE_URL", endpoint)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    article = tmp_path / "story.md"
    article.write_text(ARTICLE)
    ScriptedEndpoint.statuses = [503]  # one transient failure, retried

    result = CliRunner().invoke(
        app,
        ["extract", "--format", "json", "-m", "some-model", "--questions", questions, str(article)],
        catch_exceptions=False,
    )

    assert result.exit_code == 0, result.output
    brief = ArticleBrief.model_validate_json(result.stdout)
    assert brief.extraction.backend == "openai" and brief.extraction.model == "some-model"
    assert [m.name for m in brief.coalitions[0].members] == ["Türkiye", "Syria", "Iraq", "Jordan"]
    assert brief.extraction.usage.transport_retries == 1
    assert brief.extraction.usage.calls == calls  # auto: an endpoint is asked every question at once
    assert brief.events and brief.figures  # read by the code, never asked
    sent = ScriptedEndpoint.requests
    assert len(sent) == calls + 1 and all(r["path"] == "/v1/chat/completions" for r in sent)
    assert sent[0]["auth"] == f"Bearer {FAKE_KEY}"
    assert sent[1]["body"]["response_format"]["type"] == "json_schema"
    assert sent[1]["body"]["model"] == "some-model"

    # the key appears nowhere we write: output, errors, the store
    assert FAKE_KEY not in result.output
    database = Path(tmp_path / "home" / "summarise.db")
    dump = "\n".join(sqlite3.connect(database).iterdump())
    assert "calls" in dump and FAKE_KEY not in dump


def test_endpoint_down_is_a_clean_failure(endpoint, tmp_path, monkeypatch, allow_model_requests):
    monkeypatch.setenv("OPENAI_BASE_URL", endpoint)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    article = tmp_path / "story.md"
    article.write_text(ARTICLE)
    ScriptedEndpoint.statuses = [500] * 20

    result = CliRunner().invoke(app, ["extract", "--retries", "2", str(article)], catch_exceptions=False)

    assert result.exit_code == 5
    assert "HTTP 500 after 3 attempts" in result.stderr
    assert len(ScriptedEndpoint.requests) == 3  # one request for every question, 3 attempts
    assert "Traceback" not in result.output and FAKE_KEY not in result.output
