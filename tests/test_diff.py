"""``summarise diff``: what changed between two briefs of one story, checked on the replayed fixture stories.

Each story's articles are extracted from the recordings of ``fixtures/llm`` and merged one more at
a time, in publication order: the diff from N to N+1 must name exactly what the added article
brought, whatever order the briefs are merged in, and a brief compared with itself shows nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from summarise.cli import app
from summarise.merge import merge_briefs
from summarise.merge.diff import diff_briefs
from summarise.output.diff import render_diff_markdown
from summarise.schemas import ArticleBrief, BriefDiff, CoalitionBrief

ROOT = Path(__file__).resolve().parents[1]
STORIES = {
    "isis": (ROOT / "fixtures" / "articles", ROOT / "fixtures" / "eval" / "gold.json"),
    **{
        story: (ROOT / "fixtures" / "stories" / story, ROOT / "fixtures" / "stories" / story / "gold.json")
        for story in ("isis_holdout", "red_sea", "sahel", "brics", "grain_deal")
    },
}
SCHEMA = json.loads((ROOT / "schemas" / "brief_diff.schema.json").read_text(encoding="utf-8"))
#: Changes that say something is gone or settled: backed by the older brief, not by the added article.
GONE = {"source_removed", "coalition_disappeared", "member_removed", "conflict_settled"}


@pytest.fixture(scope="module")
def story_briefs(tmp_path_factory) -> dict[str, list[ArticleBrief]]:
    """Each story's replayed article briefs, in publication order."""
    folder = tmp_path_factory.mktemp("replayed")
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        for story, (articles, gold) in STORIES.items():
            names = json.loads(gold.read_text(encoding="utf-8"))
            paths = sorted(str(p.relative_to(ROOT)) for p in articles.iterdir() if p.name in names)
            out = folder / f"{story}.jsonl"
            args = ["extract", "--backend", "replay", "--replay-dir", "fixtures/llm", "--no-cache", "-f", "json"]
            result = CliRunner().invoke(app, [*args, "-o", str(out), *paths])
            assert result.exit_code == 0, result.stderr
            briefs = [ArticleBrief.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
            found[story] = sorted(briefs, key=lambda b: (b.article.published or dt.date.min, b.article.id))
    return found


def steps(briefs: list[ArticleBrief]):
    """``(older, newer, the added article's brief)`` for each article after the first."""
    for count in range(1, len(briefs)):
        yield merge_briefs(briefs[:count]), merge_briefs(briefs[: count + 1]), briefs[count]


def omitting(brief: CoalitionBrief, change) -> int:
    """How many sources list the change's coalition without its member, in ``brief``."""
    for coalition in brief.coalitions:
        for member in coalition.members:
            if member.name == change.subject and {s.source for s in member.supports} & {
                s.source for s in change.supports
            }:
                return len(member.omitted_by)
    raise AssertionError(f"{change.subject} is in no coalition of the brief")


def only_from(supports, source: str) -> bool:
    return {support.source for support in supports} == {source}


@pytest.mark.parametrize("story", list(STORIES))
def test_a_brief_compared_with_itself_shows_nothing(story, story_briefs):
    merged = merge_briefs(story_briefs[story])
    assert diff_briefs(merged, merged).changes == []
    assert render_diff_markdown(diff_briefs(merged, merged)).endswith("nothing changed\n")


@pytest.mark.parametrize("story", list(STORIES))
def test_each_added_article_shows_what_it_brought_and_nothing_else(story, story_briefs):
    for older, newer, added in steps(story_briefs[story]):
        changes = diff_briefs(older, newer).changes
        new_id = added.article.id
        assert [c.kind for c in changes].count("source_added") == 1
        for change in changes:
            if change.kind in GONE or change.kind.startswith("conflict") or change.kind == "source_added":
                continue
            if new_id not in {s.source for s in change.supports}:
                # the one change the added article need not state: a conflict over a member lessened, because
                # the merger now places an earlier source's list elsewhere (that source no longer omits it)
                assert change.kind == "member_status", (story, added.article.source, change)
                assert omitting(newer, change) < omitting(older, change), (story, added.article.source, change)
        said = {(c.kind, c.coalition, c.subject) for c in changes}
        for coalition in newer.coalitions:
            for member in coalition.members:
                if only_from(member.supports, new_id) and not only_from(coalition.supports, new_id):
                    assert ("member_added", coalition.name, member.name) in said, (story, member.name)
        for entry in newer.timeline:
            if only_from(entry.supports, new_id):
                assert ("event_added", None, entry.description) in said, (story, entry.description)


@pytest.mark.parametrize("story", list(STORIES))
def test_the_diff_does_not_depend_on_the_order_of_the_briefs(story, story_briefs):
    briefs = story_briefs[story]
    shuffled = random.Random(7)
    for count in range(1, len(briefs)):
        first, then = briefs[:count], briefs[: count + 1]
        expected = diff_briefs(merge_briefs(first), merge_briefs(then))
        again = diff_briefs(
            merge_briefs(shuffled.sample(first, len(first))), merge_briefs(shuffled.sample(then, len(then)))
        )
        assert again == expected


def test_the_command_writes_markdown_and_json_that_fits_its_schema(story_briefs, tmp_path):
    older, newer, _ = next(steps(story_briefs["red_sea"]))
    (tmp_path / "old.json").write_text(older.model_dump_json(indent=2), encoding="utf-8")
    (tmp_path / "new.json").write_text(newer.model_dump_json(indent=2), encoding="utf-8")
    shown = CliRunner().invoke(app, ["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")])
    assert shown.exit_code == 0, shown.stderr
    assert "**new source**" in shown.stdout and "change(s)" in shown.stderr
    result = CliRunner().invoke(app, ["diff", "-f", "json", str(tmp_path / "old.json"), str(tmp_path / "new.json")])
    written = json.loads(result.stdout)
    jsonschema.validate(written, SCHEMA)
    assert BriefDiff.model_validate(written) == diff_briefs(older, newer)


def test_a_file_that_is_no_brief_is_one_line_naming_it(tmp_path):
    bad = tmp_path / "notes.json"
    bad.write_text('{"story": "x"}', encoding="utf-8")
    good = tmp_path / "brief.json"
    good.write_text(
        CoalitionBrief(story="x", sources=[], outlets=0, merge_version="2").model_dump_json(), encoding="utf-8"
    )
    for args, words in (
        ([str(bad), str(good)], "not a coalition brief"),
        ([str(tmp_path / "none.json"), str(good)], "cannot read"),
    ):
        result = CliRunner().invoke(app, ["diff", *args])
        assert result.exit_code == 2
        assert words in result.stderr and str(tmp_path) in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
