"""Every error summarise raises on purpose.

Each message says whose mistake it is and what to do next. The CLI prints
``str(error)`` on one line and exits with ``error.exit_code``; library callers
catch :class:`SummariseError`.
"""

from __future__ import annotations

from typing import Literal

from summarise.text.secrets import short_error


class SummariseError(Exception):
    """Base class of all expected failures."""

    exit_code = 1


class UsageError(SummariseError):
    """A command-line option has a value the command does not accept."""

    exit_code = 2


class InputError(SummariseError):
    """An input (file, stdin, JSONL line) cannot be read as an article."""

    exit_code = 2

    def __init__(self, source: str, problem: str, *, transient: bool = False) -> None:
        self.source = source
        self.problem = problem
        #: the input may read at another time (a site down, a timeout): ``watch`` tries it again
        self.transient = transient
        super().__init__(f"{source}: {problem}")


class StoryError(SummariseError):
    """A story file is missing, not TOML, or says something a story cannot say."""

    exit_code = 2

    def __init__(self, source: str, problem: str, *, transient: bool = False) -> None:
        self.source = source
        self.problem = problem
        #: the input may read at another time (a site down, a timeout): ``watch`` tries it again
        self.transient = transient
        super().__init__(f"{source}: {problem}")


class ConfigError(SummariseError):
    """The configuration (backend, model, key, GGUF path) is unusable."""

    exit_code = 3


def failure_reason(error: BaseException) -> str:
    """Why an article failed, as every command says it: a bug of ours (not a SummariseError) is an internal error."""
    if isinstance(error, SummariseError):
        return str(error)
    return f"internal error {type(error).__name__}: {error}"


class StoreDamagedError(ConfigError):
    """The store's file is damaged: SQLite finds it malformed, or not a database at all."""

    def __init__(self, path: str, problem: str, recovery: str) -> None:
        self.path = path
        self.problem = problem
        self.recovery = recovery
        super().__init__(f"the store {path} is damaged (SQLite: {problem}). {recovery}")


class MissingDependencyError(SummariseError):
    """A module summarise needs at run time is not installed (a broken or partial install)."""

    exit_code = 2

    def __init__(self, module: str, install: str) -> None:
        self.module = module
        self.install = install
        super().__init__(f"the Python module '{module}' is missing: {install}")


class ModelUnavailableError(ConfigError):
    """The embedded model or its runtime cannot be loaded."""


class EngineCrashedError(ModelUnavailableError):
    """The embedded engine's worker process died (a native crash, a kill): the run stops, what finished is kept."""

    exit_code = 7

    def __init__(self, *, cause: str, doing: str, cpu: str, amx_kernels: bool, rebuild: str) -> None:
        self.cause = cause
        self.doing = doing
        self.cpu = cpu
        self.amx_kernels = amx_kernels
        self.rebuild = rebuild
        why = (
            "; this build has llama.cpp's AMX kernels, which crash on some CPUs with AMX (llama.cpp issue 20824)"
            if amx_kernels
            else ""
        )
        super().__init__(
            f"the embedded engine (llama.cpp) died {doing}: {cause}, on {cpu}{why}. Briefs finished before are "
            f"kept and a rerun resumes. Rebuild the engine for this CPU: {rebuild}; `summarise doctor` then checks it"
        )


class ReplayMissingError(SummariseError):
    """The replay backend has no recording for a request."""

    exit_code = 4

    def __init__(self, key: str, directory: str) -> None:
        self.key = key
        self.directory = directory
        super().__init__(
            f"no recorded exchange {key} in {directory}: re-record the fixtures "
            "(see docs/development.md, 'Recorded fixtures') or use another backend"
        )


class TransportError(SummariseError):
    """The model endpoint kept failing (rate limits, 5xx, timeouts) after every retry."""

    exit_code = 5


class ContextOverflowError(SummariseError):
    """An article (with its prompt) does not fit the model's context window."""

    exit_code = 2


class BackendError(SummariseError):
    """A backend failed in an unexpected way (not a transport or validation failure)."""

    exit_code = 1


#: What an :class:`EndpointError` says failed.
EndpointFailure = Literal["unreachable", "key", "model", "context", "status"]


class EndpointError(SummariseError):
    """One request to a model endpoint failed: a backend's translation of its SDK's error.

    ``kind`` says what failed: ``unreachable`` (no answer: the connection was refused or dropped,
    or timed out), ``key`` (the endpoint rejected the API key), ``model`` (it has no such model),
    ``context`` (the prompt does not fit the model's context) or ``status`` (any other HTTP error;
    ``status`` is its code). ``transient`` says whether the same request is worth sending again,
    after ``retry_after`` seconds when the endpoint said how long to wait. ``source`` names the
    SDK's error and ``detail`` is its message; the exception's own message is both, on one short
    line with secrets masked (as the call log keeps a failed attempt).

    The validated client (:mod:`summarise.llm.client`) retries a transient one and reports the
    last as a :class:`TransportError`, :class:`ConfigError` or :class:`ContextOverflowError`; code
    that asks a backend directly sees this one.
    """

    exit_code = 5

    def __init__(
        self,
        source: str,
        detail: str,
        *,
        kind: EndpointFailure,
        status: int | None = None,
        transient: bool = False,
        retry_after: float | None = None,
    ) -> None:
        self.source = source
        self.detail = detail
        self.kind = kind
        self.status = status
        self.transient = transient
        self.retry_after = retry_after
        super().__init__(f"{source}: {short_error(detail)}")


class ExtractionError(SummariseError):
    """The model's answers for one article never passed validation."""

    exit_code = 6

    def __init__(self, article_id: str, step: str, attempts: int, detail: str) -> None:
        self.article_id = article_id
        self.step = step
        self.attempts = attempts
        self.detail = detail
        self.last_content: str | None = None
        self.usage: object | None = None
        super().__init__(f"article {article_id}: step '{step}' failed validation after {attempts} attempts: {detail}")
