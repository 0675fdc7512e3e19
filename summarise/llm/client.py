"""Validated structured calls on any backend: instructor reasks over transport retries.

One request goes through three layers, each bounded:

1. instructor's ``Mode.JSON_SCHEMA`` handlers, run in our own bounded loop, send the
   Pydantic model as the response schema, validate the answer with the validation context
   (the evidence check) and, on a validation error, reask at once with the error appended
   (``RetryPolicy.reasks``);
2. every single request it sends goes through tenacity transport retries
   (``RetryPolicy.transport_attempts``, backoff with jitter, ``Retry-After`` honoured);
3. every attempt, failed or not, is logged to the store with its usage and latency.

Token usage is summed over every answer received, reasks included.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

import instructor
from instructor.core.exceptions import (
    AsyncValidationError,
    IncompleteOutputException,
    ResponseParsingError,
)
from instructor.processing import handle_response_model, response_schema
from instructor.v2.core.providers import Provider
from instructor.v2.core.registry import mode_registry
from instructor.v2.validation.async_validators import reject_async_validators
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.stop import stop_base

from summarise.exceptions import (
    BackendError,
    ConfigError,
    ContextOverflowError,
    EndpointError,
    ExtractionError,
    SummariseError,
    TransportError,
)
from summarise.llm.base import ChatBackend
from summarise.llm.retry import RetryPolicy
from summarise.schemas import Usage, using_validation_context
from summarise.store.database import CallRecord, Store
from summarise.text.once import built_once
from summarise.text.secrets import short_error

logging.getLogger("instructor").addHandler(logging.NullHandler())
logging.getLogger("instructor").propagate = False

MODE = instructor.Mode.JSON_SCHEMA

T = TypeVar("T", bound=BaseModel)
PARSE_ERRORS = (ValidationError, json.JSONDecodeError, ResponseParsingError, AsyncValidationError)


@dataclass
class CallInfo:
    """What a call is for, recorded in the call log."""

    article_id: str | None = None
    step: str | None = None
    prompt_hash: str | None = None
    #: the article as the messages show it: the call log keeps it once and names it
    article_text: str | None = None


@dataclass
class _CallState:
    info: CallInfo
    usage: Usage = field(default_factory=Usage)
    attempt: int = 0
    exchange: str = field(default_factory=lambda: uuid.uuid4().hex[:16])  # this question and its reasks
    last_content: str | None = None
    last_completion_tokens: int | None = None
    repeated: bool = False


class _Repeated(stop_base):
    """Stop reasking once the model gave the very same answer to a reask (see ``_CallState.repeated``)."""

    def __init__(self, state: _CallState) -> None:
        self.state = state

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.state.repeated


class StructuredClient:
    """Ask a backend for an instance of a Pydantic model, validated, with bounded retries."""

    def __init__(self, backend: ChatBackend, *, store: Store | None = None, policy: RetryPolicy | None = None):
        self.backend = backend
        self.store = store
        self.policy = policy or RetryPolicy()
        self._state = threading.local()
        if store is not None:
            backend.remember_with(store)

    def structured(
        self,
        response_model: type[T],
        messages: list[dict[str, Any]],
        *,
        context: dict[str, Any] | None = None,
        info: CallInfo | None = None,
        max_tokens: int = 800,
    ) -> tuple[T, Usage]:
        """Return a validated ``response_model`` and the usage of every attempt.

        Raises :class:`ExtractionError` when no answer validates after the reasks (its
        ``last_content`` holds the last answer and ``usage`` what was spent), and
        :class:`TransportError` when the endpoint keeps failing.
        """
        state = _CallState(info or CallInfo())
        self._state.current = state
        prepared = _prepared(response_model)
        request = self.request_for(response_model, messages, max_tokens=max_tokens)
        try:
            # The validation context travels beside instructor's parser, not through it (given a
            # context, instructor would render every message as a Jinja template).
            with using_validation_context(context):
                value = self._ask_until_valid(prepared, request, state)
        except IncompleteOutputException:
            written = state.last_completion_tokens
            if written is not None and written < max_tokens:  # stopped by the model's side, not by our limit
                detail = (
                    f"the answer was cut off after {written} of at most {max_tokens} tokens: the model's "
                    "context is full or its server limits answers (raise its context size or output limit)"
                )
            else:
                detail = f"the answer was cut off at {max_tokens} tokens"
            raise self._extraction_error(state, detail) from None
        except SummariseError:
            raise
        except Exception as error:  # a backend's own failure (not HTTP, not an answer): one clear line
            raise BackendError(
                f"the {self.backend.name} backend failed: {type(error).__name__}: {short_error(error)}"
            ) from None
        finally:
            self._state.current = None
        state.usage.reasks = max(state.usage.calls - 1, 0)
        return value, state.usage  # type: ignore[return-value]

    def _ask_until_valid(self, prepared: type[BaseModel], request: dict[str, Any], state: _CallState) -> BaseModel:
        """Instructor's request/parse/reask handlers in our own bounded loop.

        The loop is instructor's own (``retry_sync_v2``) minus the per-call work it repeats
        for every request (schema generation, a validator scan of the whole model), which
        costs more CPU than the HTTP call itself when many articles run at once.
        """
        failure: BaseException | None = None  # the last answer's validation error
        try:
            for attempt in self._reasking(state):
                with attempt:
                    response = self._create(**request)
                    try:
                        return _handlers().response_parser(
                            response=response,
                            response_model=prepared,
                            validation_context=None,
                            strict=True,
                            stream=False,
                            is_async=False,
                        )
                    except IncompleteOutputException:
                        raise
                    except PARSE_ERRORS as error:
                        failure = error
                        request = _short_reask(
                            _handlers().reask_handler(kwargs=request, response=response, exception=error), error
                        )
                        raise
        except PARSE_ERRORS:
            pass
        except ContextOverflowError:
            if state.last_content is None:
                raise
            raise self._extraction_error(state, "the reask no longer fits the model's context") from None
        detail = _validation_summary(failure) if failure is not None else "no answer validated"
        raise self._extraction_error(state, detail)

    def request_for(
        self, response_model: type[BaseModel], messages: list[dict[str, Any]], *, max_tokens: int = 800
    ) -> dict[str, Any]:
        """The chat-completions request :meth:`structured` sends first for these arguments.

        Its response format is instructor's (JSON_SCHEMA mode, built once per model), so a
        request made here (for the Batch API) and one sent synchronously are the same and
        share one replay key.
        """
        return {
            "messages": [{**message, "content": _as_sent(message["content"])} for message in messages],
            "model": self.backend.model,
            "max_tokens": max_tokens,
            "temperature": 0,
            "response_format": _response_format(response_model),
        }

    def _reasking(self, state: _CallState) -> Retrying:
        """Reask at once after a validation error, up to ``policy.reasks`` times.

        A model that gives the very same answer to a reask (greedy decoding does) will
        give it again: reasking stops there instead of spending the remaining attempts.
        """
        return Retrying(
            stop=stop_after_attempt(self.policy.reasks + 1) | _Repeated(state),
            retry=retry_if_exception_type(PARSE_ERRORS),
            reraise=True,
        )

    @staticmethod
    def _extraction_error(state: _CallState, detail: str) -> ExtractionError:
        """The failure of one question, carrying its last answer (to salvage) and its usage."""
        state.usage.reasks = max(state.usage.calls - 1, 0)
        error = ExtractionError(state.info.article_id or "-", state.info.step or "-", state.attempt, detail)
        error.last_content = state.last_content
        error.usage = state.usage
        return error

    def _create(self, **request: Any) -> ChatCompletion:
        state: _CallState = self._state.current
        state.attempt += 1

        def count_retry(_: RetryCallState) -> None:
            state.usage.transport_retries += 1

        try:
            for attempt in self.policy.retrying(on_retry=count_retry):
                with attempt:
                    return self._logged_call(request, state)
        except EndpointError as error:
            raise self._endpoint_failure(error, attempts=state.usage.transport_retries + 1) from None
        except PARSE_ERRORS as error:  # the reply is not a chat completion: not the model's answer to reask
            raise BackendError(
                f"the {self.backend.name} backend's reply is not a chat completion: {short_error(error)}"
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _endpoint_failure(self, error: EndpointError, *, attempts: int) -> SummariseError:
        """An endpoint's last failure, once ``attempts`` were spent, as the one line the command says."""
        name, detail = self.backend.name, short_error(error.detail)
        if error.kind == "key":
            return ConfigError(f"the {name} endpoint rejected the API key: check OPENAI_API_KEY")
        if error.kind == "model":
            return ConfigError(
                f"the {name} endpoint has no model '{self.backend.model}' "
                f"(HTTP 404): pick another with --model ({detail})"
            )
        if error.kind == "context":
            return ContextOverflowError(f"the article does not fit the {name} model's context: {detail}")
        if error.kind == "unreachable":
            return TransportError(f"cannot reach the {name} endpoint after {attempts} attempts: {detail}")
        return TransportError(f"the {name} endpoint answered HTTP {error.status} after {attempts} attempts: {detail}")

    def _logged_call(self, request: dict[str, Any], state: _CallState) -> ChatCompletion:
        started = time.perf_counter()
        response: ChatCompletion | None = None
        error_text: str | None = None
        try:
            response = self.backend.complete(request)
            return response
        except Exception as error:
            # an endpoint's failure is logged as its backend's SDK named it
            error_text = (
                str(error) if isinstance(error, EndpointError) else f"{type(error).__name__}: {short_error(error)}"
            )
            raise
        finally:
            latency_ms = (time.perf_counter() - started) * 1000
            usage = response.usage if response is not None else None
            if usage is not None:
                state.usage.prompt_tokens += usage.prompt_tokens
                state.usage.completion_tokens += usage.completion_tokens
                state.last_completion_tokens = usage.completion_tokens
            if response is not None:
                state.usage.calls += 1
                choice = response.choices[0] if response.choices else None
                content = choice.message.content if choice else None
                state.repeated = content is not None and content == state.last_content
                state.last_content = content
            if self.store is not None:
                self.store.log_call(
                    CallRecord(
                        backend=self.backend.name,
                        model=self.backend.model,
                        prompt_hash=state.info.prompt_hash,
                        article_id=state.info.article_id,
                        step=state.info.step,
                        attempt=state.attempt,
                        request=_loggable(request),
                        response=response.model_dump(mode="json") if response is not None else None,
                        prompt_tokens=usage.prompt_tokens if usage else None,
                        completion_tokens=usage.completion_tokens if usage else None,
                        latency_ms=latency_ms,
                        error=error_text,
                        article_text=state.info.article_text,
                        exchange=state.exchange,
                    )
                )


