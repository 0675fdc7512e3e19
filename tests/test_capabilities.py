"""How a backend is asked follows what it says it can do (``summarise/llm/capabilities.py``).

The ``/props`` pages below are scripted in the shape llama.cpp's server gives them (fields
``total_slots``, ``model_path``, ``model_alias``; 503 while loading), not a real server:
``tests/test_server.py`` runs the real one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import ClassVar

import pytest
from test_openai_endpoint import ScriptedEndpoint

from summarise.llm import BackendConfig, backend_capabilities
from summarise.llm.capabilities import EMBEDDED, ENDPOINT, RECORDED, llama_server_props, served_names


class Props(ScriptedEndpoint):  # its JSON sender, a GET script
    answers: ClassVar[list[tuple[int, dict]]] = []
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        status, payload = type(self).answers.pop(0) if len(type(self).answers) > 1 else type(self).answers[0]
        self._send(status, payload)


@pytest.fixture
def props_server() -> Iterator[int]:
    Props.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Props)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    llama_server_props.cache_clear()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    llama_server_props.cache_clear()


LLAMA_PROPS = {"total_slots": 2, "model_path": "/models/q-1.5b.gguf", "model_alias": "q"}


def test_a_llama_cpp_server_is_asked_one_question_at_a_time_by_its_slots(props_server):
    Props.answers = [(503, {"error": {"message": "Loading model"}}), (503, {}), (200, LLAMA_PROPS)]
    base_url = f"http://user:secret@127.0.0.1:{props_server}/v1"

    able = backend_capabilities(BackendConfig(backend="openai", base_url=base_url))

    assert (able.combined, able.workers, able.parallel_steps) == (False, 2, False)
    assert "llama.cpp server with 2 slots" in able.why
    assert [path for path, _ in Props.seen] == ["/props"] * 3  # waited while it loaded
    assert all(auth is None for _, auth in Props.seen)  # the address's credentials are not sent
    assert served_names(base_url) == ("q", "/models/q-1.5b.gguf", "q-1.5b.gguf", "q-1.5b")
    assert able.serves == ("q", "/models/q-1.5b.gguf", "q-1.5b.gguf", "q-1.5b")  # what the run notes
    assert EMBEDDED.max_workers == 1 and ENDPOINT.max_workers is None
    assert [EMBEDDED.workers_for(n) for n in (4, None)] == [1, 1]  # -j does not apply to the embedded model
    assert [ENDPOINT.workers_for(n) for n in (None, 3)] == [8, 3]


def test_any_other_endpoint_is_asked_every_question_at_once(props_server):
    Props.answers = [(404, {"error": "not found"})]
    assert (
        backend_capabilities(BackendConfig(backend="openai", base_url=f"http://127.0.0.1:{props_server}/v1"))
        == ENDPOINT
    )
    assert backend_capabilities(BackendConfig(backend="openai", api_key="sk-x")) == ENDPOINT  # OpenAI: not probed
    assert backend_capabilities(BackendConfig(backend="replay")) == RECORDED
    assert backend_capabilities(BackendConfig(backend="local")) == EMBEDDED


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:notaport/v1", "ftp://127.0.0.1/v1", "http:///v1"])
def test_a_malformed_address_is_no_llama_server(base_url):
    llama_server_props.cache_clear()
    assert llama_server_props(base_url) is None
