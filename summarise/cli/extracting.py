"""The extraction run of the commands, drawn: :mod:`summarise.pipeline` does the work, this draws it.

A progress bar and one line per article on stderr; each brief is handed on as soon as it is
ready, in input order; one article's failure is a line and the exit status, never the end of
the run (a configuration error is).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn
from rich.text import Text

from summarise import pipeline
from summarise.cli.common import err, fail, progress_bar
from summarise.cli.options import ExtractionOptions
from summarise.exceptions import ConfigError, SummariseError, failure_reason

if TYPE_CHECKING:
    from summarise.articles import Article, LoadResult
    from summarise.schemas import ArticleBrief


def extract_all(
    articles: list[str],
    options: ExtractionOptions,
    on_brief: Callable[[ArticleBrief], None],
    on_problem: Callable[[str, bool], None] | None = None,
    *,
    quiet_cached: bool = False,
) -> int:
    """Extract every article, handing each brief to ``on_brief``; return the exit status.

    Progress and per-article problems go to stderr. One article that fails does not stop
    the others: its error is reported and the exit status says something went wrong.
    ``on_problem(source, lasting)`` is told of each input that could not be read (``lasting``
    unless it may read at another time: a site down) and each article whose extraction failed; with
    ``quiet_cached`` a brief from the cache gets no line of its own.
    """
    loaded = pipeline.load(articles)
    exit_code = _report_loading(loaded)
    for problem in loaded.errors:
        if on_problem is not None:
            on_problem(problem.source, not problem.transient)
    if not loaded.articles:
        return exit_code or 2
    try:
        run = pipeline.prepare(loaded, options, build_backend=backend_with_progress)
    except SummariseError as error:
        raise fail(error) from None
    if run.chat is not None:
        _say_how_it_asks(run, options)
    bar = _ProgressBar(quiet_cached=quiet_cached)
    try:
        with bar.progress:
            for article, outcome in pipeline.extract_each(run, bar):
                if isinstance(outcome, BaseException):  # an internal error (not a SummariseError) exits with 1
                    exit_code = exit_code or (outcome.exit_code if isinstance(outcome, SummariseError) else 1)
                    if on_problem is not None:
                        on_problem(article.source, False)
                    continue
                on_brief(outcome)
                if outcome.extraction and outcome.extraction.failed_steps:
                    exit_code = exit_code or 6
    finally:
        run.close()
    bar.summarise(run.total)
    return exit_code


def _report_loading(loaded: LoadResult) -> int:
    """One line per unreadable input and per duplicate; the exit status they call for."""
    for problem in loaded.errors:
        err.print(f"[bold red]error:[/] {escape(str(problem))}", soft_wrap=True)
    for article in loaded.articles:
        if article.note:
            err.print(f"[yellow]note:[/] {escape(article.source)}: {escape(article.note)}", soft_wrap=True)
    for skipped, first in loaded.duplicates:
        err.print(f"[yellow]skipped:[/] {escape(str(skipped))}: same text as {escape(str(first))}", soft_wrap=True)
    return loaded.errors[0].exit_code if loaded.errors else 0


def _say_how_it_asks(run: pipeline.Run, options: ExtractionOptions) -> None:
    """Why the questions are asked as they are, and a server that serves another model than the one named."""
    if str(options.questions) == "auto" and options.concurrency is None:
        err.print(f"[dim]asking {escape(run.capabilities.why)}[/]", soft_wrap=True)
    served = run.capabilities.serves
    if served and run.chat.model not in served:
        err.print(
            f"[yellow]note:[/] the server serves {escape(Path(served[-1]).name)} whatever model is asked; "
            f"its answers are recorded as '{escape(run.chat.model)}' (--model {escape(Path(served[0]).name)} "
            "names it)",
            soft_wrap=True,
        )


def backend_with_progress(config: Any) -> Any:
    """The configured backend, drawing the assembly of the embedded model's file while it lasts (on a terminal)."""
    from summarise.llm import make_backend

    if not err.is_terminal:  # a disabled transient bar still writes an empty line when it stops
        return make_backend(config)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("assembling the embedded model", total=None)
        return make_backend(config, progress=lambda done, total: bar.update(task, completed=done, total=total))


class _ProgressBar:
    """A :class:`summarise.pipeline.Listener` that draws the run: a bar, then a line per article."""

    def __init__(self, *, quiet_cached: bool = False) -> None:
        self.progress = progress_bar(transient=quiet_cached)
        self.quiet_cached = quiet_cached
        self.counts = {"done": 0, "cached": 0, "failed": 0, "skipped": 0}
        self.title = ""
        self.task: Any = None

    def started(self, run: pipeline.Run) -> None:
        if run.chat is not None:
            self.title = f"extracting ({run.chat.name}: {run.chat.model}, {run.workers} at once)"
        else:
            self.title = f"extracting ({run.backend_name}: every brief cached)"
        self.task = self.progress.add_task(self.title, total=run.total)

    def step(self, article: Article, step: str) -> None:
        self.progress.update(self.task, description=f"{Path(article.source).name}: {step}")

    def finished(self, article: Article, outcome: ArticleBrief | BaseException) -> None:
        if isinstance(outcome, ConfigError):  # the same for every article: the run stops here
            self.progress.console.print(f"[bold red]error:[/] {escape(str(outcome))}", soft_wrap=True)
            return
        if isinstance(outcome, BaseException):
            self.counts["failed"] += 1
            reason = failure_reason(outcome)
            self.progress.console.print(
                f"[bold red]failed:[/] {escape(str(article.source))}: {escape(reason)}", soft_wrap=True
            )
        else:
            self._brief_line(article, outcome)
        self.progress.advance(self.task)
        counts = self.counts
        self.progress.update(
            self.task,
            description=f"{self.title}: {counts['done']} done, {counts['cached']} cached, {counts['failed']} failed",
        )

    def _brief_line(self, article: Article, brief: ArticleBrief) -> None:
        from summarise.extraction.extract import PREFILTER_SKIPPED

        info = brief.extraction
        cached = bool(info and info.usage.cached)
        self.counts["cached" if cached else "done"] += 1
        self.counts["skipped"] += bool(info and any(w.startswith(PREFILTER_SKIPPED) for w in info.warnings))
        if cached and self.quiet_cached:
            return
        status = "cached" if cached else f"{info.seconds:.0f} s" if info else ""
        if info and info.failed_steps:
            from summarise.extraction.questions import COMBINED

            # the failed question's reason, or the combined request's (asked every question at once)
            why = next((w for w in info.warnings if w.startswith((f"{info.failed_steps[0]}: ", f"{COMBINED}: "))), "")
            self.progress.console.print(
                f"[yellow]incomplete:[/] {escape(str(article.source))}: no valid answer for "
                f"{', '.join(info.failed_steps)} ({status})" + (f": {escape(why)}" if why else ""),
                soft_wrap=True,
            )
        else:  # a line per article: plain Text, no markup to parse nor highlighting to run
            done = Text.assemble(("done:", "green"), f" {article.source} ({status})")
            self.progress.console.print(done, soft_wrap=True, highlight=False)

    def summarise(self, total: int) -> None:
        """The closing lines: how many failed, how many the story's pre-filter skipped."""
        if self.counts["failed"]:
            err.print(f"{self.counts['failed']} of {total} article(s) failed", soft_wrap=True)
        if self.counts["skipped"]:
            err.print(
                f"{self.counts['skipped']} of {total} article(s) skipped by the story's keyword pre-filter "
                "(off-topic, no model call)",
                soft_wrap=True,
            )
