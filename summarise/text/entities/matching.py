"""Known countries and organisations in a text: every alias matched, each mapped to its canonical name.

Short acronyms (``IS``, ``US``) match case-sensitively so that the English words "is" and "us"
never count. The names come from :mod:`summarise.text.entities.aliases`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from summarise.text.entities.aliases import ORGANISATION_ALIASES, country_aliases
from summarise.text.grounding import normalise
from summarise.text.once import built_once


@dataclass(frozen=True)
class Entity:
    """A canonical name with the aliases that denote it."""

    canonical: str
    kind: str  # "country" or "organisation"
    aliases: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name followed by every alias."""
        return (self.canonical, *self.aliases)


#: A name followed by one of these names a sea, not a state ("the Indian Ocean", "the South China Sea").
_WATERS = r"(?!\s+(?-i:Ocean|Sea|Gulf|Basin)\b)"


def _pattern(alias: str) -> re.Pattern[str]:
    body = re.escape(alias).replace(r"\ ", r"\s+").replace("'", "['\u2019]")
    flags = 0 if _is_acronym(alias) else re.IGNORECASE
    return re.compile(r"(?<![\w.])" + body + r"(?![\w])" + _WATERS, flags)


@built_once
def _entities() -> tuple[tuple[Entity, tuple[re.Pattern[str], ...]], ...]:
    table: list[tuple[Entity, tuple[re.Pattern[str], ...]]] = []
    for kind, source in (("country", country_aliases()), ("organisation", ORGANISATION_ALIASES)):
        for canonical, aliases in source.items():
            entity = Entity(canonical, kind, aliases)
            table.append((entity, tuple(_pattern(name) for name in entity.names)))
    return tuple(table)


def entities_in(text: str, kind: str | None = None) -> list[Entity]:
    """Entities named in ``text`` (by any alias), in order of first mention.

    A match inside a longer match of another entity does not count: "South Sudan"
    names South Sudan, not Sudan.
    """
    matches: list[tuple[int, int, Entity]] = []
    lowered = _folded(text)
    for entity, patterns in _entities():
        if kind and entity.kind != kind:
            continue
        for name, pattern in zip(entity.names, patterns, strict=True):
            needle, exact_case = _needle(name)
            if needle in (text if exact_case else lowered):  # a cheap test before the regex scan
                matches += [(m.start(), m.end(), entity) for m in pattern.finditer(text)]
    first: dict[str, tuple[int, Entity]] = {}
    for start, entity in _outside_others(matches):
        if entity.canonical not in first or start < first[entity.canonical][0]:
            first[entity.canonical] = (start, entity)
    return [entity for _, entity in sorted(first.values(), key=lambda pair: pair[0])]


def _outside_others(matches: list[tuple[int, int, Entity]]) -> Iterator[tuple[int, Entity]]:
    """The matches (start, entity) not inside a longer match of another entity, in one sweep by start.

    Matches sorted by start, the longest first, are each compared with the two furthest ends reached
    by the matches before them (of two different entities): comparing every pair of matches made a
    long article's scan grow with the square of its names.
    """
    furthest: list[tuple[int, Entity]] = []  # (end, entity): the furthest end, and the furthest of another entity
    ordered = sorted(matches, key=lambda match: (match[0], -match[1]))
    index = 0
    while index < len(ordered):
        start, end = ordered[index][:2]
        group_end = index
        while group_end < len(ordered) and ordered[group_end][:2] == (start, end):
            group_end += 1
        group = [entity for _, _, entity in ordered[index:group_end]]  # the same words, matched by each entity
        for entity in group:
            # A match before this one (or starting here and longer) that reaches as far or further contains it.
            if not any(reach >= end and other is not entity for reach, other in furthest):
                yield start, entity
        for entity in group:
            furthest = _furthest_two([*furthest, (end, entity)])
        index = group_end


def _furthest_two(ends: list[tuple[int, Entity]]) -> list[tuple[int, Entity]]:
    """The furthest end, and the furthest end of an entity other than its own."""
    ends = sorted(ends, key=lambda pair: -pair[0])
    top = ends[:1]
    top += [pair for pair in ends[1:] if pair[1] is not top[0][1]][:1]
    return top


