"""The hand-made gold: one entry an article (people, events, numbers, ...), and the conflicts a merge should list."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from summarise.exceptions import InputError
from summarise.schemas import first_problem

DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class GoldPerson(BaseModel):
    """A person the article names, with the role it gives (or null)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    role: str | None = None


class GoldEvent(BaseModel):
    """An event with its date at the precision the text allows, or null when it allows none."""

    model_config = ConfigDict(extra="forbid")
    date: str | None
    date_text: str | None = None
    what: str

    @field_validator("date")
    @classmethod
    def _date_or_range(cls, value: str | None) -> str | None:
        if value is not None and not all(DATE.match(part) for part in value.split("/", 1)):
            raise ValueError(f"{value!r} is not YYYY-MM-DD, YYYY-MM, YYYY, a range A/B, or null")
        return value


class GoldNumber(BaseModel):
    """A reported figure and what it measures."""

    model_config = ConfigDict(extra="forbid")
    value: float
    what: str


class GoldCoalition(BaseModel):
    """One coalition of an article that describes several (not scored: a record for the reader)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    leader: str | None = None
    target: str | None = None
    members: list[str] = Field(default_factory=list)


class GoldArticle(BaseModel):
    """The hand-made annotation of one article."""

    model_config = ConfigDict(extra="forbid")
    on_topic: bool
    coalition: str | None = None
    target: str | None = None
    members: list[str]
    other_participants: list[str] = Field(default_factory=list)
    # A field left out (or null) is not annotated, and not scored.
    people: list[GoldPerson] | None = None
    events: list[GoldEvent] | None = None
    numbers: list[GoldNumber] | None = None
    objectives: list[str] | None = None
    coalitions: list[GoldCoalition] | None = None
    #: Each state whose status towards the main coalition the article states, other than plain membership.
    statuses: dict[str, Literal["joining", "invited", "declined", "withdrawn", "suspended", "observer"]] | None = None


class GoldConflict(BaseModel):
    """A disagreement between sources the merged brief should list."""

    model_config = ConfigDict(extra="forbid")
    about: str
    values: list[str] = Field(min_length=2)
    kind: str | None = None


class GoldStoryCoalition(BaseModel):
    """One real coalition of a story: the merged brief should show it once, with its stated leader."""

    model_config = ConfigDict(extra="forbid")

    name: str
    aliases: list[str] = Field(default_factory=list)
    leader: str | None = None
    members: list[str] = Field(default_factory=list)


def load_gold(path: Path) -> dict[str, GoldArticle]:
    """Read a gold file; a malformed one is an :class:`InputError` naming the entry and field."""
    raw = _read_json(path)
    if not isinstance(raw, dict) or not raw:
        raise InputError(str(path), "the gold must be a JSON object keyed by article file name")
    gold: dict[str, GoldArticle] = {}
    for name, entry in raw.items():
        try:
            gold[name] = GoldArticle.model_validate(entry)
        except ValidationError as error:
            raise InputError(str(path), f"entry {name!r}: {first_problem(error)}") from None
    return gold


def load_gold_conflicts(path: Path) -> list[GoldConflict]:
    """Read ``{"conflicts": [...]}``."""
    raw = _read_json(path)
    if not isinstance(raw, dict) or "conflicts" not in raw:
        raise InputError(str(path), 'expected {"conflicts": [{"about": ..., "values": [...]}]}')
    try:
        return [GoldConflict.model_validate(item) for item in raw["conflicts"]]
    except ValidationError as error:
        raise InputError(str(path), first_problem(error)) from None


def load_gold_coalitions(path: Path) -> list[GoldStoryCoalition] | None:
    """The story's real coalitions (``"coalitions"`` of a conflicts file), or None when it lists none."""
    raw = _read_json(path)
    if not isinstance(raw, dict) or "coalitions" not in raw:
        return None
    try:
        return [GoldStoryCoalition.model_validate(item) for item in raw["coalitions"]]
    except ValidationError as error:
        raise InputError(str(path), f"coalitions: {first_problem(error)}") from None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(str(path), f"cannot read: {(error.strerror or str(error)).lower()}") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise InputError(str(path), f"not valid JSON: {error}") from None
