"""The SQLite store: a log of every model call and a cache of finished briefs.

This module and :mod:`summarise.store.migrations` (the schema, as numbered migrations run when a
store is opened) are the only ones that write SQL. The database lives in the user data
folder (``$SUMMARISE_HOME``, else the platform's, from ``platformdirs``: on Linux
``$XDG_DATA_HOME/summarise``, else ``~/.local/share/summarise``), is created readable by
its owner only, and holds no secret: requests are logged as sent to the model, and API keys
never travel in them. The article a request shows is kept once (``article_texts``) and the
logged request names it: :meth:`Store.calls` gives the request back whole.

A damaged file (pages SQLite finds malformed, a header that is not a database's) is found by
``PRAGMA quick_check`` when the store is opened and whenever SQLite fails, and named in a
:class:`StoreDamagedError` with the way to recover. What only reads the log or keeps batch jobs
raises it; the brief cache and the call log are a run's helpers, not its work: an extraction over a
damaged store is warned once, still reads the briefs it can, and writes nothing more to the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarise.exceptions import ConfigError, StoreDamagedError
from summarise.store.migrations import NewerStoreError, migrate


def default_home() -> Path:
    """The folder of the store and the model cache: ``$SUMMARISE_HOME``, else the platform's data folder."""
    if home := os.environ.get("SUMMARISE_HOME"):
        return Path(home).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("summarise", appauthor=False))


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
    #: the article as the request shows it (stored once; the logged request names it)
    article_text: str | None = None
    #: one question and its reasks share it
    exchange: str | None = None


_CALLS = (
    "SELECT calls.*, article_texts.text AS article_text_value FROM calls"
    " LEFT JOIN article_texts ON article_texts.hash = calls.article_text"
)


def _with_article_named(request: dict[str, Any], article: str, text_hash: str) -> dict[str, Any] | None:
    """``request`` with the article in each message's text replaced by a content part naming it.

    ``None`` when no message shows the article (the request is logged as it is).
    """
    messages, named = [], False
    for message in request.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str) and article in content:
            parts: list[dict[str, str]] = []
            for i, piece in enumerate(content.split(article)):
                if i:
                    parts.append({"type": "article_text", "hash": text_hash})
                if piece:
                    parts.append({"type": "text", "text": piece})
            message, named = {**message, "content": parts}, True
        messages.append(message)
    return {**request, "messages": messages} if named else None


def _whole(row: dict[str, Any]) -> dict[str, Any]:
    """A call row with its request whole again (the article put back where it was named)."""
    article = row.pop("article_text_value", None)
    if article is None:
        return row
    request = json.loads(row["request"])
    for message in request.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list) and any(part.get("type") == "article_text" for part in content):
            message["content"] = "".join(
                article if part.get("type") == "article_text" else part.get("text", "") for part in content
            )
    row["request"] = json.dumps(request, ensure_ascii=False)
    return row


def _warn_on_stderr(message: str) -> None:
    """Say ``message`` as a warning on stderr (the default ``on_damage`` of a :class:`Store`)."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


def _short(error: sqlite3.Error) -> str:
    """What SQLite said, without the text the sqlite3 module quotes when it cannot decode one."""
    said = str(error).split(" with text '", 1)[0]
    return said if len(said) <= 200 else said[:199] + "…"


def _looks_damaged(error: sqlite3.Error) -> bool:
    """Whether ``error`` itself says the file is damaged (a text that is not UTF-8 is: the store writes none)."""
    name = getattr(error, "sqlite_errorname", None) or ""
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or str(error).startswith("Could not decode to UTF-8")


def _quick_check(db: sqlite3.Connection) -> str | None:
    """The first problem ``PRAGMA quick_check`` finds in the file; ``None`` when it finds none (or cannot look)."""
    try:
        rows = db.execute("PRAGMA quick_check(1)").fetchmany(1)
    except sqlite3.Error as error:
        return _short(error) if _looks_damaged(error) else None
    found = str(rows[0][0]) if rows else "ok"
    return None if found == "ok" else found.removeprefix("*** in database main ***\n").replace("\n", "; ")


def _recovery(path: Path) -> str:
    """How to recover from the damage of the store at ``path``: the commands, with its own names."""
    aside = path.parent / "damaged-store"
    folder, moved, saved = (shlex.quote(str(name)) for name in (aside, aside / path.name, aside / "recovered.sql"))
    return (
        f"Move it aside with its -wal and -shm files (`mkdir {folder} && mv {shlex.quote(str(path))}* {folder}/`) "
        "and run again: a new store is made, and the brief cache fills again as articles are extracted. What can "
        f"still be read of its call log and batch jobs is saved as SQL by `sqlite3 {moved} .recover > {saved}` "
        "(or .dump instead of .recover, with a sqlite3 shell that has no .recover)"
    )


def _unwritable(path: Path) -> str:
    """The advice to choose another folder, when the store's folder or file cannot be written; else nothing."""
    if os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK)):
        return ""
    return " (set SUMMARISE_HOME to a writable folder)"


