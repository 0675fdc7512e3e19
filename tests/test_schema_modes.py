"""Schema-mode negotiation of the ``openai`` backend, against a scripted endpoint on 127.0.0.1.

The endpoint below is scripted (not a model): it refuses the schema modes it is told to refuse
with the error llama-cpp-python's server really returns for ``json_schema`` (recorded from
``python -m llama_cpp.server`` 0.3.36 on 2026-11-29: HTTP 500, the message below), and answers
the others with a fixed JSON object. ``tests/test_server.py`` runs the same negotiation against
the real server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import ClassVar

import openai
import pytest
from pydantic import BaseModel
from test_openai_endpoint import ScriptedEndpoint

from summarise.llm.client import StructuredClient
from summarise.llm.openai_backend import OpenAIBackend, in_schema_mode, refuses_mode
from summarise.store.database import Store

#: What llama-cpp-python's server answered to response_format json_schema (HTTP 500), traceback path cut.
RECORDED_REFUSAL = (
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
    "'ctx': {'expected': \"'text' or 'json_object'\"}}"
)


class Answer(BaseModel):
    city: str
    count: int


class Refusing(ScriptedEndpoint):  # its JSON sender, a different script
    refuse: ClassVar[set[str]] = set()
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        mode = "tools" if "tools" in body else body.get("response_format", {}).get("type", "text")
        type(self).seen.append(mode)
        if mode in type(self).refuse:
            status = 500 if mode == "json_schema" else 400
            message = RECORDED_REFUSAL if mode == "json_schema" else f"response_format {mode} is not supported"
            if mode == "tools":
                message = "tools are not supported"
            self._send(status, {"error": {"message": message, "type": "internal_server_error"}})
            return
        arguments = json.dumps({"city": "Lisbon", "count": 3})
        if mode == "tools":
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "Answer", "arguments": arguments}}
                ],
            }
            finish = "tool_calls"
        else:
            message, finish = {"role": "assistant", "content": arguments}, "stop"
        self._send(
            200,
            {
                "id": "chatcmpl-scripted",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "finish_reason": finish, "message": message}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            },
        )


@pytest.fixture
def endpoint() -> Iterator[str]:
    Refusing.refuse, Refusing.seen = set(), []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _ask(endpoint: str, store: Store) -> Answer:
    client = StructuredClient(OpenAIBackend("m", base_url=endpoint), store=store)
    answer, usage = client.structured(Answer, [{"role": "user", "content": "Answer with JSON."}])
    assert usage.transport_retries == 0  # a refusal is not a transport failure
    return answer


@pytest.mark.parametrize(
    ("refused", "expected"),
    [(set(), "json_schema"), ({"json_schema"}, "json_object"), ({"json_schema", "json_object"}, "tools")],
)
def test_each_refused_mode_is_followed_by_the_next_and_remembered(
    endpoint, tmp_path, allow_model_requests, refused, expected
):
    Refusing.refuse = refused
    store = Store(tmp_path / "store.db")

    assert _ask(endpoint, store).model_dump() == {"city": "Lisbon", "count": 3}
    assert Refusing.seen == [*("json_schema", "json_object", "tools")[: len(refused)], expected]
    backend = OpenAIBackend("m", base_url=endpoint)
    assert store.schema_mode(backend.endpoint_key(), "m") == (None if not refused else expected)

    Refusing.seen = []
    assert _ask(endpoint, store).model_dump() == {"city": "Lisbon", "count": 3}
    assert Refusing.seen == [expected]  # the next run asks the remembered mode first
    assert endpoint not in json.dumps(store.rows("SELECT * FROM schema_modes", ()))  # the address is hashed


def test_every_mode_refused_is_one_clear_error(endpoint, tmp_path, allow_model_requests):
    from summarise.exceptions import TransportError

    Refusing.refuse = {"json_schema", "json_object", "tools"}
    with pytest.raises(TransportError, match=r"HTTP 400 .*tools are not supported"):
        _ask(endpoint, Store(tmp_path / "store.db"))
    assert Refusing.seen == ["json_schema", "json_object", "tools"]


def test_a_schema_complaint_is_not_a_refusal(endpoint, tmp_path, allow_model_requests, monkeypatch):
    from summarise.exceptions import TransportError

    def complain(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        Refusing.seen.append("json_schema")
        self._send(400, {"error": {"message": "Invalid schema for response_format 'Answer': bad", "type": "x"}})

    monkeypatch.setattr(Refusing, "do_POST", complain)
    store = Store(tmp_path / "store.db")
    with pytest.raises(TransportError, match="Invalid schema"):
        _ask(endpoint, store)
    assert Refusing.seen == ["json_schema"]  # not asked again in another mode, nothing remembered
    assert store.rows("SELECT * FROM schema_modes", ()) == []


def test_a_refusal_is_told_from_other_errors():
    request = openai.OpenAI(api_key="x", base_url="http://127.0.0.1:9/v1")  # only to build error objects

    def error(status: int, message: str) -> openai.APIStatusError:
        import httpx2

        response = httpx2.Response(status, request=httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions"))
        return openai.APIStatusError(message, response=response, body=None)

    assert refuses_mode(error(500, RECORDED_REFUSAL), "json_schema")
    assert refuses_mode(error(400, "response_format type json_object is not supported"), "json_object")
    assert refuses_mode(error(400, "tool_choice is not supported by this model"), "tools")
    # complaints about the request's content, not refusals of the field (invented wordings, shaped like real ones)
    assert not refuses_mode(error(400, "Invalid schema for response_format 'A': 'required' is required"), "json_schema")
    echo = "[{'type': 'missing', 'loc': ('body', 'messages'), 'msg': 'Field required', 'input': {'response_format': "
    assert not refuses_mode(error(422, echo + "{'type': 'json_schema'}}}]"), "json_schema")
    assert not refuses_mode(error(500, "CUDA error: out of memory"), "json_schema")
    assert not refuses_mode(error(400, "This model's maximum context length is 2048 tokens"), "json_schema")
    assert not refuses_mode(error(429, "response_format: slow down"), "json_schema")
    request.close()


def test_modes_carry_the_same_schema():
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    request = {
        "model": "m",
        "messages": [],
        "response_format": {"type": "json_schema", "json_schema": {"name": "A", "schema": schema, "strict": True}},
    }
    assert in_schema_mode(request, "json_schema") is request
    assert in_schema_mode(request, "json_object")["response_format"] == {"type": "json_object", "schema": schema}
    grammar = in_schema_mode(request, "grammar")
    assert "response_format" not in grammar and "root ::= " in grammar["grammar"]
    assert 'space ::= " "?' in grammar["grammar"].splitlines()  # one optional space, never a line break
    tools = in_schema_mode(request, "tools")
    assert "response_format" not in tools
    assert tools["tools"][0]["function"] == {"name": "A", "parameters": schema}
    assert tools["tool_choice"] == {"type": "function", "function": {"name": "A"}}
