"""``summarise watch``: keep a story's brief current as its articles arrive, and say what changed.

Every ``--interval`` seconds a pass looks at the folders, files and URLs it watches (and at the
article paths and URLs a ``--list`` file names, read again each pass). When an article file is new,
changed or gone (or a URL is watched: a URL is read again each pass, its page cache asking the
server whether it changed), the pass extracts what it has not extracted yet (the others come from
the cache), merges the story again, keeps the merged brief in the history when it differs from the
last one kept, and prints, or posts to Slack, what changed since the last brief (posted): the full
brief the first time. A file still being written (changed in the last two seconds) waits for the
next pass. What the watch has seen is kept in the store, so a watch restarted reads only what
changed meanwhile; a bad article is said once and skipped until its file changes. Ctrl-C (or
SIGTERM) stops it between two steps, with nothing lost.
"""

from __future__ import annotations

import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from summarise.articles.fetching import is_url
from summarise.cli.briefs import changes_since, digest_payloads
from summarise.cli.common import err, fail, unreadable
from summarise.cli.extracting import extract_all
from summarise.cli.history import brief_history, earlier_brief, keep_in_history, story_key
from summarise.cli.options import DigestOptions, ExtractionOptions, StoryNameOpt, WebhookUrlOpt, with_options
from summarise.exceptions import UsageError, failure_reason
from summarise.text.secrets import short_error

if TYPE_CHECKING:
    from summarise.cli.history import Earlier
    from summarise.schemas import BriefDiff
    from summarise.store.history import BriefHistory
    from summarise.store.watched import Watched

#: A file changed this recently (seconds) may still be being written: it waits for the next pass.
SETTLE_SECONDS = 2.0
#: The fingerprint of an entry whose reading failed (it is read again at the next pass).
UNKNOWN = ""
#: The fingerprint of a URL read (a URL is read again at every pass: its server says whether it changed).
READ = "read"
#: How the watch waits between two passes (Ctrl-C wakes it).
pause = time.sleep