def _folded(text: str) -> str:
    """``text`` lowered as a case-insensitive regex sees it: "İRAQ" gives "iraq", "ſyria" "syria"."""
    if text.isascii():
        return text.lower()
    return text.translate({ord(char): _ascii_twin(char) for char in set(text) if ord(char) > 127}).lower()


@lru_cache(maxsize=4096)
def _ascii_twin(char: str) -> str:
    """The ASCII letter a case-insensitive regex takes ``char`` for, or ``char`` itself."""
    return next((letter for letter in string.ascii_lowercase if re.fullmatch(letter, char, re.IGNORECASE)), char)


@cache  # one entry an alias (about 1,200): a smaller cache missed on every scan
def _needle(alias: str) -> tuple[str, bool]:
    """The alias's first word (any match of its pattern contains it) and whether its case must match."""
    first = re.split(r"[\s'’]", alias, maxsplit=1)[0]
    return (first, True) if _is_acronym(alias) else (first.lower(), False)


def without_entity_names(text: str) -> str:
    """``text`` with every country and organisation name blanked out."""
    for _, patterns in _entities():
        for pattern in patterns:
            text = pattern.sub(" ", text)
    return text


def same_entity(name: str, other: str) -> bool:
    """Whether two names are aliases of one known country or organisation ("Turkey", "Türkiye")."""
    canonical = canonical_name(name)
    return canonical is not None and canonical == canonical_name(other)


def canonical_name(name: str) -> str | None:
    """The canonical name of a country or organisation alias, or ``None`` if unknown.

    Short all-capital acronyms must match exactly: "us" and "is" are words, not names.
    """
    exact, normalised = _alias_index()
    found = [hit for hit in (exact.get(name.strip()), normalised.get(normalise(name))) if hit is not None]
    return min(found)[1] if found else None  # the first entity and alias in table order, as a scan would find


@built_once
def _alias_index() -> tuple[dict[str, tuple[int, str]], dict[str, tuple[int, str]]]:
    """Each acronym as written, and each other alias normalised, with its place in table order and its canonical name.

    Built once: a lookup normalised every alias of every entity, which made the merger's comparisons of
    coalition names by far its slowest part.
    """
    exact: dict[str, tuple[int, str]] = {}
    normalised: dict[str, tuple[int, str]] = {}
    position = 0
    for entity, _ in _entities():
        for alias in entity.names:
            index = exact if _is_acronym(alias) else normalised
            index.setdefault(alias if index is exact else normalise(alias), (position, entity.canonical))
            position += 1
    return exact, normalised


def _is_acronym(alias: str) -> bool:
    return len(alias) <= 4 and alias.replace(".", "").isupper()


@built_once
def _by_canonical() -> dict[str, tuple[Entity, tuple[re.Pattern[str], ...]]]:
    return {entity.canonical: (entity, patterns) for entity, patterns in _entities()}


def entity_named(canonical: str) -> Entity | None:
    """The entity whose canonical name is ``canonical``."""
    entry = _by_canonical().get(canonical)
    return entry[0] if entry else None


def alias_in(text: str, canonical: str) -> str | None:
    """The spelling by which ``text`` first names the entity ``canonical``, if it does."""
    entry = _by_canonical().get(canonical)
    found = [match for pattern in entry[1] if (match := pattern.search(text))] if entry else []
    return min(found, key=lambda match: match.start()).group(0) if found else None


def name_spans(text: str, name: str) -> list[tuple[int, int]]:
    """Where ``text`` names ``name``: by any alias a table knows for it, else as written (whole words)."""
    entry = _by_canonical().get(name)
    patterns = entry[1] if entry else (re.compile(r"(?<![\w.])" + re.escape(name) + r"(?!\w)"),)
    return sorted({match.span() for pattern in patterns for match in pattern.finditer(text)})


def names_entity(text: str, canonical: str) -> bool:
    """Whether ``text`` names the entity ``canonical`` by any of its aliases."""
    return alias_in(text, canonical) is not None


@built_once
def known_names() -> frozenset[str]:
    """Every name of every known country and organisation, normalised (:func:`summarise.text.grounding.normalise`)."""
    return frozenset(normalise(name) for entity, _ in _entities() for name in entity.names)
