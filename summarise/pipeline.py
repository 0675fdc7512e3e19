"""From article paths to briefs: load, reuse the cache, build the client once, extract concurrently.

The pipeline draws nothing: what happens is reported through a :class:`Listener` (the command
line draws a progress bar with it; a benchmark or a test can count). Briefs come out in input
order, each as soon as it and the ones before it are done; one article's failure is an outcome
of that article, never the end of the run (a configuration error, the same for every article,
is).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from summarise.exceptions import ConfigError, SummariseError, UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from summarise.articles import Article, LoadResult
    from summarise.llm.capabilities import Capabilities
    from summarise.schemas import ArticleBrief
    from summarise.store.database import Store


class RunOptions(Protocol):
    """What a run reads of its options: how to reach the model and how hard to try.

    The command line's ``ExtractionOptions`` (``cli/options.py``, where each option is declared
    once with its help) is one; a benchmark or a test may pass any object with these attributes.
    """

    backend: str | None
    model: str | None
    gguf: Path | None
    replay_dir: Path | None
    record: Path | None
    no_cache: bool
    reasks: int
    retries: int
    n_ctx: int | None
    concurrency: int | None
    rpm: int | None
    tpm: int | None
    #: "auto", "separate" or "combined" (or an enum member whose text is one)
    questions: Any
    #: the story file read and checked (a :class:`summarise.articles.story.Story`), or None
    story: Any


class Listener(Protocol):
    """What a run reports as it goes (every method may be called from the thread running the run)."""

    def started(self, run: Run) -> None:
        """The run is ready: the model (if any) is loaded and ``run.total`` articles are to come."""

    def step(self, article: Article, step: str) -> None:
        """``article`` is at ``step`` (reported when articles are extracted one at a time)."""

    def finished(self, article: Article, outcome: ArticleBrief | BaseException) -> None:
        """``article`` gave a brief, or failed with an error."""


@dataclass
class Run:
    """One extraction run: the articles read, and how they will be asked."""

    loaded: LoadResult
    config: Any  # the BackendConfig
    backend_name: str
    capabilities: Capabilities
    combined: bool
    workers: int
    store: Store
    #: briefs found in the cache, by article id (no model asked for these)
    cached: dict[str, ArticleBrief] = field(default_factory=dict)
    #: the chat backend, None when every brief is cached (no model, nor its SDK, is loaded then)
    chat: Any = None
    extractor: Any = None

    @property
    def total(self) -> int:
        """How many articles the run extracts."""
        return len(self.loaded.articles)

    def close(self) -> None:
        """Release the backend and the store."""
        if self.chat is not None:
            self.chat.close()
        self.store.close()


def load(articles: list[str]) -> LoadResult:
    """The articles behind ``articles`` (files, folders, ``-``), with the problems and duplicates found."""
    from summarise.articles import load_articles

    return load_articles(articles)


def prepare(
    loaded: LoadResult,
    options: RunOptions,
    build_backend: Callable[[Any], Any] | None = None,
) -> Run:
    """Work out how to ask, find the cached briefs and build the client (only when a brief is missing).

    ``build_backend(config)`` makes the chat backend (the command line passes one that draws
    the embedded model's assembly); by default :func:`summarise.llm.make_backend`. Raises
    :class:`SummariseError` for a configuration that cannot work.
    """
    from summarise.extraction.templates import load_prompts
    from summarise.llm import BackendConfig, backend_capabilities, resolve_backend_name
    from summarise.store.database import Store

    questions = str(options.questions)  # a Questions member is its text
    if questions not in ("auto", "separate", "combined"):
        raise UsageError(f"unknown questions '{questions}': use auto, separate or combined")
    config = BackendConfig.from_env(
        backend=options.backend,
        model=options.model,
        gguf=options.gguf,
        replay_dir=options.replay_dir,
        n_ctx=options.n_ctx,
    )
    prompts = load_prompts()
    backend_name = resolve_backend_name(config)
    able = backend_capabilities(config)
    combined = questions == "combined" or (questions == "auto" and able.combined)
    run = Run(loaded, config, backend_name, able, combined, able.workers_for(options.concurrency), Store())
    if not options.no_cache and options.record is None:
        run.cached = _cached_briefs(loaded.articles, config, prompts.hash, options, combined, run.store)
    if len(run.cached) < run.total:
        try:
            run.chat, run.extractor = _extractor(config, options, prompts, run, build_backend)
        except BaseException:
            run.close()
            raise
    return run


def _extractor(config: Any, options: RunOptions, prompts: Any, run: Run, build_backend: Any) -> tuple[Any, Any]:
    from summarise.extraction.extract import Extractor
    from summarise.llm import RetryPolicy, StructuredClient, make_backend

    chat = (build_backend or make_backend)(config)
    if options.record is not None:
        from summarise.articles.story import story_hash
        from summarise.llm.replay import RecordingBackend

        chat = RecordingBackend(chat, options.record, prompts.hash, story_hash(options.story))
    if options.rpm or options.tpm:
        from summarise.llm.limits import RateLimitedBackend

        chat = RateLimitedBackend(chat, rpm=options.rpm, tpm=options.tpm)
    policy = RetryPolicy(transport_attempts=options.retries + 1, reasks=options.reasks)
    client = StructuredClient(chat, store=run.store, policy=policy)
    extractor = Extractor(
        client,
        store=run.store,
        prompts=prompts,
        use_cache=not options.no_cache,
        parallel_steps=run.workers > 1 and run.capabilities.parallel_steps,
        combined=run.combined,
        story=options.story,
    )
    return chat, extractor


def _cached_briefs(
    articles: list[Article], config: Any, prompt_hash: str, options: RunOptions, combined: bool, store: Store
) -> dict[str, ArticleBrief]:
    """The briefs of ``articles`` already in the cache, by article id, found without building the backend."""
    from summarise.articles.story import story_hash
    from summarise.extraction.extract import cache_key, cached_brief
    from summarise.llm import backend_identity

    try:
        identity = backend_identity(config)
    except SummariseError:
        return {}  # building the backend reports the problem
    found = {}
    story = story_hash(options.story)
    for article in articles:
        key = cache_key(
            article, identity=identity, prompt_hash=prompt_hash, reasks=options.reasks, combined=combined, story=story
        )
        if (brief := cached_brief(store, key, article)) is not None:
            found[article.id] = brief
    return found


def extract_each(run: Run, listener: Listener) -> Iterator[tuple[Article, ArticleBrief | BaseException]]:
    """``(article, brief or error)`` for every article of ``run``, in input order, ``run.workers`` at once.

    A :class:`ConfigError` (the same for every article) is yielded once and ends the run.
    """
    listener.started(run)

    def one(article: Article) -> ArticleBrief:
        if (brief := run.cached.get(article.id)) is not None:
            return brief
        on_step = (lambda step: listener.step(article, step)) if run.workers == 1 else None
        return run.extractor.extract(article, on_step=on_step)

    for article, outcome in ordered(one, run.loaded.articles, run.workers):
        listener.finished(article, outcome)
        yield article, outcome
        if isinstance(outcome, ConfigError):
            return


def ordered(work: Callable[[Any], Any], items: Iterable[Any], workers: int) -> Iterator[tuple[Any, Any]]:
    """``(item, result or exception)`` in input order, ``workers`` items being worked on at once.

    Stops starting new work when the consumer stops (a configuration error ends the run).
    """
    if workers <= 1:
        for item in items:
            try:
                yield item, work(item)
            except Exception as error:  # reported by the caller, one line per article
                yield item, error
        return
    from concurrent.futures import ThreadPoolExecutor

    pending: deque[tuple[Any, Any]] = deque()
    queue = iter(items)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            for item in queue:
                pending.append((item, pool.submit(work, item)))
                if len(pending) >= workers * 2:
                    yield _settled(*pending.popleft())
            while pending:
                yield _settled(*pending.popleft())
        finally:
            for _, future in pending:
                future.cancel()


def _settled(item: Any, future: Any) -> tuple[Any, Any]:
    try:
        return item, future.result()
    except Exception as error:  # reported by the caller
        return item, error
