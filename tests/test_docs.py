"""The generated documentation is current: docs/cli.md holds every command's --help as it is now."""

from __future__ import annotations

from pathlib import Path

from cogapp import Cog

ROOT = Path(__file__).resolve().parents[1]


def test_the_command_reference_is_the_commands_own_help(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    status = Cog().main(["cog", "--check", "docs/cli.md"])
    printed = capsys.readouterr()
    assert status == 0, f"docs/cli.md differs from the commands' --help: run `cog -r docs/cli.md` ({printed})"


def test_the_reference_names_every_command():
    from summarise.cli.reference import help_texts

    texts = help_texts()
    lines = [line for line, _ in texts]
    for command in ("extract", "brief", "digest", "merge", "eval", "schema", "models", "logs list", "batch submit"):
        assert f"summarise {command}" in lines
    assert all(text.strip().startswith(f"Usage: {line}") for line, text in texts)
