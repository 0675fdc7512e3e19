"""What every command shares: the error console, the one-line failure, the story file and the output file."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from summarise.exceptions import ConfigError, SummariseError, UsageError

if TYPE_CHECKING:
    from summarise.articles.story import Story

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
    from summarise.articles.story import load_story

    try:
        return load_story(path)
    except SummariseError as error:
        raise fail(error) from None


def unreadable(error: OSError | UnicodeDecodeError) -> str:
    """Why a file could not be read, in a few lower-case words ("no such file or directory")."""
    reason = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8 text"
    return reason.lower()


def check_output(path: Path | None, inputs: Sequence[str] = ()) -> None:
    """Refuse, before any work, an output that names one of the inputs or that cannot be written.

    Checked before the first article is read or a model asked: a missing or read-only folder found
    only when the brief is written would cost the whole run.
    """
    if path is None:
        return
    target = path.resolve()
    if _is_one_of(target, inputs):
        raise fail(UsageError(f"{path}: is one of the inputs: writing the output there would replace it"))
    if target.exists() and not target.is_file():
        return  # /dev/null, a named pipe: written directly (see output_file)
    folder = target.parent
    if not folder.is_dir():
        raise fail(ConfigError(f"{path}: cannot write: no folder {folder}"))
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise fail(ConfigError(f"{path}: cannot write: permission denied"))


def _is_one_of(target: Path, inputs: Sequence[str]) -> bool:
    """Whether ``target`` is one of the input files, or a file in one of the input folders."""
    for spec in inputs:
        if spec == "-":
            continue
        given = Path(spec)
        candidates = [given / name for name in _names(given)] if given.is_dir() else [given]
        for candidate in candidates:
            try:
                if candidate.resolve() == target or (target.exists() and os.path.samefile(candidate, target)):
                    return True
            except OSError:
                continue
    return False


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


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
        if path.exists():  # a file replaced keeps its permissions (a brief kept private stays private)
            temporary.chmod(stat.S_IMODE(path.stat().st_mode))
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
