"""``summarise diff``: what changed between two saved coalition briefs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from summarise.cli.common import check_output, err, fail, output_file
from summarise.cli.options import OutputOpt
from summarise.exceptions import UsageError
from summarise.schemas import CoalitionBrief


def read_brief(path: Path) -> CoalitionBrief:
    """A merged brief saved as JSON (``merge -f json``, ``brief -o x.json``); a bad file ends the command."""
    from summarise.schemas import first_problem

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8 text"
        raise fail(UsageError(f"{path}: cannot read it: {reason.lower()}")) from None
    try:
        return CoalitionBrief.model_validate_json(text)
    except ValidationError as error:
        raise fail(UsageError(f"{path}: not a coalition brief saved as JSON: {first_problem(error, 'file')}")) from None


def diff(
    old: Annotated[Path, typer.Argument(help="The older brief, as JSON (merge -f json, or brief -o x.json).")],
    new: Annotated[Path, typer.Argument(help="The newer brief, as JSON.")],
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="markdown (the default) or json (schemas/brief_diff.schema.json).")
    ] = "markdown",
    output: OutputOpt = None,
) -> None:
    """What changed between two briefs of one story: sources, coalitions, members, conflicts, events, figures."""
    from summarise.merge.diff import diff_briefs
    from summarise.output.diff import render_diff_markdown

    if output_format not in ("markdown", "json"):
        raise fail(UsageError(f"unknown format '{output_format}': use markdown or json"))
    check_output(output, [str(old), str(new)])
    changes = diff_briefs(read_brief(old), read_brief(new))
    with output_file(output) as out:
        out.write(
            changes.model_dump_json(indent=2) + "\n" if output_format == "json" else render_diff_markdown(changes)
        )
    err.print(f"{len(changes.changes)} change(s) from {old} to {new}" + (f"; wrote {output}" if output else ""))
