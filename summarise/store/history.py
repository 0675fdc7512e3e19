"""The store's brief history: every merged brief ``brief`` and ``digest`` made, under its story.

A story is named by its story file's title, by ``--story-name``, or by the folders its articles
were read from. :class:`BriefHistory` keeps a brief with its time and the ids of its articles, lists
a story's briefs and gives back the last one made before a time (``summarise diff --since``), and
notes which were posted to Slack (``digest --since last`` compares with the last one posted).
"""

from __future__ import annotations

import json
import time
from typing import Any

from summarise.store.database import Store


class BriefHistory:
    """The merged briefs kept in ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def keep(self, story: str, article_ids: list[str], brief_json: str) -> int | None:
        """Keep one merged brief of ``story``; returns its id (None when a damaged store could not keep it)."""
        with self.store.damage_said(), self.store.using() as db:  # the brief is written all the same
            cursor = db.execute(
                "INSERT INTO brief_history (story, created, article_ids, brief) VALUES (?, ?, ?, ?)",
                (story, time.time(), json.dumps(sorted(set(article_ids))), brief_json),
            )
            return cursor.lastrowid
        return None

    def listed(self, story: str | None = None) -> list[dict[str, Any]]:
        """The briefs kept (of one story, or of every story), oldest first, without their text."""
        query = "SELECT id, story, created, article_ids FROM brief_history"
        rows = self.store.rows(
            query + (" WHERE story = ?" if story else "") + " ORDER BY created, id", (story,) if story else ()
        )
        for row in rows:
            row["articles"] = len(json.loads(row.pop("article_ids")))
        return rows

    def brief(self, kept: int) -> str | None:
        """The JSON of the brief kept as ``kept``."""
        rows = self.store.rows("SELECT brief FROM brief_history WHERE id = ?", (kept,))
        return rows[0]["brief"] if rows else None

    def before(self, story: str, moment: float) -> dict[str, Any] | None:
        """The last brief of ``story`` kept before ``moment`` (seconds since the epoch), with its text."""
        rows = self.store.rows(
            "SELECT * FROM brief_history WHERE story = ? AND created < ? ORDER BY created DESC, id DESC LIMIT 1",
            (story, moment),
        )
        return rows[0] if rows else None

    def posted(self, kept: int | None) -> None:
        """Note that the brief kept as ``kept`` was posted to Slack (a damaged store is said once).

        ``None`` (a brief the damaged store could not keep) notes nothing.
        """
        if kept is None:
            return
        with self.store.damage_said(), self.store.using() as db:
            db.execute("UPDATE brief_history SET posted = ? WHERE id = ?", (time.time(), kept))

    def last(self, story: str, *, posted: bool = False) -> dict[str, Any] | None:
        """The newest brief kept of ``story`` (the newest posted, with ``posted``), with its text."""
        rows = self.store.rows(
            "SELECT * FROM brief_history WHERE story = ?"
            + (" AND posted IS NOT NULL" if posted else "")
            + " ORDER BY created DESC, id DESC LIMIT 1",
            (story,),
        )
        return rows[0] if rows else None

    def unposted(self, story: str) -> bool:
        """Whether the newest brief kept of ``story`` was never posted to Slack (its post failed, or none was made)."""
        rows = self.store.rows(
            "SELECT posted FROM brief_history WHERE story = ? ORDER BY created DESC, id DESC LIMIT 1", (story,)
        )
        return bool(rows) and rows[0]["posted"] is None