@dataclass
class Watch:
    """One watched story: what it looks at, how it says what changed, and its history in the store."""

    history: BriefHistory
    watched: Watched
    inputs: list[str]
    listing: Path | None
    options: ExtractionOptions
    story: str
    webhook_url: str | None
    output_format: str
    max_items: int
    once: bool = False
    #: the entries the --list file named when it was last read (kept when it cannot be read again)
    listed: list[str] = field(default_factory=list)

    def entries(self) -> tuple[dict[str, str], set[str], list[str]]:
        """Every entry with its fingerprint (``READ`` for a URL), those still settling, folders not listed."""
        found: dict[str, str] = {}
        settling: set[str] = set()
        unlisted: list[str] = []
        now = time.time()
        for spec in [*self.inputs, *self._listed()]:
            if is_url(spec):
                found[spec] = READ
                continue
            files = _article_files(Path(spec))
            if files is None:
                unlisted.append(spec)
                continue
            for path in files:
                try:
                    stat = path.stat()
                except OSError:  # gone, or not readable: reading it says which
                    found[str(path)] = "absent"
                    continue
                if 0 <= now - stat.st_mtime < SETTLE_SECONDS:  # (a time in the future is not waited for)
                    settling.add(str(path))
                found[str(path)] = f"{stat.st_size}:{stat.st_mtime_ns}"
        return found, settling, unlisted

    def _listed(self) -> list[str]:
        if self.listing is None:
            return []
        try:
            text = self.listing.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            err.print(f"[bold red]error:[/] {escape(str(self.listing))}: cannot read it: {unreadable(error)}")
            return self.listed
        folder = self.listing.parent
        lines = (line.strip() for line in text.splitlines())
        self.listed = [
            line if is_url(line) else str(folder / line) for line in lines if line and not line.startswith("#")
        ]
        return self.listed

    def one_pass(self) -> int:
        """Look once; read, merge and say what changed if anything did. The extraction's exit status.

        What the pass saw is recorded only once what changed is kept and said: a pass stopped
        half-way (Ctrl-C, an error) is made again from the start by the next one.
        """
        seen = self.watched.seen()
        found, settling, unlisted = self.entries()
        if unlisted:  # its files would all look gone
            err.print(f"[bold red]error:[/] cannot list {escape(', '.join(unlisted))}: the pass waits for the next")
            return 2
        if settling:  # a file being written: the whole pass waits, or its article would look gone
            return self._quiet(f"{len(settling)} file(s) still being written: wait for the next pass")
        changed = [e for e, f in found.items() if is_url(e) or e not in seen or seen[e][0] != f]
        gone = [entry for entry in seen if entry not in found]
        if not changed and not gone and not self._unposted():
            return self._quiet(f"nothing new in the {len(found)} article(s) watched")
        read = [e for e in found if e in changed or seen[e][1] is None]
        briefs: list[Any] = []
        unreadable_entries: set[str] = set()  # said once, skipped until they change
        failed: set[str] = set()  # may read or extract at another time: tried again at the next pass

        def problem(source: str, lasting: bool) -> None:
            if source in read:  # a line of a JSON Lines file is not its whole file
                (unreadable_entries if lasting else failed).add(source)
            elif not lasting:
                failed.update(e for e in read if source.startswith(f"{e}:"))

        exit_code = extract_all(read, self.options, briefs.append, problem, quiet_cached=True) if read else 0
        saw = {
            entry: (UNKNOWN if entry in failed else found[entry], "unreadable" if entry in unreadable_entries else None)
            for entry in changed
        }
        # an article of the last brief that failed for the first time: one pass's grace, not "source gone"
        held = [e for e in failed if e in seen and seen[e][0] != UNKNOWN and seen[e][1] is None]
        if held:
            err.print(f"{len(held)} article(s) of the last brief failed: the brief waits for the next pass")
        elif not briefs:
            err.print("no article to brief yet", soft_wrap=True)
        else:
            exit_code = self._say(briefs) or exit_code
        self.watched.saw(saw, gone)
        return exit_code

    def _quiet(self, why: str) -> int:
        """A pass with nothing to do: said only when it is the one pass asked for (a long watch stays quiet)."""
        if self.once:
            err.print(why, soft_wrap=True)
        return 0

    def _unposted(self) -> bool:
        """Whether the newest brief kept was never posted (a post that failed is tried again)."""
        return bool(self.webhook_url) and self.history.unposted(self.story)

    def _say(self, briefs: list[Any]) -> int:
        """Merge, keep the brief if it is new, and print or post what changed; 5 when posting failed."""
        from summarise.merge import merge_briefs
        from summarise.merge.diff import diff_briefs

        merged = merge_briefs(briefs, self.options.story)
        newest = earlier_brief(self.history, self.story, posting=False)
        since_newest = diff_briefs(newest.brief, merged) if newest is not None else None
        if newest is None or since_newest is None or since_newest.changes:
            kept = keep_in_history(self.history, merged, self.story)
        else:
            kept = newest.id
        earlier = newest  # posting: the last brief posted, which is most often the newest kept
        if self.webhook_url and not (newest is not None and newest.posted):
            earlier = earlier_brief(self.history, self.story, posting=True)
        changes = since_newest if earlier is newest else None
        if self.webhook_url:
            return self._post(merged, earlier, kept, changes)
        if earlier is None:
            return self._print_whole(merged)
        changes = changes_since(earlier, merged, changes)
        if not changes.changes:
            return self._quiet(f"nothing changed since the brief of {earlier.when} (#{earlier.id})")
        if self.output_format == "slack":
            from summarise.output.changes import render_change_mrkdwn

            typer.echo("\n\n".join(render_change_mrkdwn(changes, earlier.when, self.max_items)))
        else:
            from summarise.output.diff import render_diff_markdown

            typer.echo(render_diff_markdown(changes))
        return 0

    def _print_whole(self, merged: Any) -> int:
        from summarise.output.formats import write_brief

        err.print(f"the first brief of {escape(self.story)}: the whole brief", soft_wrap=True)
        output = "slack" if self.output_format == "slack" else "markdown"
        write_brief(merged, output, sys.stdout, None, self.max_items)
        return 0

    def _post(self, merged: Any, earlier: Earlier | None, kept: int | None, changes: BriefDiff | None) -> int:
        from summarise.output.slack import SlackError, post_digest

        cut = DigestOptions(since_text="last", max_items=self.max_items)
        cut.finish()
        payloads = digest_payloads(merged, earlier, cut, self.story, changes)
        if not payloads:  # the same as what the channel last saw: as good as posted
            self.history.posted(kept)
            return 0
        try:
            result = post_digest(payloads, self.webhook_url or "", retries=self.options.retries)
        except SlackError as error:
            err.print(f"[bold red]error:[/] {escape(str(error))} (tried again at the next pass)", soft_wrap=True)
            return error.exit_code
        self.history.posted(kept)
        err.print(f"posted {result.messages} message(s) to the Slack webhook (HTTP {result.status})")
        return 0


