"""Every name the package takes from instructor's modules, checked against the installed instructor.

The structured client runs instructor's own request, parse and reask handlers in its own bounded
loop (``summarise/llm/client.py``), which reaches past instructor's top-level API into its
modules. An instructor upgrade that moves or reshapes one of those names fails here, naming the
file, the line and the name, rather than deep inside a run.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import instructor

PACKAGE = Path(__file__).resolve().parents[1] / "summarise"


def _instructor_imports() -> list[tuple[str, int, str, str]]:
    """``(file, line, module, name)`` of every ``from instructor... import name`` in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "instructor":
                for alias in node.names:
                    found.append((str(path.relative_to(PACKAGE.parent)), node.lineno, node.module, alias.name))
    return found


def test_every_name_taken_from_instructor_modules_exists():
    imports = _instructor_imports()
    assert len(imports) >= 8  # the client's, at least: the scan found them
    missing = []
    for file, line, module, name in imports:
        try:
            getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as error:
            missing.append(f"{file}:{line}: from {module} import {name}: {error}")
    assert not missing, f"instructor {instructor.__version__} lacks: " + "; ".join(missing)


def _accepts(function, *names: str) -> bool:
    """Whether ``function`` takes every keyword in ``names`` (by name, or through ``**kwargs``)."""
    parameters = inspect.signature(function).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    return all(name in parameters or takes_any for name in names)


def test_the_handlers_the_client_calls_take_the_arguments_it_passes():
    from instructor.processing import handle_response_model
    from instructor.v2.core.providers import Provider
    from instructor.v2.core.registry import mode_registry

    from summarise.llm.client import MODE

    # summarise/llm/client.py: _handlers and _response_format call it with these
    assert "response_model" in inspect.signature(handle_response_model).parameters
    assert _accepts(handle_response_model, "mode", "messages")
    handlers = mode_registry.get_handlers(Provider.OPENAI, MODE)
    # summarise/llm/client.py: _ask_until_valid calls the parser and the reask handler with these
    assert _accepts(
        handlers.response_parser, "response", "response_model", "validation_context", "strict", "stream", "is_async"
    )
    assert _accepts(handlers.reask_handler, "kwargs", "response", "exception")
