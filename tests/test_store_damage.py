"""A damaged store (pages in its middle, or its header) is named with the way to recover, never a traceback.

The commands that only read the store (``summarise logs``) stop with one line; an extraction warns
once and goes on without writing to the store, so no brief is lost because the store cannot keep it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarise.cli import app
from summarise.schemas import ArticleBrief
from summarise.store.database import Store

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT / "fixtures" / "llm"
CACHED = ROOT / "fixtures/articles/01_amman_five_nations.txt"
NEW = ROOT / "fixtures/articles/07_off_topic_harbour.txt"


def _run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _extract(*articles: Path):
    return _run("extract", "--backend", "replay", "--replay-dir", str(RECORDINGS), "-f", "json", *map(str, articles))


def _store_path() -> Path:
    return Path(os.environ["SUMMARISE_HOME"]) / "summarise.db"


def _filled_store() -> Path:
    """The store after one article was extracted (its calls logged, its brief cached), all in the main file."""
    assert _extract(CACHED).exit_code == 0
    path = _store_path()
    with sqlite3.connect(path) as database:
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


def _damage_middle(path: Path) -> None:
    """Overwrite the first page of the table of logged article texts (the calls and the cached briefs are intact)."""
    database = sqlite3.connect(path)
    page_size = database.execute("PRAGMA page_size").fetchone()[0]
    (page,) = database.execute("SELECT rootpage FROM sqlite_master WHERE name = 'article_texts'").fetchone()
    pages = database.execute("PRAGMA page_count").fetchone()[0]
    database.close()
    assert 1 < page < pages  # a page in the middle of the file
    with path.open("r+b") as file:
        file.seek((page - 1) * page_size)
        file.write(b"\xa5" * page_size)


def _damage_header(path: Path) -> None:
    """Overwrite the 100-byte header."""
    with path.open("r+b") as file:
        file.write(b"\x5a" * 100)


DAMAGE = {"middle": _damage_middle, "header": _damage_header}


@pytest.fixture(params=sorted(DAMAGE))
def damaged(request) -> tuple[str, Path]:
    """A filled store, then damaged in its middle pages or its header."""
    path = _filled_store()
    DAMAGE[request.param](path)
    return request.param, path


def _one_line_naming_the_damage(said: str, path: Path) -> None:
    assert "Traceback" not in said
    lines = [line for line in said.splitlines() if line.strip()]
    assert len(lines) == 1, said
    line = lines[0]
    assert f"the store {path} is damaged" in line
    assert "writable folder" not in line  # the folder is not the problem
    assert f"mv {path}*" in line  # move it aside, with its -wal and -shm
    assert "brief cache fills again" in line
    assert ".recover" in line  # what can be read of the call log is saved


def test_logs_show_over_a_damaged_store_is_one_line_with_the_way_to_recover(damaged):
    kind, path = damaged
    result = _run("logs", "show", "1")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    _one_line_naming_the_damage(result.stderr, path)
    reported = {"middle": "(SQLite: PRAGMA quick_check: Page ", "header": "(SQLite: file is not a database)"}[kind]
    assert reported in result.stderr  # what SQLite says


def test_logs_list_over_a_damaged_store_is_an_error_not_a_quiet_listing(damaged):
    _, path = damaged
    result = _run("logs", "list")
    assert result.exit_code == 3
    assert result.stdout == ""  # before: the calls SQLite could still read, as if nothing were wrong
    _one_line_naming_the_damage(result.stderr, path)
    assert _run("logs", "list", "--json").exit_code == 3


def test_extract_over_a_damaged_store_warns_once_and_keeps_every_brief(damaged):
    kind, path = damaged
    result = _extract(CACHED, NEW)
    assert result.exit_code == 0, result.output
    briefs = [ArticleBrief.model_validate_json(line) for line in result.stdout.splitlines()]
    assert [Path(brief.article.source).name for brief in briefs] == [CACHED.name, NEW.name]
    warnings = [line for line in result.stderr.splitlines() if "is damaged" in line]
    assert len(warnings) == 1, result.stderr  # once, however many articles
    assert warnings[0].startswith("warning: ")
    assert "caches no brief and logs no call" in warnings[0]
    _one_line_naming_the_damage(warnings[0], path)
    assert "Traceback" not in result.output and "failed:" not in result.stderr
    if kind == "middle":  # the briefs the store still gives are used
        assert briefs[0].extraction.usage.cached and not briefs[1].extraction.usage.cached


def test_nothing_is_written_to_a_damaged_store(damaged):
    _, path = damaged
    before = path.read_bytes()
    assert _extract(NEW).exit_code == 0
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_the_console_script_never_shows_a_traceback(tmp_path, kind):
    path = _filled_store()
    DAMAGE[kind](path)
    env = {**os.environ, "SUMMARISE_HOME": str(path.parent)}
    code = "import sys\nfrom summarise.cli import run\nsys.argv = ['summarise', *sys.argv[1:]]\nrun()\n"
    for args in (["logs", "show", "1"], ["logs", "list"]):
        ran = subprocess.run(
            [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert ran.returncode == 3, ran.stderr
        _one_line_naming_the_damage(ran.stderr, path)


def test_the_recovery_the_message_gives_works(tmp_path):
    path = _filled_store()
    _damage_middle(path)
    said = _run("logs", "list").stderr
    commands = re.findall(r"`([^`]+)`", said)
    move = next(command for command in commands if command.startswith("mkdir "))
    subprocess.run(["sh", "-c", move], check=True)
    assert not path.exists()

    again = _extract(CACHED)  # a new store: extracted again, and cached again
    assert again.exit_code == 0 and "damaged" not in again.stderr
    listed = _run("logs", "list", "--json")
    assert listed.exit_code == 0 and len(listed.stdout.splitlines()) >= 2

    if shutil.which("sqlite3") is None:
        pytest.skip("no sqlite3 shell to save the call log with")
    recover = next(command for command in commands if ".recover" in command)
    saved = Path(recover.rsplit("> ", 1)[1])
    if subprocess.run(["sh", "-c", recover], capture_output=True, check=False).returncode != 0:
        subprocess.run(["sh", "-c", recover.replace(".recover", ".dump")], capture_output=True, check=False)
    assert len(re.findall(r"INSERT INTO [\"']?calls\b", saved.read_text())) >= 2  # the call log, kept


def test_damage_quick_check_misses_is_found_when_it_is_read(tmp_path):
    path = _filled_store()
    with sqlite3.connect(path) as database:  # bytes that are not UTF-8 inside sound pages: only a read sees them
        database.execute("UPDATE calls SET exchange = CAST(x'41ff42' AS TEXT)")
        database.execute("UPDATE briefs SET brief = CAST(x'7bff7d' AS TEXT)")
        assert database.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    database.close()

    listed = _run("logs", "list")
    assert listed.exit_code == 3 and listed.stdout == ""
    _one_line_naming_the_damage(listed.stderr, path)
    assert "(SQLite: Could not decode to UTF-8 column 'exchange')" in listed.stderr

    extracted = _extract(CACHED)  # the cached brief cannot be read: extracted again, with one warning
    assert extracted.exit_code == 0, extracted.output
    assert not ArticleBrief.model_validate_json(extracted.stdout).extraction.usage.cached
    warnings = [line for line in extracted.stderr.splitlines() if "is damaged" in line]
    assert len(warnings) == 1 and "column 'brief'" in warnings[0]


def test_the_store_reports_its_damage_through_the_library(tmp_path):
    from summarise.exceptions import ConfigError, StoreDamagedError

    path = _filled_store()
    _damage_middle(path)
    said: list[str] = []
    store = Store(path, on_damage=said.append)
    with pytest.raises(StoreDamagedError) as raised:
        store.recent_calls(5)
    assert isinstance(raised.value, ConfigError) and raised.value.path == str(path)
    assert "quick_check" in raised.value.problem
    with pytest.raises(StoreDamagedError):
        store.call(1)
    store.save_brief("key", article_id="a", backend="b", model="m", prompt_hash="p", brief_json="{}")
    assert store.cached_brief("key") is None  # not written
    assert len(said) == 1 and "is damaged" in said[0]
    store.close()


def test_an_unwritable_folder_is_still_said_to_be_one(tmp_path, monkeypatch):
    from summarise.exceptions import ConfigError

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="set SUMMARISE_HOME to a writable folder"):
        Store(blocker / "summarise.db")


def test_a_healthy_store_is_not_called_damaged(tmp_path):
    _filled_store()
    assert _extract(CACHED, NEW).exit_code == 0
    result = _run("logs", "list")
    assert result.exit_code == 0 and "damaged" not in result.output


def test_brief_over_a_damaged_store_warns_once_and_writes_the_brief_it_cannot_keep(damaged, tmp_path):
    _, path = damaged
    before = path.read_bytes()
    out = tmp_path / "brief.json"
    args = ["brief", "--backend", "replay", "--replay-dir", str(RECORDINGS), "-o", str(out), str(CACHED), str(NEW)]
    result = _run(*args)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["sources"]  # the merged brief, written
    warnings = [line for line in result.stderr.splitlines() if "is damaged" in line]
    assert len(warnings) == 1, result.stderr  # once: not again when the brief is not kept in the history
    assert path.read_bytes() == before
