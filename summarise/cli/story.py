"""``summarise story draft``: the story's coalitions, discovered across its articles, as a story file to review."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from summarise.cli.common import check_output, err, output_file
from summarise.cli.extracting import extract_all
from summarise.cli.options import ArticlesArg, ExtractionOptions, OutputOpt, with_options

if TYPE_CHECKING:
    from summarise.schemas import ArticleBrief

story_app = typer.Typer(help="Story files: draft one from the articles.", no_args_is_help=True)


@story_app.command()
@with_options(ExtractionOptions, "options")
def draft(articles: ArticlesArg, output: OutputOpt = None, *, options: ExtractionOptions) -> None:
    """Extract the articles and write the story they tell as a story file (TOML) for review.

    The coalitions are discovered across all the articles: their names and aliases, stated
    leader and target, kind, and open or closed membership. Review the file, then pass it
    to `brief --story`. With --story, the drafted file keeps that story's aliases.
    Exit status: that of the extraction (see `extract`).
    """
    from summarise.merge.drafting import draft_story, story_toml

    check_output(output, articles)
    briefs: list[ArticleBrief] = []
    exit_code = extract_all(articles, options, briefs.append)
    if not briefs:
        raise typer.Exit(exit_code or 2)
    story, merged = draft_story(briefs, options.story)
    with output_file(output) as out:
        out.write(story_toml(story, merged))
    if output is not None:
        err.print(f"wrote {output}: {len(story.coalitions)} coalition(s) to review", soft_wrap=True)
    raise typer.Exit(exit_code)
