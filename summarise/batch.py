"""Extraction of thousands of articles through the OpenAI Batch API, resumable and idempotent.

The batch path adds only the file/batch protocol and its job state to the synchronous one:

- **build**: every question of every article becomes one request line
  ``{"custom_id", "method", "url", "body"}``. The body is the request the synchronous path
  sends first (built by :meth:`summarise.extract.Extractor.requests`), with the response
  schema made strict as the Batch API wants it. Articles whose brief is already cached under
  the same model and prompts get no request. Files are split at 50,000 requests or 200 MB.
  The job id is a hash of the model, the prompts and the article ids: the same command finds
  the same job.
- **submit**: each file is uploaded (``purpose="batch"``) and a batch created
  (``/v1/chat/completions``, ``24h``) with the job id in its metadata. Before uploading or
  creating, the remote lists are searched for what an interrupted run already did, so no
  request is submitted twice.
- **collect**: output and error files are downloaded (to a ``.partial`` file, then renamed),
  every line is kept in the store once (an unknown ``custom_id`` is reported), and each article
  is then extracted by the normal :class:`~summarise.extract.Extractor` whose backend answers
  from the batch results. An answer that fails validation is reasked, and a request the batch
  did not answer (failed line, expired or cancelled batch) is sent, synchronously to the same
  model, with the normal validated retries. Every brief lands in the brief cache, once.
- **run --local**: the same job, executed by the synchronous backend (embedded model or any
  endpoint) with bounded concurrency instead of the Batch API.

Everything streams: articles are read one at a time, request and output files line by line.
The environment variable ``SUMMARISE_CRASH_AT`` (a stage name) kills the process at that stage;
tests use it to prove that running the command again finishes the job.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from openai.types.chat import ChatCompletion

from summarise.articles import Article, iter_articles
from summarise.exceptions import ConfigError, InputError, SummariseError, TransportError
from summarise.extract import Extractor, cached_brief
from summarise.llm import BackendConfig, RetryPolicy, StructuredClient, backend_capabilities, make_backend
from summarise.llm.base import ChatBackend, WrappingBackend, request_key
from summarise.llm.capabilities import Capabilities
from summarise.llm.client import short_error
from summarise.schemas import ArticleBrief
from summarise.store import Store, default_home
from summarise.story import Story, story_hash
from summarise.templates import PromptSet, load_prompts

ENDPOINT = "/v1/chat/completions"
COMPLETION_WINDOW = "24h"
MAX_REQUESTS_PER_BATCH = 50_000
MAX_BYTES_PER_BATCH = 200 * 1024 * 1024
PENDING_STATES = {"validating", "in_progress", "finalizing", "cancelling"}
TERMINAL_STATES = {"completed", "failed", "expired", "cancelled"}


class BatchNotReady(SummariseError):
    """A batch of the job is still running: collect again later."""

    exit_code = 75  # EX_TEMPFAIL


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
        self.store = store
        self.job = job
        self.from_batch = 0
        self.redriven = 0
        self._lock = threading.Lock()

    def complete(self, request: dict[str, Any]) -> ChatCompletion:
        """The batch's answer to ``request``, else the synchronous backend's."""
        body = _usable(self.store.batch_answer(self.job, request_key(request)))
        with self._lock:
            if body is not None:
                self.from_batch += 1
            else:
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
class CollectReport:
    """What collecting a job did."""

    job: str
    articles: int = 0
    extracted: int = 0
    cached: int = 0
    failed: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    lines: int = 0
    unknown_ids: list[str] = field(default_factory=list)
    bad_lines: int = 0
    from_batch: int = 0
    redriven: int = 0


class BatchJobs:
    """Build, submit, follow and collect batch jobs for one model configuration."""

    def __init__(
        self,
        config: BackendConfig,
        store: Store | None = None,
        *,
        prompts: PromptSet | None = None,
        policy: RetryPolicy | None = None,
        max_requests: int = MAX_REQUESTS_PER_BATCH,
        max_bytes: int = MAX_BYTES_PER_BATCH,
        folder: Path | None = None,
        target: ChatBackend | None = None,
        story: Story | None = None,
    ) -> None:
        self.config = config
        self.story = story
        self.store = store or Store()
        self.prompts = prompts or load_prompts()
        self.policy = policy or RetryPolicy()
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.folder = folder or default_home() / "batches"
        self._target = target
        self._openai: Any = None

    # --- building -------------------------------------------------------------------------------

    @property
    def target(self) -> ChatBackend:
        """The synchronous backend of the model (built on first use)."""
        if self._target is None:
            self._target = make_backend(self.config)
        return self._target

    @property
    def capabilities(self) -> Capabilities:
        """How the model is best asked (:mod:`summarise.llm.capabilities`)."""
        return backend_capabilities(self.config)

    def _extractor(self, backend: ChatBackend, job: str) -> Extractor:
        # As `summarise extract` asks (every question of an article in one request for an endpoint: one
        # Batch API line and the article's tokens once per article), so their caches are shared; a job
        # keeps the way it was built, whatever the endpoint says of itself when it is collected.
        return Extractor(
            StructuredClient(backend, store=self.store, policy=self.policy),
            store=self.store,
            prompts=self.prompts,
            combined=self._combined(job),
            story=self.story,
        )

    def _combined(self, job: str) -> bool:
        stored = self.store.batch_combined(job)
        if stored is not None:
            return stored
        if self.store.batch_job(job) is not None:  # built before the way was recorded: an endpoint's were combined
            return self.target.name == "openai"
        return self.capabilities.combined

    def job_id(self, inputs: list[str], problems: list[str]) -> str:
        """The job of these inputs under this model and these prompts (inputs are read once, streaming)."""
        digest = hashlib.sha256(f"{self.target.identity()}\n{self.prompts.hash}\n{story_hash(self.story)}\n".encode())
        ids = []
        for item in iter_articles(inputs):
            if isinstance(item, Article):
                ids.append(item.id)
            elif isinstance(item, InputError):
                problems.append(str(item))
        if not ids:
            raise InputError(", ".join(inputs)[:200], "no article to send")
        for article_id in sorted(ids):
            digest.update(article_id.encode())
        return digest.hexdigest()[:12]

    def build(self, inputs: list[str], *, local: bool = False) -> tuple[str, list[str]]:
        """Write the job's request files and record its requests; returns ``(job, input problems)``."""
        problems: list[str] = []
        job = self.job_id(inputs, problems)
        combined = self._combined(job)  # before the job's row exists: a new job asks as the backend can answer
        self.store.create_batch_job(
            job,
            backend=self.target.identity(),
            model=self.target.model,
            prompt_hash=self.prompts.hash,
            local=local,
            inputs=[str(Path(i).resolve()) if i != "-" else i for i in inputs],
        )
        self.store.set_batch_combined(job, combined)
        if self.store.batch_job(job)["built"]:
            return job, problems
        self.store.forget_batch_build(job)
        folder = self.folder / job
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("requests-*"):
            stale.unlink()
        extractor = self._extractor(self.target, job)
        with _PartWriter(folder, job, self.store, self.max_requests, self.max_bytes) as parts:
            for item in iter_articles(inputs):
                if not isinstance(item, Article):
                    continue
                key = extractor.cache_key(item)
                if self.store.cached_brief(key):
                    self.store.add_batch_article(job, item.id, item.source, "cached", key, [])
                    continue
                rows = []
                for step, request in extractor.requests(item):
                    custom_id = f"{item.id}-{self.prompts.hash}-{step}"
                    body = {**request, "response_format": strict_response_format(request["response_format"])}
                    line = {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body}
                    part = parts.write(json.dumps(line, ensure_ascii=False) + "\n")
                    rows.append((custom_id, part, step, request_key(request)))
                self.store.add_batch_article(job, item.id, item.source, "pending", key, rows)
                checkpoint("building")
        self.store.mark_batch_built(job)
        return job, problems

    # --- the Batch API --------------------------------------------------------------------------

    @property
    def openai(self) -> Any:
        """The SDK client of the configured endpoint."""
        if self._openai is None:
            import openai

            if not self.config.api_key and not self.config.base_url:
                raise ConfigError(
                    "the Batch API needs an endpoint: set OPENAI_API_KEY (and OPENAI_BASE_URL for another "
                    "OpenAI-compatible server), or use `summarise batch run --local`"
                )
            self._openai = openai.OpenAI(
                api_key=self.config.api_key or "not-needed", base_url=self.config.base_url, max_retries=3, timeout=120
            )
        return self._openai

    def submit(self, job: str) -> list[dict[str, Any]]:
        """Upload every part and create its batch, skipping what an earlier run already did."""
        import openai

        try:
            for part in self.store.batch_parts(job):
                if part["requests"] == 0 or part["batch_id"]:
                    continue
                name = Path(part["path"]).name
                if not part["file_id"]:
                    file_id = self._uploaded(name, part["bytes"])
                    if file_id is None:
                        with open(part["path"], "rb") as handle:
                            file_id = self.openai.files.create(file=(name, handle), purpose="batch").id
                        checkpoint("uploading")
                    self.store.set_batch_part(job, part["part"], file_id=file_id)
                    part["file_id"] = file_id
                    checkpoint("uploaded")
                batch = self._created(job, part["part"])
                if batch is None:
                    batch = self.openai.batches.create(
                        input_file_id=part["file_id"],
                        endpoint=ENDPOINT,
                        completion_window=COMPLETION_WINDOW,
                        metadata={"summarise_job": job, "summarise_part": str(part["part"])},
                    )
                    checkpoint("creating")
                self.store.set_batch_part(job, part["part"], batch_id=batch.id, status=batch.status)
                checkpoint("created")
        except openai.APIError as error:
            raise TransportError(f"the Batch API failed: {type(error).__name__}: {short_error(error)}") from None
        return self.store.batch_parts(job)

    def _uploaded(self, name: str, size: int) -> str | None:
        for remote in self.openai.files.list(purpose="batch"):
            if remote.filename == name and remote.bytes == size:
                return remote.id
        return None

    def _created(self, job: str, part: int) -> Any:
        for batch in self.openai.batches.list(limit=100):
            metadata = batch.metadata or {}
            if metadata.get("summarise_job") == job and metadata.get("summarise_part") == str(part):
                return batch
        return None

    def refresh(self, job: str) -> list[dict[str, Any]]:
        """Ask the Batch API for the state of each part of a submitted job."""
        import openai

        local = bool(self.store.batch_job(job)["local"])
        for part in self.store.batch_parts(job):
            if local or not part["batch_id"] or (part["status"] in TERMINAL_STATES and part["ingested"]):
                continue
            try:
                batch = self.openai.batches.retrieve(part["batch_id"])
            except openai.APIError as error:
                raise TransportError(f"the Batch API failed: {type(error).__name__}: {short_error(error)}") from None
            counts = batch.request_counts.model_dump() if batch.request_counts else None
            self.store.set_batch_part(
                job,
                part["part"],
                status=batch.status,
                counts=json.dumps(counts) if counts else None,
                output_file_id=batch.output_file_id,
                error_file_id=batch.error_file_id,
            )
        return self.store.batch_parts(job)

    # --- collecting -----------------------------------------------------------------------------

    def download(self, job: str, report: CollectReport) -> None:
        """Fetch and keep every output and error line of the job's finished parts."""
        for part in self.refresh(job):
            if part["requests"] == 0 or part["ingested"]:
                continue
            if not part["batch_id"]:
                raise BatchNotReady(f"job {job}: part {part['part']} was never submitted: run `summarise batch submit`")
            if part["status"] not in TERMINAL_STATES:
                raise BatchNotReady(
                    f"job {job}: batch {part['batch_id']} is {part['status']}: run `summarise batch collect` later"
                )
            for kind in ("output", "error"):
                file_id = part[f"{kind}_file_id"]
                if not file_id:
                    continue
                path = Path(part["path"]).with_name(f"{kind}-{part['part']:03d}.jsonl")
                if not path.exists():
                    self._fetch(file_id, path)
                checkpoint("downloaded")
                self.ingest(job, path, report)
            self.store.set_batch_part(job, part["part"], ingested=1)

    def _fetch(self, file_id: str, path: Path) -> None:
        partial = path.with_suffix(".partial")
        with self.openai.files.with_streaming_response.content(file_id) as response, open(partial, "wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
        partial.replace(path)

    def ingest(self, job: str, path: Path, report: CollectReport) -> None:
        """Keep each line of an output or error file (once); report lines that cannot be used."""
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                report.lines += 1
                try:
                    record = json.loads(line)
                    custom_id = record["custom_id"]
                except (ValueError, KeyError, TypeError):
                    report.bad_lines += 1
                    continue
                if self.store.batch_request(job, custom_id) is None:
                    report.unknown_ids.append(str(custom_id))
                    continue
                self.keep_result(job, custom_id, record.get("response"), record.get("error"))

    def keep_result(self, job: str, custom_id: str, response: Any, error: Any) -> None:
        """Store one result; a body that is not a chat completion counts as no answer."""
        status = response.get("status_code") if isinstance(response, dict) else None
        body = response.get("body") if isinstance(response, dict) else None
        text = None
        if status == 200 and isinstance(body, dict):
            try:
                text = ChatCompletion.model_validate(body).model_dump_json()
            except ValueError:
                status, error = None, {"message": "the response body is not a chat completion"}
        self.store.save_batch_result(job, custom_id, status, text, json.dumps(error) if error else None)

    def _same_prompts(self, job: str) -> dict[str, Any]:
        """The job's row, if it was built with these prompts; else a clear error (never a silent re-send)."""
        row = self.store.batch_job(job)
        if row["prompt_hash"] != self.prompts.hash:
            raise ConfigError(
                f"job {job} was built with prompts {row['prompt_hash']}, this summarise has {self.prompts.hash}: "
                "collect it with the version of summarise that submitted it (its answers would not match these "
                "prompts, and every request would be sent again synchronously)"
            )
        return row

    def finish(
        self, job: str, report: CollectReport, on_article: Callable[[str, ArticleBrief | None], None] | None = None
    ) -> list[ArticleBrief]:
        """Extract every pending article from the batch answers (re-driving what is missing); return all briefs."""
        row = self._same_prompts(job)
        inputs = json.loads(row["inputs"])
        states = {a["article_id"]: (a["state"], a["cache_key"]) for a in self.store.batch_articles(job)}
        backend = BatchAnswersBackend(self.store, job, self.target)
        extractor = self._extractor(backend, job)
        briefs: list[ArticleBrief] = []
        for item in iter_articles(inputs):
            if not isinstance(item, Article) or item.id not in states:
                continue
            state, key = states[item.id]
            report.articles += 1
            cached = cached_brief(self.store, key, item) if state in ("done", "cached") else None
            if cached is not None:
                report.cached += 1
                briefs.append(cached)
                if on_article:
                    on_article(item.source, cached)
                continue
            try:
                brief = extractor.extract(item)
            except SummariseError as error:
                report.failed.append(f"{item.source}: {error}")
                self.store.set_batch_article_state(job, item.id, "failed")
                if on_article:
                    on_article(item.source, None)
                continue
            report.extracted += 1
            if brief.extraction and brief.extraction.failed_steps:
                report.incomplete.append(item.source)
                self.store.set_batch_article_state(job, item.id, "incomplete")
            else:
                self.store.set_batch_article_state(job, item.id, "done")
            briefs.append(brief)
            if on_article:
                on_article(item.source, brief)
            checkpoint("extracted")
        report.from_batch += backend.from_batch
        report.redriven += backend.redriven
        return briefs

    def collect(
        self, job: str, on_article: Callable[[str, ArticleBrief | None], None] | None = None
    ) -> tuple[list[ArticleBrief], CollectReport]:
        """Download (remote jobs), then extract every article; safe to run again at any point."""
        report = CollectReport(job)
        if not self._same_prompts(job)["local"]:
            self.download(job, report)
        briefs = self.finish(job, report, on_article)
        return briefs, report

    # --- local execution ------------------------------------------------------------------------

    def run_local(self, job: str, concurrency: int = 1, on_done: Callable[[int], None] | None = None) -> int:
        """Answer the job's requests with the synchronous backend, ``concurrency`` at a time.

        The requests are those of the request files, sent as the synchronous path sends them
        (the files' strict schema is the Batch API's form of the same schema). Results are
        kept as they arrive; a request already answered is not sent again.
        """
        row = self.store.batch_job(job)
        extractor = self._extractor(self.target, job)
        pending = {a["article_id"] for a in self.store.batch_articles(job, "pending")}
        sent = 0

        def work() -> Iterator[tuple[str, dict[str, Any]]]:
            for item in iter_articles(json.loads(row["inputs"])):
                if isinstance(item, Article) and item.id in pending:
                    for step, request in extractor.requests(item):
                        custom_id = f"{item.id}-{self.prompts.hash}-{step}"
                        if not self.store.batch_has_result(job, custom_id):
                            yield custom_id, request

        def answer(custom_id: str, request: dict[str, Any]) -> None:
            try:
                completion = self.target.complete(request)
            except SummariseError as error:
                self.keep_result(job, custom_id, None, {"message": str(error)})
            except Exception as error:  # a failed line, as the Batch API reports one; re-driven at collect
                self.keep_result(job, custom_id, None, {"message": f"{type(error).__name__}: {short_error(error)}"})
            else:
                self.keep_result(job, custom_id, {"status_code": 200, "body": completion.model_dump(mode="json")}, None)

        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            running: set[Future[None]] = set()
            for custom_id, request in work():
                if len(running) >= max(1, concurrency) * 2:
                    done, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()
                running.add(pool.submit(answer, custom_id, request))
                sent += 1
                if on_done:
                    on_done(sent)
            for future in running:
                future.result()
        return sent

    def close(self) -> None:
        """Close the model and the store."""
        if self._target is not None:
            self._target.close()
        if self._openai is not None:
            self._openai.close()
        self.store.close()


class _PartWriter:
    """Request lines into files of at most ``max_requests`` lines and ``max_bytes`` bytes."""

    def __init__(self, folder: Path, job: str, store: Store, max_requests: int, max_bytes: int) -> None:
        self.folder, self.job, self.store = folder, job, store
        self.max_requests, self.max_bytes = max_requests, max_bytes
        self.part = 0
        self.handle: Any = None
        self.count = 0
        self.size = 0

    def __enter__(self) -> _PartWriter:
        return self

    def write(self, line: str) -> int:
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
        self.store.set_batch_part(self.job, self.part, path=str(self._path()), requests=self.count, bytes=self.size)
        self.handle = None

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self._close()
        elif self.handle is not None:
            self.handle.close()
