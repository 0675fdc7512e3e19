"""Every name the package takes from instructor's modules, and what the client relies on them to do.

The structured client runs instructor's own request, parse and reask handlers in its own bounded
loop (``summarise/llm/client.py``), which reaches past instructor's top-level API into its
modules (``benchmarks/instructor_api.py`` measures why: instructor's public ``patch`` path costs a
third more CPU a call and sends reasks twice as long). An instructor upgrade that moves or reshapes
one of those names fails here, naming the file, the line and the name, rather than deep inside a
run; one that keeps the names but changes what they do (the schema sent, the parse, the reask)
fails the behaviour tests at the end. ``pyproject.toml`` allows the tested release's patch
releases only (``~=``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import instructor
import pytest
from pydantic import BaseModel, ValidationError

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


# --- what the client relies on instructor to do, checked by doing it --------------------------------
# The names above existing is not enough: an instructor release could keep them and change what they
# do. These run the handlers the client runs, on the answers it meets, offline (the completions are
# built here: scripted, not a model's).


class _Answer(BaseModel):
    """A small answer model: a name and a sentence number."""

    name: str
    sentence: int


def _completion(content: str, finish_reason: str = "stop"):
    from summarise.llm.base import completion_from_text

    return completion_from_text(content, model="scripted", finish_reason=finish_reason)


def test_the_response_format_is_the_models_strict_json_schema_built_once():
    from summarise.llm.client import _response_format

    made = _response_format(_Answer)
    assert made["type"] == "json_schema"
    schema = made["json_schema"]["schema"]
    assert set(schema["properties"]) == {"name", "sentence"} and set(schema["required"]) == {"name", "sentence"}
    assert _response_format(_Answer) is made  # built once, shared by every request for the model


def test_the_parser_gives_the_model_from_a_valid_answer_and_a_validation_error_from_a_wrong_one():
    from summarise.llm.client import PARSE_ERRORS, _handlers, _prepared

    def parse(content: str, finish_reason: str = "stop"):
        return _handlers().response_parser(
            response=_completion(content, finish_reason),
            response_model=_prepared(_Answer),
            validation_context=None,
            strict=True,
            stream=False,
            is_async=False,
        )

    parsed = parse('{"name": "Jordan", "sentence": 3}')
    assert isinstance(parsed, _Answer) and parsed.model_dump() == {"name": "Jordan", "sentence": 3}
    with pytest.raises(PARSE_ERRORS):
        parse('{"name": "Jordan", "sentence": "third"}')
    with pytest.raises(PARSE_ERRORS):
        parse("not JSON at all")
    from instructor.core.exceptions import IncompleteOutputException

    with pytest.raises(IncompleteOutputException):  # the client tells a cut-off answer apart by this
        parse('{"name": "Jor', finish_reason="length")


def test_the_reask_handler_appends_the_answer_and_a_user_message_the_client_then_shortens():
    from summarise.llm.client import _handlers, _short_reask

    request = {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}], "model": "m"}
    bad = '{"name": "Jordan", "sentence": "third"}'
    try:
        _Answer.model_validate_json(bad)
    except ValidationError as caught:
        error = caught
    reasked = _handlers().reask_handler(kwargs=request, response=_completion(bad), exception=error)
    messages = reasked["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == bad  # the model sees its own answer
    short = _short_reask(reasked, error)["messages"][-1]["content"]
    assert short.endswith("- sentence: Input should be a valid integer, unable to parse string as an integer")
    assert len(short) < len(messages[-1]["content"])  # what the model can act on, not instructor's long form
