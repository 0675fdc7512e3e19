"""The sources of a merge and how merged facts and conflicts are attributed to them.

Briefs of one article are one source; sources of one outlet, or copies of one wire story,
count as one outlet. Every merged fact keeps each source's evidence span (a ``Support``);
the conflicts found are numbered in the order they are found.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from summarise.merge.compare import WIRE_MIN_SHARED, WIRE_SPAN_CHARS, norm
from summarise.schemas import (
    ArticleBrief,
    Attributed,
    Claim,
    Coalition,
    Conflict,
    ConflictKind,
    Event,
    Figure,
    Grounded,
    Person,
    Quote,
    Support,
)

G = TypeVar("G", bound=Grounded)


# --- sources ------------------------------------------------------------------------------------


@dataclass
class MergeSource:
    """One article (possibly read from several inputs) and the briefs extracted from it."""

    briefs: list[ArticleBrief]
    label: str = ""
    group: str = ""  # id of the first source of its outlet/wire group

    @property
    def id(self) -> str:
        """The id of the article."""
        return self.briefs[0].article.id

    def first(self, attribute: str) -> Any:
        """The first value of an article attribute that is not None among this source's briefs."""
        values = [getattr(brief.article, attribute) for brief in self.briefs]
        return next((value for value in values if value is not None), None)

    @property
    def published(self) -> dt.date | None:
        """The publication date of the article, if known."""
        return self.first("published")

    @property
    def on_topic(self) -> bool | None:
        """True if a brief found the article on topic, False if one found it off topic, else None."""
        flags = {brief.on_topic for brief in self.briefs}
        return True if True in flags else False if False in flags else None

    def sort_key(self) -> tuple:
        """The canonical order of sources: publication date, outlet, title, id."""
        return (self.published or dt.date.max, self.first("outlet") or "", self.first("title") or "", self.id)

    def outlet_key(self) -> str:
        """What identifies the outlet of the article: its outlet name, else its URL's host, else its id."""
        if outlet := self.first("outlet"):
            return "outlet:" + norm(outlet)
        if url := self.first("url"):
            host = (urlsplit(url).hostname or "").removeprefix("www.")
            if host:
                return "host:" + host
        return "id:" + self.id

    def facts(self, kind: type[G]) -> list[G]:
        """Facts of one kind from this source, each distinct fact once, in brief order."""
        seen: dict[str, G] = {}
        for brief in self.briefs:
            for item in _facts_of(brief, kind):
                seen.setdefault(item.model_dump_json(), item)
        return list(seen.values())


def _facts_of(brief: ArticleBrief, kind: type[G]) -> list[G]:
    lists: dict[type[Grounded], Sequence[Grounded]] = {
        Coalition: brief.coalitions,
        Person: brief.people,
        Event: brief.events,
        Figure: brief.figures,
        Claim: brief.claims,
        Quote: brief.quotes,
    }
    return cast(list[G], list(lists[kind]))  # each kind is keyed to the list of its own facts


def sources_of(briefs: Iterable[ArticleBrief]) -> list[MergeSource]:
    """The sources of some briefs: one per article id, in canonical order, labelled and grouped by outlet."""
    by_id: dict[str, list[ArticleBrief]] = {}
    for brief in briefs:
        by_id.setdefault(brief.article.id, []).append(brief)
    sources = [
        MergeSource(sorted(group, key=lambda b: (b.article.source, b.model_dump_json()))) for group in by_id.values()
    ]
    sources.sort(key=MergeSource.sort_key)
    for number, source in enumerate(sources, start=1):
        source.label = f"S{number}"
    _group_outlets(sources)
    return sources


