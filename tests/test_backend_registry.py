"""One registry of backends (``summarise/llm/registry.py``), and errors in the project's own words.

Every backend module declares one registration: its name, its identity and capabilities (read
from the configuration, with no SDK imported) and its factory. The OpenAI backend translates the
SDK's errors into :class:`~summarise.exceptions.EndpointError`, so nothing else names them. Every
SDK error below is scripted: built by hand, as the SDK builds it from an HTTP answer, not received
from a server.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import httpx2
import openai
import pytest
from pydantic import BaseModel

from summarise.exceptions import ConfigError, ContextOverflowError, EndpointError, TransportError
from summarise.llm import (
    BACKENDS,
    REGISTRY,
    BackendConfig,
    RetryPolicy,
    StructuredClient,
    backend_capabilities,
    backend_identity,
    make_backend,
    resolve_backend_name,
)
from summarise.llm.capabilities import Capabilities
from summarise.llm.embedded import EMBEDDED_MODELS
from summarise.llm.local import LocalBackend
from summarise.llm.openai_backend import OpenAIBackend, translate_error
from summarise.llm.replay import ReplayBackend
from summarise.store.database import Store

from fakes import auth_error, connection_error, rate_limit, server_error, timeout_error

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "summarise"
SDKS = ("openai", "instructor", "llama_cpp")


def configs(tmp_path: Path) -> dict[str, BackendConfig]:
    """A configuration that each registered backend can be built from here (nothing is asked of it)."""
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF not really a model")
    return {
        "openai": BackendConfig(backend="openai", api_key="sk-test-SCRIPTED-key"),
        "local": BackendConfig(backend="local", gguf=gguf),
        "replay": BackendConfig(backend="replay", replay_dir=ROOT / "fixtures/llm"),
    }


# --- the registry ----------------------------------------------------------------------------------


def test_the_registry_holds_every_backend_by_its_name():
    assert list(REGISTRY) == ["openai", "local", "replay"]
    assert BACKENDS == ("auto", "openai", "local", "replay")
    for name, entry in REGISTRY.items():
        assert entry.name == name
        assert callable(entry.identity) and callable(entry.capabilities) and callable(entry.build)


def test_every_factory_builds_the_backend_its_identity_names(tmp_path):
    classes = {"openai": OpenAIBackend, "local": LocalBackend, "replay": ReplayBackend}
    for name, config in configs(tmp_path).items():
        backend = make_backend(config)
        try:
            assert type(backend) is classes[name] and backend.name == name
            assert backend.identity() == backend_identity(config) == REGISTRY[name].identity(config)
            assert isinstance(backend_capabilities(config), Capabilities)
        finally:
            backend.close()


def test_identity_and_capabilities_import_no_sdk(tmp_path):
    # A new process that names each backend and asks how to ask it, then reports the SDKs it imported.
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from summarise.llm import REGISTRY, BackendConfig, backend_capabilities, backend_identity\n"
        "configs = [BackendConfig(backend='openai', api_key='sk-test-SCRIPTED-key'), BackendConfig(backend='local'),\n"
        f"           BackendConfig(backend='replay', replay_dir=Path({str(ROOT / 'fixtures/llm')!r}))]\n"
        "named = {c.backend: (backend_identity(c), backend_capabilities(c).workers) for c in configs}\n"
        f"print(json.dumps({{'named': sorted(named), 'registry': sorted(REGISTRY), "
        f"'sdks': sorted(set({SDKS!r}) & set(sys.modules))}}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["named"] == report["registry"] == ["local", "openai", "replay"]
    assert report["sdks"] == []


def test_an_unknown_backend_is_the_same_clear_error_everywhere():
    config = BackendConfig(backend="telepathy")
    message = "unknown backend 'telepathy': choose one of auto, openai, local, replay"
    for ask in (resolve_backend_name, backend_identity, backend_capabilities, make_backend):
        with pytest.raises(ConfigError) as caught:
            ask(config)
        assert str(caught.value) == message


def test_auto_is_the_endpoint_when_one_is_configured_else_the_embedded_model():
    assert resolve_backend_name(BackendConfig()) == "local"
    assert resolve_backend_name(BackendConfig(api_key="sk-test-SCRIPTED-key")) == "openai"
    assert resolve_backend_name(BackendConfig(base_url="http://127.0.0.1:9/v1")) == "openai"


def test_each_factory_refuses_what_it_cannot_build_as_before(tmp_path):
    refused = [
        (BackendConfig(backend="openai"), "no API key found: set the OPENAI_API_KEY environment variable"),
        (BackendConfig(backend="replay", replay_dir=tmp_path / "none"), f"replay folder {tmp_path / 'none'} does not"),
        (BackendConfig(backend="local", gguf=tmp_path / "none.gguf"), f"{tmp_path / 'none.gguf'}: no such GGUF file"),
    ]
    for config, start in refused:
        with pytest.raises(ConfigError) as caught:
            make_backend(config)
        assert str(caught.value).startswith(start)
    # the two wordings of an unknown embedded model, each as it was
    models = ", ".join(EMBEDDED_MODELS)
    with pytest.raises(ConfigError) as caught:
        make_backend(BackendConfig(backend="local", model="nope"))
    assert str(caught.value) == f"unknown embedded model 'nope': choose one of {models}, or pass --gguf PATH"
    with pytest.raises(ConfigError) as caught:
        backend_identity(BackendConfig(backend="local", model="nope"))
    assert str(caught.value) == f"unknown embedded model 'nope': choose one of {models}"


# --- errors in the project's words -----------------------------------------------------------------

URL = "http://127.0.0.1/v1/chat/completions"


def _scripted(kind: type[openai.APIStatusError], status: int, message: str, **headers: str) -> openai.APIStatusError:
    """An SDK error as the SDK builds it from an HTTP answer (scripted: no server sent it)."""
    response = httpx2.Response(status, headers=headers, request=httpx2.Request("POST", URL))
    return kind(message, response=response, body=None)


TOO_LONG = "This model's maximum context length is 2048 tokens, your messages resulted in 3100 (scripted)"
SLOW_DOWN = _scripted(openai.RateLimitError, 429, "slow down (scripted)", **{"retry-after-ms": "250"})
NO_MODEL = _scripted(openai.NotFoundError, 404, "The model 'nope' does not exist (scripted)")
BAD_REQUEST = _scripted(openai.BadRequestError, 400, "messages: required (scripted)")

#: (the SDK's error, kind, status, transient, retry_after) for each error the backend translates.
TRANSLATED = {
    "connection": (connection_error(), "unreachable", None, True, None),
    "timeout": (timeout_error(), "unreachable", None, True, None),
    "rate limit": (rate_limit("7"), "status", 429, True, 7.0),
    "rate limit, ms": (SLOW_DOWN, "status", 429, True, 0.25),
    "server error": (server_error(503), "status", 503, True, None),
    "key": (auth_error(), "key", 401, False, None),
    "model": (NO_MODEL, "model", 404, False, None),
    "context": (_scripted(openai.BadRequestError, 400, TOO_LONG), "context", 400, False, None),
    "bad request": (BAD_REQUEST, "status", 400, False, None),
    "conflict": (_scripted(openai.ConflictError, 409, "try again (scripted)"), "status", 409, True, None),
}


def _failing_backend(monkeypatch, *errors: BaseException) -> OpenAIBackend:
    """An OpenAI backend whose every HTTP exchange raises the next scripted SDK error (then answers)."""
    backend = OpenAIBackend("gpt-test", api_key="sk-test-SCRIPTED-key")
    queue = list(errors)

    def post(request):
        if queue:
            raise queue.pop(0)
        return _answer()

    monkeypatch.setattr(backend, "_post", post)
    return backend


def _answer():
    from summarise.llm.base import completion_from_text

    return completion_from_text('{"countries": 4}', model="gpt-test", prompt_tokens=10, completion_tokens=5)


@pytest.mark.parametrize("case", list(TRANSLATED), ids=list(TRANSLATED))
def test_the_openai_backend_raises_the_sdks_errors_as_endpoint_errors(monkeypatch, allow_model_requests, case):
    error, kind, status, transient, retry_after = TRANSLATED[case]
    backend = _failing_backend(monkeypatch, error)

    with pytest.raises(EndpointError) as caught:
        backend.complete({"model": "gpt-test", "messages": [{"role": "user", "content": "How many?"}]})

    raised = caught.value
    assert (raised.kind, raised.status, raised.transient, raised.retry_after) == (kind, status, transient, retry_after)
    assert raised.source == type(error).__name__ and raised.detail == str(error)
    assert str(raised) == f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"
    assert raised.__cause__ is error


def test_other_errors_are_not_translated():
    bug = ValueError("a bug of ours")
    assert translate_error(bug) is bug


def test_an_unreadable_retry_after_asks_no_wait():
    error = translate_error(rate_limit("soon"))
    assert isinstance(error, EndpointError) and error.transient and error.retry_after is None


class Count(BaseModel):
    countries: int


MESSAGES = [{"role": "user", "content": "How many countries joined?"}]


def test_the_client_retries_and_words_the_openai_backends_errors_as_before(tmp_path, monkeypatch, allow_model_requests):
    sleeps: list[float] = []
    policy = RetryPolicy(transport_attempts=3, sleep=sleeps.append)
    store = Store(tmp_path / "db.sqlite")
    backend = _failing_backend(monkeypatch, rate_limit("2"), server_error(502))

    value, usage = StructuredClient(backend, store=store, policy=policy).structured(Count, MESSAGES)

    assert value.countries == 4 and usage.transport_retries == 2 and sleeps[0] == 2.0
    errors = [row["error"] for row in store.calls()]
    assert errors[0].startswith("RateLimitError: ") and errors[1].startswith("InternalServerError: ")
    assert errors[2] is None
    store.close()

    backend = _failing_backend(monkeypatch, *[connection_error()] * 3)
    with pytest.raises(TransportError, match=r"^cannot reach the openai endpoint after 3 attempts: Connection error"):
        StructuredClient(backend, policy=policy).structured(Count, MESSAGES)
    backend = _failing_backend(monkeypatch, BAD_REQUEST)
    with pytest.raises(TransportError, match=r"^the openai endpoint answered HTTP 400 after 1 attempts: messages"):
        StructuredClient(backend, policy=policy).structured(Count, MESSAGES)
    backend = _failing_backend(monkeypatch, TRANSLATED["context"][0])
    with pytest.raises(ContextOverflowError, match=r"^the article does not fit the openai model's context: This"):
        StructuredClient(backend, policy=policy).structured(Count, MESSAGES)
    backend = _failing_backend(monkeypatch, NO_MODEL)
    with pytest.raises(ConfigError, match=r"^the openai endpoint has no model 'gpt-test' \(HTTP 404\): pick another"):
        StructuredClient(backend, policy=policy).structured(Count, MESSAGES)
    backend = _failing_backend(monkeypatch, auth_error())
    with pytest.raises(ConfigError, match=r"^the openai endpoint rejected the API key: check OPENAI_API_KEY$"):
        StructuredClient(backend, policy=policy).structured(Count, MESSAGES)


# --- nothing else names the SDK's errors -------------------------------------------------------------

#: The modules that may name the SDK's errors: the backend that translates them, and the Batch API
#: client (the SDK's own file and batch calls, not a chat backend).
MAY_NAME_SDK_ERRORS = {"llm/openai_backend.py", "batch/api.py"}
SDK_ERRORS = {name for name in dir(openai) if isinstance(getattr(openai, name), type)} & {
    name for name in dir(openai) if name.endswith(("Error", "Exception"))
}


def _sdk_errors_named(path: Path) -> list[str]:
    """Where ``path`` names one of the SDK's error classes (``openai.X``, or imported from openai)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in SDK_ERRORS and ast.unparse(node.value) == "openai":
            found.append(f"line {node.lineno}: openai.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "openai":
            found += [f"line {node.lineno}: {alias.name}" for alias in node.names if alias.name in SDK_ERRORS]
    return found


def test_the_check_finds_what_it_looks_for():
    assert {"APIConnectionError", "APIStatusError", "RateLimitError", "BadRequestError"} <= SDK_ERRORS
    assert _sdk_errors_named(PACKAGE / "llm/openai_backend.py")


def test_no_module_but_the_backend_names_the_sdks_errors():
    named = {
        str(path.relative_to(PACKAGE)): found
        for path in sorted(PACKAGE.rglob("*.py"))
        if str(path.relative_to(PACKAGE)) not in MAY_NAME_SDK_ERRORS and (found := _sdk_errors_named(path))
    }
    assert named == {}


def test_the_client_and_the_retries_take_nothing_of_the_sdk_but_its_answer_type():
    for module in ("llm/client.py", "llm/retry.py"):
        imported = set()
        for node in ast.walk(ast.parse((PACKAGE / module).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
        assert {name for name in imported if name.split(".")[0] == "openai"} <= {"openai.types.chat"}, module
