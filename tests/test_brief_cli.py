"""`summarise brief` and `summarise merge` end to end, on the recorded fixtures (no model)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from summarise.cli import app
from summarise.output.markdown import render_coalition_brief_markdown
from summarise.schemas import CoalitionBrief

from briefs import brief, coalition, person, seed_situation

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted(str(path) for path in (ROOT / "fixtures" / "articles").iterdir() if path.suffix in (".txt", ".md"))
RECORDINGS = ROOT / "fixtures" / "llm"
SCHEMA = json.loads((ROOT / "schemas" / "coalition_brief.schema.json").read_text(encoding="utf-8"))


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def replay_brief(*args: str):
    return run("brief", "--backend", "replay", "--replay-dir", str(RECORDINGS), *args)


def test_brief_of_the_recorded_samples_validates_and_shows_the_disagreements():
    result = replay_brief("--format", "json", *ARTICLES)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    merged = CoalitionBrief.model_validate(data)
    assert len(merged.sources) == len(ARTICLES)
    # With no story file: the regional coalition, and the US-led one told apart by its members.
    regional = merged.coalitions[0]
    assert regional.name.startswith("Regional coalition against ISIS")
    us_led = [c for c in merged.coalitions if {"United States", "Syria"} <= {m.name for m in c.members}]
    assert len(us_led) == 1 and us_led[0].kind == "international"
    status = {m.name: m.status for m in regional.members}
    assert status == {
        "Türkiye": "agreed",
        "Syria": "agreed",
        "Iraq": "agreed",
        "Jordan": "agreed",
        "Lebanon": "conflict",
    }
    assert {c.kind for c in merged.conflicts} >= {"member_list", "name_spelling"}
    sharaa = [p for p in merged.people if p.name == "Ahmad al-Sharaa"]
    assert len(sharaa) == 1 and {v.value for v in sharaa[0].variants} >= {"Ahmad al-Sharaa", "Ahmed Al-Sarraj"}
    off_topic = [s for s in merged.sources if s.on_topic is False]
    assert [s.outlet for s in off_topic] == ["Coastline Courier"]


def test_brief_is_markdown_when_piped_and_by_file_extension(tmp_path):
    piped = replay_brief(*ARTICLES)
    assert piped.exit_code == 0
    assert piped.stdout.startswith("# Coalitions against ISIS")
    assert "## Conflicts" in piped.stdout and "| Lebanon | ⚠ conflict |" in piped.stdout
    as_json = tmp_path / "brief.json"
    as_markdown = tmp_path / "brief.md"
    assert replay_brief("-o", str(as_json), *ARTICLES).exit_code == 0
    assert replay_brief("-o", str(as_markdown), *ARTICLES).exit_code == 0
    jsonschema.validate(json.loads(as_json.read_text(encoding="utf-8")), SCHEMA)
    assert as_markdown.read_text(encoding="utf-8") == piped.stdout
    assert not list(tmp_path.glob(".*partial"))


def test_output_to_a_named_pipe_is_written_into_it_not_replaced(tmp_path):
    import os
    import threading

    pipe = tmp_path / "brief.pipe"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    result = replay_brief("-f", "json", "-o", str(pipe), *ARTICLES)
    reader.join(timeout=60)
    assert result.exit_code == 0, result.stderr
    assert pipe.is_fifo()  # still the pipe (as /dev/null stays a device), not a file renamed over it
    assert not reader.is_alive(), "nothing was written into the pipe"
    jsonschema.validate(json.loads(received[0]), SCHEMA)
    assert not list(tmp_path.glob(".*partial"))


def test_output_through_a_symbolic_link_replaces_its_file_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    result = replay_brief("-o", str(link), *ARTICLES)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    jsonschema.validate(json.loads(real.read_text(encoding="utf-8")), SCHEMA)
    assert not list(tmp_path.glob(".*partial"))


def test_rich_format_renders_tables_for_a_terminal():
    result = replay_brief("--format", "rich", *ARTICLES)
    assert result.exit_code == 0
    assert "Lebanon" in result.stdout and "| Lebanon |" not in result.stdout  # a drawn table, not Markdown source


def test_merge_of_saved_briefs_equals_the_brief_and_reports_a_corrupt_line(tmp_path):
    extracted = run("extract", "--backend", "replay", "--replay-dir", str(RECORDINGS), "--format", "json", *ARTICLES)
    lines = extracted.stdout.splitlines()
    saved = tmp_path / "briefs.jsonl"
    saved.write_text("\n".join([*lines[:3], '{"article": "not a brief"}', *lines[3:]]) + "\n", encoding="utf-8")
    merged = run("merge", "--format", "json", str(saved))
    assert merged.exit_code == 2
    assert f"{saved}:4: not an ArticleBrief: article" in merged.stderr
    assert "Traceback" not in merged.stderr
    direct = replay_brief("--format", "json", *ARTICLES)
    assert json.loads(merged.stdout) == json.loads(direct.stdout)


def test_merge_reads_stdin_and_rejects_missing_files_cleanly(tmp_path):
    line = seed_situation()[0].model_dump_json()
    result = run("merge", "-", "--format", "markdown", input=line + "\n")
    assert result.exit_code == 0 and "Lebanon" in result.stdout
    missing = run("merge", str(tmp_path / "nope.jsonl"))
    assert missing.exit_code == 2
    assert f"{tmp_path / 'nope.jsonl'}: cannot read: no such file or directory" in missing.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert "no brief to merge" in run("merge", str(empty)).stderr
    assert run("merge", "--format", "yaml", str(empty)).exit_code == 2


def test_merge_and_render_work_without_any_model_library(tmp_path):
    saved = tmp_path / "briefs.jsonl"
    saved.write_text("\n".join(b.model_dump_json() for b in seed_situation()) + "\n", encoding="utf-8")
    blocker = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('openai', 'instructor', 'llama_cpp', 'tenacity', 'httpx', 'httpx2'):\n"
        "            raise ImportError(f'{name} is blocked in this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"sys.argv = ['summarise', 'merge', '--format', 'json', {str(saved)!r}]\n"
        "from summarise.cli import run\n"
        "run()\n"
    )
    result = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    jsonschema.validate(json.loads(result.stdout), SCHEMA)


def test_merge_and_render_modules_do_not_import_the_model_layer():
    code = (
        "import sys, summarise.merge, summarise.output.markdown, summarise.output.slack, summarise.evaluate\n"
        "import summarise.output.html.page\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('summarise.llm', 'summarise.extraction.extract', "
        "'openai', 'instructor', 'llama_cpp')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == ""


def test_markdown_never_lets_article_text_add_markup_links_or_html():
    hostile = "<script>alert(1)</script> | [click](http://evil.example) **loud** # heading"
    merged = merge_brief_with_text(hostile)
    text = render_coalition_brief_markdown(merged)
    assert "<script>" not in text and "\\<script\\>" in text
    assert "[click](http" not in text and "\\[click\\]" in text
    assert "**loud**" not in text
    for line in text.splitlines():
        if line.startswith("| Türkiye"):
            assert line.count(" | ") == 4  # the pipe in the role did not add a column


def merge_brief_with_text(hostile: str) -> CoalitionBrief:
    from summarise.merge import merge_briefs
    from summarise.schemas import CoalitionMember

    evidence = f"Turkey and Syria signed the pact, said {hostile}"
    pact = coalition("pact", ["Türkiye", "Syria"], evidence)
    pact.members[0] = CoalitionMember(name="Türkiye", role=hostile, evidence=evidence)
    return merge_briefs(
        [
            brief(
                "hostile",
                "Outlet A",
                "2025-01-01",
                coalitions=[pact],
                people=[person(hostile, hostile, None, evidence)],
            )
        ]
    )


def test_story_draft_writes_the_coalitions_discovered_across_the_recorded_articles(tmp_path):
    from summarise.articles.story import load_story

    sahel = sorted(str(path) for path in (ROOT / "fixtures" / "stories" / "sahel").glob("0*"))
    drafted = tmp_path / "sahel.toml"
    result = run("story", "draft", "--backend", "replay", "--replay-dir", str(RECORDINGS), "-o", str(drafted), *sahel)
    assert result.exit_code == 0, result.stderr
    assert "1 coalition(s) to review" in result.stderr
    story = load_story(drafted)
    [alliance] = story.coalitions
    assert alliance.name == "Alliance of Sahel States" and "Confederation of Sahel States" in alliance.aliases
    assert alliance.membership == "closed"
    assert "# C1: described by 5 outlet(s): 01_bamako_charter.txt" in drafted.read_text(encoding="utf-8")
