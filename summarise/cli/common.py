"""What every command shares: the error console, the one-line failure, the story file and the output file."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from summarise.exceptions import ConfigError, SummariseError

if TYPE_CHECKING:
    from summarise.story import Story

#: Progress, notes and errors: stderr (data goes to stdout).
err = Console(stderr=True, highlight=False)


def progress_bar(*, transient: bool) -> Progress:
    """The bar of a long run on stderr: spinner, what is happening, bar, done of total, time."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=transient,
    )


def fail(error: SummariseError) -> typer.Exit:
    """Print an expected failure on one line and return the exit to raise."""
    err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, soft_wrap=True, highlight=False)
    return typer.Exit(error.exit_code)


def load_story_option(path: Path | None) -> Story | None:
    """The story file given with --story (or SUMMARISE_STORY), validated; None without one."""
    if path is None:
        return None
    from summarise.story import load_story

    try:
        return load_story(path)
    except SummariseError as error:
        raise fail(error) from None


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
