"""The store's batch tables: jobs, their parts, requests, results and articles.

A :class:`BatchTables` reads and writes the ``batch_*`` tables of the one SQLite store
(:mod:`summarise.store.database` opens it, watches for damage and runs the migrations that make
these tables); the call log and the brief cache stay the store's own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from summarise.store.database import Store

_PART_FIELDS = {
    "path",
    "requests",
    "bytes",
    "file_id",
    "batch_id",
    "status",
    "counts",
    "output_file_id",
    "error_file_id",
    "ingested",
    "sha256",
}


class BatchTables:
    """The batch jobs kept in ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def job(self, job: str) -> dict[str, Any] | None:
        """One batch job's row."""
        rows = self.store.rows("SELECT * FROM batch_jobs WHERE job = ?", (job,))
        return rows[0] if rows else None

    def jobs(self) -> list[dict[str, Any]]:
        """Every batch job, newest first."""
        return self.store.rows("SELECT * FROM batch_jobs ORDER BY created DESC", ())

    def create_job(
        self, job: str, *, backend: str, model: str, prompt_hash: str, local: bool, inputs: list[str]
    ) -> None:
        """Record a job (again: nothing changes)."""
        self.store.execute(
            "INSERT OR IGNORE INTO batch_jobs (job, created, backend, model, prompt_hash, local, inputs)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (job, time.time(), backend, model, prompt_hash, int(local), json.dumps(inputs)),
        )

    def combined(self, job: str) -> bool | None:
        """Whether the job's requests ask every question of an article at once (``None``: not recorded)."""
        rows = self.store.rows("SELECT combined FROM batch_modes WHERE job = ?", (job,))
        return bool(rows[0]["combined"]) if rows else None

    def set_combined(self, job: str, combined: bool) -> None:
        """Record how the job's requests ask their questions (the first record stands)."""
        self.store.execute("INSERT OR IGNORE INTO batch_modes (job, combined) VALUES (?, ?)", (job, int(combined)))

    def mark_built(self, job: str) -> None:
        """Every request file of the job is written and recorded."""
        self.store.execute("UPDATE batch_jobs SET built = 1 WHERE job = ?", (job,))

    def forget_build(self, job: str) -> None:
        """Drop what a build interrupted before its end recorded (it is built again)."""
        with self.store.using() as db:
            for table in ("batch_parts", "batch_requests", "batch_articles"):
                db.execute(f"DELETE FROM {table} WHERE job = ?", (job,))

    def add_article(
        self,
        job: str,
        article_id: str,
        source: str,
        state: str,
        cache_key: str,
        requests: list[tuple[str, int, str, str]],
    ) -> None:
        """Record an article of a job and its requests ``(custom_id, part, step, request_key)``."""
        with self.store.using() as db, self.store.transaction():
            db.execute(
                "INSERT OR IGNORE INTO batch_articles (job, article_id, source, state, cache_key)"
                " VALUES (?, ?, ?, ?, ?)",
                (job, article_id, source, state, cache_key),
            )
            db.executemany(
                "INSERT OR IGNORE INTO batch_requests (job, custom_id, part, article_id, step, request_key)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(job, custom_id, part, article_id, step, key) for custom_id, part, step, key in requests],
            )

    def set_part(self, job: str, part: int, **fields: Any) -> None:
        """Create or update a part's row (synced to disk: it holds the remote file and batch ids)."""
        with self.store.using() as db:
            db.execute("PRAGMA synchronous=FULL")
            try:
                db.execute(
                    "INSERT OR IGNORE INTO batch_parts (job, part, path, requests, bytes) VALUES (?, ?, '', 0, 0)",
                    (job, part),
                )
                for name, value in fields.items():
                    if name not in _PART_FIELDS:
                        raise ValueError(f"not a batch part field: {name}")
                    db.execute(f"UPDATE batch_parts SET {name} = ? WHERE job = ? AND part = ?", (value, job, part))
            finally:
                db.execute("PRAGMA synchronous=NORMAL")

    def parts(self, job: str) -> list[dict[str, Any]]:
        """A job's parts, in order."""
        return self.store.rows("SELECT * FROM batch_parts WHERE job = ? ORDER BY part", (job,))

    def request(self, job: str, custom_id: str) -> dict[str, Any] | None:
        """The request a ``custom_id`` stands for."""
        rows = self.store.rows("SELECT * FROM batch_requests WHERE job = ? AND custom_id = ?", (job, custom_id))
        return rows[0] if rows else None

    def save_result(
        self, job: str, custom_id: str, status_code: int | None, body: str | None, error: str | None
    ) -> bool:
        """Keep one output line's result; a result already kept stays. Returns whether it was new."""
        with self.store.using() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO batch_results (job, custom_id, status_code, body, error) VALUES (?, ?, ?, ?, ?)",
                (job, custom_id, status_code, body, error),
            )
            return cursor.rowcount == 1

    def has_result(self, job: str, custom_id: str) -> bool:
        """Whether a result (answer or error) is kept for this request."""
        return bool(self.store.rows("SELECT 1 FROM batch_results WHERE job = ? AND custom_id = ?", (job, custom_id)))

    def answer(self, job: str, request_key: str) -> str | None:
        """The completion body the batch returned for a request, if it returned one with HTTP 200."""
        rows = self.store.rows(
            "SELECT r.body FROM batch_requests q JOIN batch_results r ON r.job = q.job AND r.custom_id = q.custom_id"
            " WHERE q.job = ? AND q.request_key = ? AND r.status_code = 200 AND r.body IS NOT NULL",
            (job, request_key),
        )
        return rows[0]["body"] if rows else None

    def counts(self, job: str) -> dict[str, int]:
        """How many requests, results, answers, articles and finished articles a job has."""
        one = self.store.rows(
            "SELECT (SELECT COUNT(*) FROM batch_requests WHERE job = :j) AS requests,"
            " (SELECT COUNT(*) FROM batch_results WHERE job = :j) AS results,"
            " (SELECT COUNT(*) FROM batch_results WHERE job = :j AND status_code = 200) AS answered,"
            " (SELECT COUNT(*) FROM batch_articles WHERE job = :j) AS articles,"
            " (SELECT COUNT(*) FROM batch_articles WHERE job = :j AND state IN ('done', 'cached')) AS finished",
            {"j": job},
        )
        return one[0]

    def articles(self, job: str, state: str | None = None) -> Iterator[dict[str, Any]]:
        """A job's articles (optionally in one state), read in chunks."""
        query = "SELECT * FROM batch_articles WHERE job = ?" + (" AND state = ?" if state else "") + " ORDER BY rowid"
        args = (job, state) if state else (job,)
        offset = 0
        while True:
            rows = self.store.rows(query + " LIMIT 500 OFFSET ?", (*args, offset))
            yield from rows
            if len(rows) < 500:
                return
            offset += len(rows)

    def set_article_state(self, job: str, article_id: str, state: str) -> None:
        """Mark an article of a job done, failed, ..."""
        self.store.execute(
            "UPDATE batch_articles SET state = ? WHERE job = ? AND article_id = ?", (state, job, article_id)
        )
