"""The merged brief in each output format: one table from a format's name to the renderer that writes it.

The command line picks the format (``--format``, or what ``auto`` means for the output) and the
file; this module knows how each format is written. A renderer's module is imported when its
format is first asked for (the HTML page needs Jinja2, the digest ``slack_sdk``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

from summarise.schemas import CoalitionBrief

#: What ``auto`` writes to a file, by its suffix (Markdown for any other).
FORMAT_BY_SUFFIX = {".json": "json", ".html": "html", ".htm": "html"}


def format_for(requested: str, output: Path | None, terminal: bool) -> str:
    """The format to write: the one asked for, or what ``auto`` means for ``output`` (None: standard output)."""
    if requested != "auto":
        return requested
    if output is not None:
        return FORMAT_BY_SUFFIX.get(output.suffix.lower(), "markdown")
    return "rich" if terminal else "markdown"


def _markdown(merged: CoalitionBrief, out: TextIO, since: date | None, max_items: int) -> None:
    from summarise.output.markdown import render_coalition_brief_markdown

    out.write(render_coalition_brief_markdown(merged))


def _rich(merged: CoalitionBrief, out: TextIO, since: date | None, max_items: int) -> None:
    from rich.console import Console
    from rich.markdown import Markdown

    from summarise.output.markdown import render_coalition_brief_markdown

    Console(file=out).print(Markdown(render_coalition_brief_markdown(merged)))


def _json(merged: CoalitionBrief, out: TextIO, since: date | None, max_items: int) -> None:
    out.write(merged.model_dump_json(indent=2) + "\n")


def _html(merged: CoalitionBrief, out: TextIO, since: date | None, max_items: int) -> None:
    from summarise.output.html.page import render_coalition_brief_html

    out.write(render_coalition_brief_html(merged))


def _slack(merged: CoalitionBrief, out: TextIO, since: date | None, max_items: int) -> None:
    from summarise.output.slack import render_mrkdwn

    out.write("\n\n".join(render_mrkdwn(merged, since, max_items)) + "\n")


def _slack_blocks(merged: CoalitionBrief, out: TextIO, since: date | None, max_items: int) -> None:
    from summarise.output.slack import render_blocks

    for payload in render_blocks(merged, since, max_items):
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")


#: Each format's renderer: it writes the merged brief to a text stream (``since`` and ``max_items``
#: cut the Slack digest down).
RENDERERS: dict[str, Callable[[CoalitionBrief, TextIO, date | None, int], None]] = {
    "markdown": _markdown,
    "rich": _rich,
    "json": _json,
    "html": _html,
    "slack": _slack,
    "slack-blocks": _slack_blocks,
}


def write_brief(
    merged: CoalitionBrief, output_format: str, out: TextIO, since: date | None = None, max_items: int = 8
) -> None:
    """Write ``merged`` to ``out`` in ``output_format`` (Markdown for a name the table does not hold)."""
    RENDERERS.get(output_format, _markdown)(merged, out, since, max_items)
