"""What every command shares: the error console and the one-line failure."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from summarise.exceptions import SummariseError

#: Progress, notes and errors: stderr (data goes to stdout).
err = Console(stderr=True, highlight=False)


def fail(error: SummariseError) -> typer.Exit:
    """Print an expected failure on one line and return the exit to raise."""
    err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, soft_wrap=True, highlight=False)
    return typer.Exit(error.exit_code)
