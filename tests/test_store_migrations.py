"""The store's numbered migrations, the call log keeping each article once, and ``summarise logs``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarise.cli import app
from summarise.exceptions import ConfigError
from summarise.store.database import CallRecord, Store
from summarise.store.migrations import MIGRATIONS

ROOT = Path(__file__).resolve().parents[1]
OLD_SCHEMA = Path(__file__).parent / "data" / "store_before_migrations.sql"
ARTICLE = ROOT / "fixtures/articles/01_amman_five_nations.txt"
RECORDINGS = ROOT / "fixtures" / "llm"
ALL = [name for name, _ in MIGRATIONS]


def _old_store(path: Path) -> None:
    """A store as the release before migrations made it, with a logged call and a cached brief."""
    database = sqlite3.connect(path)
    database.executescript(OLD_SCHEMA.read_text())
    database.execute(
        "INSERT INTO calls (created, backend, model, prompt_hash, article_id, step, attempt, request, response,"
        " prompt_tokens, completion_tokens, latency_ms, error) VALUES (1.0, 'replay', 'm', 'p', 'a1', 'topic', 1,"
        " ?, '{\"choices\": []}', 10, 2, 5.0, NULL)",
        (json.dumps({"messages": [{"role": "user", "content": "an old request"}]}),),
    )
    database.execute(
        "INSERT INTO briefs (cache_key, article_id, backend, model, prompt_hash, created, brief)"
        " VALUES ('k1', 'a1', 'replay', 'm', 'p', 1.0, '{}')"
    )
    database.commit()
    database.close()


def _record(article_text: str | None, content: str, attempt: int = 1, exchange: str = "x1") -> CallRecord:
    request = {"model": "m", "messages": [{"role": "system", "content": "rules"}, {"role": "user", "content": content}]}
    return CallRecord(
        backend="replay",
        model="m",
        prompt_hash="p",
        article_id="a1",
        step="topic",
        attempt=attempt,
        request=request,
        response={"choices": []},
        prompt_tokens=10,
        completion_tokens=2,
        latency_ms=5.0,
        article_text=article_text,
        exchange=exchange,
    )


def test_a_store_of_the_release_before_migrations_is_migrated_in_place(tmp_path):
    path = tmp_path / "summarise.db"
    _old_store(path)

    store = Store(path)
    assert store.migrated == ALL  # the first only creates what is missing
    old = list(store.calls())
    assert len(old) == 1 and json.loads(old[0]["request"])["messages"][0]["content"] == "an old request"
    assert store.cached_brief("k1") == "{}"
    store.log_call(_record("ARTICLE TEXT", "ARTICLE TEXT question"))
    assert [row["article_id"] for row in store.calls()] == ["a1", "a1"]
    store.close()

    again = Store(path)  # nothing left to run
    assert again.migrated == []
    again.close()
    with sqlite3.connect(path) as database:
        assert [name for (name,) in database.execute("SELECT name FROM _migrations ORDER BY name")] == ALL


def test_a_new_store_runs_every_migration_once(tmp_path):
    store = Store(tmp_path / "summarise.db")
    assert store.migrated == ALL
    store.close()
    assert Store(tmp_path / "summarise.db").migrated == []


def test_a_store_of_a_newer_release_is_refused_with_one_line(tmp_path):
    path = tmp_path / "summarise.db"
    Store(path).close()
    with sqlite3.connect(path) as database:
        database.execute("INSERT INTO _migrations (name, applied) VALUES ('m999_from_the_future', 1.0)")
    with pytest.raises(ConfigError, match=r"newer release of summarise \(m999_from_the_future\)"):
        Store(path)


def test_the_log_keeps_each_article_once_and_gives_requests_back_whole(tmp_path):
    path = tmp_path / "summarise.db"
    store = Store(path)
    article = "ARTICLE\nTitle: T\n\n[1] One sentence.\n\nEND OF ARTICLE\n"
    first = _record(article, article + "Is it about a coalition?")
    reask = _record(article, article + "Which coalitions?", attempt=2)
    other = _record(None, "no article here", exchange="x2")
    for record in (first, reask, other):
        store.log_call(record)

    whole = [json.loads(row["request"]) for row in store.calls()]
    assert whole == [first.request, reask.request, other.request]
    assert [row["id"] for row in store.exchange("x1")] == [1, 2]
    store.close()
    with sqlite3.connect(path) as database:
        assert database.execute("SELECT count(*) FROM article_texts").fetchone()[0] == 1
        stored = [request for (request,) in database.execute("SELECT request FROM calls ORDER BY id")]
    assert "One sentence" not in stored[0] and "One sentence" not in stored[1]  # named, not repeated
    assert json.loads(stored[0])["messages"][1]["content"][0]["type"] == "article_text"


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_logs_path_list_and_show_on_a_runs_store(tmp_path):
    assert _run("logs", "path").stdout.strip() == str(tmp_path / "home" / "summarise.db")
    empty = _run("logs", "list")
    assert empty.exit_code == 0 and "nothing has been logged" in empty.stderr

    extracted = _run("extract", "--backend", "replay", "--replay-dir", str(RECORDINGS), "-f", "json", str(ARTICLE))
    assert extracted.exit_code == 0, extracted.output
    listed = _run("logs", "list")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert len(lines) >= 2 and all("replay:" in line for line in lines)  # topic and coalitions, at least
    rows = [json.loads(line) for line in _run("logs", "list", "--json").stdout.splitlines()]
    topic = next(row for row in rows if row["step"] == "topic")

    shown = _run("logs", "show", str(topic["id"]))
    assert shown.exit_code == 0, shown.output
    sentence = "Delegations from Türkiye, Syria, Iraq, Jordan and Lebanon gathered in Amman"  # the article's, put back
    assert "--- system ---" in shown.stdout and "--- user ---" in shown.stdout and sentence in shown.stdout
    assert "--- answer ---" in shown.stdout and "usage:" in shown.stdout
    as_json = json.loads(_run("logs", "show", str(topic["id"]), "--json").stdout)
    assert as_json["id"] == topic["id"] and as_json["attempts"][0]["id"] == topic["id"]
    assert sentence in as_json["request"]["messages"][1]["content"]


def test_logs_show_of_an_unknown_call_is_one_line(tmp_path):
    Store().close()
    result = _run("logs", "show", "4242")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: no call 4242 in {tmp_path / 'home' / 'summarise.db'} (see `summarise logs list`)"
    ]
