"""``summarise logs``: the store's call log (every request sent to a model, its answer and usage)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer

from summarise.cli.common import err, fail
from summarise.exceptions import SummariseError, UsageError

logs_app = typer.Typer(
    help="The call log: every request sent to a model, with its answer, reasks and usage.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON instead of text.")]


def _store() -> Any:
    """The store, opened to read its log; a store that cannot be read is a one-line error."""
    from summarise.store.database import Store, default_home

    path = default_home() / "summarise.db"
    if not path.exists():
        err.print(f"no store at {path} yet: nothing has been logged (SUMMARISE_HOME chooses the folder)")
        raise typer.Exit(0)
    try:
        return Store(path)
    except SummariseError as error:
        raise fail(error) from None


@logs_app.command("path")
def logs_path() -> None:
    """Print the path of the store that holds the call log."""
    from summarise.store.database import default_home

    typer.echo(default_home() / "summarise.db")


@logs_app.command("list")
def logs_list(
    count: Annotated[int, typer.Option("--count", "-n", min=1, help="How many calls, newest first.")] = 20,
    article: Annotated[str | None, typer.Option("--article", help="Only the calls for this article id.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The newest calls, one line each: id, time, model, article, question, attempt, tokens, seconds."""
    store = _store()
    try:
        rows = store.recent_calls(count, article)
    except SummariseError as error:  # a damaged store: what is wrong and how to recover
        raise fail(error) from None
    finally:
        store.close()
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        err.print("no call logged" + (f" for article {article}" if article else ""))
        return
    for row in rows:
        typer.echo(_line(row))


def _line(row: dict[str, Any]) -> str:
    when = dt.datetime.fromtimestamp(row["created"]).strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"{row['id']:>6}  {when}  {row['backend']}:{row['model']}  {row['article_id'] or '-'}  "
        f"{row['step'] or '-'} #{row['attempt']}  {row['latency_ms'] / 1000:.1f} s  {_outcome(row)}"
    )


def _outcome(row: dict[str, Any]) -> str:
    """A call's error, or the tokens it read and wrote."""
    if row["error"]:
        return f"error: {row['error']}"
    return f"{row['prompt_tokens'] or 0}+{row['completion_tokens'] or 0} tokens"


@logs_app.command("show")
def logs_show(
    call_id: Annotated[int, typer.Argument(help="The call's id (from `summarise logs list`).")],
    as_json: JsonOpt = False,
) -> None:
    """One call whole: its prompt, its answer, the other attempts of its question (reasks) and usage."""
    store = _store()
    try:
        row = store.call(call_id)
        attempts = store.exchange(row["exchange"]) if row and row.get("exchange") else []
    except SummariseError as error:  # a damaged store: what is wrong and how to recover
        raise fail(error) from None
    finally:
        store.close()
    if row is None:
        raise fail(UsageError(f"no call {call_id} in {store.path} (see `summarise logs list`)"))
    request = json.loads(row["request"])
    response = json.loads(row["response"]) if row["response"] else None
    if as_json:
        shown = {**row, "request": request, "response": response, "attempts": attempts}
        typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    typer.echo(_line(row))
    typer.echo(f"prompt hash {row['prompt_hash'] or '-'}, exchange {row.get('exchange') or '-'}")
    for message in request.get("messages") or []:
        typer.echo(f"\n--- {message.get('role', '?')} ---")
        typer.echo(_text(message.get("content")))
    typer.echo("\n--- answer ---")
    typer.echo(_answer(response) if response else f"(none: {row['error'] or 'no answer'})")
    if len(attempts) > 1:
        typer.echo("\n--- attempts of this question (the later ones are reasks) ---")
        for attempt in attempts:
            mark = "  <- this call" if attempt["id"] == call_id else ""
            seconds = attempt["latency_ms"] / 1000
            typer.echo(f"#{attempt['attempt']}  call {attempt['id']}  {seconds:.1f} s  {_outcome(attempt)}{mark}")
    usage = (response or {}).get("usage") or {}
    if usage:
        typer.echo(f"\nusage: {usage.get('prompt_tokens')} prompt + {usage.get('completion_tokens')} completion tokens")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return json.dumps(content, ensure_ascii=False)


def _answer(response: dict[str, Any]) -> str:
    choices = response.get("choices") or []
    if not choices:
        return json.dumps(response, ensure_ascii=False)
    message = choices[0].get("message") or {}
    if message.get("content"):
        return str(message["content"])
    return json.dumps(message.get("tool_calls") or message, ensure_ascii=False)