def _group_outlets(sources: list[MergeSource]) -> None:
    """Give each source the id of the first source of its outlet, or of the story it copies."""
    parent = {source.id: source.id for source in sources}

    def root(key: str) -> str:
        while parent[key] != key:
            key = parent[key]
        return key

    def join(a: str, b: str) -> None:
        first, second = sorted((root(a), root(b)), key=order.__getitem__)
        parent[second] = first

    order = {source.id: index for index, source in enumerate(sources)}
    by_outlet: dict[str, str] = {}
    for source in sources:
        key = source.outlet_key()
        if key in by_outlet:
            join(by_outlet[key], source.id)
        by_outlet.setdefault(key, source.id)
    spans = {source.id: _long_spans(source) for source in sources}
    holders: dict[str, list[str]] = {}
    for source in sources:
        for span in spans[source.id]:
            holders.setdefault(span, []).append(source.id)
    shared: Counter[tuple[str, str]] = Counter()
    for ids in holders.values():
        shared.update(combinations(ids, 2))
    for (a, b), count in shared.items():
        if count >= WIRE_MIN_SHARED and count * 2 >= min(len(spans[a]), len(spans[b])):
            join(a, b)
    for source in sources:
        source.group = root(source.id)


def _long_spans(source: MergeSource) -> set[str]:
    return {
        norm(fact.evidence)
        for brief in source.briefs
        if brief.on_topic is not False
        for fact in brief.facts()
        if len(fact.evidence) >= WIRE_SPAN_CHARS
    }


class Outlets:
    """Counts distinct outlets among supports."""

    def __init__(self, sources: Sequence[MergeSource]) -> None:
        self.group = {source.id: source.group for source in sources}
        self.label = {source.id: source.label for source in sources}
        self.order = {source.id: index for index, source in enumerate(sources)}

    def count(self, source_ids: Iterable[str]) -> int:
        """How many distinct outlets the given sources are."""
        return len({self.group[source] for source in source_ids})

    def sort(self, source_ids: Iterable[str]) -> list[str]:
        """The distinct source ids, in the canonical order of sources."""
        return sorted(set(source_ids), key=self.order.__getitem__)


# --- supports, attributed values and conflicts --------------------------------------------------


def support(source: MergeSource, evidence: str, as_written: str | None = None) -> Support:
    """The evidence span of a source for a merged fact, with the fact as that source wrote it."""
    return Support(source=source.id, evidence=evidence, as_written=as_written)


def dedupe_supports(supports: Iterable[Support], outlets: Outlets) -> list[Support]:
    """Each distinct support once, in source order, then by evidence."""
    unique = {(s.source, s.evidence, s.as_written or ""): s for s in supports}
    return sorted(unique.values(), key=lambda s: (outlets.order[s.source], s.evidence, s.as_written or ""))


def attributed(pairs: Iterable[tuple[str, str]], outlets: Outlets, key: Callable[[str], str] = str) -> list[Attributed]:
    """Group ``(value, source id)`` pairs by ``key(value)``; the first spelling of a key names it."""
    groups: dict[str, tuple[str, list[str]]] = {}
    for value, source in pairs:
        groups.setdefault(key(value), (value, []))[1].append(source)
    items = [Attributed(value=value, sources=outlets.sort(ids)) for value, ids in groups.values()]
    return sorted(items, key=lambda item: (-outlets.count(item.sources), outlets.order[item.sources[0]], item.value))


class Conflicts:
    """The conflicts found during a merge, numbered X1, X2, ... in the order they are found."""

    def __init__(self, outlets: Outlets) -> None:
        self.outlets = outlets
        self.items: list[Conflict] = []

    def add(self, kind: ConflictKind, about: str, values: list[tuple[str, list[str]]], note: str | None = None) -> str:
        """Record a conflict of ``(value, source ids)`` pairs and return its id."""
        conflict_id = f"X{len(self.items) + 1}"
        self.items.append(
            Conflict(
                id=conflict_id,
                kind=kind,
                about=about,
                values=[Attributed(value=value, sources=self.outlets.sort(ids)) for value, ids in values],
                note=note,
            )
        )
        return conflict_id
