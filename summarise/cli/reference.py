"""The command reference (``docs/cli.md``): every command's ``--help`` as a user sees it, at a fixed width.

``cog -r docs/cli.md`` writes it into the page; a test runs ``cog --check`` so that the page cannot
drift from the commands.
"""

from __future__ import annotations

import os
from typing import Any

#: The width the reference is drawn at (a terminal's width changes how Typer wraps the help).
WIDTH = 100


def help_texts(width: int = WIDTH) -> list[tuple[str, str]]:
    """``(command line, its --help text)`` for the root and every command and subcommand, in the order registered."""
    import typer.rich_utils as drawing
    from typer.main import get_command
    from typer.testing import CliRunner

    from summarise.cli import app

    saved = drawing.MAX_WIDTH, drawing.FORCE_TERMINAL, drawing.COLOR_SYSTEM
    drawing.MAX_WIDTH, drawing.FORCE_TERMINAL, drawing.COLOR_SYSTEM = width, False, None
    runner = CliRunner()
    # What the environment sets is no part of the reference: the options' own defaults are.
    unset: dict[str, str | None] = {name: None for name in os.environ if name.startswith(("SUMMARISE_", "OPENAI_"))}
    texts: list[tuple[str, str]] = []

    def add(command: Any, path: list[str]) -> None:
        result = runner.invoke(app, [*path, "--help"], prog_name="summarise", env={**unset, "NO_COLOR": "1"})
        if result.exit_code != 0:
            raise RuntimeError(f"summarise {' '.join(path)} --help failed: {result.output}")
        texts.append((" ".join(["summarise", *path]), "\n".join(line.rstrip() for line in result.output.splitlines())))
        for name, sub in getattr(command, "commands", {}).items():
            add(sub, [*path, name])

    try:
        add(get_command(app), [])
    finally:
        drawing.MAX_WIDTH, drawing.FORCE_TERMINAL, drawing.COLOR_SYSTEM = saved
    return texts


def markdown(width: int = WIDTH) -> str:
    """The reference as Markdown: a heading and a text block per command."""
    blocks = [f"## `{line}`\n\n```text\n{text.strip()}\n```\n" for line, text in help_texts(width)]
    return "\n".join(blocks)
