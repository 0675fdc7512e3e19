"""Whole-output snapshots: the merged brief of every replayed fixture story in every format (syrupy).

Each story's articles are extracted from the recordings of ``fixtures/llm`` (``extract --backend
replay``, as ``benchmarks/outputs.py`` does) and merged by ``summarise merge`` into Markdown, HTML,
Slack mrkdwn text, Slack Block Kit JSON and the JSON brief. Every output is compared whole with its
file in ``tests/__snapshots__/test_output_snapshots/``: a change to any byte fails the test and shows
the difference. After a change meant to alter an output, review the difference and rewrite the
files with ``pytest tests/test_output_snapshots.py --snapshot-update``.

The HTML page says when it was made: ``SOURCE_DATE_EPOCH`` (the renderer's reproducible-build
time) pins it. The Block Kit payloads (one JSON object a line) are kept pretty-printed, in their
own key order, and each line is checked to be exactly that JSON written compactly, so the snapshot
still holds every byte that would be posted.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from typer.testing import CliRunner

from summarise.cli import app

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT / "fixtures" / "llm"
#: The replayed stories of ``benchmarks/quality.py``: each folder's articles that its gold file names.
STORIES = {
    "isis": ROOT / "fixtures" / "articles",
    **{
        story: ROOT / "fixtures" / "stories" / story
        for story in ("isis_holdout", "red_sea", "sahel", "brics", "grain_deal")
    },
}
GOLD = {"isis": ROOT / "fixtures" / "eval" / "gold.json"}
#: When every HTML page says it was generated.
GENERATED = dt.datetime(2025, 12, 24, 9, 30, tzinfo=dt.UTC)


class TextSnapshot(SingleFileSnapshotExtension):
    """One snapshot, one UTF-8 text file whose name ends in the output's own suffix."""

    _write_mode = WriteMode.TEXT


def snapshot_file(suffix: str) -> type[TextSnapshot]:
    return type(f"{suffix.title()}Snapshot", (TextSnapshot,), {"file_extension": suffix})


#: ``merge --format`` -> the snapshot file's suffix.
FORMATS = {
    "markdown": snapshot_file("md"),
    "html": snapshot_file("html"),
    "slack": snapshot_file("mrkdwn"),
    "slack-blocks": snapshot_file("json"),
    "json": snapshot_file("json"),
}


def articles_of(story: str) -> list[str]:
    """The story's articles, by their paths from the checkout's root (a source's path is part of the brief)."""
    folder = STORIES[story]
    names = json.loads(GOLD.get(story, folder / "gold.json").read_text(encoding="utf-8"))
    return sorted(str(path.relative_to(ROOT)) for path in folder.iterdir() if path.name in names)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """``story -> JSON Lines of its ArticleBriefs``, each story extracted once, when first asked for."""
    folder = tmp_path_factory.mktemp("replayed")
    saved: dict[str, Path] = {}

    def briefs_of(story: str) -> Path:
        if story not in saved:
            path = folder / f"{story}.jsonl"
            args = ["extract", "--backend", "replay", "--replay-dir", str(RECORDINGS), "--no-cache"]
            with pytest.MonkeyPatch.context() as patch:  # read from the root, wherever the checkout lies
                patch.chdir(ROOT)
                result = CliRunner().invoke(app, [*args, "-f", "json", "-o", str(path), *articles_of(story)])
            assert result.exit_code == 0, result.stderr
            saved[story] = path
        return saved[story]

    return briefs_of


def pretty_payloads(lines: str) -> str:
    """The Block Kit payloads pretty-printed, after checking each line is their compact JSON, byte for byte."""
    payloads = [json.loads(line) for line in lines.splitlines()]
    assert lines == "".join(json.dumps(payload, ensure_ascii=False) + "\n" for payload in payloads)
    return json.dumps(payloads, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("output_format", list(FORMATS))
@pytest.mark.parametrize("story", list(STORIES))
def test_merged_brief(story, output_format, extracted, snapshot, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(GENERATED.timestamp())))
    written = tmp_path / "merged"
    result = CliRunner().invoke(
        app, ["merge", "--format", output_format, "-o", str(written), str(extracted(story))], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    output = written.read_bytes().decode("utf-8")
    if output_format == "slack-blocks":
        output = pretty_payloads(output)
    assert output == snapshot(extension_class=FORMATS[output_format])
