"""Stories are data: the story file, its errors, and the code holding no story of its own."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from summarise.articles.story import Story, load_story, story_hash, topic_of
from summarise.exceptions import StoryError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "stories" / "anti_isis.toml"

NAVAL = """
title = "Escorts for merchant shipping"
keywords = ["convoy", "escort"]

[[targets]]
name = "Pirates"
aliases = ["pirate gangs"]

[[coalitions]]
name = "Northern Escort Group"
aliases = ["the escort group"]
leader = "Norway"
membership = "open"

[aliases]
"Norway" = ["Norwegian navy"]
"""


def write(tmp_path: Path, text: str, name: str = "story.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_story_file_is_read_and_hashed(tmp_path):
    story = load_story(write(tmp_path, NAVAL))
    assert story.title == "Escorts for merchant shipping"
    assert story.target_names() == ["Pirates", "pirate gangs"]
    assert story.stands_for() == {"Norwegian navy": "Norway"}
    assert story.coalitions[0].membership == "open"
    assert len(story.hash) == 12
    assert story_hash(story) == story.hash != story_hash(None) == "none"
    changed = load_story(write(tmp_path, NAVAL.replace("Pirates", "Raiders"), "other.toml"))
    assert changed.hash != story.hash


def test_the_prefilter_looks_for_keywords_only_when_the_story_sets_them(tmp_path):
    story = load_story(write(tmp_path, NAVAL))
    assert story.passes_prefilter("Three frigates will ESCORT the grain ships.")
    assert not story.passes_prefilter("The harbour opened a new ferry terminal.")
    assert not story.passes_prefilter("An escorted tour of the museum.")  # whole words only
    no_keywords = Story(title="t", targets=[{"name": "X"}])
    assert no_keywords.passes_prefilter("anything at all")


def test_the_topic_names_the_targets_or_any_coalition(tmp_path):
    assert "Pirates" in topic_of(load_story(write(tmp_path, NAVAL)))
    generic = topic_of(None)
    assert "coalitions, alliances and joint mechanisms" in generic and "against" in generic


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("colour = 'red'\n" + NAVAL, "colour: unknown key"),
        (NAVAL.replace('membership = "open"', 'membership = "ajar"'), "coalitions.0.membership"),
        ("title = ''\n", "title: String should have at least 1 character"),
        ("title = 'x\n", "not valid TOML"),
        (NAVAL.replace("[[targets]]\nname", "[[targets]]\nlabel"), "targets.0.label: unknown key"),
    ],
)
def test_a_bad_story_file_is_one_error_naming_file_and_key(tmp_path, text, problem):
    path = write(tmp_path, text)
    with pytest.raises(StoryError) as raised:
        load_story(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message
    assert raised.value.exit_code == 2


def test_a_missing_story_file_is_an_error(tmp_path):
    with pytest.raises(StoryError, match="no such story file"):
        load_story(tmp_path / "absent.toml")


def test_the_cli_refuses_a_bad_story_file_in_one_line(tmp_path):
    bad = write(tmp_path, "title = 'x'\ntargets = 3\n")
    result = subprocess.run(
        [sys.executable, "-m", "summarise", "merge", "--story", str(bad), str(tmp_path / "none.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(bad) in lines[0] and "targets" in lines[0]
    assert "Traceback" not in result.stderr


def test_the_shipped_story_file_is_valid():
    story = load_story(SHIPPED)
    assert story.target_names()[0] == "ISIS"
    assert story.coalitions and story.coalitions[0].leader == "United States"
    assert "IS" not in story.keywords  # matched without case, it would pass every English article


#: Words that belong to one story: none may appear as a string constant in the package's code.
STORY_WORDS = re.compile(
    r"\b(ISIS|ISIL|Daesh|Islamic State|Global Coalition|CENTCOM|Centcom|al-Sharaa|Fidan|Amman|Al-Hol)\b"
)


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


ALIAS_TABLES = ROOT / "summarise" / "text" / "entities" / "aliases.py"


def test_the_code_holds_no_story_constant():
    """Story knowledge lives in story files; only the alias tables of text/entities/aliases.py spell a group's names."""
    found = []
    for path in sorted((ROOT / "summarise").rglob("*.py")):
        if path == ALIAS_TABLES:  # generic alias tables: every spelling of a name, deciding nothing
            continue
        for line, value in _string_constants(path):
            if STORY_WORDS.search(value):
                found.append(f"{path.relative_to(ROOT)}:{line}: {value[:60]!r}")
    assert not found, found


def test_the_prompts_hold_no_fact_of_the_samples():
    words = re.compile(STORY_WORDS.pattern + r"|\b(Türkiye|Turkey|Syria|Iraq|Jordan|Lebanon|43,000|Ankara)\b")
    for path in sorted((ROOT / "prompts").glob("*.txt")):
        assert not words.search(path.read_text(encoding="utf-8")), path.name
