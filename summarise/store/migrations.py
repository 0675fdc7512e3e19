"""The store's schema, as numbered migrations (the way llm and sqlite-utils keep theirs).

Each migration runs once per store, in order, inside one transaction with the record that it
ran (table ``_migrations``). A store made before migrations existed holds the tables of the
first migration already: that one creates only what is missing, so it is migrated in place.
A store that records a migration this release does not know was made by a newer release:
opening it is refused, never guessed at.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]

#: Every migration, oldest first; its name is its number and what it does.
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(function: Migration) -> Migration:
    """Register ``function`` as the next migration."""
    MIGRATIONS.append((function.__name__, function))
    return function


class NewerStoreError(Exception):
    """The store was migrated by a newer release than this one."""


#: The tables of every store made before migrations (``IF NOT EXISTS``: such a store has them already).
_M001_TABLES = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_hash TEXT,
    article_id TEXT,
    step TEXT,
    attempt INTEGER NOT NULL,
    request TEXT NOT NULL,
    response TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    latency_ms REAL NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS calls_article ON calls (article_id);
CREATE TABLE IF NOT EXISTS briefs (
    cache_key TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    created REAL NOT NULL,
    brief TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_jobs (
    job TEXT PRIMARY KEY,
    created REAL NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    local INTEGER NOT NULL,
    inputs TEXT NOT NULL,
    built INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS batch_parts (
    job TEXT NOT NULL,
    part INTEGER NOT NULL,
    path TEXT NOT NULL,
    requests INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    file_id TEXT,
    batch_id TEXT,
    status TEXT,
    counts TEXT,
    output_file_id TEXT,
    error_file_id TEXT,
    ingested INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job, part)
);
CREATE TABLE IF NOT EXISTS batch_requests (
    job TEXT NOT NULL,
    custom_id TEXT NOT NULL,
    part INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    step TEXT NOT NULL,
    request_key TEXT NOT NULL,
    PRIMARY KEY (job, custom_id)
);
CREATE INDEX IF NOT EXISTS batch_requests_key ON batch_requests (job, request_key);
CREATE TABLE IF NOT EXISTS batch_results (
    job TEXT NOT NULL,
    custom_id TEXT NOT NULL,
    status_code INTEGER,
    body TEXT,
    error TEXT,
    PRIMARY KEY (job, custom_id)
);
CREATE TABLE IF NOT EXISTS schema_modes (
    endpoint TEXT NOT NULL,
    model TEXT NOT NULL,
    mode TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (endpoint, model)
);
CREATE TABLE IF NOT EXISTS batch_modes (
    job TEXT PRIMARY KEY,
    combined INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_articles (
    job TEXT NOT NULL,
    article_id TEXT NOT NULL,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    cache_key TEXT NOT NULL,
    PRIMARY KEY (job, article_id)
);
"""


@migration
def m001_calls_briefs_batches(db: sqlite3.Connection) -> None:
    """The call log, the brief cache, batch jobs and remembered schema modes (release 0.x, before migrations)."""
    _run_script(db, _M001_TABLES)


@migration
def m002_calls_reference_the_article(db: sqlite3.Connection) -> None:
    """The article kept once; a call names it, and names its exchange.

    The article, as the prompt shows it, is kept in ``article_texts``; a call names it
    (``article_text``) instead of repeating it in every question and reask, and names its
    exchange (one question with its reasks). Calls logged before this migration keep their
    whole request.
    """
    db.execute(
        "CREATE TABLE article_texts (hash TEXT PRIMARY KEY, article_id TEXT, created REAL NOT NULL, text TEXT NOT NULL)"
    )
    db.execute("ALTER TABLE calls ADD COLUMN article_text TEXT REFERENCES article_texts (hash)")
    db.execute("ALTER TABLE calls ADD COLUMN exchange TEXT")
    db.execute("CREATE INDEX calls_exchange ON calls (exchange)")


@migration
def m003_batch_parts_record_the_uploaded_hash(db: sqlite3.Connection) -> None:
    """A batch part records the sha256 of the bytes it uploads (``sha256``).

    An upload found on the Batch API is taken for the part only when its name (job and part) matches
    and this hash is the part's content. Parts of older jobs have none: a part not yet known to be
    uploaded is uploaded (again) rather than guessed at.
    """
    db.execute("ALTER TABLE batch_parts ADD COLUMN sha256 TEXT")


@migration
def m004_brief_history(db: sqlite3.Connection) -> None:
    """Every merged brief ``brief`` and ``digest`` make, kept under its story with its time and articles.

    ``summarise history`` lists them and ``summarise diff --since`` compares with them.
    """
    db.execute(
        "CREATE TABLE brief_history (id INTEGER PRIMARY KEY, story TEXT NOT NULL, created REAL NOT NULL,"
        " article_ids TEXT NOT NULL, brief TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX brief_history_story ON brief_history (story, created)")


@migration
def m005_posted_and_watched(db: sqlite3.Connection) -> None:
    """When a kept brief was posted to Slack, and what ``summarise watch`` has seen.

    ``digest --since last`` compares with the last brief posted; ``watch`` keeps each article file
    or URL it watches with its fingerprint and any problem it had, so it survives restarts.
    """
    db.execute("ALTER TABLE brief_history ADD COLUMN posted REAL")
    db.execute(
        "CREATE TABLE watched (watch TEXT NOT NULL, entry TEXT NOT NULL, fingerprint TEXT NOT NULL,"
        " problem TEXT, seen REAL NOT NULL, PRIMARY KEY (watch, entry))"
    )


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run each statement of ``script`` (no ``;`` inside one) in the open transaction.

    ``executescript`` would commit the transaction first.
    """
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def migrate(db: sqlite3.Connection) -> list[str]:
    """Run the migrations ``db`` has not had yet (``db`` in autocommit mode); return their names.

    Raises :class:`NewerStoreError` when ``db`` records a migration this release does not know.
    """
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)")
    done = {name for (name,) in db.execute("SELECT name FROM _migrations")}
    known = {name for name, _ in MIGRATIONS}
    if unknown := sorted(done - known):
        raise NewerStoreError(f"it was migrated by a newer release of summarise ({', '.join(unknown)})")
    applied = []
    for name, function in MIGRATIONS:
        if name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            if name in {row for (row,) in db.execute("SELECT name FROM _migrations")}:
                db.execute("ROLLBACK")  # another process ran it meanwhile
                continue
            function(db)
            db.execute("INSERT INTO _migrations (name, applied) VALUES (?, ?)", (name, time.time()))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
