"""``summarise batch``: thousands of articles through the OpenAI Batch API, or executed here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from summarise.batch.tables import BatchTables
from summarise.cli.briefs import brief_format, write_merged
from summarise.cli.common import check_output, err, fail, progress_bar
from summarise.cli.options import (
    ArticlesArg,
    BriefFormat,
    BriefFormatOpt,
    DigestOptions,
    ExtractionOptions,
    OutputOpt,
    with_options,
)
from summarise.exceptions import SummariseError, UsageError

if TYPE_CHECKING:
    from summarise.articles.story import Story
    from summarise.batch.parts import BuildReport

batch_app = typer.Typer(
    help="Thousands of articles through the OpenAI Batch API (or locally): resumable, nothing lost.",
    no_args_is_help=True,
)
JobArg = Annotated[str | None, typer.Argument(help="Job id (default: the newest job).")]
MaxRequestsOpt = Annotated[int, typer.Option("--max-requests", help="Requests per batch file.", min=1)]
MaxBytesOpt = Annotated[int, typer.Option("--max-bytes", help="Bytes per batch file.", min=1024)]


def _jobs(config_overrides: dict[str, Any], story: Story | None = None, **limits: Any) -> Any:
    from summarise.batch.jobs import BatchJobs
    from summarise.llm import BackendConfig

    try:
        return BatchJobs(BackendConfig.from_env(**config_overrides), story=story, **limits)
    except SummariseError as error:
        raise fail(error) from None


def _report_build(problems: list[str], built: BuildReport, *, failures: bool) -> None:
    """Say what building the job left out, a line each.

    Unreadable inputs, inputs skipped as duplicates (as ``summarise extract`` says it) and, with
    ``failures``, articles whose requests could not be built.
    """
    for problem in problems:
        err.print(f"[bold red]error:[/] {escape(problem)}", soft_wrap=True)
    for skipped, first in built.duplicates:
        err.print(f"[yellow]skipped:[/] {escape(str(skipped))}: same text as {escape(str(first))}", soft_wrap=True)
    for failure in built.failed if failures else ():
        err.print(
            f"[bold red]failed:[/] {escape(failure)} (no request sent: `batch collect` extracts it synchronously)",
            soft_wrap=True,
        )


def _job_or_newest(store: Any, job: str | None) -> dict[str, Any]:
    tables = BatchTables(store)
    row = tables.job(job) if job else next(iter(tables.jobs()), None)
    if row is None:
        raise fail(UsageError(f"no batch job {job}" if job else "no batch job yet: run `summarise batch submit`"))
    return row


@batch_app.command("submit")
@with_options(ExtractionOptions, "options", only=("model", "story_file"))
def batch_submit(
    articles: ArticlesArg,
    max_requests: MaxRequestsOpt = 50_000,
    max_bytes: MaxBytesOpt = 200 * 1024 * 1024,
    *,
    options: ExtractionOptions,
) -> None:
    """Write one request per article question, upload the files and create the batches.

    Articles already extracted with the model are not sent. Running the same command again
    finishes an interrupted submission without sending anything twice. Prints the job id.
    """
    from summarise.batch.jobs import BatchJobs, BuildReport

    jobs: BatchJobs = _jobs(
        {"backend": "openai", "model": options.model},
        options.story,
        max_requests=max_requests,
        max_bytes=max_bytes,
    )
    built = BuildReport()
    try:
        job, problems = jobs.build(articles, report=built)
        _report_build(problems, built, failures=True)
        parts = jobs.submit(job)
    except SummariseError as error:
        jobs.close()
        raise fail(error) from None
    counts = jobs.tables.counts(job)
    jobs.close()
    for part in parts:
        err.print(f"part {part['part']}: {part['requests']} requests, {part['bytes']} bytes, batch {part['batch_id']}")
    cached = counts["finished"]
    err.print(
        f"job {job}: {counts['requests']} requests for {counts['articles']} articles "
        f"({cached} already extracted) in {len(parts)} batch(es)",
        soft_wrap=True,
    )
    typer.echo(job)
    raise typer.Exit(2 if problems else 1 if built.failed else 0)


@batch_app.command("status")
def batch_status(
    job: JobArg = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show each job's batches: state and request counts."""
    from rich.table import Table

    jobs = _jobs({})
    rows = [_job_or_newest(jobs.store, job)] if job else jobs.tables.jobs()
    report = []
    try:
        for row in rows:
            parts = jobs.refresh(row["job"]) if not row["local"] else jobs.tables.parts(row["job"])
            report.append(
                {
                    "job": row["job"],
                    "model": row["model"],
                    "local": bool(row["local"]),
                    **jobs.tables.counts(row["job"]),
                    "parts": [
                        {
                            k: (json.loads(v) if k == "counts" and v else v)
                            for k, v in p.items()
                            if k in ("part", "requests", "batch_id", "status", "counts")
                        }
                        for p in parts
                    ],
                }
            )
    except SummariseError as error:
        raise fail(error) from None
    finally:
        jobs.close()
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    table = Table("job", "model", "part", "batch", "state", "done/failed/total", "articles finished")
    for entry in report:
        for part in entry["parts"] or [{"part": "-", "batch_id": "", "status": "nothing to send", "counts": None}]:
            counts = part["counts"] or {}
            numbers = f"{counts.get('completed', '?')}/{counts.get('failed', '?')}/{counts.get('total', '?')}"
            table.add_row(
                entry["job"],
                entry["model"],
                str(part["part"]),
                part["batch_id"] or "-",
                part["status"] or ("local" if entry["local"] else "not submitted"),
                numbers if counts else "-",
                f"{entry['finished']}/{entry['articles']}",
            )
    Console().print(table)


