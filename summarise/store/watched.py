"""What ``summarise watch`` has seen of the article files and URLs it watches, kept in the store.

A watch is named like a story in the brief history. Each entry (a file's path or a URL) is kept
with its fingerprint when last read (size and modification time of a file) and the problem it
had, if any: a watch restarted reads only what changed while it was stopped, and an article that
failed is said once, not at every pass, until its file changes.
"""

from __future__ import annotations

import time

from summarise.store.database import Store


class Watched:
    """The entries a watch has seen, in ``store``."""

    def __init__(self, store: Store, watch: str) -> None:
        self.store = store
        self.watch = watch

    def seen(self) -> dict[str, tuple[str, str | None]]:
        """Each entry seen: ``(fingerprint, problem or None)``."""
        rows = self.store.rows("SELECT entry, fingerprint, problem FROM watched WHERE watch = ?", (self.watch,))
        return {row["entry"]: (row["fingerprint"], row["problem"]) for row in rows}

    def saw(self, entries: dict[str, tuple[str, str | None]], gone: list[str]) -> None:
        """Keep what a pass read (``entry: (fingerprint, problem)``) and forget the entries gone, at once."""
        now = time.time()
        with self.store.damage_said(), self.store.using() as db, self.store.transaction():
            db.executemany(
                "INSERT OR REPLACE INTO watched (watch, entry, fingerprint, problem, seen) VALUES (?, ?, ?, ?, ?)",
                [(self.watch, entry, print_, problem, now) for entry, (print_, problem) in entries.items()],
            )
            db.executemany("DELETE FROM watched WHERE watch = ? AND entry = ?", [(self.watch, entry) for entry in gone])
