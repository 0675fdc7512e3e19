"""Stories as data: what a story file may say about the coalitions a set of articles covers.

The code knows no story. With no story file the topic is any coalition, alliance or joint
mechanism of states or organisations, and the model decides whether an article reports
one. A story file (``--story FILE``, TOML) may add a title, the targets with their
aliases, known coalitions (aliases, leader, open or closed membership), extra aliases
(a body that stands for a state, such as a military command for its country) and a
keyword pre-filter. Its hash joins every cache key.

Example::

    title = "Naval coalitions protecting shipping"
    keywords = ["shipping", "naval"]

    [[targets]]
    name = "Pirates"
    aliases = ["pirate gangs"]

    [[coalitions]]
    name = "Combined Maritime Task Force"
    aliases = ["the maritime task force"]
    leader = "Denmark"
    membership = "open"

    [aliases]
    "Denmark" = ["Danish navy"]
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarise.exceptions import StoryError
from summarise.text.grounding import normalise

Name = str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoryTarget(_Strict):
    """Who or what the story's coalitions act against."""

    name: Name = Field(min_length=1, max_length=120)
    aliases: tuple[Name, ...] = ()


class KnownCoalition(_Strict):
    """A coalition the story knows by name: every source naming it (or its leader-led twin) is grouped with it."""

    name: Name = Field(min_length=1, max_length=200)
    aliases: tuple[Name, ...] = ()
    leader: Name | None = None
    target: Name | None = None
    kind: Literal["regional", "international", "bilateral", "other"] | None = None
    #: open: dozens of members of which an article names a few (a member left out is no conflict);
    #: closed: a fixed list, so a source leaving one out disagrees.
    membership: Literal["open", "closed"] | None = None
    #: Whether a source's "<leader>-led coalition" against the story's target means this one.
    led_coalitions_are_this: bool = False


class Story(_Strict):
    """A story file, validated: unknown keys are refused."""

    title: str = Field(min_length=1, max_length=200)
    #: None for a story of blocs and mechanisms that act against no one (an economic bloc, a grain deal).
    targets: tuple[StoryTarget, ...] = ()
    coalitions: tuple[KnownCoalition, ...] = ()
    #: Canonical name -> more names for it ("United States" = ["CENTCOM"]): a name here counts as its canonical.
    aliases: dict[Name, tuple[Name, ...]] = Field(default_factory=dict)
    #: A pre-filter: an article naming none of these words is off-topic without a model call (case is ignored).
    keywords: tuple[str, ...] = ()

    @cached_property
    def hash(self) -> str:
        """A short hash of the story's content: part of every cache key and recording."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]

    def target_names(self) -> list[str]:
        """Every target with its aliases, the canonical name first."""
        return [name for target in self.targets for name in (target.name, *target.aliases)]

    def target_aliases(self) -> dict[str, tuple[str, ...]]:
        """Each name of a target (normalised) and all of that target's names, the canonical name first."""
        return {
            normalise(name): (target.name, *target.aliases)
            for target in self.targets
            for name in (target.name, *target.aliases)
        }

    def stands_for(self) -> dict[str, str]:
        """Each extra alias and the canonical name it stands for."""
        return {alias: canonical for canonical, aliases in self.aliases.items() for alias in aliases}

    def passes_prefilter(self, text: str) -> bool:
        """Whether ``text`` names one of the keywords (always true when the story sets none)."""
        if not self.keywords:
            return True
        return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) for word in self.keywords)


def topic_of(story: Story | None) -> str:
    """The topic the model is asked about: the story's targets, or any coalition at all."""
    kinds = "coalitions, alliances and joint mechanisms of states or organisations"
    if story is None or not story.targets:
        return f"{kinds} (military, security, political or economic), whoever they are formed against"
    targets = ", ".join(story.target_names()[:6])
    return f"{kinds} formed, planned, joined or acting against {targets}"


#: A story file's largest size: a story of many coalitions and aliases takes a few kilobytes; reading and
#: validating one of 10 MB took most of a minute.
MAX_STORY_BYTES = 1_000_000


def load_story(path: str | Path) -> Story:
    """Read and validate a story file; every problem is a :class:`StoryError` naming the file and key."""
    from summarise.articles.reading import read_capped

    path = Path(path)
    try:
        raw = read_capped(path, MAX_STORY_BYTES)
    except FileNotFoundError:
        raise StoryError(str(path), "no such story file") from None
    except OSError as error:
        raise StoryError(str(path), f"cannot be read ({error.strerror or error})") from None
    if len(raw) > MAX_STORY_BYTES:
        raise StoryError(str(path), f"over the {MAX_STORY_BYTES // 1000:,} KB a story file may have")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise StoryError(str(path), "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise StoryError(str(path), f"not valid TOML: {error}") from None
    try:
        return Story.model_validate(data)
    except ValidationError as error:
        errors = error.errors()
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise StoryError(str(path), f"{key}: {message}") from None


def story_hash(story: Story | None) -> str:
    """The story's hash for cache keys: ``none`` with no story file."""
    return story.hash if story is not None else "none"


def story_json(story: Story | None) -> str:
    """The story as compact JSON (for recordings and logs)."""
    return json.dumps(story.model_dump(mode="json") if story else None, ensure_ascii=False, sort_keys=True)