def _finish_job(jobs: Any, job: str, output_format: str, output: Path | None, digest: DigestOptions) -> int:
    """Collect a job, merge its briefs and write the brief; return the exit status."""
    try:
        briefs, report = jobs.collect(job)
    except SummariseError as error:
        jobs.close()
        raise fail(error) from None
    jobs.close()
    if report.unknown_ids:
        err.print(
            f"[yellow]warning:[/] {len(report.unknown_ids)} output line(s) with an unknown custom_id: "
            f"{escape(', '.join(report.unknown_ids[:5]))}",
            soft_wrap=True,
        )
    if report.bad_lines:
        err.print(f"[yellow]warning:[/] {report.bad_lines} output line(s) were not JSON", soft_wrap=True)
    for failure in report.failed:
        err.print(f"[bold red]failed:[/] {escape(failure)}", soft_wrap=True)
    for source in report.incomplete:
        err.print(f"[yellow]incomplete:[/] {escape(source)}", soft_wrap=True)
    # the job's answers as `batch status` counts them, then what this run did with them
    unusable = f" ({report.unusable} not usable: sent again)" if report.unusable else ""
    failed = f", {len(report.failed)} failed" if report.failed else ""
    err.print(
        f"job {job}: {report.articles} articles ({report.cached} already done, {report.extracted} extracted{failed}); "
        f"the batch answered {report.answered} of {report.requests} requests, this run used {report.from_batch} "
        f"of its answers{unusable} and sent {report.redriven} request(s) synchronously",
        soft_wrap=True,
    )
    if briefs:
        write_merged(briefs, output_format, output, digest, jobs.story)
    return 1 if report.failed else 6 if report.incomplete else 0


@batch_app.command("collect")
@with_options(ExtractionOptions, "options", only=("replay_dir", "story_file"))
@with_options(DigestOptions, "digest")
def batch_collect(
    job: JobArg = None,
    output_format: BriefFormatOpt = BriefFormat.auto,
    output: OutputOpt = None,
    *,
    digest: DigestOptions,
    options: ExtractionOptions,
) -> None:
    """Download the results, re-drive what failed synchronously, store every brief, then merge and render.

    Exit status 75 while a batch is still running (collect again later).
    """
    chosen = brief_format(output_format, output)
    check_output(output)
    from summarise.store.database import Store

    with_store = Store()
    row = _job_or_newest(with_store, job)
    with_store.close()
    backend = row["backend"].split(":", 1)[0]
    jobs = _jobs({"backend": backend, "model": row["model"], "replay_dir": options.replay_dir}, options.story)
    raise typer.Exit(_finish_job(jobs, row["job"], chosen, output, digest))


@batch_app.command("run")
@with_options(ExtractionOptions, "options", only=("backend", "model", "gguf", "replay_dir", "n_ctx", "story_file"))
@with_options(DigestOptions, "digest")
def batch_run(
    articles: ArticlesArg,
    local: Annotated[bool, typer.Option("--local", help="Execute the requests with the synchronous backend.")] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            help="Requests at once (default: 1 for the embedded model, a llama.cpp server's slots, 8 otherwise).", min=1
        ),
    ] = None,
    output_format: BriefFormatOpt = BriefFormat.auto,
    output: OutputOpt = None,
    *,
    digest: DigestOptions,
    options: ExtractionOptions,
) -> None:
    """Build a batch job and execute it here, without the Batch API (offline with the embedded model)."""
    if not local:
        raise fail(UsageError("`batch run` executes jobs here: pass --local (or use `batch submit` for the Batch API)"))
    from summarise.batch.jobs import BuildReport

    chosen = brief_format(output_format, output)
    check_output(output, articles)
    jobs = _jobs(
        {name: getattr(options, name) for name in ("backend", "model", "gguf", "replay_dir", "n_ctx")}, options.story
    )
    built = BuildReport()
    try:
        job, problems = jobs.build(articles, local=True, report=built)
        _report_build(problems, built, failures=False)  # an article that failed is tried, and reported, at the end
        workers = jobs.capabilities.workers_for(concurrency)
        total = jobs.tables.counts(job)["requests"]
        with progress_bar(transient=True) as bar:
            task = bar.add_task(f"job {job}: requests ({workers} at once)", total=total)
            jobs.run_local(job, workers, on_done=lambda sent: bar.update(task, completed=sent))
    except SummariseError as error:
        jobs.close()
        raise fail(error) from None
    code = _finish_job(jobs, job, chosen, output, digest)
    raise typer.Exit(code or (2 if problems else 0))
