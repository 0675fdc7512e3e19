"""The ``openai`` backend: any OpenAI-compatible chat-completions endpoint.

OpenAI itself, Azure, Ollama, vLLM or a llama.cpp server: ``OPENAI_API_KEY``,
``OPENAI_BASE_URL`` and ``--model``. The SDK's own retries are switched off: transport
retries belong to :mod:`summarise.llm.retry`, so that they are counted and bounded once.

Schema modes. Every structured request is built with ``response_format`` of type
``json_schema``. A llama.cpp server (it says so at ``/props``) is sent the schema as a grammar
instead, the one the embedded backend decodes with (single spaces, no line breaks: given the
schema itself, the server lets the model indent its JSON, which costs tokens), when
llama-cpp-python's converter is installed. Not every server takes ``json_schema``:
llama-cpp-python's own server answers it with an error naming ``response_format`` (HTTP 500
there; 400 or 422 elsewhere). Such a refusal is
answered at once, without a transport retry, by asking again with ``json_object`` and the
schema beside it (what llama.cpp-based servers constrain decoding with), then with a forced
tool call whose parameters are the schema. The mode that worked is kept for the rest of the
run and remembered in the store per endpoint and model (:meth:`Store.schema_mode`), so the
next run asks that way first. The answer is handed back in the shape the client parses (a
tool call's arguments become the message's content), so nothing above this module knows.

Errors. The SDK's transport and HTTP errors leave this module as the project's
:class:`~summarise.exceptions.EndpointError` (:func:`translate_error`): what failed, whether it is
worth asking again (408, 409, 429, 5xx, a dropped connection or a timeout) and after how long
(``Retry-After``), so that the client's retries and messages name no SDK.

The SDK is imported when the backend is built, not with this module: naming the backend
(:data:`REGISTRATION`) imports nothing of it.
"""

from __future__ import annotations

import email.utils
import hashlib
import importlib.util
import json
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from summarise.exceptions import ConfigError, EndpointError, EndpointFailure
from summarise.llm.base import ChatBackend
from summarise.llm.capabilities import endpoint_capabilities, llama_server_props
from summarise.llm.identity import DEFAULT_OPENAI_MODEL, openai_identity
from summarise.llm.registry import BackendConfig, Progress, Registration

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion

__all__ = ["DEFAULT_OPENAI_MODEL", "REGISTRATION", "SCHEMA_MODES", "OpenAIBackend", "translate_error"]

log = logging.getLogger("summarise.llm")

#: The ways of asking for an answer that follows a JSON schema, in the order they are tried.
#: ``grammar`` (the schema as a llama.cpp grammar, written without the optional line breaks and
#: indents) is tried first only with a llama.cpp server (it says so at ``/props``).
SCHEMA_MODES = ("grammar", "json_schema", "json_object", "tools")

#: HTTP statuses with which servers have been seen to refuse a request format (llama-cpp-python's
#: server answers an unknown ``response_format`` type with 500).
_REFUSAL_STATUSES = (400, 422, 500, 501)
#: Seconds a request may take unless ``SUMMARISE_TIMEOUT`` says otherwise.
ENDPOINT_TIMEOUT = 180.0