def _article_files(path: Path) -> list[Path] | None:
    """The article files of a folder (as ``brief`` reads a folder), or the path itself; None: not listed."""
    from summarise.articles.reading import article_files

    if not path.is_dir():
        return [path]
    try:
        return [Path(name) for name in article_files(str(path))]
    except OSError:
        return None


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@with_options(ExtractionOptions, "options", without=("record",))
@with_options(DigestOptions, "cut", only=("max_items",))
def watch(
    inputs: Annotated[
        list[str] | None, typer.Argument(help="Folders, article files or http(s) URLs to watch.", show_default=False)
    ] = None,
    listing: Annotated[
        Path | None,
        typer.Option("--list", help="A file naming article paths or URLs, one a line (# comments), read each pass."),
    ] = None,
    interval: Annotated[float, typer.Option("--interval", min=1.0, help="Seconds between two passes.")] = 300.0,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit with its status (for cron).")] = False,
    webhook_url: WebhookUrlOpt = None,
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", help="What is printed without a webhook: markdown, or slack (the digest)."),
    ] = "markdown",
    story_name: StoryNameOpt = None,
    *,
    cut: DigestOptions,
    options: ExtractionOptions,
) -> None:
    """Watch folders, files and URLs; when articles arrive or change, brief again and say what changed.

    Each pass extracts only new or changed articles, merges, keeps the brief in the history and
    prints what changed since the last brief (or posts it to Slack: then since the last one
    posted). The first pass of a story gives the whole brief. Ctrl-C stops it.
    """
    from summarise.text.secrets import remember

    remember(webhook_url, path_is_secret=True)
    if output_format not in ("markdown", "slack"):
        raise fail(UsageError(f"unknown format '{output_format}': use markdown or slack"))
    given = list(inputs or [])
    if not given and listing is None:
        raise fail(UsageError("name the folders, files or URLs to watch, or a --list file"))
    if listing is not None and not listing.is_file():
        raise fail(UsageError(f"{listing}: no such file (--list)"))
    for spec in given:
        if not is_url(spec) and not Path(spec).exists():
            raise fail(UsageError(f"{spec}: no such file or folder"))
    from summarise.store.watched import Watched

    story = story_name or story_key(options.story, given + ([str(listing)] if listing else []))
    signal.signal(signal.SIGTERM, _stop)
    passes = 0
    with brief_history() as history:
        watch = Watch(
            history,
            Watched(history.store, story),
            given,
            listing,
            options,
            story,
            webhook_url,
            output_format,
            cut.max_items,
            once,
        )
        try:
            if not once:
                err.print(f"watching {escape(story)} every {interval:g} s; Ctrl-C stops", soft_wrap=True)
            while True:
                try:
                    code = watch.one_pass()
                except typer.Exit:  # a configuration error: the same at every pass
                    raise
                except Exception as error:  # a bug of ours: said, and the pass made again later
                    if once:
                        raise
                    err.print(
                        f"[bold red]error:[/] the pass failed: {escape(short_error(failure_reason(error)))}; "
                        "it is made again at the next pass",
                        soft_wrap=True,
                    )
                passes += 1
                if once:
                    raise typer.Exit(code)
                pause(interval)
        except KeyboardInterrupt:
            err.print(f"stopped watching {escape(story)} after {passes} pass(es)", soft_wrap=True)
            raise typer.Exit(0) from None
