"""The commands that make briefs: ``extract``, ``brief``, ``digest``, ``merge`` and ``eval``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from summarise.cli.common import check_output, err, fail, output_file, unreadable
from summarise.cli.extracting import extract_all
from summarise.cli.history import Earlier, brief_history, earlier_brief, keep_in_history, story_key
from summarise.cli.options import (
    ArticlesArg,
    BriefFormat,
    BriefFormatOpt,
    DigestOptions,
    ExtractFormat,
    ExtractFormatOpt,
    ExtractionOptions,
    OutputOpt,
    StoryNameOpt,
    WebhookUrlOpt,
    with_options,
)
from summarise.exceptions import ConfigError, SummariseError, UsageError

if TYPE_CHECKING:
    from summarise.articles.story import Story
    from summarise.schemas import ArticleBrief, BriefDiff, CoalitionBrief


@with_options(ExtractionOptions, "options")
def extract(
    articles: ArticlesArg,
    output_format: ExtractFormatOpt = ExtractFormat.text,
    output: OutputOpt = None,
    *,
    options: ExtractionOptions,
) -> None:
    """Extract one grounded ArticleBrief per article.

    Exit status: 0 when every article gave a complete brief; otherwise the code of the
    first problem (2 bad input, 3 configuration, 4 missing recording, 5 endpoint
    failure, 6 a question whose answers never validated, 1 anything else).
    """
    from summarise.output.markdown import render_article_brief

    check_output(output, articles)
    with output_file(output) as out:

        def write(brief: ArticleBrief) -> None:
            out.write(brief.model_dump_json() + "\n" if output_format == "json" else render_article_brief(brief) + "\n")
            out.flush()

        exit_code = extract_all(articles, options, write)
    raise typer.Exit(exit_code)


@with_options(ExtractionOptions, "options")
@with_options(DigestOptions, "digest")
def brief(
    articles: ArticlesArg,
    output_format: BriefFormatOpt = BriefFormat.auto,
    output: OutputOpt = None,
    story_name: StoryNameOpt = None,
    *,
    digest: DigestOptions,
    options: ExtractionOptions,
) -> None:
    """Extract every article and merge them into one coalition brief with sources and conflicts.

    Articles already extracted with the same model and prompts come from the cache. An
    article that fails is reported and left out; the brief is still written from the
    others and the exit status is that of the first problem (see `extract`).
    """
    chosen = brief_format(output_format, output)
    whole_brief_only(digest)
    check_output(output, articles)
    briefs: list[ArticleBrief] = []
    exit_code = extract_all(articles, options, briefs.append)
    if not briefs:
        raise typer.Exit(exit_code or 2)
    merged = write_merged(briefs, chosen, output, digest, options.story)
    with brief_history() as kept:
        keep_in_history(kept, merged, story_name or story_key(options.story, articles))
    if options.story is None and len(briefs) > 1:
        err.print(
            f"no story file: the coalitions were discovered across the {len(briefs)} articles; "
            "`summarise story draft` writes them as a story file to review and reuse with --story",
            soft_wrap=True,
        )
    raise typer.Exit(exit_code)


@with_options(ExtractionOptions, "options", without=("record",))
@with_options(DigestOptions, "cut")
def digest(
    articles: ArticlesArg,
    webhook_url: WebhookUrlOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the Block Kit payloads instead of posting.")
    ] = False,
    story_name: StoryNameOpt = None,
    *,
    cut: DigestOptions,
    options: ExtractionOptions,
) -> None:
    """Extract and merge the articles, then post the brief's Slack digest to a webhook.

    429 answers are retried after their Retry-After, 5xx answers with backoff (--retries
    times). Exit status: 0 posted; 5 the webhook failed; otherwise the extraction's.
    """
    from summarise.merge import merge_briefs
    from summarise.output.slack import SlackError, post_digest
    from summarise.text.secrets import remember

    remember(webhook_url, path_is_secret=True)  # given on the command line, it is as secret as in the environment
    if not webhook_url and not dry_run:
        raise fail(ConfigError("no Slack webhook: pass --webhook-url or set SLACK_WEBHOOK_URL (or use --dry-run)"))
    briefs: list[ArticleBrief] = []
    exit_code = extract_all(articles, options, briefs.append)
    if not briefs:
        raise typer.Exit(exit_code or 2)
    merged = merge_briefs(briefs, options.story)
    story = story_name or story_key(options.story, articles)
    with brief_history() as kept:
        earlier = earlier_brief(kept, story, posting=True) if cut.since_last else None
        kept_as = keep_in_history(kept, merged, story)
        payloads = digest_payloads(merged, earlier, cut, story)
        if not payloads:
            if not dry_run:  # the same as what the channel last saw: as good as posted
                kept.posted(kept_as)
            raise typer.Exit(exit_code)
        if dry_run:
            for payload in payloads:
                typer.echo(json.dumps(payload, ensure_ascii=False))
            raise typer.Exit(exit_code)
        try:
            result = post_digest(payloads, webhook_url or "", retries=options.retries)
        except SlackError as error:
            raise fail(error) from None
        kept.posted(kept_as)
    err.print(
        f"posted {result.messages} message(s) to the Slack webhook (HTTP {result.status}, "
        f"{result.attempts} attempt(s))",
        soft_wrap=True,
    )
    raise typer.Exit(exit_code)


def whole_brief_only(digest: DigestOptions) -> None:
    """Refuse ``--since last`` where a whole brief is written."""
    if digest.since_last:
        raise fail(UsageError("--since last is for digest and watch: `summarise diff --since last` shows what changed"))


def digest_payloads(
    merged: CoalitionBrief, earlier: Earlier | None, cut: DigestOptions, story: str, changes: BriefDiff | None = None
) -> list[dict[str, Any]]:
    """The Block Kit payloads to post: the full digest, or with ``--since last`` the changes.

    The changes are those since ``earlier`` (``changes``, when the caller already made them); the
    full digest when there is none; nothing (said so) when nothing changed.
    """
    from summarise.output.changes import render_change_blocks
    from summarise.output.slack import render_blocks

    if not cut.since_last:
        return render_blocks(merged, cut.since, cut.max_items)
    if earlier is None:
        err.print(f"no brief of {escape(story)} posted yet: the full digest", soft_wrap=True)
        return render_blocks(merged, cut.since, cut.max_items)
    changes = changes_since(earlier, merged, changes)
    if not changes.changes:
        err.print(f"nothing changed since the brief of {earlier.when} (#{earlier.id}): nothing to post", soft_wrap=True)
        return []
    return render_change_blocks(changes, earlier.when, cut.max_items)


def changes_since(earlier: Earlier, merged: CoalitionBrief, changes: BriefDiff | None = None) -> BriefDiff:
    """What changed from ``earlier`` to ``merged`` (``changes``, when already made), how many said."""
    from summarise.merge.diff import diff_briefs

    if changes is None:
        changes = diff_briefs(earlier.brief, merged)
    if changes.changes:
        err.print(f"{len(changes.changes)} change(s) since the brief of {earlier.when} (#{earlier.id})", soft_wrap=True)
    return changes


@with_options(ExtractionOptions, "options", only=("story_file",))
@with_options(DigestOptions, "digest")
def merge(
    briefs_files: Annotated[
        list[str], typer.Argument(help="JSON Lines files of ArticleBriefs (from `extract --format json`), or -.")
    ],
    output_format: BriefFormatOpt = BriefFormat.auto,
    output: OutputOpt = None,
    *,
    digest: DigestOptions,
    options: ExtractionOptions,
) -> None:
    """Merge per-article briefs saved earlier into one coalition brief. Needs no model.

    A line that is not a valid ArticleBrief is reported (file and line) and skipped; the
    others are merged and the exit status is 2.
    """
    chosen = brief_format(output_format, output)
    whole_brief_only(digest)
    check_output(output, briefs_files)
    briefs, problems = read_briefs(briefs_files)
    for problem in problems:
        err.print(f"[bold red]error:[/] {escape(problem)}", soft_wrap=True)
    if not briefs:
        if not problems:
            err.print(f"[bold red]error:[/] no brief to merge in {escape(', '.join(briefs_files))}", soft_wrap=True)
        raise typer.Exit(2)
    write_merged(briefs, chosen, output, digest, options.story)
    raise typer.Exit(2 if problems else 0)


def read_briefs(paths: list[str]) -> tuple[list[ArticleBrief], list[str]]:
    """ArticleBriefs from JSON Lines files, and one message per unreadable file or invalid line."""
    from pydantic import ValidationError

    from summarise.schemas import ArticleBrief, first_problem

    briefs: list[ArticleBrief] = []
    problems: list[str] = []
    for name in paths:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"{name}: cannot read: {unreadable(error)}")
            continue
        label = "<stdin>" if name == "-" else name
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                briefs.append(ArticleBrief.model_validate_json(line))
            except ValidationError as error:
                problems.append(f"{label}:{number}: not an ArticleBrief: {first_problem(error, 'line')}")
    return briefs, problems


def brief_format(requested: str, output: Path | None) -> str:
    """The format to write: the one asked for, or what ``auto`` means for this output."""
    from summarise.output.formats import format_for

    return format_for(str(requested), output, sys.stdout.isatty())


def write_merged(
    briefs: list[ArticleBrief], output_format: str, output: Path | None, digest: DigestOptions, story: Story | None
) -> CoalitionBrief:
    """Merge ``briefs`` and write the brief in ``output_format`` (to ``output`` whole, or stdout)."""
    from summarise.merge import merge_briefs
    from summarise.output.formats import write_brief

    merged = merge_briefs(briefs, story)
    with output_file(output) as out:
        write_brief(merged, output_format, out, digest.since, digest.max_items)
    return merged
    conflicts = len(merged.conflicts)
    err.print(
        f"merged {len(merged.sources)} source(s) into {len(merged.coalitions)} coalition(s), "
        f"{len(merged.people)} people, {len(merged.timeline)} event(s), {conflicts} conflict(s)"
        + (f"; wrote {output}" if output else ""),
        soft_wrap=True,
    )


@with_options(ExtractionOptions, "options", without=("record",))
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSON keyed by article file name (see fixtures/eval/).")],
    articles: ArticlesArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
    merged: Annotated[
        Path | None,
        typer.Option("--merged", help='Also score the merged brief\'s conflicts against {"conflicts": [...]}.'),
    ] = None,
    briefs_file: Annotated[
        Path | None,
        typer.Option("--briefs", help="Score these saved briefs (JSON Lines) instead of extracting the articles."),
    ] = None,
    *,
    options: ExtractionOptions,
) -> None:
    """Extract the articles and score each brief against the gold of the same file name.

    Prints precision, recall and F1 per field (members, people, events, numbers, objectives)
    with totals, on-topic accuracy, role accuracy, invented dates and groundedness, then
    each article's misses and inventions. Exit status: 0, or the extraction's (see `extract`).
    """
    from summarise.articles import load_articles
    from summarise.evaluate import (
        load_gold,
        load_gold_coalitions,
        load_gold_conflicts,
        render_report,
        score,
        score_coalitions,
        score_conflicts,
    )
    from summarise.merge import merge_briefs

    try:
        gold_articles = load_gold(gold)
        gold_conflicts = load_gold_conflicts(merged) if merged else None
        gold_coalitions = load_gold_coalitions(merged) if merged else None
    except SummariseError as error:
        raise fail(error) from None
    briefs: list[ArticleBrief] = []
    if briefs_file is not None:
        briefs, problems = read_briefs([str(briefs_file)])
        for problem in problems:
            err.print(f"[bold red]error:[/] {escape(problem)}", soft_wrap=True)
        exit_code = 2 if problems else 0
    else:
        exit_code = extract_all(articles, options, briefs.append)
    texts = {Path(article.source).name: article.text for article in load_articles(articles).articles}
    report = score(gold_articles, briefs, texts)
    infos = {(b.extraction.backend, b.extraction.model, b.extraction.prompt_hash) for b in briefs if b.extraction}
    report = {
        "extracted_with": [{"backend": b, "model": m, "prompt_hash": h} for b, m, h in sorted(infos)],
        **report,
    }
    if gold_conflicts is not None:
        merged_brief = merge_briefs(briefs, options.story)
        report["conflicts"] = score_conflicts(merged_brief, gold_conflicts)
        if gold_coalitions is not None:
            report["coalitions"] = score_coalitions(merged_brief, gold_coalitions)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        typer.echo(render_report(report), nl=False)
    raise typer.Exit(exit_code)
