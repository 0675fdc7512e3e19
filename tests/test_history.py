"""The brief history: every merged brief ``brief`` keeps under its story, ``summarise history``, ``diff --since``.

The briefs are of a fixture story replayed from ``fixtures/llm``; its articles are copied into a
folder one more at a time, as a desk's folder fills during a day.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from summarise.cli import app
from summarise.store.database import Store
from summarise.store.history import BriefHistory

ROOT = Path(__file__).resolve().parents[1]
STORY = ROOT / "fixtures" / "stories" / "red_sea"
REPLAY = ["--backend", "replay", "--replay-dir", str(ROOT / "fixtures" / "llm")]
ARTICLES = sorted(path for path in STORY.iterdir() if path.name in json.loads((STORY / "gold.json").read_text()))


def run(*args: str):
    return CliRunner().invoke(app, [*args])


def brief_of(folder: Path, *more: str) -> None:
    result = run("brief", *REPLAY, "-f", "json", "-o", str(folder.parent / "brief.json"), *more, str(folder))
    assert result.exit_code == 0, result.stderr


def test_each_brief_is_kept_under_its_folder_and_listed(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    for count, article in enumerate(ARTICLES[:3], start=1):
        shutil.copy(article, news)
        brief_of(news)
        assert len(BriefHistory(Store()).listed()) == count
    listed = run("history")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert [line.split()[4] for line in lines] == ["1", "2", "3"]  # articles per brief
    assert all(line.endswith(str(news.resolve())) for line in lines)


def test_diff_since_last_shows_what_the_newest_article_brought(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    for article in ARTICLES[:2]:
        shutil.copy(article, news)
        brief_of(news)
    result = run("diff", "--since", "last", "-f", "json")
    assert result.exit_code == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    assert [c["kind"] for c in changes].count("source_added") == 1
    assert "#1" in result.stderr and "#2" in result.stderr
    # the same as comparing the two saved briefs by hand
    history = BriefHistory(Store())
    first, second = (history.brief(row["id"]) for row in history.listed())
    (tmp_path / "a.json").write_text(first or "", encoding="utf-8")
    (tmp_path / "b.json").write_text(second or "", encoding="utf-8")
    by_hand = run("diff", "-f", "json", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert json.loads(by_hand.stdout) == json.loads(result.stdout)


def test_a_story_name_or_a_story_file_names_the_story(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    shutil.copy(ARTICLES[0], news)
    brief_of(news, "--story-name", "Red Sea desk")
    brief_of(news, "--story", str(ROOT / "stories" / "anti_isis.toml"))
    stories = [row["story"] for row in BriefHistory(Store()).listed()]
    assert stories[0] == "Red Sea desk" and stories[1] != stories[0] and "/" not in stories[1]
    again = run("diff", "--since", "last")
    assert again.exit_code == 2 and "name the story with --story-name" in again.stderr  # two stories kept


def test_diff_since_with_nothing_to_compare_is_one_clear_line(tmp_path):
    for args in (["--since", "last"], ["--since", "yesterday"], []):
        result = run("diff", *args)
        assert result.exit_code == 2, (args, result.stdout)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
