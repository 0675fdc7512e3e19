"""What holds of an answer that failed validation: its valid parts, and what was dropped.

An answer the model could not get right within its reasks is not lost as a whole: list items that
fail are removed one by one (recursively) and the rest is validated again, the dropped items
described (:func:`salvage`). An answer to every question at once is cut into each question's part
first (:func:`part_for`), so one bad part costs that question only.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError


def part_for(model: type[BaseModel], content: str | None) -> str | None:
    """The keys of ``model`` in an answer to every question at once (the answer itself if not an object)."""
    try:
        data = json.loads(content or "")
    except json.JSONDecodeError:
        return content
    if not isinstance(data, dict):
        return content
    return json.dumps({key: data[key] for key in model.model_fields if key in data}, ensure_ascii=False)


def salvage(model: type[BaseModel], content: str | None, context: dict[str, Any]) -> tuple[BaseModel | None, list[str]]:
    """Keep the parts of a failed answer that validate; describe the dropped ones.

    List items that fail are removed one by one (recursively); the answer is then
    validated again. Returns ``(None, dropped)`` when nothing usable remains.
    """
    if not content:
        return None, []
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        return None, ["the whole answer (not valid JSON)"]
    dropped: list[str] = []
    cleaned = _salvage_value(model, data, context, dropped, path="")
    if cleaned is None:
        return None, dropped
    try:
        value = model.model_validate(cleaned, context=context)
        return value, [*dropped, *dict.fromkeys(context.get("dropped", []))]
    except ValidationError as error:
        return None, [*dropped, f"the whole answer ({error.error_count()} errors)"]


def _salvage_value(model: type[BaseModel], data: Any, context: dict, dropped: list[str], path: str) -> Any:
    if not isinstance(data, dict):
        return None
    result = dict(data)
    for name, info in model.model_fields.items():
        item_model = _list_item_model(info.annotation)
        if item_model is None or not isinstance(data.get(name), list):
            continue
        kept = []
        for index, item in enumerate(data[name]):
            fixed = _salvage_value(item_model, item, context, dropped, f"{path}{name}[{index}].")
            if fixed is None:
                continue
            try:
                item_model.model_validate(fixed, context=context)
            except ValidationError as error:
                reason = error.errors()[0]["msg"][:140]
                label = fixed.get("name") or fixed.get("text") or fixed.get("when") or fixed.get("value_as_written")
                dropped.append(f"{path}{name}[{index}] {label!r}: {reason}")
                continue
            kept.append(fixed)
        result[name] = kept
    return result


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    args: tuple[Any, ...] = getattr(annotation, "__args__", ())
    is_list = getattr(annotation, "__origin__", None) is list and args
    if is_list and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return args[0]
    return None
