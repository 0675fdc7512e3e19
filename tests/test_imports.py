"""The package's import graph: no cycle anywhere, and the grounding module a leaf.

Every ``import summarise...`` and ``from summarise... import`` in ``summarise/`` is an edge,
whether at module level or inside a function (a lazy import is still a dependency); imports
under ``if TYPE_CHECKING:`` are left out (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "summarise"
MODULES = {
    ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): path
    for path in PACKAGE.rglob("*.py")
}


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for other in node.orelse for n in [other, *_runtime_nodes(other)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _imports(module: str) -> set[str]:
    """The package's modules that ``module`` imports when it runs."""
    found = set()
    for node in _runtime_nodes(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{module}: a relative import (the package has none; read it here if it gets one)"
            base = node.module or ""
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in MODULES and name != module}
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _cycle() -> list[str] | None:
    """One import cycle of the package, as the modules along it, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module], _ = "open", path.append(module)
        for imported in sorted(GRAPH[module]):
            if state.get(imported) == "open":
                return [*path[path.index(imported) :], imported]
            if imported not in state and (found := visit(imported)):
                return found
        state[module], _ = "done", path.pop()
        return None

    return next((found for module in sorted(MODULES) if module not in state and (found := visit(module))), None)


def test_the_graph_is_read():
    assert len(MODULES) > 30
    assert "summarise.text.grounding" in GRAPH["summarise.schemas.fields"]  # a module-level import
    assert "summarise.schemas.merged" in GRAPH["summarise.schemas"]  # a package's __init__
    assert "summarise.llm" in GRAPH["summarise.pipeline"]  # an import inside a function
    assert "summarise.cli.options" not in GRAPH["summarise.pipeline"]  # TYPE_CHECKING only


def test_no_import_cycle():
    assert _cycle() is None, " -> ".join(_cycle() or [])


def test_grounding_imports_nothing_of_the_package():
    assert GRAPH["summarise.text.grounding"] == set()


#: The layers of docs/development.md ("The code"), from the bottom, one folder each (the contract is
#: ``schemas/`` and ``exceptions.py``; running is ``pipeline.py`` and ``batch/``): a module imports from
#: its own layer and those before it, never from a later one (type hints under TYPE_CHECKING apart).
LAYERS = [
    {"text"},
    {"schemas", "exceptions"},
    {"articles"},
    {"reading"},
    {"store"},
    {"llm"},
    {"extraction"},
    {"merge", "evaluate"},
    {"output"},
    {"pipeline", "batch"},
    {"cli", "__main__"},
]
#: The only modules that lie flat in ``summarise/``: every other module is in its layer's folder.
FLAT = {"__init__", "__main__", "exceptions", "pipeline"}


def _layer(module: str) -> int:
    top = module.split(".")[1]
    return next(index for index, layer in enumerate(LAYERS) if top in layer)


def test_every_module_is_in_a_layer_of_the_documented_layout():
    unplaced = [m for m in MODULES if m != "summarise" and not any(m.split(".")[1] in layer for layer in LAYERS)]
    assert not unplaced, f"add these to LAYERS and to docs/development.md: {unplaced}"
    documented = (PACKAGE.parent / "docs" / "development.md").read_text(encoding="utf-8")
    for layer in LAYERS:
        for top in layer - {"__main__"}:
            assert f"`{top}.py`" in documented or f"`{top}/`" in documented, f"{top} is not in docs/development.md"


def test_the_folders_are_the_layers():
    flat = {path.stem for path in PACKAGE.glob("*.py")}
    assert flat == FLAT, f"put these in their layer's folder: {sorted(flat - FLAT)}"
    folders = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    assert folders == set().union(*LAYERS) - FLAT


def test_no_module_imports_from_a_later_layer():
    upward = [
        f"{module} -> {imported}"
        for module, imports in GRAPH.items()
        if module != "summarise"
        for imported in imports
        if imported != "summarise" and _layer(imported) > _layer(module)
    ]
    assert not upward, upward
