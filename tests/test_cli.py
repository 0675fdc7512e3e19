"""The command line, end to end, on the recorded fixtures (replay backend, no model)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from summarise.articles import load_articles
from summarise.cli import app
from summarise.schemas import ArticleBrief

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted(str(path) for path in (ROOT / "fixtures" / "articles").iterdir() if path.suffix in (".txt", ".md"))
RECORDINGS = ROOT / "fixtures" / "llm"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def replay(*args: str, input: str | None = None):
    return run("extract", "--backend", "replay", "--replay-dir", str(RECORDINGS), *args, input=input)


def test_replay_of_every_sample_article_gives_valid_grounded_briefs():
    result = replay("--format", "json", *ARTICLES)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == len(ARTICLES)
    schema = json.loads((ROOT / "schemas" / "article_brief.schema.json").read_text())
    articles = {article.id: article for article in load_articles(ARTICLES).articles}
    for line in lines:
        data = json.loads(line)
        jsonschema.validate(data, schema)
        brief = ArticleBrief.model_validate(data)
        text = articles[brief.article.id].text
        for fact in brief.facts():
            assert fact.evidence in text, fact.evidence  # the article's own words, quoted by the code
        # validating again against the article text changes nothing: the evidence is the article's own
        again = ArticleBrief.model_validate(data, context={"article_text": text})
        assert again.model_dump() == brief.model_dump()


def test_replay_finds_the_members_of_the_five_nation_group():
    result = replay("--format", "json", str(ROOT / "fixtures/articles/01_amman_five_nations.txt"))
    brief = ArticleBrief.model_validate_json(result.stdout.splitlines()[0])
    members = {member.name for coalition in brief.coalitions for member in coalition.members}
    assert {"Türkiye", "Syria", "Iraq", "Jordan", "Lebanon"} <= members
    assert brief.on_topic


def test_off_topic_article_has_no_coalition_and_costs_one_short_call():
    result = replay("--format", "json", str(ROOT / "fixtures/articles/07_off_topic_harbour.txt"))
    brief = ArticleBrief.model_validate_json(result.stdout)
    assert brief.on_topic is False
    assert brief.coalitions == [] and brief.people == []
    assert brief.extraction is not None and brief.extraction.usage.calls == 1  # the topic question only


def test_with_the_story_file_the_off_topic_article_costs_no_call():
    story = str(ROOT / "stories/anti_isis.toml")
    result = replay("--format", "json", "--story", story, str(ROOT / "fixtures/articles/07_off_topic_harbour.txt"))
    assert result.exit_code == 0, result.stderr
    brief = ArticleBrief.model_validate_json(result.stdout)
    assert brief.on_topic is False and brief.extraction.usage.calls == 0
    assert "skipped by the story's keyword pre-filter" in brief.extraction.warnings[0]
    assert "1 of 1 article(s) skipped by the story's keyword pre-filter" in result.stderr


def test_second_run_is_served_from_the_cache():
    article = str(ROOT / "fixtures/articles/02_fidan_four_nations.md")
    first = ArticleBrief.model_validate_json(replay("--format", "json", article).stdout)
    second = ArticleBrief.model_validate_json(replay("--format", "json", article).stdout)
    assert first.extraction.usage.calls > 0
    assert second.extraction.usage.cached is True
    assert second.model_dump(exclude={"extraction"}) == first.model_dump(exclude={"extraction"})


def test_a_cached_brief_that_no_longer_validates_is_extracted_again(tmp_path):
    import os
    import sqlite3

    article = str(ROOT / "fixtures/articles/02_fidan_four_nations.md")
    first = ArticleBrief.model_validate_json(replay("--format", "json", article).stdout)
    database = sqlite3.connect(Path(os.environ["SUMMARISE_HOME"]) / "summarise.db")
    with database:
        assert database.execute("UPDATE briefs SET brief = '{\"bogus\": 1}'").rowcount == 1
    database.close()
    again = replay("--format", "json", article)
    assert again.exit_code == 0, again.stderr
    second = ArticleBrief.model_validate_json(again.stdout)
    assert second.extraction.usage.cached is False and second.extraction.usage.calls > 0
    assert second.model_dump(exclude={"extraction"}) == first.model_dump(exclude={"extraction"})


def test_text_format_shows_facts_with_their_evidence():
    result = replay(str(ROOT / "fixtures/articles/01_amman_five_nations.txt"))
    assert result.exit_code == 0
    assert "Coalition:" in result.stdout
    assert "Lebanon" in result.stdout
    assert '— "' in result.stdout


def test_a_request_without_recording_is_an_error_naming_the_key(tmp_path):
    article = tmp_path / "new.txt"
    article.write_text("Jordan and Iraq said on Monday they would share intelligence on ISIS cells.\n")
    result = replay(str(article))
    assert result.exit_code == 4
    assert "no recorded exchange" in result.stderr
    assert "Traceback" not in result.output


def test_bad_inputs_are_one_line_errors_and_the_good_article_still_runs(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02binary\x00")
    good = str(ROOT / "fixtures/articles/07_off_topic_harbour.txt")
    result = replay("--format", "json", str(empty), str(tmp_path / "missing.txt"), str(binary), good)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any("empty.txt" in line for line in errors)
    assert any("missing.txt" in line for line in errors)
    assert any("blob.txt" in line for line in errors)
    assert "Traceback" not in result.output
    assert json.loads(result.stdout)["on_topic"] is False


def test_stdin_is_read_with_dash():
    text = (ROOT / "fixtures/articles/07_off_topic_harbour.txt").read_text()
    result = replay("--format", "json", "-", input=text)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["article"]["source"] == "<stdin>"


def test_unknown_backend_and_format_are_clean_errors():
    article = str(ROOT / "fixtures/articles/07_off_topic_harbour.txt")
    result = run("extract", "--backend", "telepathy", article)
    assert result.exit_code == 3
    assert "unknown backend 'telepathy'" in result.stderr
    result = run("extract", "--format", "yaml", article)
    assert result.exit_code == 2  # --format is a choice: Typer's usage error names the value and the choices
    said = " ".join(result.stderr.replace("│", " ").split())  # the words, unwrapped from Typer's error panel
    assert "Invalid value for '--format'" in said and "'yaml' is not one of 'text', 'json'" in said


def test_openai_backend_without_key_says_how_to_fix_it():
    result = run("extract", "--backend", "openai", str(ROOT / "fixtures/articles/01_amman_five_nations.txt"))
    assert result.exit_code == 3
    assert "OPENAI_API_KEY" in result.stderr


def test_auto_backend_picks_openai_when_a_key_is_set(monkeypatch):
    from summarise.llm import BackendConfig, resolve_backend_name

    assert resolve_backend_name(BackendConfig.from_env()) == "local"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    assert resolve_backend_name(BackendConfig.from_env()) == "openai"


def test_schema_command_matches_the_committed_file(tmp_path):
    result = run("schema", "--write", "--dir", str(tmp_path))
    assert result.exit_code == 0
    for name in ("article_brief.schema.json", "coalition_brief.schema.json"):
        written = (tmp_path / name).read_text()
        assert written == (ROOT / "schemas" / name).read_text(), f"{name}: run `summarise schema --write`"
    printed = run("schema", "coalition")
    assert json.loads(printed.stdout)["title"] == "CoalitionBrief"


@pytest.mark.parametrize("path", sorted(RECORDINGS.glob("*.json"))[:50], ids=lambda p: p.name)
def test_recordings_say_how_they_were_recorded(path):
    recording = json.loads(path.read_text())
    how = recording["recorded_with"]
    assert how["backend"] == "local"
    assert how["model"] and how["prompt_hash"] and how["date"] and how["gguf_sha256"]
    assert "sk-" not in path.read_text()


def test_recordings_match_the_current_prompts():
    from summarise.extraction.templates import load_prompts

    current = load_prompts().hash
    stale = sorted(
        path.name
        for path in RECORDINGS.glob("*.json")
        if json.loads(path.read_text())["recorded_with"]["prompt_hash"] != current
    )
    assert any(RECORDINGS.glob("*.json")), "no recordings"
    assert not stale, f"{len(stale)} recordings were made with other prompts: re-record (docs/development.md)"


def test_backend_identity_is_known_without_building_the_backend(tmp_path):
    from summarise.llm import BackendConfig, backend_identity, make_backend

    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF not really a model")
    configs = [
        BackendConfig(backend="openai", model="m1", base_url="http://127.0.0.1:9/v1", api_key="sk-x"),
        BackendConfig(backend="openai", api_key="sk-x"),
        BackendConfig(backend="replay", replay_dir=ROOT / "fixtures/llm"),
        BackendConfig(backend="local", gguf=gguf),
    ]
    for config in configs:
        backend = make_backend(config)
        assert backend_identity(config) == backend.identity()
        backend.close()


def test_a_run_whose_briefs_are_all_cached_loads_no_model_sdk(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "SUMMARISE_HOME": str(tmp_path / "home")}
    names = ("02_fidan_four_nations.md", "07_off_topic_harbour.txt")
    articles = [str(ROOT / "fixtures/articles" / name) for name in names]
    args = ["extract", "--backend", "replay", "--replay-dir", str(ROOT / "fixtures/llm"), "-f", "json", *articles]
    # The CLI in a new process that reports, as it exits, which model SDKs it imported.
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('SDKS', sorted({'instructor', 'openai', 'llama_cpp'} & set(sys.modules)),"
        " file=sys.stderr))\n"
        "from summarise.cli import run\n"
        "sys.argv = ['summarise', *sys.argv[1:]]\n"
        "run()\n"
    )

    def summarise(*arguments: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-c", code, *arguments]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)

    first, second = summarise(*args), summarise(*args)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "SDKS ['instructor', 'openai']" in first.stderr  # the first run asked the (replayed) model
    assert "SDKS []" in second.stderr and "every brief cached" in second.stderr
    before = [ArticleBrief.model_validate_json(line) for line in first.stdout.splitlines()]
    after = [ArticleBrief.model_validate_json(line) for line in second.stdout.splitlines()]
    assert len(after) == 2 and all(brief.extraction.usage.cached for brief in after)
    facts = [[brief.model_dump(exclude={"extraction"}) for brief in briefs] for briefs in (before, after)]
    assert facts[0] == facts[1]
