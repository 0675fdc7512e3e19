"""The validated client: reasks, transport retries, usage, the call log, replay, and the guards.

Every model answer here is scripted by hand (see ``tests/fakes.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import stat
from typing import Any

import httpx2
import pytest
from pydantic import BaseModel, Field

from summarise.exceptions import BackendError, ConfigError, ExtractionError, ReplayMissingError, TransportError
from summarise.llm import CallInfo, RetryPolicy, StructuredClient, request_key
from summarise.llm.local import LocalBackend
from summarise.llm.openai_backend import OpenAIBackend
from summarise.llm.replay import RecordingBackend, ReplayBackend
from summarise.schemas import Grounded
from summarise.store.database import Store

from fakes import (
    ScriptedBackend,
    auth_error,
    connection_error,
    rate_limit,
    server_error,
    timeout_error,
)

MESSAGES = [
    {"role": "system", "content": "Answer in JSON."},
    {"role": "user", "content": "How many countries joined?"},
]


class Count(BaseModel):
    countries: int = Field(ge=1)
    what: str


class CountFact(Grounded):
    countries: int


ARTICLE = "Officials said: \u201cFour Countries Will Join The Centre\u201d after the talks in Amman."


@pytest.fixture
def sleeps() -> list[float]:
    return []


def client_for(backend, sleeps, store=None, **policy) -> StructuredClient:
    return StructuredClient(backend, store=store, policy=RetryPolicy(sleep=sleeps.append, **policy))


# --- validation reasks ---------------------------------------------------------------------------


def test_invalid_json_is_reasked_with_the_error_and_usage_is_summed(sleeps):
    backend = ScriptedBackend(
        [
            {"content": '{"countries": 4, "what":', "usage": {"prompt_tokens": 120, "completion_tokens": 7}},
            {"content": '{"countries": 4, "what": "members"}', "usage": {"prompt_tokens": 150, "completion_tokens": 9}},
        ]
    )

    value, usage = client_for(backend, sleeps).structured(Count, MESSAGES)

    assert value.model_dump() == {"countries": 4, "what": "members"}
    assert len(backend.history) == 2
    reask = backend.history[1]["messages"]
    assert reask[: len(MESSAGES)] == MESSAGES
    assert reask[-2] == {"role": "assistant", "content": '{"countries": 4, "what":'}
    assert reask[-1]["role"] == "user"
    assert "Invalid JSON" in reask[-1]["content"]
    assert (usage.calls, usage.reasks, usage.transport_retries) == (2, 1, 0)
    assert (usage.prompt_tokens, usage.completion_tokens) == (270, 16)
    assert sleeps == []


def test_the_schema_goes_out_as_response_format(sleeps):
    backend = ScriptedBackend(['{"countries": 4, "what": "members"}'])

    client_for(backend, sleeps).structured(Count, MESSAGES, max_tokens=123)

    sent = backend.history[0]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"]["required"] == ["countries", "what"]
    assert (sent["max_tokens"], sent["temperature"], sent["model"]) == (123, 0, "scripted-model")


def test_evidence_not_in_the_article_is_reasked_and_the_article_span_is_kept(sleeps):
    backend = ScriptedBackend(
        [
            '{"evidence": "Five countries signed a treaty in Paris", "countries": 5}',
            '{"evidence": "\\"four countries will join the centre\\"", "countries": 4}',
        ]
    )

    value, usage = client_for(backend, sleeps).structured(CountFact, MESSAGES, context={"article_text": ARTICLE})

    reask = backend.history[1]["messages"][-1]["content"]
    assert "not a verbatim span" in reask
    assert "Five countries signed" in reask
    assert value.evidence == "Four Countries Will Join The Centre"
    assert value.evidence in ARTICLE
    assert value.countries == 4
    assert usage.reasks == 1


def test_validation_failing_every_time_raises_extraction_error_with_what_was_spent(sleeps):
    answers = ['{"countries": 0, "what": "none"}', '{"countries": -1, "what": "none"}', '{"countries": 0, "what": "x"}']
    backend = ScriptedBackend(list(answers))

    with pytest.raises(ExtractionError) as caught:
        client_for(backend, sleeps, reasks=2).structured(
            Count, MESSAGES, info=CallInfo(article_id="a1b2", step="coalitions")
        )

    error = caught.value
    assert error.attempts == 3
    assert error.last_content == answers[-1]
    assert error.usage.calls == 3
    assert error.usage.reasks == 2
    assert (error.usage.prompt_tokens, error.usage.completion_tokens) == (300, 60)
    assert "countries" in error.detail
    assert "greater than or equal to 1" in error.detail
    assert "article a1b2" in str(error) and "'coalitions'" in str(error)
    assert len(backend.history) == 3


def test_the_same_wrong_answer_twice_stops_reasking(sleeps):
    same = '{"countries": 0, "what": "none"}'
    backend = ScriptedBackend([same, same, '{"countries": 4, "what": "never asked for"}'])

    with pytest.raises(ExtractionError) as caught:
        client_for(backend, sleeps, reasks=2).structured(Count, MESSAGES)

    assert len(backend.history) == 2  # greedy decoding repeats itself: the third attempt is not spent
    assert caught.value.attempts == 2
    assert caught.value.usage.calls == 2
    assert caught.value.last_content == same


def test_an_answer_cut_off_at_max_tokens_is_an_extraction_error(sleeps):
    backend = ScriptedBackend([{"content": '{"countries": 4, "wh', "finish_reason": "length"}], completion_tokens=50)

    with pytest.raises(ExtractionError) as caught:
        client_for(backend, sleeps).structured(Count, MESSAGES, max_tokens=50)

    assert "cut off at 50 tokens" in str(caught.value)
    assert caught.value.last_content == '{"countries": 4, "wh'
    assert caught.value.usage.calls == 1


def test_an_answer_cut_off_before_max_tokens_says_the_model_side_stopped_it(sleeps):
    # as a server whose context fills up answers: finish_reason "length" after fewer tokens than asked
    backend = ScriptedBackend([{"content": '{"countries": 4, "wh', "finish_reason": "length"}], completion_tokens=20)

    with pytest.raises(ExtractionError) as caught:
        client_for(backend, sleeps).structured(Count, MESSAGES, max_tokens=50)

    assert "cut off after 20 of at most 50 tokens: the model's context is full" in str(caught.value)


# --- transport retries ---------------------------------------------------------------------------


@pytest.mark.parametrize(("retry_after", "expected"), [("7", 7.0), ("120", 30.0)])
def test_429_with_retry_after_waits_what_the_server_asked_capped(sleeps, retry_after, expected):
    backend = ScriptedBackend([rate_limit(retry_after), '{"countries": 4, "what": "members"}'])

    value, usage = client_for(backend, sleeps, backoff_max=30.0).structured(Count, MESSAGES)

    assert value.countries == 4
    assert sleeps == [expected]
    assert (usage.transport_retries, usage.reasks, usage.calls) == (1, 0, 1)
    assert (usage.prompt_tokens, usage.completion_tokens) == (100, 20)
    assert backend.history[0] == backend.history[1]


def test_429_without_retry_after_backs_off_with_jitter(sleeps):
    backend = ScriptedBackend([rate_limit(None), rate_limit(None), '{"countries": 4, "what": "members"}'])

    _, usage = client_for(backend, sleeps, backoff_initial=2.0, backoff_max=30.0).structured(Count, MESSAGES)

    assert len(sleeps) == 2
    assert 1.0 <= sleeps[0] <= 2.0  # first retry: ceiling = initial
    assert 2.0 <= sleeps[1] <= 4.0  # second retry: ceiling doubles
    assert usage.transport_retries == 2


def test_server_errors_until_the_attempts_run_out_raise_transport_error(sleeps):
    backend = ScriptedBackend([server_error(500), server_error(500), server_error(500)])

    with pytest.raises(TransportError) as caught:
        client_for(backend, sleeps, transport_attempts=3, reasks=2).structured(Count, MESSAGES)

    message = str(caught.value)
    assert "HTTP 500" in message
    assert "after 3 attempts" in message
    assert len(backend.history) == 3  # no validation reask was spent on a transport error
    assert all(request["messages"] == MESSAGES for request in backend.history)
    assert len(sleeps) == 2


@pytest.mark.parametrize("failure", [connection_error, timeout_error], ids=["connection", "timeout"])
def test_a_dropped_connection_is_retried(sleeps, failure):
    backend = ScriptedBackend([failure(), '{"countries": 4, "what": "members"}'])

    value, usage = client_for(backend, sleeps).structured(Count, MESSAGES)

    assert value.countries == 4
    assert (usage.transport_retries, usage.calls, usage.reasks) == (1, 1, 0)
    assert len(sleeps) == 1


def test_a_connection_that_never_comes_back_says_so(sleeps):
    backend = ScriptedBackend([connection_error(), connection_error()])

    with pytest.raises(TransportError, match="cannot reach the scripted endpoint after 2 attempts"):
        client_for(backend, sleeps, transport_attempts=2).structured(Count, MESSAGES)


def test_a_client_error_is_not_retried(sleeps):
    backend = ScriptedBackend([server_error(400)])

    with pytest.raises(TransportError, match="HTTP 400"):
        client_for(backend, sleeps).structured(Count, MESSAGES)

    assert len(backend.history) == 1
    assert sleeps == []


def test_a_reply_that_is_not_a_chat_completion_is_a_backend_error_not_a_reask(sleeps):
    backend = ScriptedBackend([json.JSONDecodeError("Expecting property name", "{not json", 1)] * 3)

    with pytest.raises(BackendError, match="reply is not a chat completion: Expecting property name"):
        client_for(backend, sleeps).structured(Count, MESSAGES)

    assert len(backend.history) == 1  # the same request is not sent again as if the model had answered


def test_a_rejected_key_is_a_config_error_that_does_not_repeat_the_key(sleeps):
    key = "sk-test-SCRIPTED-0123456789"
    backend = ScriptedBackend([auth_error(f"Incorrect API key provided: {key}")])

    with pytest.raises(ConfigError) as caught:
        client_for(backend, sleeps).structured(Count, MESSAGES)

    assert "OPENAI_API_KEY" in str(caught.value)
    assert key not in str(caught.value)
    assert len(backend.history) == 1


# --- the call log --------------------------------------------------------------------------------


def test_the_store_logs_every_attempt(tmp_path, sleeps):
    store = Store(tmp_path / "db.sqlite")
    backend = ScriptedBackend(
        [server_error(503), '{"countries": 0, "what": "none"}', '{"countries": 4, "what": "members"}']
    )
    info = CallInfo(article_id="a1b2", step="coalitions", prompt_hash="p123")

    client_for(backend, sleeps, store=store).structured(Count, MESSAGES, info=info)

    rows = list(store.calls("a1b2"))
    assert [row["attempt"] for row in rows] == [1, 1, 2]
    failed, rejected, accepted = rows
    assert "InternalServerError" in failed["error"] and "503" in failed["error"]
    assert failed["response"] is None and failed["prompt_tokens"] is None
    assert rejected["error"] is None and accepted["error"] is None
    assert (accepted["prompt_tokens"], accepted["completion_tokens"]) == (100, 20)
    assert json.loads(accepted["response"])["choices"][0]["message"]["content"] == '{"countries": 4, "what": "members"}'
    assert json.loads(accepted["request"])["messages"][-1]["role"] == "user"
    assert all(row["latency_ms"] >= 0 for row in rows)
    assert {(row["backend"], row["model"], row["step"], row["prompt_hash"]) for row in rows} == {
        ("scripted", "scripted-model", "coalitions", "p123")
    }
    assert list(store.calls("another-article")) == []
    assert stat.S_IMODE(os.stat(tmp_path / "db.sqlite").st_mode) == 0o600
    for companion in tmp_path.glob("db.sqlite-*"):  # WAL and shared-memory files hold the same data
        assert stat.S_IMODE(os.stat(companion).st_mode) == 0o600, companion.name
    store.close()


# --- recorded exchanges --------------------------------------------------------------------------


def test_a_recording_replays_the_same_answer(tmp_path, sleeps):
    answer = '{"countries": 4, "what": "members"}'
    recorder = RecordingBackend(ScriptedBackend([answer]), tmp_path, prompt_hash="abc")

    recorded, _ = client_for(recorder, sleeps).structured(Count, MESSAGES)

    [path] = tmp_path.glob("*.json")
    recording = json.loads(path.read_text(encoding="utf-8"))
    assert recording["recorded_with"]["backend"] == "scripted"
    assert recording["recorded_with"]["model"] == "scripted-model"
    assert recording["recorded_with"]["prompt_hash"] == "abc"
    assert recording["recorded_with"]["date"] == dt.date.today().isoformat()
    assert recording["request"]["messages"] == MESSAGES
    assert recording["response"]["choices"][0]["message"]["content"] == answer
    assert path.stem == recording["key"]

    replayed, usage = client_for(ReplayBackend(tmp_path), sleeps).structured(Count, MESSAGES)

    assert replayed.model_dump() == recorded.model_dump() == {"countries": 4, "what": "members"}
    assert (usage.calls, usage.prompt_tokens) == (1, 100)


def test_recording_again_reuses_the_same_request_to_the_same_backend_and_model(tmp_path, sleeps):
    # Scripted answers: the second recorder would answer differently if it were asked.
    first = RecordingBackend(ScriptedBackend(['{"countries": 4, "what": "members"}']), tmp_path, prompt_hash="abc")
    client_for(first, sleeps).structured(Count, MESSAGES)
    again = ScriptedBackend(['{"countries": 5, "what": "members"}'])

    reused, _ = client_for(RecordingBackend(again, tmp_path, prompt_hash="abc"), sleeps).structured(Count, MESSAGES)
    assert reused.countries == 4 and again.history == []

    # Other prompts changed, not this request's: reused, stamped with the new prompt hash.
    restamped, _ = client_for(RecordingBackend(again, tmp_path, prompt_hash="new"), sleeps).structured(Count, MESSAGES)
    assert restamped.countries == 4 and again.history == []
    [path] = tmp_path.glob("*.json")
    how = json.loads(path.read_text(encoding="utf-8"))["recorded_with"]
    assert (how["prompt_hash"], how["first_prompt_hash"]) == ("new", "abc")

    other_model = ScriptedBackend(['{"countries": 5, "what": "members"}'], model="another-model")
    recorder = RecordingBackend(other_model, tmp_path, prompt_hash="new")
    redone, _ = client_for(recorder, sleeps).structured(Count, MESSAGES)
    assert redone.countries == 5 and len(other_model.history) == 1


def test_replay_without_a_recording_names_the_missing_key(tmp_path, sleeps):
    replay = ReplayBackend(tmp_path)
    request = {"messages": MESSAGES, "max_tokens": 800}

    with pytest.raises(ReplayMissingError) as caught:
        replay.complete(request)
    assert request_key(request) in str(caught.value)
    assert str(tmp_path) in str(caught.value)

    with pytest.raises(ReplayMissingError):
        client_for(replay, sleeps).structured(Count, MESSAGES)


def test_request_key_ignores_the_model_name_but_not_the_messages():
    request = {"model": "gpt-4o-mini", "messages": MESSAGES, "max_tokens": 800, "temperature": 0}

    assert request_key(request) == request_key({**request, "model": "another-model"})
    assert request_key(request) == request_key({**request, "timeout": 5.0})
    changed = [*MESSAGES[:-1], {"role": "user", "content": "How many countries left?"}]
    assert request_key(request) != request_key({**request, "messages": changed})
    assert request_key(request) != request_key({**request, "max_tokens": 801})
    assert len(request_key(request)) == 16


# --- the guards ----------------------------------------------------------------------------------


def test_real_model_requests_are_blocked_by_default():
    backend = OpenAIBackend("gpt-4o-mini", api_key="sk-test-not-a-key", base_url="http://127.0.0.1:9/v1")

    with pytest.raises(ConfigError, match="allow_model_requests"):
        backend.complete({"model": "gpt-4o-mini", "messages": MESSAGES})


def test_the_embedded_model_is_blocked_by_default(tmp_path):
    backend = LocalBackend(tmp_path / "never-loaded.gguf")

    with pytest.raises(ConfigError, match=r"\(local backend\)"):
        backend.complete({"messages": MESSAGES})
    assert backend._worker is None  # refused before starting the engine's worker or loading anything


def test_allow_model_requests_opens_the_switch(allow_model_requests):
    import summarise.llm.base

    assert summarise.llm.base.ALLOW_MODEL_REQUESTS is True


def test_the_network_is_blocked():
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(RuntimeError, match="network access blocked in tests"),
    ):
        sock.connect(("192.0.2.1", 80))
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock, pytest.raises(RuntimeError):
        sock.connect_ex(("2001:db8::1", 443, 0, 0))


def test_create_connection_to_the_internet_is_blocked():
    with pytest.raises(RuntimeError, match=r"network access blocked in tests: .*192\.0\.2\.1"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)


def test_loopback_is_allowed():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=1) as client:
            assert client.getpeername() == server.getsockname()


def test_openai_backend_through_a_mock_transport(allow_model_requests, sleeps):
    """The real SDK on a mock transport: a 429 with Retry-After, then an answer."""
    sent: list[httpx2.Request] = []
    body = {
        "id": "chatcmpl-mock",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": '{"countries": 4, "what": "members"}'},
            }
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16},
    }

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        if len(sent) == 1:
            return httpx2.Response(429, headers={"retry-after": "3"}, json={"error": {"message": "slow down"}})
        return httpx2.Response(200, json=body)

    http_client = httpx2.Client(transport=httpx2.MockTransport(handler))
    backend = OpenAIBackend(
        "gpt-4o-mini", api_key="sk-test-mock", base_url="http://127.0.0.1:9/v1", http_client=http_client
    )

    value, usage = client_for(backend, sleeps).structured(Count, MESSAGES)

    assert value.model_dump() == {"countries": 4, "what": "members"}
    assert sleeps == [3.0]
    assert (usage.calls, usage.transport_retries, usage.prompt_tokens) == (1, 1, 11)
    assert len(sent) == 2  # the SDK's own retries are off
    payload = json.loads(sent[-1].content)
    assert payload["response_format"]["type"] == "json_schema"
    assert payload["messages"] == MESSAGES
    backend.close()


class _Tuned(ScriptedBackend):
    """A scripted backend whose description names a runtime setting (as the local backend's does)."""

    def __init__(self, answers: list[str], setting: bool) -> None:
        super().__init__(answers)
        self.setting = setting

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), **({"flash_attn": True} if self.setting else {})}


def test_a_recording_made_under_another_runtime_setting_is_made_again(tmp_path, sleeps):
    tuned = _Tuned(['{"countries": 4, "what": "members"}'], setting=True)
    client_for(RecordingBackend(tuned, tmp_path, prompt_hash="abc"), sleeps).structured(Count, MESSAGES)
    plain = _Tuned(['{"countries": 5, "what": "members"}'], setting=False)  # the setting dropped since

    redone, _ = client_for(RecordingBackend(plain, tmp_path, prompt_hash="abc"), sleeps).structured(Count, MESSAGES)
    assert redone.countries == 5 and len(plain.history) == 1
    [path] = tmp_path.glob("*.json")
    assert "flash_attn" not in json.loads(path.read_text(encoding="utf-8"))["recorded_with"]
