"""Extraction of thousands of articles through the OpenAI Batch API, resumable and idempotent.

The batch path adds only the file/batch protocol and its job state to the synchronous one:

- **build**: every question of every article becomes one request line
  ``{"custom_id", "method", "url", "body"}``. The body is the request the synchronous path
  sends first (built by :meth:`summarise.extraction.extract.Extractor.requests`), with the response
  schema made strict as the Batch API wants it. Articles whose brief is already cached under
  the same model and prompts get no request; an input whose text was already read is skipped
  and named, as ``summarise extract`` names it; an article whose requests cannot be built (a
  bug) is recorded as failed with the reason, and extracted synchronously at collect. Files are
  split at 50,000 requests or 200 MB. The job id is a hash of the model, the prompts and the
  article ids: the same command finds the same job.
- **submit**: each file is uploaded (``purpose="batch"``, named by its job and part, the sha256
  of its bytes recorded first) and a batch created (``/v1/chat/completions``, ``24h``) with the
  job id in its metadata. Before uploading or creating, the remote lists are searched for what
  an interrupted run already did (an upload counts only with this part's name and recorded
  hash), so no request is submitted twice and no job takes another's file.
- **collect**: output and error files are downloaded (to a ``.partial`` file, then renamed),
  every line is kept in the store once (an unknown ``custom_id`` is reported), and each article
  is then extracted by the normal :class:`~summarise.extraction.extract.Extractor` whose backend answers
  from the batch results. An answer that fails validation is reasked, and a request the batch
  did not answer (failed line, expired or cancelled batch) is sent, synchronously to the same
  model, with the normal validated retries. Every brief lands in the brief cache, once. An
  article that fails, even by a bug of ours (not a :class:`SummariseError`), is recorded as
  failed with the reason; the other articles are extracted and their brief written all the same.
- **run --local**: the same job, executed by the synchronous backend (embedded model or any
  endpoint) with bounded concurrency instead of the Batch API.

Everything streams: articles are read one at a time, request and output files line by line.
The environment variable ``SUMMARISE_CRASH_AT`` (a stage name) kills the process at that stage;
tests use it to prove that running the command again finishes the job.

:class:`BatchJobs` builds, collects and runs jobs here; the calls to the Batch API are in
:mod:`summarise.batch.api`, the request files and the answers served back in :mod:`summarise.batch.parts`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from summarise.articles import Article, iter_articles
from summarise.articles.story import Story, story_hash
from summarise.batch.api import ENDPOINT, BatchNotReady, RemoteBatches
from summarise.batch.parts import (
    MAX_BYTES_PER_BATCH,
    MAX_REQUESTS_PER_BATCH,
    BatchAnswersBackend,
    BuildReport,
    CollectReport,
    PartWriter,
    checkpoint,
    strict_response_format,
)
from summarise.batch.tables import BatchTables
from summarise.exceptions import ConfigError, EngineCrashedError, InputError, SummariseError, failure_reason
from summarise.extraction.extract import Extractor, cached_brief
from summarise.extraction.templates import PromptSet, load_prompts
from summarise.llm import BackendConfig, RetryPolicy, StructuredClient, backend_capabilities, make_backend
from summarise.llm.base import ChatBackend, request_key
from summarise.llm.capabilities import Capabilities
from summarise.llm.client import short_error
from summarise.pipeline import ordered
from summarise.schemas import ArticleBrief
from summarise.store.database import Store, default_home

__all__ = [
    "BatchAnswersBackend",
    "BatchJobs",
    "BatchNotReady",
    "BuildReport",
    "CollectReport",
    "checkpoint",
    "strict_response_format",
]


class BatchJobs(RemoteBatches):
    """Build, submit, follow and collect batch jobs for one model configuration.

    Uploading, creating, following and downloading the batches is :class:`~summarise.batch.api.RemoteBatches`'s.
    """

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
        self.tables = BatchTables(self.store)
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
        stored = self.tables.combined(job)
        if stored is not None:
            return stored
        if self.tables.job(job) is not None:  # built before the way was recorded: an endpoint's were combined
            return self.target.name == "openai"
        return self.capabilities.combined

    def job_id(self, inputs: list[str], problems: list[str], duplicates: list[tuple[str, str]] | None = None) -> str:
        """The job of these inputs under this model and these prompts (inputs are read once, streaming).

        Unreadable inputs are added to ``problems``, inputs whose text was already read to
        ``duplicates`` as ``(skipped source, first source)``.
        """
        digest = hashlib.sha256(f"{self.target.identity()}\n{self.prompts.hash}\n{story_hash(self.story)}\n".encode())
        ids = []
        for item in iter_articles(inputs):
            if isinstance(item, Article):
                ids.append(item.id)
            elif isinstance(item, InputError):
                problems.append(str(item))
            elif duplicates is not None:
                duplicates.append(item)
        if not ids:
            raise InputError(", ".join(inputs)[:200], "no article to send")
        for article_id in sorted(ids):
            digest.update(article_id.encode())
        return digest.hexdigest()[:12]

    def build(
        self, inputs: list[str], *, local: bool = False, report: BuildReport | None = None
    ) -> tuple[str, list[str]]:
        """Write the job's request files and record its requests; returns ``(job, input problems)``.

        ``report``, if given, receives the inputs skipped as duplicates and the articles whose
        requests could not be built (recorded as failed: collect extracts them synchronously).
        """
        report = report if report is not None else BuildReport()
        problems: list[str] = []
        job = self.job_id(inputs, problems, report.duplicates)
        combined = self._combined(job)  # before the job's row exists: a new job asks as the backend can answer
        self.tables.create_job(
            job,
            backend=self.target.identity(),
            model=self.target.model,
            prompt_hash=self.prompts.hash,
            local=local,
            inputs=[str(Path(i).resolve()) if i != "-" else i for i in inputs],
        )
        self.tables.set_combined(job, combined)
        if self.job_row(job)["built"]:
            return job, problems
        self.tables.forget_build(job)
        folder = self.folder / job
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("requests-*"):
            stale.unlink()
        extractor = self._extractor(self.target, job)
        with PartWriter(folder, job, self.store, self.max_requests, self.max_bytes) as parts:
            for item in iter_articles(inputs):
                if not isinstance(item, Article):
                    continue
                key = extractor.cache_key(item)
                if self.store.cached_brief(key):
                    self.tables.add_article(job, item.id, item.source, "cached", key, [])
                    continue
                try:
                    lines = list(self._request_lines(extractor, item))
                except ConfigError:  # the same for every article: the command stops
                    raise
                except Exception as error:  # this article's own failure, a bug of ours included: the others go on
                    report.failed.append(f"{item.source}: {failure_reason(error)}")
                    self.tables.add_article(job, item.id, item.source, "failed", key, [])
                    continue
                rows = []
                for custom_id, step, line, request_hash in lines:  # written once all of them are built
                    rows.append((custom_id, parts.write(line), step, request_hash))
                self.tables.add_article(job, item.id, item.source, "pending", key, rows)
                checkpoint("building")
        self.tables.mark_built(job)
        return job, problems

    def _custom_id(self, article: Article, step: str) -> str:
        """The id of an article's request for ``step`` under these prompts, in the request file and its answers."""
        return f"{article.id}-{self.prompts.hash}-{step}"

    def _request_lines(self, extractor: Extractor, article: Article) -> Iterator[tuple[str, str, str, str]]:
        """``(custom_id, step, request file line, request key)`` of each request of ``article``."""
        for step, request in extractor.requests(article):
            custom_id = self._custom_id(article, step)
            body = {**request, "response_format": strict_response_format(request["response_format"])}
            line = {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body}
            yield custom_id, step, json.dumps(line, ensure_ascii=False) + "\n", request_key(request)

    # --- collecting -----------------------------------------------------------------------------

    def _same_prompts(self, job: str) -> dict[str, Any]:
        """The job's row, if it was built with these prompts; else a clear error (never a silent re-send)."""
        row = self.job_row(job)
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
        states = {a["article_id"]: (a["state"], a["cache_key"]) for a in self.tables.articles(job)}
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
            except Exception as error:  # a bug of ours included: that article fails, the others are extracted
                report.failed.append(f"{item.source}: {failure_reason(error)}")
                self.tables.set_article_state(job, item.id, "failed")
                if on_article:
                    on_article(item.source, None)
                continue
            report.extracted += 1
            if brief.extraction and brief.extraction.failed_steps:
                report.incomplete.append(item.source)
                self.tables.set_article_state(job, item.id, "incomplete")
            else:
                self.tables.set_article_state(job, item.id, "done")
            briefs.append(brief)
            if on_article:
                on_article(item.source, brief)
            checkpoint("extracted")
        report.from_batch += backend.from_batch
        report.unusable += backend.unusable
        report.redriven += backend.redriven
        counts = self.tables.counts(job)  # the job's, as `summarise batch status` counts them
        report.requests, report.answered = counts["requests"], counts["answered"]
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
        row = self.job_row(job)
        extractor = self._extractor(self.target, job)
        pending = {a["article_id"] for a in self.tables.articles(job, "pending")}
        sent = 0

        def work() -> Iterator[tuple[str, dict[str, Any]]]:
            for item in iter_articles(json.loads(row["inputs"])):
                if not isinstance(item, Article) or item.id not in pending:
                    continue
                try:
                    requests = extractor.requests(item)
                except ConfigError:
                    raise
                except Exception:  # left unanswered: collect extracts that article and says why it fails
                    continue
                for step, request in requests:
                    custom_id = self._custom_id(item, step)
                    if not self.tables.has_result(job, custom_id):
                        yield custom_id, request

        def answer(custom_id: str, request: dict[str, Any]) -> None:
            try:
                completion = self.target.complete(request)
            except EngineCrashedError:  # every request after it would crash too: stop, a rerun resumes here
                raise
            except SummariseError as error:
                self.keep_result(job, custom_id, None, {"message": str(error)})
            except Exception as error:  # a failed line, as the Batch API reports one; re-driven at collect
                self.keep_result(job, custom_id, None, {"message": f"{type(error).__name__}: {short_error(error)}"})
            else:
                self.keep_result(job, custom_id, {"status_code": 200, "body": completion.model_dump(mode="json")}, None)

        for _, outcome in ordered(lambda pair: answer(*pair), work(), max(1, concurrency)):
            if isinstance(outcome, BaseException):  # answer() keeps every request's own failure: a crash, or ours
                raise outcome
            sent += 1
            if on_done:
                on_done(sent)
        return sent

    def close(self) -> None:
        """Close the model and the store."""
        if self._target is not None:
            self._target.close()
        if self._openai is not None:
            self._openai.close()
        self.store.close()