@lru_cache(maxsize=512)
def _prepared(response_model: type[BaseModel]) -> type[BaseModel]:
    """Instructor's wrapping of a response model, made (and checked for async validators) once per model."""
    reject_async_validators(response_model)
    return response_schema(response_model)


@built_once
def _handlers() -> Any:
    """Instructor's request, parse and reask handlers for OpenAI-style JSON-schema answers."""
    handle_response_model(None, mode=MODE)  # loads instructor's handler registry
    return mode_registry.get_handlers(Provider.OPENAI, MODE)


@lru_cache(maxsize=512)
def _response_format(response_model: type[BaseModel]) -> dict[str, Any]:
    """Instructor's ``response_format`` for a model, generated once (a JSON schema takes milliseconds).

    Callers must not mutate it: it is shared by every request for the model.
    """
    _, request = handle_response_model(_prepared(response_model), mode=MODE, messages=[])
    return request["response_format"]


def _as_sent(content: str) -> str:
    """Message text as sent: without one trailing newline (as Jinja rendering always did)."""
    return content.removesuffix("\n")


def _loggable(request: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in request.items() if key not in ("extra_headers", "timeout")}


#: The most validation errors a reask lists.
REASK_ERRORS = 5


def _short_reask(request: dict[str, Any], error: BaseException) -> dict[str, Any]:
    """Instructor's reask with its last message cut to what the model can act on: where and what is wrong.

    Instructor's message repeats the whole failed input and a documentation link for every error;
    on a small local model every token of it is read at about 30 tokens a second.
    """
    messages = request.get("messages") or []
    if not isinstance(error, ValidationError) or not messages or messages[-1].get("role") != "user":
        return request
    problems = [
        f"- {_where(item)}: {item['msg'].removeprefix('Value error, ')}" for item in error.errors()[:REASK_ERRORS]
    ]
    text = "Your JSON answer has errors. Answer again with the whole JSON object, corrected:\n" + "\n".join(problems)
    return {**request, "messages": [*messages[:-1], {**messages[-1], "content": text}]}


def _where(item: Any) -> str:
    """Where in the answer a validation error is ("coalitions.0.members"), or "answer" for the whole of it."""
    return ".".join(str(part) for part in item["loc"]) or "answer"


def _validation_summary(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        problems = [f"{_where(item)}: {item['msg']}" for item in error.errors()[:3]]
        more = f" (+{error.error_count() - 3} more)" if error.error_count() > 3 else ""
        return "; ".join(problems)[:400] + more
    return short_error(error)
