"""The SQLite store: a log of every model call and a cache of finished briefs.

This is the only module that writes SQL. The database lives in the user data folder
(``$SUMMARISE_HOME``, else ``$XDG_DATA_HOME/summarise``, else
``~/.local/share/summarise``), is created readable by its owner only, and holds no
secret: requests are logged as sent to the model, and API keys never travel in them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarise.exceptions import ConfigError

SCHEMA = """
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
"""


def default_home() -> Path:
    """The folder of the store and the model cache."""
    if home := os.environ.get("SUMMARISE_HOME"):
        return Path(home).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "summarise"


@dataclass(frozen=True)
class CallRecord:
    """One logged model call."""

    backend: str
    model: str
    prompt_hash: str | None
    article_id: str | None
    step: str | None
    attempt: int
    request: dict[str, Any]
    response: dict[str, Any] | None
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: float
    error: str | None = None


class Store:
    """Call log and brief cache in one SQLite file, safe to share between threads."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_home() / "summarise.db"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                self.path.touch(mode=0o600)
            os.chmod(self.path, 0o600)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise ConfigError(
                f"cannot open the store at {self.path}: {error} (set SUMMARISE_HOME to a writable folder)"
            ) from None
        self._lock = threading.Lock()

    def log_call(self, record: CallRecord) -> None:
        """Append one model call to the log."""
        with self._lock:
            self._db.execute(
                "INSERT INTO calls (created, backend, model, prompt_hash, article_id, step, attempt,"
                " request, response, prompt_tokens, completion_tokens, latency_ms, error)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    record.backend,
                    record.model,
                    record.prompt_hash,
                    record.article_id,
                    record.step,
                    record.attempt,
                    json.dumps(record.request, ensure_ascii=False),
                    json.dumps(record.response, ensure_ascii=False) if record.response is not None else None,
                    record.prompt_tokens,
                    record.completion_tokens,
                    record.latency_ms,
                    record.error,
                ),
            )

    def calls(self, article_id: str | None = None) -> Iterator[dict[str, Any]]:
        """The logged calls, oldest first, optionally for one article."""
        query = "SELECT * FROM calls"
        args: tuple[str, ...] = ()
        if article_id:
            query += " WHERE article_id = ?"
            args = (article_id,)
        with self._lock:
            cursor = self._db.execute(query + " ORDER BY id", args)
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
        for row in rows:
            yield dict(zip(names, row, strict=True))

    def cached_brief(self, cache_key: str) -> str | None:
        """The brief JSON stored under ``cache_key``, if any."""
        with self._lock:
            row = self._db.execute("SELECT brief FROM briefs WHERE cache_key = ?", (cache_key,)).fetchone()
        return row[0] if row else None

    def save_brief(
        self, cache_key: str, *, article_id: str, backend: str, model: str, prompt_hash: str, brief_json: str
    ) -> None:
        """Store a finished brief under ``cache_key`` (replacing an older one)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO briefs (cache_key, article_id, backend, model, prompt_hash, created, brief)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (cache_key, article_id, backend, model, prompt_hash, time.time(), brief_json),
            )

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
