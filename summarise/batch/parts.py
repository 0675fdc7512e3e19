"""The pieces of a batch job: request files, strict schemas, the answers served back, the collect report.

Request lines go into part files (:class:`PartWriter`) with the strict schema the Batch API wants;
:class:`BatchAnswersBackend` serves the kept answers to the extractor; :func:`checkpoint` is where
the tests crash a run.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from openai.types.chat import ChatCompletion

from summarise.batch.tables import BatchTables
from summarise.llm.base import ChatBackend, WrappingBackend, request_key
from summarise.store.database import Store

MAX_REQUESTS_PER_BATCH = 50_000
MAX_BYTES_PER_BATCH = 200 * 1024 * 1024


def checkpoint(stage: str) -> None:
    """Die here, as ``kill -9`` would, when ``SUMMARISE_CRASH_AT`` names this stage (for tests)."""
    if os.environ.get("SUMMARISE_CRASH_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def strict_response_format(response_format: dict[str, Any]) -> dict[str, Any]:
    """The same JSON schema in the strict form the Batch API wants: every object closed, every field required."""
    strict = copy.deepcopy(response_format)
    spec = strict.get("json_schema") or {}

    def close(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("default", None)
            if node.get("type") == "object" and isinstance(node.get("properties"), dict):
                node["additionalProperties"] = False
                node["required"] = list(node["properties"])
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(spec.get("schema"))
    spec["strict"] = True
    return strict


class BatchAnswersBackend(WrappingBackend):
    """Answers a request from the job's batch results; anything else goes to the synchronous backend.

    It takes the target model's name and identity, so the briefs it yields are cached exactly
    as a synchronous run with that model would cache them.
    """

    name: ClassVar[str] = "batch"

    def __init__(self, store: Store, job: str, target: ChatBackend) -> None:
        super().__init__(target)
        self.tables = BatchTables(store)
        self.job = job
        self.from_batch = 0
        self.unusable = 0
        self.redriven = 0
        self._lock = threading.Lock()

    def complete(self, request: dict[str, Any]) -> ChatCompletion:
        """The batch's answer to ``request``, else the synchronous backend's."""
        answer = self.tables.answer(self.job, request_key(request))
        body = _usable(answer)
        with self._lock:
            if body is not None:
                self.from_batch += 1
            else:
                self.unusable += answer is not None
                self.redriven += 1
        if body is not None:
            return ChatCompletion.model_validate_json(body)
        return self.inner.complete(request)


def _usable(body: str | None) -> str | None:
    """A batch answer worth validating: complete JSON content. Anything else is sent again synchronously."""
    if body is None:
        return None
    completion = ChatCompletion.model_validate_json(body)
    choice = completion.choices[0] if completion.choices else None
    if choice is None or choice.finish_reason == "length" or not choice.message.content:
        return None
    try:
        json.loads(choice.message.content)
    except ValueError:
        return None
    return body


@dataclass
class BuildReport:
    """What building a job found besides its requests: inputs dropped as duplicates, articles that failed."""

    #: ``(skipped source, first source)``: an article whose text was already read, as ``extract`` skips it
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    #: ``source: reason`` of an article whose requests could not be built (it is extracted synchronously at collect)
    failed: list[str] = field(default_factory=list)


@dataclass
class CollectReport:
    """What collecting a job did.

    ``requests`` and ``answered`` are the job's, as ``summarise batch status`` counts them (every
    request; those the batch answered with HTTP 200); ``from_batch``, ``unusable`` and ``redriven``
    are this run's: answers used, answers that were no JSON (or cut off) and so asked again, and
    requests sent synchronously (those, the unanswered ones and the reasks).
    """

    job: str
    articles: int = 0
    extracted: int = 0
    cached: int = 0
    failed: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    lines: int = 0
    unknown_ids: list[str] = field(default_factory=list)
    bad_lines: int = 0
    requests: int = 0
    answered: int = 0
    from_batch: int = 0
    unusable: int = 0
    redriven: int = 0


class PartWriter:
    """Request lines into files of at most ``max_requests`` lines and ``max_bytes`` bytes."""

    def __init__(self, folder: Path, job: str, store: Store, max_requests: int, max_bytes: int) -> None:
        self.folder, self.job, self.tables = folder, job, BatchTables(store)
        self.max_requests, self.max_bytes = max_requests, max_bytes
        self.part = 0
        self.handle: Any = None
        self.count = 0
        self.size = 0

    def __enter__(self) -> PartWriter:
        return self

    def write(self, line: str) -> int:
        """Write ``line`` to the current part (a new part when it would overflow); return the part's number."""
        data = line.encode("utf-8")
        if self.handle is None or self.count + 1 > self.max_requests or self.size + len(data) > self.max_bytes:
            self._close()
            self.part += 1
            self.handle = open(self._path(".partial"), "wb")  # noqa: SIM115 - closed by _close
            self.count = self.size = 0
        self.handle.write(data)
        self.count += 1
        self.size += len(data)
        return self.part

    def _path(self, suffix: str = "") -> Path:
        return self.folder / f"requests-{self.part:03d}.jsonl{suffix}"

    def _close(self) -> None:
        if self.handle is None:
            return
        self.handle.close()
        self._path(".partial").replace(self._path())
        self.tables.set_part(self.job, self.part, path=str(self._path()), requests=self.count, bytes=self.size)
        self.handle = None

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self._close()
        elif self.handle is not None:
            self.handle.close()
