"""Every output of every fixture story, replayed, with its sha256: the proof that a refactor changed no byte.

Usage::

    python benchmarks/outputs.py [--out DIR]

For each story of the fixtures it replays ``summarise extract -f json`` on the recorded answers of
``fixtures/llm`` (asking the questions in turn and in the default mode), merges the briefs
(``summarise merge`` to JSON, Markdown, HTML and Slack text) and scores them (``summarise eval
--json``), then prints one line per file: its sha256 (with the seconds an extraction took and the
minute a page was made blanked) and name, and last one sha256 of all of them. Run it before and
after a change that must not change behaviour and compare the last lines (or ``diff`` the two
listings); articles are named from the checkout's root, so two checkouts compare too. Each run
uses a store of its own (``SUMMARISE_HOME`` in a temporary folder), so no cached brief is reused.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.quality import STORIES, articles_of  # noqa: E402

FORMATS = {"json": "json", "markdown": "md", "html": "html", "slack": "slack.txt"}
MODES = ("auto", "separate")  # the fixtures record these two; combined is replayed by tests
#: What changes from run to run: the seconds an extraction took and the minute a page was made.
VOLATILE = [
    (re.compile(rb'"seconds": ?[0-9.]+'), b'"seconds": 0'),
    (re.compile(rb"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC"), b"Generated (time) UTC"),
]


def summarise(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SUMMARISE_HOME": str(home), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "summarise", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT, env=environment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="Keep the outputs in this folder.")
    options = parser.parse_args()
    out = options.out or Path(tempfile.mkdtemp(prefix="summarise-outputs-"))
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="summarise-outputs-home-"))
    replay = ["--backend", "replay", "--replay-dir", str(ROOT / "fixtures/llm")]
    for story, (folder, gold, conflicts) in STORIES.items():
        articles = [str(path.relative_to(ROOT)) for path in articles_of(folder, gold)]  # as a source's path
        for mode in MODES:
            briefs = out / f"{story}.{mode}.jsonl"
            done = summarise(
                home, "extract", *replay, "--questions", mode, "--no-cache", "-f", "json", "-o", str(briefs), *articles
            )
            (out / f"{story}.{mode}.extract.exit").write_text(f"{done.returncode}\n", encoding="utf-8")
        briefs = out / f"{story}.auto.jsonl"
        for name, suffix in FORMATS.items():
            summarise(home, "merge", "-f", name, "-o", str(out / f"{story}.merged.{suffix}"), str(briefs))
        scored = summarise(
            home, "eval", "--json", "--briefs", str(briefs), "--merged", str(conflicts), str(gold), *articles
        )
        (out / f"{story}.eval.json").write_text(scored.stdout, encoding="utf-8")
    whole = hashlib.sha256()
    for path in sorted(out.iterdir()):
        content = path.read_bytes()
        for pattern, replacement in VOLATILE:
            content = pattern.sub(replacement, content)
        digest = hashlib.sha256(content).hexdigest()
        whole.update(f"{digest}  {path.name}\n".encode())
        print(f"{digest}  {path.name}")
    print(f"{whole.hexdigest()}  all {len(list(out.iterdir()))} files, in {out}")


if __name__ == "__main__":
    main()
