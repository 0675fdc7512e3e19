"""People: mentions grouped by spelling, and similar names taken as one person when role and country agree."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from summarise.merge.compare import (
    PERSON_NAME_SIMILARITY,
    SPELLING_SIMILARITY,
    canonical_entity,
    clean,
    countries_in,
    norm,
)
from summarise.merge.sources import Conflicts, MergeSource, Outlets, attributed, dedupe_supports, support
from summarise.schemas import MergedPerson, Person
from summarise.text.entities import entities_in, person_key

_ROLE_NOISE = {
    "interim",
    "new",
    "newly",
    "elected",
    "former",
    "acting",
    "the",
    "of",
    "s",
    "country",
    "current",
    "incoming",
    "outgoing",
    "transitional",
}


@lru_cache(maxsize=1 << 12)
def _role_words(role: str | None) -> frozenset[str]:
    """The title words of a role ("Syria's interim President" -> president), without places or qualifiers."""
    if not role:
        return frozenset()
    plain = norm(role).replace("'s", " ")
    for entity in entities_in(role):
        for alias in entity.names:
            plain = re.sub(r"\b" + re.escape(norm(alias)) + r"\b", " ", plain)
    words = set(re.findall(r"[a-z]+", plain)) - _ROLE_NOISE
    return frozenset(w for w in words if len(w) > 2)


def _countries_of(person: Person) -> set[str]:
    """The countries a person's affiliation and role tie them to."""
    return set(countries_in(person.affiliation)) | set(countries_in(person.role))


def merge_people(sources: list[MergeSource], outlets: Outlets, conflicts: Conflicts) -> list[MergedPerson]:
    """Mentions of people grouped by spelling key, and similar names joined when role and country agree."""
    mentions = [(source, person) for source in sources for person in source.facts(Person) if person_key(person.name)]
    keyed: dict[str, list[tuple[MergeSource, Person]]] = {}
    for mention in mentions:
        keyed.setdefault(person_key(mention[1].name), []).append(mention)
    by_key = list(keyed.values())
    reasons: dict[int, list[str]] = {}
    groups: list[list[tuple[MergeSource, Person]]] = []
    for cluster in by_key:
        for index, group in enumerate(groups):
            reason = _same_person(group, cluster)
            if reason:
                group.extend(cluster)
                reasons.setdefault(index, []).append(reason)
                break
        else:
            groups.append(list(cluster))
    merged = []
    for index, group in enumerate(groups):
        variants = attributed(((p.name, s.id) for s, p in group), outlets)
        supports = dedupe_supports((support(s, p.evidence, p.name) for s, p in group), outlets)
        person = MergedPerson(
            name=variants[0].value,
            variants=variants,
            roles=attributed(((r, s.id) for s, p in group if (r := clean(p.role))), outlets, norm),
            affiliations=attributed(
                ((canonical_entity(a) or a, s.id) for s, p in group if (a := clean(p.affiliation))), outlets
            ),
            merged_because=reasons.get(index, []),
            supports=supports,
            outlets=outlets.count(s.source for s in supports),
        )
        merged.append(person)
        keys = {person_key(v.value) for v in variants}
        if len(keys) > 1:
            conflicts.add(
                "name_spelling",
                f"the name of {person.name}",
                [(v.value, v.sources) for v in variants],
                note="; ".join(person.merged_because) or None,
            )
    return sorted(merged, key=lambda p: (-p.outlets, outlets.order[p.supports[0].source], p.name))


def _same_person(group: list[tuple[MergeSource, Person]], cluster: list[tuple[MergeSource, Person]]) -> str | None:
    """Why ``cluster`` (one spelling) is the person of ``group``, or ``None``.

    Two spellings of one name ("Yahya Saree", "Yahya Sarea": as many words, each with the same
    first letter, nearly the same letters) are one person unless the sources give them different
    roles or countries. Less similar names must also carry the same role and the same country.
    """
    name = cluster[0][1].name
    a = person_key(name)
    known, b = max(((p.name, person_key(p.name)) for _, p in group), key=lambda kb: (fuzz.ratio(a, kb[1]), kb[1]))
    ratio = fuzz.ratio(a, b)
    if ratio < PERSON_NAME_SIMILARITY or a.split()[-1][:1] != b.split()[-1][:1]:
        return None
    countries_a = set().union(*(_countries_of(p) for _, p in cluster))
    countries_b = set().union(*(_countries_of(p) for _, p in group))
    words_a, words_b = a.split(), b.split()
    spelling = (
        ratio >= SPELLING_SIMILARITY
        and len(words_a) == len(words_b)
        and all(x[:1] == y[:1] for x, y in zip(words_a, words_b, strict=True))
    )
    roles_a = set().union(*(_role_words(p.role) for _, p in cluster))
    roles_b = set().union(*(_role_words(p.role) for _, p in group))
    differ = any(x and y and not x & y for x, y in ((countries_a, countries_b), (roles_a, roles_b)))
    if spelling and not differ:
        return f"{name!s} taken for {known}: the same name spelt another way"
    role, country = roles_a & roles_b, countries_a & countries_b
    if not role or not country:
        return None
    return (
        f"{name!s} taken for {known}: similar name, same role ({', '.join(sorted(role))}) "
        f"and country ({', '.join(sorted(country))})"
    )
