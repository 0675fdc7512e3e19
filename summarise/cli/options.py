"""The options the commands share, each declared once.

An options bundle is a dataclass whose fields are the options (``Annotated`` with their
``typer.Option``); :func:`with_options` adds its fields to a command's parameters and hands
the command one built bundle, the way llm shares option groups between commands. Every
environment variable an option reads goes through Typer's ``envvar`` (shown in ``--help``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from summarise.cli.common import fail, load_story_option
from summarise.exceptions import UsageError

ArticlesArg = Annotated[
    list[str],
    typer.Argument(help="Article files (.txt, .md, .html, .jsonl), folders, http(s) URLs, or - for stdin."),
]
BackendOpt = Annotated[
    str | None,
    typer.Option(
        "--backend",
        "-b",
        envvar="SUMMARISE_BACKEND",
        show_envvar=True,
        help="auto, openai, local or replay (default auto).",
    ),
]
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        envvar="SUMMARISE_MODEL",
        show_envvar=True,
        help="Model name: an endpoint's model, or an embedded model.",
    ),
]
GgufOpt = Annotated[
    Path | None,
    typer.Option("--gguf", envvar="SUMMARISE_GGUF", show_envvar=True, help="Any GGUF file for the local backend."),
]
ReplayOpt = Annotated[
    Path | None,
    typer.Option(
        "--replay-dir",
        envvar="SUMMARISE_REPLAY_DIR",
        show_envvar=True,
        help="Recorded exchanges for --backend replay.",
    ),
]
NCtxOpt = Annotated[
    int | None,
    typer.Option(
        "--n-ctx",
        envvar="SUMMARISE_N_CTX",
        show_envvar=True,
        help="Context window of the local model (default 8192).",
    ),
]


class ExtractFormat(StrEnum):
    """What `extract` writes."""

    text = "text"
    json = "json"


class BriefFormat(StrEnum):
    """What the merged brief is written as."""

    auto = "auto"
    rich = "rich"
    markdown = "markdown"
    json = "json"
    html = "html"
    slack = "slack"
    slack_blocks = "slack-blocks"


ExtractFormatOpt = Annotated[ExtractFormat, typer.Option("--format", "-f", help="text, or json (JSON Lines).")]
BriefFormatOpt = Annotated[
    BriefFormat,
    typer.Option(
        "--format",
        "-f",
        help="html is one self-contained page, slack mrkdwn text, slack-blocks Block Kit JSON (one payload per "
        "line). auto: rich in a terminal, Markdown when piped; with -o, json for a .json file, html for a .html "
        "or .htm file, Markdown otherwise.",
    ),
]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")]
RecordOpt = Annotated[
    Path | None,
    typer.Option(
        "--record",
        help="Save every model exchange as a fixture in this folder. An exchange the folder already holds "
        "(same backend, prompts and story) is reused, so an interrupted recording resumes.",
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Slack digest: only timeline entries dated on or after YYYY-MM-DD. digest --since last: only what "
        "changed since the last brief posted (else kept) of the story.",
    ),
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
WebhookUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--webhook-url",
        envvar="SLACK_WEBHOOK_URL",
        show_envvar=True,
        show_default=False,
        help="Slack incoming webhook to post to (a secret: never printed).",
    ),
]
StoryNameOpt = Annotated[
    str | None,
    typer.Option(
        "--story-name",
        help="The name this story's briefs are kept under in the history (default: the story file's title, "
        "else the folders the articles were read from).",
    ),
]
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

#: A bundle field that is worked out from the options, not given on the command line.
DERIVED = {"option": False}


@dataclass
class ExtractionOptions:
    """How to reach the model and how hard to try, as given on the command line."""

    backend: BackendOpt = None
    model: ModelOpt = None
    gguf: GgufOpt = None
    replay_dir: ReplayOpt = None
    record: RecordOpt = None
    no_cache: NoCacheOpt = False
    reasks: ReasksOpt = 1
    retries: RetriesOpt = 3
    n_ctx: NCtxOpt = None
    concurrency: ConcurrencyOpt = None
    rpm: RpmOpt = None
    tpm: TpmOpt = None
    questions: QuestionsOpt = Questions.auto
    story_file: StoryOpt = None
    #: the story file, read and checked (a :class:`summarise.articles.story.Story`)
    story: Any = field(default=None, metadata=DERIVED)

    def finish(self) -> None:
        """Read the story file (a bad one ends the command with one line)."""
        self.story = load_story_option(self.story_file)


@dataclass
class DigestOptions:
    """How the Slack digest is cut down."""

    since_text: SinceOpt = None
    max_items: MaxItemsOpt = 8
    since: dt.date | None = field(default=None, metadata=DERIVED)
    since_last: bool = field(default=False, metadata=DERIVED)

    def finish(self) -> None:
        """Read --since as a date, or as ``last``."""
        if self.since_text is None:
            return
        if self.since_text == "last":
            self.since_last = True
            return
        try:
            self.since = dt.date.fromisoformat(self.since_text)
        except ValueError:
            raise fail(UsageError(f"--since '{self.since_text}' is not a date: use YYYY-MM-DD (or last)")) from None


Bundle = TypeVar("Bundle")


def with_options(
    bundle: type[Bundle], name: str, *, only: tuple[str, ...] = (), without: tuple[str, ...] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the options of ``bundle`` (or ``only`` some, or all ``without`` some) as one argument ``name``.

    The command declares ``name`` as a parameter; its command-line parameters become its own
    plus the bundle's fields, and it is called with the bundle built (and its ``finish`` run).
    """
    hints = typing.get_type_hints(bundle, include_extras=True)
    chosen = [
        f
        for f in dataclasses.fields(bundle)  # type: ignore[arg-type]
        if f.metadata.get("option", True) and (not only or f.name in only) and f.name not in without
    ]
    added = [
        inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=hints[f.name])
        for f in chosen
    ]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != name]

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            built = bundle(**{p.name: kwargs.pop(p.name) for p in added})
            built.finish()  # type: ignore[attr-defined]
            return command(*args, **{name: built}, **kwargs)

        del wrapper.__wrapped__  # Typer reads the signature below, not the command's own
        parameters = own + added
        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        return wrapper

    return decorate