#: The damaged stores this process has said are damaged (each is said once).
_DAMAGE_SAID: set[str] = set()
_DAMAGE_SAID_LOCK = threading.Lock()


class Store:
    """Call log and brief cache in one SQLite file, safe to share between threads.

    A damaged file does not stop the opening: it is recorded in :attr:`damage`, and from then on
    nothing is written to it. The methods that read the log or keep batch jobs raise that
    :class:`StoreDamagedError`; the brief cache and the call log are skipped, and ``on_damage``
    (by default a warning line on stderr) is told once, with the way to recover.
    """

    def __init__(self, path: Path | None = None, *, on_damage: Callable[[str], None] | None = None) -> None:
        self.path = path or default_home() / "summarise.db"
        self.on_damage = on_damage or _warn_on_stderr
        #: the migrations this opening ran
        self.migrated: list[str] = []
        #: what is wrong with the file, once seen (by ``PRAGMA quick_check`` on opening, or a failure)
        self.damage: StoreDamagedError | None = None
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                self.path.touch(mode=0o600)
            os.chmod(self.path, 0o600)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise ConfigError(
                f"cannot open the store at {self.path}: {error} (set SUMMARISE_HOME to a writable folder)"
            ) from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            # A crash of summarise loses nothing in WAL mode even so; a power cut may lose the last
            # cached briefs and log lines (cheap to redo), never a batch's remote ids (below).
            self._db.execute("PRAGMA synchronous=NORMAL")
            # Checked before anything is written: a migration must not write into a damaged file.
            if (found := _quick_check(self._db)) is not None:
                self.damage = self._damaged(f"PRAGMA quick_check: {found}")
            else:
                self.migrated = migrate(self._db)
        except NewerStoreError as error:
            self._db.close()
            raise ConfigError(f"cannot open the store at {self.path}: {error} (use that release)") from None
        except sqlite3.Error as error:
            self.damage = self._damage_behind(error)
            if self.damage is None:
                self._db.close()
                raise ConfigError(f"cannot open the store at {self.path}: {error}{_unwritable(self.path)}") from None

    def log_call(self, record: CallRecord) -> None:
        """Append one model call to the log (the article it shows kept once, and named); skipped when damaged."""
        request, text_hash = record.request, None
        if record.article_text:
            named_hash = hashlib.sha256(record.article_text.encode()).hexdigest()[:32]
            if (named := _with_article_named(request, record.article_text, named_hash)) is not None:
                request, text_hash = named, named_hash
        with self.damage_said(), self.using() as db, self.transaction():
            if text_hash is not None:
                db.execute(
                    "INSERT OR IGNORE INTO article_texts (hash, article_id, created, text) VALUES (?, ?, ?, ?)",
                    (text_hash, record.article_id, time.time(), record.article_text),
                )
            db.execute(
                "INSERT INTO calls (created, backend, model, prompt_hash, article_id, step, attempt,"
                " request, response, prompt_tokens, completion_tokens, latency_ms, error, article_text, exchange)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    record.backend,
                    record.model,
                    record.prompt_hash,
                    record.article_id,
                    record.step,
                    record.attempt,
                    json.dumps(request, ensure_ascii=False),
                    json.dumps(record.response, ensure_ascii=False) if record.response is not None else None,
                    record.prompt_tokens,
                    record.completion_tokens,
                    record.latency_ms,
                    record.error,
                    text_hash,
                    record.exchange,
                ),
            )

    def calls(self, article_id: str | None = None) -> Iterator[dict[str, Any]]:
        """The logged calls, oldest first, optionally for one article; each request whole."""
        query = _CALLS
        args: tuple[str, ...] = ()
        if article_id:
            query += " WHERE calls.article_id = ?"
            args = (article_id,)
        for row in self.rows(query + " ORDER BY calls.id", args):
            yield _whole(row)

    def recent_calls(self, limit: int, article_id: str | None = None) -> list[dict[str, Any]]:
        """The newest ``limit`` calls, newest first, without their request and answer texts."""
        query = (
            "SELECT id, created, backend, model, article_id, step, attempt, exchange, prompt_tokens,"
            " completion_tokens, latency_ms, error FROM calls"
        )
        args: tuple[Any, ...] = ()
        if article_id:
            query += " WHERE article_id = ? OR article_id LIKE ?"
            args = (article_id, f"{article_id}%")
        return self.rows(query + " ORDER BY id DESC LIMIT ?", (*args, limit))

    def call(self, call_id: int) -> dict[str, Any] | None:
        """One logged call, its request whole."""
        rows = self.rows(_CALLS + " WHERE calls.id = ?", (call_id,))
        return _whole(rows[0]) if rows else None

    def exchange(self, exchange: str) -> list[dict[str, Any]]:
        """The calls of one exchange (a question and its reasks), oldest first, without their texts."""
        return self.rows(
            "SELECT id, attempt, prompt_tokens, completion_tokens, latency_ms, error FROM calls"
            " WHERE exchange = ? ORDER BY id",
            (exchange,),
        )

    def schema_mode(self, endpoint: str, model: str, max_age: float = 7 * 24 * 3600) -> str | None:
        """The schema mode that last worked for ``model`` at ``endpoint`` (a hash of its address), if any.

        Only within ``max_age`` seconds: a server may have learnt a better mode since.
        """
        rows = self._rows_despite_damage(
            "SELECT mode FROM schema_modes WHERE endpoint = ? AND model = ? AND updated >= ?",
            (endpoint, model, time.time() - max_age),
        )
        return rows[0][0] if rows else None

    def remember_schema_mode(self, endpoint: str, model: str, mode: str) -> None:
        """Keep the schema mode that worked for ``model`` at ``endpoint`` (skipped when the store is damaged)."""
        with self.damage_said(), self.using() as db:
            db.execute(
                "INSERT INTO schema_modes (endpoint, model, mode, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (endpoint, model) DO UPDATE SET mode = excluded.mode, updated = excluded.updated",
                (endpoint, model, mode, time.time()),
            )

    def cached_brief(self, cache_key: str) -> str | None:
        """The brief JSON stored under ``cache_key``, if any (and if a damaged store still gives it)."""
        rows = self._rows_despite_damage("SELECT brief FROM briefs WHERE cache_key = ?", (cache_key,))
        return rows[0][0] if rows else None

    def save_brief(
        self, cache_key: str, *, article_id: str, backend: str, model: str, prompt_hash: str, brief_json: str
    ) -> None:
        """Store a finished brief under ``cache_key`` (replacing an older one); skipped when the store is damaged."""
        with self.damage_said(), self.using() as db:
            db.execute(
                "INSERT OR REPLACE INTO briefs (cache_key, article_id, backend, model, prompt_hash, created, brief)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (cache_key, article_id, backend, model, prompt_hash, time.time(), brief_json),
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction (the caller holds the lock): committed, or rolled back on any error."""
        self._db.execute("BEGIN")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def execute(self, query: str, args: Any) -> None:
        """Run one statement (under the lock; damage raises :class:`StoreDamagedError`)."""
        with self.using() as db:
            db.execute(query, args)

    def rows(self, query: str, args: Any) -> list[dict[str, Any]]:
        """The rows a query gives, as dicts by column name."""
        with self.using() as db:
            cursor = db.execute(query, args)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _rows_despite_damage(self, query: str, args: Any) -> list[tuple[Any, ...]]:
        """The rows of a read a run can do without (the cache): none when the store cannot give them.

        A damaged store is still read (the pages a read needs may be intact), and the damage said once.
        """
        try:
            with self.using(despite_damage=True) as db:
                rows = db.execute(query, args).fetchall()
        except StoreDamagedError:
            rows = []
        if self.damage is not None:
            self.say_damage()
        return rows

    @contextmanager
    def damage_said(self) -> Iterator[None]:
        """A write the run can do without: on damage it is skipped, and the damage said once, the run going on.

        Enter it before :meth:`using` (``with store.damage_said(), store.using() as db:``): the damage
        ``using`` finds on entering is then skipped too.
        """
        try:
            yield
        except StoreDamagedError:
            self.say_damage()

    @contextmanager
    def using(self, *, despite_damage: bool = False) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock; a damaged store raises :class:`StoreDamagedError`.

        At once when the damage is known (unless ``despite_damage``); else when SQLite fails and
        ``PRAGMA quick_check`` finds the file damaged (another failure is raised as it is).
        """
        with self._lock:
            if self.damage is not None and not despite_damage:
                raise self.damage
            try:
                yield self._db
            except sqlite3.Error as error:
                if self.damage is None:
                    self.damage = self._damage_behind(error)
                if self.damage is None:
                    raise
                raise self.damage from None

    def _damage_behind(self, error: sqlite3.Error) -> StoreDamagedError | None:
        """The file's damage if ``error`` comes from one, else ``None`` (``PRAGMA quick_check`` looks)."""
        if isinstance(error, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)):
            return None  # the code's mistake, not the file's
        name = getattr(error, "sqlite_errorname", None) or ""
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return None  # another process is writing
        said, found = _short(error), _quick_check(self._db)
        if found is None and not _looks_damaged(error):
            return None
        return self._damaged(said if found in (None, said) else f"{said}; PRAGMA quick_check: {found}")

    def _damaged(self, problem: str) -> StoreDamagedError:
        return StoreDamagedError(str(self.path), problem, _recovery(self.path))

    def say_damage(self) -> None:
        """Tell ``on_damage``, the first time, that the store is damaged and the run goes on without it.

        Once per store file and process: a command that opens the store again (``brief`` keeps the
        merged brief in its history after the run) does not say it twice.
        """
        damage = self.damage
        if damage is None:
            return
        with _DAMAGE_SAID_LOCK:
            first = damage.path not in _DAMAGE_SAID
            _DAMAGE_SAID.add(damage.path)
        if first:
            self.on_damage(
                f"the store {damage.path} is damaged (SQLite: {damage.problem}): this run goes on, but caches no "
                f"brief and logs no call in it. {damage.recovery}"
            )

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