class OpenAIBackend(ChatBackend):
    """Chat completions over HTTP through the openai SDK."""

    name: ClassVar[str] = "openai"

    def __init__(
        self,
        model: str = DEFAULT_OPENAI_MODEL,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 180.0,
        http_client: Any = None,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.schema_mode = "json_schema"
        self._memory: Any = None
        self._chosen = False  # whether the first mode was chosen (remembered, or from what the server says)
        import openai

        self._client = openai.OpenAI(
            api_key=api_key or "not-needed", base_url=base_url, timeout=timeout, max_retries=0, http_client=http_client
        )

    def identity(self) -> str:
        """Model and endpoint (never the key)."""
        return openai_identity(self.model, self.base_url)

    def describe(self) -> dict[str, Any]:
        """Backend, model and whether a custom endpoint is used (the URL may hold secrets)."""
        return {"backend": self.name, "model": self.model, "custom_base_url": bool(self.base_url)}

    def endpoint_key(self) -> str:
        """The endpoint as the store remembers it: a hash of its address (which may hold credentials)."""
        return hashlib.sha256((self.base_url or "default").encode()).hexdigest()[:16]

    def remember_with(self, store: Any) -> None:
        """Ask first in the schema mode ``store`` remembers for this endpoint and model; keep new ones there."""
        self._memory = store
        remembered = store.schema_mode(self.endpoint_key(), self.model)
        if remembered in SCHEMA_MODES and (remembered != "grammar" or compact_grammar_available()):
            self.schema_mode = remembered
            self._chosen = True

    def complete(self, request: dict[str, Any]) -> ChatCompletion:
        """Send one request, in the first schema mode the endpoint accepts.

        Posted as built (``StructuredClient.request_for``) rather than through
        ``chat.completions.create``, whose parameter transform walks the whole JSON schema
        of every request: ~2 ms of CPU each, more than the HTTP exchange itself. The SDK's
        transport and HTTP errors are raised as :class:`EndpointError` (:func:`translate_error`).
        """
        import openai

        self._check_allowed()
        try:
            return self._answer(request)
        except (openai.APIStatusError, openai.APIConnectionError) as error:
            raise translate_error(error) from error

    def _answer(self, request: dict[str, Any]) -> ChatCompletion:
        import openai

        response_format = request.get("response_format") or {}
        if response_format.get("type") != "json_schema":
            return self._post(request)
        if not self._chosen:
            self._chosen = True
            if self.base_url and llama_server_props(self.base_url) is not None and compact_grammar_available():
                self.schema_mode = "grammar"
        modes = SCHEMA_MODES[SCHEMA_MODES.index(self.schema_mode) :]
        for position, mode in enumerate(modes):
            try:
                response = self._post(in_schema_mode(request, mode))
            except openai.APIStatusError as error:
                if position + 1 == len(modes) or not refuses_mode(error, mode):
                    raise
                log.warning(
                    "the endpoint refused %s %s (HTTP %s); asking with %s instead",
                    "a" if mode == "grammar" else "response_format",
                    mode,
                    error.status_code,
                    modes[position + 1],
                )
                continue
            if mode != self.schema_mode:
                self._switch_to(mode)
            return answer_as_content(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _post(self, request: dict[str, Any]) -> ChatCompletion:
        from openai.types.chat import ChatCompletion

        return self._client.post("/chat/completions", body=request, cast_to=ChatCompletion)

    def _switch_to(self, mode: str) -> None:
        self.schema_mode = mode
        if self._memory is not None:
            self._memory.remember_schema_mode(self.endpoint_key(), self.model, mode)

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


def in_schema_mode(request: dict[str, Any], mode: str) -> dict[str, Any]:
    """``request`` (built with a ``json_schema`` response format) asked in schema mode ``mode``."""
    if mode == "json_schema":
        return request
    spec = request["response_format"]["json_schema"]
    rest = {key: value for key, value in request.items() if key != "response_format"}
    if mode == "grammar":
        from summarise.llm.engine import schema_grammar

        return {**rest, "grammar": schema_grammar(json.dumps(spec["schema"]))}  # key order kept: it is the answer's
    if mode == "json_object":
        return {**rest, "response_format": {"type": "json_object", "schema": spec["schema"]}}
    tool = {"name": spec.get("name") or "answer", "parameters": spec["schema"]}
    if spec.get("description"):
        tool["description"] = spec["description"]
    return {
        **rest,
        "tools": [{"type": "function", "function": tool}],
        "tool_choice": {"type": "function", "function": {"name": tool["name"]}},
    }


#: Words with which servers refuse a request field they do not take (pydantic's "Input should be ...",
#: serde's "unknown variant", "not supported", ...); a complaint about the schema itself has none of them.
_REFUSAL_WORDS = (
    "not supported",
    "unsupported",
    "input should be",
    "unknown variant",
    "must be one of",
    "not implemented",
    "not allowed",
    "unrecognized",
    "unknown field",
    "extra inputs are not permitted",
)


def refuses_mode(error: openai.APIStatusError, mode: str) -> bool:
    """Whether ``error`` is the endpoint refusing schema mode ``mode`` (not a complaint about the request's content).

    It must name the field (``response_format`` or the mode; ``tool`` for tools) and say that the
    field is not taken; "Invalid schema for response_format ..." (a schema the server takes but finds
    wrong) is not a refusal.
    """
    if error.status_code not in _REFUSAL_STATUSES:
        return False
    text = str(error).lower()
    if mode == "grammar":  # our own grammar: any complaint about it (a server that parses it otherwise) falls back
        return "grammar" in text
    named = "tool" in text if mode == "tools" else ("response_format" in text or mode in text)
    return named and "invalid schema" not in text and any(words in text for words in _REFUSAL_WORDS)


def compact_grammar_available() -> bool:
    """Whether the schema can be written as a compact grammar here (llama-cpp-python's converter is installed)."""
    return importlib.util.find_spec("llama_cpp") is not None


def answer_as_content(response: ChatCompletion) -> ChatCompletion:
    """The answer with a forced tool call's arguments as the message's content (as the client parses it)."""
    if not response.choices:
        return response
    message = response.choices[0].message
    if message.content or not message.tool_calls:
        return response
    arguments = message.tool_calls[0].function.arguments  # type: ignore[union-attr]
    choice = response.choices[0].model_copy(
        update={
            "message": message.model_copy(update={"content": arguments, "tool_calls": None}),
            "finish_reason": "stop"
            if response.choices[0].finish_reason == "tool_calls"
            else response.choices[0].finish_reason,
        }
    )
    return response.model_copy(update={"choices": [choice, *response.choices[1:]]})


# --- errors ---------------------------------------------------------------------------------------

#: HTTP statuses worth asking again after a pause, beside every 5xx: a timeout, a conflict, a rate limit.
_TRANSIENT_STATUSES = (408, 409, 429)

#: How endpoints word a prompt longer than the model's context: OpenAI and vLLM ("maximum context
#: length", code ``context_length_exceeded``), llama.cpp's server ("exceeds the available context size",
#: type ``exceed_context_size_error``), llama-cpp-python's server (as OpenAI).
_CONTEXT_OVERFLOW = ("context_length", "maximum context", "context size", "context window")


def translate_error(error: BaseException) -> BaseException:
    """The SDK's transport or HTTP error ``error`` as an :class:`EndpointError`; any other error as it is.

    The SDK's class decides what failed: a rejected key (``AuthenticationError``), a missing model
    (``NotFoundError``), a prompt too long (a ``BadRequestError`` that says so), another HTTP error, or
    no answer at all (``APIConnectionError``, ``APITimeoutError``).
    """
    import openai

    source, detail = type(error).__name__, str(error)
    if isinstance(error, openai.APIConnectionError):  # includes APITimeoutError
        return EndpointError(source, detail, kind="unreachable", transient=True)
    if not isinstance(error, openai.APIStatusError):
        return error
    kind: EndpointFailure = "status"
    if isinstance(error, openai.AuthenticationError):
        kind = "key"
    elif isinstance(error, openai.NotFoundError):
        kind = "model"
    elif isinstance(error, openai.BadRequestError) and is_context_overflow(error):
        kind = "context"
    status = error.status_code
    return EndpointError(
        source,
        detail,
        kind=kind,
        status=status,
        transient=status in _TRANSIENT_STATUSES or status >= 500,
        retry_after=wait_asked(error.response.headers),
    )


def is_context_overflow(error: BaseException) -> bool:
    """Whether an endpoint's error says the request does not fit the model's context."""
    text = str(error).lower()
    return any(words in text for words in _CONTEXT_OVERFLOW)


def wait_asked(headers: Mapping[str, str]) -> float | None:
    """The wait a server asked for in ``retry-after-ms`` / ``Retry-After``, if any (none when unreadable)."""
    if (millis := headers.get("retry-after-ms")) is not None:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):  # neither seconds nor an HTTP date
        return None
    return max(parsed.timestamp() - time.time(), 0.0)


# --- the registration -----------------------------------------------------------------------------


def _identity(config: BackendConfig) -> str:
    return openai_identity(config.model or DEFAULT_OPENAI_MODEL, config.base_url)


def _build(config: BackendConfig, progress: Progress | None) -> OpenAIBackend:
    if not config.api_key and not config.base_url:
        raise ConfigError(
            "no API key found: set the OPENAI_API_KEY environment variable (and OPENAI_BASE_URL for "
            "another OpenAI-compatible endpoint), or use --backend local"
        )
    try:
        return OpenAIBackend(
            config.model or DEFAULT_OPENAI_MODEL,
            api_key=config.api_key,
            base_url=config.base_url,
            timeout=config.timeout or ENDPOINT_TIMEOUT,
        )
    except ImportError:  # a broken install, which the command says as such
        raise
    except Exception as error:  # the SDK rejects a malformed base URL with its own error types
        raise ConfigError(
            f"cannot use OPENAI_BASE_URL: {type(error).__name__} (check the URL's form: scheme, host, port)"
        ) from None


#: The ``openai`` backend: any OpenAI-compatible endpoint, asked as its server says it can be
#: (a llama.cpp server is asked at ``/props``).
REGISTRATION = Registration("openai", _identity, lambda config: endpoint_capabilities(config.base_url), _build)
