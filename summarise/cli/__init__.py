"""The ``summarise`` command line. Data goes to stdout, progress and errors to stderr.

Exit codes: 0 success; 1 unexpected; 2 bad input; 3 configuration; 4 missing
recording; 5 endpoint failure; 6 validation failure; 7 the embedded engine crashed (see
:mod:`summarise.exceptions`).

The root: the app, its global options and the console-script entry point. Each command
group is a module of this package (``briefs``: extract, brief, digest, merge, eval;
``history``: history, diff; ``batch``; ``logs``; ``info``: schema, models; ``doctor``); the options they
share are declared once in ``options``, the extraction loop is ``extracting``.
"""

from __future__ import annotations

import gc
import logging
import sys
from typing import Annotated

import typer
from rich.markup import escape

from summarise import __version__
from summarise.cli import batch, briefs, doctor, history, info, watch
from summarise.cli.common import err
from summarise.cli.extracting import extract_all
from summarise.cli.logs import logs_app
from summarise.cli.options import ExtractionOptions
from summarise.cli.story import story_app
from summarise.exceptions import MissingDependencyError, SummariseError

__all__ = ["ExtractionOptions", "app", "extract_all", "run"]

app = typer.Typer(
    help="Turn news articles about one story into grounded, structured briefs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
    """Masks API keys, webhook URLs, bearer tokens and URL credentials in every log record and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message (and the traceback it carries) with the secrets masked; never drop it."""
        from summarise.text.secrets import redact

        record.msg, record.args = redact(record.getMessage()), ()
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def _log_verbosely() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretFilter())
    for name in ("summarise", "openai", "httpx", "httpx2", "slack_sdk", "instructor"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        logger.propagate = False


for command in (briefs.extract, briefs.brief, briefs.digest, briefs.merge):
    app.command()(command)
app.command("eval")(briefs.evaluate)
app.command()(history.diff)
app.command()(history.history)
app.command()(watch.watch)
app.command()(info.schema)
app.command()(info.models)
app.command()(doctor.doctor)
app.add_typer(logs_app, name="logs")
app.add_typer(batch.batch_app, name="batch")
app.add_typer(story_app, name="story")


def run() -> None:
    """Console-script entry point: expected failures never show a traceback.

    When the command is done, whatever it ends with, every object left is frozen out of the
    garbage collector: the interpreter's exit then skips its last collection of them all, which
    took 0.7 s of CPU after an extraction (the SDKs' thousands of classes and models). Files are
    closed and streams flushed as before; nothing the command wrote is left to a collection.
    """
    try:
        _run()
    finally:
        gc.freeze()


def _run() -> None:
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
