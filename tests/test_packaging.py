"""The wheel carries the prompts, schemas and HTML templates, so an installed copy works outside a checkout."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
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
    html_assets = {
        f"summarise/output/html/templates/{path.name}" for path in (ROOT / "summarise/output/html/templates").iterdir()
    }
    assert (
        {"summarise/output/html/templates/brief.html.j2", "summarise/output/html/templates/brief.css"}
        <= html_assets
        <= names
    )
    assert any(name.endswith("entry_points.txt") for name in names)


def test_templates_load_and_hash_is_stable():
    from summarise.extraction.templates import hash_templates, load_prompts

    prompts = load_prompts()
    assert set(prompts.templates) == {"system", "article", "topic", "coalitions", "combined"}
    # people, claims, events and figures are read by the code (summarise/reading/people.py, statements.py, readings.py)
    assert not {"people", "claims", "events", "figures"} & set(prompts.templates)
    assert prompts.hash == hash_templates(dict(prompts.templates))
    assert len(prompts.hash) == 12


def test_constraints_pin_names_and_versions_only():
    lines = [line for line in (ROOT / "constraints.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert lines
    bad = [line for line in lines if "==" not in line or "@" in line or "://" in line]
    assert not bad, f"constraints.txt must pin name==version only (a fresh machine has no local files): {bad}"


def _readme_commands() -> list[str]:
    """The commands of the README's first two ``sh`` blocks: set up and brief, then the tests."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", text, flags=re.S)
    assert len(blocks) >= 2, "the README must open with two sh blocks: set up and run, then the tests"
    return [block.strip() for block in blocks[:2]]


def test_ci_runs_the_readme_commands_verbatim():
    setup, tests = _readme_commands()
    assert "summarise brief" in setup and "pip install" in setup
    assert "pytest" in tests
    ci_lines = [line.strip() for line in (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()]
    assert setup in ci_lines, f".ci/run must run the README's first command exactly: {setup}"
    assert tests in ci_lines, f".ci/run must run the README's test command exactly: {tests}"
    assert ci_lines.index(setup) < ci_lines.index(tests)
    installs = [line for line in ci_lines if "pip install" in line and not line.startswith("#")]
    assert installs == [setup] or all("-c constraints.txt" in line for line in installs if line != setup), installs


def _declared_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    return {_normalise(re.split(r"[\[=<>!~;\s]", requirement, maxsplit=1)[0]) for requirement in requirements}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_declared():
    """A package imported by the code but installed only as another's dependency can vanish (issue 14)."""
    imported: set[str] = set()
    for folder in ("summarise", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    imported.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
    local = {path.stem for path in (ROOT / "tests").glob("*.py")} | {"summarise"}
    third_party = sorted(name for name in imported - local if name not in sys.stdlib_module_names)
    distributions = importlib.metadata.packages_distributions()
    declared = _declared_distributions()
    undeclared = []
    for module in third_party:
        owners = {_normalise(owner) for owner in distributions.get(module, [module])}
        if not owners & declared:
            undeclared.append(f"{module} ({', '.join(sorted(owners))})")
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_html_cleaning_module_is_declared():
    """trafilatura needs lxml.html.clean, a separate package since lxml 5.2 that it does not declare."""
    assert {"lxml-html-clean", "trafilatura"} <= _declared_distributions()


BLOCK_AND_RUN = """
import sys
sys.modules[{module!r}] = None  # as if the package were not installed: importing it raises ImportError
sys.argv = ["summarise", *{args!r}]
from summarise.cli import run
run()
"""


def test_a_missing_html_module_is_one_line_saying_what_to_install(tmp_path):
    page = tmp_path / "page.html"
    body = "Ministers met to agree a pact. " * 20
    page.write_text(f"<html><body><article><p>{body}</p></article></body></html>")
    code = BLOCK_AND_RUN.format(module="lxml_html_clean", args=["extract", str(page), "--backend", "replay"])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "lxml_html_clean" in lines[0] and "pip install" in lines[0]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:4])


def test_every_dependency_is_pinned_in_constraints_within_its_declared_bounds():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_normalise(name)] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for name, extra in project["optional-dependencies"].items():
        if name != "local-small":  # its model parts are not installed by the README's commands
            requirements.extend(extra)
    problems = []
    for requirement in requirements:
        name = _normalise(re.split(r"[\[=<>!~;\s]", requirement, maxsplit=1)[0])
        if name not in pins:
            problems.append(f"{name} is not pinned in constraints.txt")
            continue
        pinned = _version(pins[name])
        for operator, bound in re.findall(r"(>=|<|==)\s*([\w.]+)", requirement):
            holds = {">=": pinned >= _version(bound), "<": pinned < _version(bound), "==": pinned == _version(bound)}
            if not holds[operator]:
                problems.append(f"{name}=={pins[name]} is outside {requirement!r}")
    assert not problems, problems
