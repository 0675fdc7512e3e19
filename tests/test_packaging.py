"""The wheel carries the prompts, schemas and HTML templates, so an installed copy works outside a checkout."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_prompts_and_schemas(tmp_path):
    builders = pytest.importorskip("hatchling.builders.wheel")
    builder = builders.WheelBuilder(str(ROOT))
    wheel = Path(next(iter(builder.build(directory=str(tmp_path), versions=["standard"]))))
    names = set(zipfile.ZipFile(wheel).namelist())
    prompts = {f"summarise/_data/prompts/{path.name}" for path in (ROOT / "prompts").glob("*.txt")}
    assert prompts and prompts <= names
    assert "summarise/_data/schemas/article_brief.schema.json" in names
    html_assets = {f"summarise/html_templates/{path.name}" for path in (ROOT / "summarise/html_templates").iterdir()}
    assert {"summarise/html_templates/brief.html.j2", "summarise/html_templates/brief.css"} <= html_assets <= names
    assert any(name.endswith("entry_points.txt") for name in names)


def test_templates_load_and_hash_is_stable():
    from summarise.templates import hash_templates, load_prompts

    prompts = load_prompts()
    assert {"system", "article", "coalitions", "people", "events", "figures", "claims"} <= set(prompts.templates)
    assert prompts.hash == hash_templates(dict(prompts.templates))
    assert len(prompts.hash) == 12


def test_constraints_pin_names_and_versions_only():
    lines = [line for line in (ROOT / "constraints.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert lines
    bad = [line for line in lines if "==" not in line or "@" in line or "://" in line]
    assert not bad, f"constraints.txt must pin name==version only (a fresh machine has no local files): {bad}"
