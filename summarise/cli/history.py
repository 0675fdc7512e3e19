"""``summarise history`` and ``summarise diff``: the briefs kept of a story, and what changed between two."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError

from summarise.cli.common import check_output, err, fail, output_file, unreadable
from summarise.cli.options import OutputOpt, StoryNameOpt
from summarise.exceptions import UsageError
from summarise.schemas import CoalitionBrief

if TYPE_CHECKING:
    from summarise.articles.story import Story
    from summarise.store.history import BriefHistory


def story_key(story: Story | None, inputs: list[str]) -> str:
    """The name a story's briefs are kept under: its story file's title, else where its articles came from.

    The folders of its files, the sites of its URLs, ``stdin``: sorted, joined by " + ".
    """
    if story is not None:
        return story.title
    from urllib.parse import urlsplit

    from summarise.articles.fetching import is_url

    folders = []
    for name in inputs:
        path = Path(name)
        if is_url(name):  # a page is named by its site
            folders.append(urlsplit(name).netloc.lower() or name)
        else:
            folders.append("stdin" if name == "-" else str((path if path.is_dir() else path.parent).resolve()))
    return " + ".join(sorted(set(folders)))


@contextmanager
def brief_history() -> Iterator[BriefHistory]:
    """The store's brief history, its store closed when done."""
    from summarise.store.database import Store
    from summarise.store.history import BriefHistory

    with closing(Store()) as store:
        yield BriefHistory(store)


def keep_in_history(kept: BriefHistory, merged: CoalitionBrief, story: str) -> int | None:
    """Keep the merged brief in the store's history; its id there (None: a damaged store, said once)."""
    return kept.keep(story, [source.id for source in merged.sources], merged.model_dump_json())


@dataclass
class Earlier:
    """A brief kept earlier, to say what changed since: the brief, its id, its time, whether it was posted."""

    brief: CoalitionBrief
    id: int
    created: float
    posted: bool

    @property
    def when(self) -> str:
        """Its time in words, as a digest says it ("Mon 07 Dec 05:29 UTC")."""
        return dt.datetime.fromtimestamp(self.created, dt.UTC).strftime("%a %d %b %H:%M UTC")


def kept_brief(kept: BriefHistory, row: dict[str, Any]) -> Earlier | None:
    """The brief of a history row (read when the row lacks its text); None, said, when it is not a brief."""
    try:
        brief = CoalitionBrief.model_validate_json(row.get("brief") or kept.brief(row["id"]) or "")
    except ValidationError:
        err.print(f"[yellow]note:[/] the brief kept as #{row['id']} is not readable as a brief")
        return None
    return Earlier(brief, row["id"], row["created"], row.get("posted") is not None)


def earlier_brief(kept: BriefHistory, story: str, *, posting: bool) -> Earlier | None:
    """What a digest of changes compares with: the newest brief of ``story`` posted, or kept.

    When ``posting``, the newest brief posted to Slack (what the channel last saw; None when
    none was); else the newest kept.
    """
    row = kept.last(story, posted=posting)
    return kept_brief(kept, row) if row is not None else None


def history(
    story: Annotated[str | None, typer.Argument(help="One story's name (default: every story).")] = None,
) -> None:
    """List the merged briefs `brief` and `digest` kept, by story: id, time, articles."""
    with brief_history() as kept:
        rows = kept.listed(story)
    if not rows:
        err.print(f"no brief kept of {story}" if story else "no brief kept yet: `summarise brief` keeps each one")
        return
    for row in rows:
        when = dt.datetime.fromtimestamp(row["created"], dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        typer.echo(f"{row['id']:>5}  {when}  {row['articles']:>4} article(s)  {row['story']}")


def read_brief(path: Path) -> CoalitionBrief:
    """A merged brief saved as JSON (``merge -f json``, ``brief -o x.json``); a bad file ends the command."""
    from summarise.schemas import first_problem

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(UsageError(f"{path}: cannot read it: {unreadable(error)}")) from None
    try:
        return CoalitionBrief.model_validate_json(text)
    except ValidationError as error:
        raise fail(UsageError(f"{path}: not a coalition brief saved as JSON: {first_problem(error, 'file')}")) from None


def _kept(
    since: str, story: str | None, newest: bool
) -> tuple[tuple[CoalitionBrief, str], tuple[CoalitionBrief, str] | None]:
    """``(older, newer)`` from the history, each with how to name it: ``since`` picks the older.

    The newer is the newest brief kept of the story (read only when ``newest``; else the newer brief
    is a file). The older is, for ``last``, the one kept before the newer: the newest kept one when
    the newer is a file; for a date, the last kept before it.
    """
    with brief_history() as kept:
        if story is None:
            stories = sorted({row["story"] for row in kept.listed()})
            if len(stories) != 1:
                found = "; ".join(stories) or "none"
                raise fail(UsageError(f"name the story with --story-name (stories kept: {found})"))
            story = stories[0]
        rows = kept.listed(story)
        if since == "last":
            older = rows[-2] if newest and len(rows) >= 2 else rows[-1] if not newest and rows else None
        else:
            try:
                moment = dt.datetime.fromisoformat(since)
            except ValueError:
                raise fail(UsageError(f"--since '{since}' is neither last nor a date (YYYY-MM-DD)")) from None
            older = kept.before(story, (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp())
        if older is None or not rows:
            raise fail(UsageError(f"the history of {story} holds no brief to compare with (--since {since})"))

        def loaded(row: dict) -> tuple[CoalitionBrief, str]:
            if (earlier := kept_brief(kept, row)) is None:
                raise fail(UsageError(f"the brief kept as #{row['id']} of {story} cannot be compared with"))
            when = dt.datetime.fromtimestamp(row["created"], dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            return earlier.brief, f"the brief of {when} (#{row['id']})"

        return loaded(older), loaded(rows[-1]) if newest else None


def diff(
    old: Annotated[
        Path | None, typer.Argument(help="The older brief, as JSON (merge -f json, or brief -o x.json).")
    ] = None,
    new: Annotated[Path | None, typer.Argument(help="The newer brief, as JSON.")] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Compare with the history instead of OLD: 'last' (the brief kept before the newest) or a "
            "date (the last kept before it). NEW, if given, is the newer brief; else the newest kept.",
        ),
    ] = None,
    story_name: StoryNameOpt = None,
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
    if since is None and (old is None or new is None):
        raise fail(UsageError("give the older and the newer brief (OLD NEW), or --since last|DATE"))
    given = [path for path in (old, new) if path is not None]
    check_output(output, [str(path) for path in given])
    if since is None:
        assert old is not None and new is not None
        before, after, names = read_brief(old), read_brief(new), (str(old), str(new))
    else:
        newer = given[-1] if given else None
        (before, old_name), kept_newest = _kept(since, story_name, newest=newer is None)
        if newer is not None:
            after, new_name = read_brief(newer), str(newer)
        else:
            assert kept_newest is not None  # asked for: the newest kept
            after, new_name = kept_newest
        names = (old_name, new_name)
    changes = diff_briefs(before, after)
    with output_file(output) as out:
        out.write(
            changes.model_dump_json(indent=2) + "\n" if output_format == "json" else render_diff_markdown(changes)
        )
    err.print(
        f"{len(changes.changes)} change(s) from {names[0]} to {names[1]}" + (f"; wrote {output}" if output else ""),
        soft_wrap=True,
    )
