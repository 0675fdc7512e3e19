"""A replayed walk through a fixture story with ``summarise watch``: one digest per arriving article.

    python benchmarks/watch_walk.py [--story red_sea] [--format slack|markdown]

The story's articles (those its gold file names) are copied into an empty folder one at a time, in
publication order, and after each arrival ``summarise watch --once`` makes a pass, as a running watch
does at each interval. Answers are replayed from ``fixtures/llm`` (no model runs); the store and the
caches are in a temporary folder, so the walk starts from nothing and leaves nothing. Each pass's
standard output (what the channel, or the terminal, gets) and its notes are printed, with the seconds
the pass took. ``docs/day-of-a-story.md`` shows a walk printed by this script.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def published(path: Path) -> str:
    """An article's publication date as its file says it (a ``Published:``/``date`` line), else ''."""
    for line in path.read_text(encoding="utf-8").splitlines()[:12]:
        key, _, value = line.partition(":")
        if key.strip().lower() in ("published", "date"):
            return value.strip()
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", default="red_sea", help="a folder of fixtures/stories (default red_sea)")
    parser.add_argument("--format", default="slack", choices=("slack", "markdown"))
    args = parser.parse_args()
    story = ROOT / "fixtures" / "stories" / args.story
    names = json.loads((story / "gold.json").read_text(encoding="utf-8"))
    articles = sorted((story / name for name in names), key=lambda path: (published(path) or "9999", path.name))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "desk"
        folder.mkdir()
        env = os.environ | {"XDG_DATA_HOME": f"{scratch}/data", "XDG_CACHE_HOME": f"{scratch}/cache"}
        for name in ("SUMMARISE_HOME", "SUMMARISE_PAGE_CACHE", "SLACK_WEBHOOK_URL"):  # its own store; no post
            env.pop(name, None)
        command = [sys.executable, "-m", "summarise", "watch", "--once", "-f", args.format]
        command += ["--backend", "replay", "--replay-dir", str(ROOT / "fixtures" / "llm")]
        command += ["--story-name", args.story, str(folder)]
        for number, article in enumerate(articles, start=1):
            target = folder / article.name
            shutil.copyfile(article, target)
            past = time.time() - 60  # a finished copy: not waiting for the next pass
            os.utime(target, (past, past))
            one_pass(command, env, f"arrival {number}: {article.name}")
        one_pass(command, env, "one more pass, nothing arrived")


def one_pass(command: list[str], env: dict[str, str], what: str) -> None:
    """Run one pass of the watch and print what it said."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    when = dt.datetime.now(dt.UTC).strftime("%H:%M:%S UTC")
    print(f"===== {what} ({when}, pass {seconds:.1f} s, exit {done.returncode})")
    notes = [line for line in done.stderr.splitlines() if line.strip() and not line.startswith("done:")]
    print("\n".join(f"  [stderr] {line}" for line in notes))
    print(done.stdout.rstrip() + "\n")


if __name__ == "__main__":
    main()
