"""The timeline: events grouped by compatible date and description, and events dated differently in dispute."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from summarise.merge.compare import (
    DATE_CONFLICT_SIMILARITY,
    EVENT_SIMILARITY,
    EVENT_SIMILARITY_LOOSE,
    NEAR_DATE_DAYS,
    norm,
    similar,
    words,
)
from summarise.merge.sources import Conflicts, MergeSource, Outlets, attributed, dedupe_supports, support
from summarise.reading.statements import steps_taken
from summarise.reading.support import without_times
from summarise.schemas import Event, TimelineEntry
from summarise.text.dates import date_span, overlap, resolve_date, span_days
from summarise.text.entities import entities_in, without_entity_names


@dataclass
class _Dated:
    source: MergeSource
    event: Event
    date: str | None
    basis: str | None


def _event_date(source: MergeSource, event: Event) -> tuple[str | None, str | None]:
    date, basis = event.date, event.date_basis
    if basis == "publication_date" and source.published is None:
        date, basis = None, None  # a year taken from a date the source does not have: invented
    if date is None:
        date, basis = resolve_date(event.when_text, source.published, event.description)
    return date, basis


def _compatible(a: str | None, b: str | None) -> bool:
    """Whether two dates can be one: they share a day ("2025-02-12" and "2025-02", a week and its month)."""
    if a is None or b is None:
        return a is None and b is None
    return overlap(a, b)


def _date_sort_key(date: str | None) -> tuple:
    if date is None:
        return (1, "", 0)
    return (0, date, len(date))


@dataclass
class _EventCluster:
    items: list[_Dated] = field(default_factory=list)
    dates: set[str | None] = field(default_factory=set)
    descriptions: set[str] = field(default_factory=set)
    evidence: set[str] = field(default_factory=set)

    def add(self, item: _Dated) -> None:
        self.items.append(item)
        self.dates.add(item.date)
        self.descriptions.add(item.event.description)
        self.evidence.add(norm(item.event.evidence))

    def match(self, item: _Dated) -> float:
        """How well an event fits: 0 unless every date is compatible and a description is close."""
        if not all(_compatible(date, item.date) for date in self.dates):
            return 0.0
        if norm(item.event.evidence) in self.evidence:
            return 100.0
        needed = EVENT_SIMILARITY if item.date else DATE_CONFLICT_SIMILARITY
        best = max(similar(description, item.event.description) for description in self.descriptions)
        return best if best >= needed else 0.0


def merge_timeline(sources: list[MergeSource], outlets: Outlets, conflicts: Conflicts) -> list[TimelineEntry]:
    """Events with compatible dates and similar descriptions as one timeline entry, dates in dispute as conflicts."""
    items = []
    for source in sources:
        for event in source.facts(Event):
            date, basis = _event_date(source, event)
            items.append(_Dated(source, event, date, basis))
    # Precise dates first, so that "in March" joins the best-matching "March 9", not the first March event.
    items.sort(key=lambda d: (span_days(d.date), _date_sort_key(d.date), outlets.order[d.source.id]))
    groups: list[_EventCluster] = []
    for item in items:
        best, index = max(((group.match(item), -n) for n, group in enumerate(groups)), default=(0.0, 0))
        if best == 0:
            groups.append(_EventCluster())
            index = -(len(groups) - 1)
        groups[-index].add(item)
    entries: list[TimelineEntry] = []
    for cluster in (group.items for group in groups):
        dates = [d.date for d in cluster if d.date]
        date = min(dates, key=span_days) if dates else None
        supports = dedupe_supports((support(d.source, d.event.evidence, d.event.when_text) for d in cluster), outlets)
        bases = {d.basis for d in cluster if d.date == date}
        entries.append(
            TimelineEntry(
                date=date,
                approximate=span_days(date) > 1,
                date_basis="text" if "text" in bases else "publication_date" if bases else None,
                when=attributed(((d.event.when_text, d.source.id) for d in cluster), outlets, norm),
                description=cluster[0].event.description,
                supports=supports,
                outlets=outlets.count(s.source for s in supports),
            )
        )
    _date_conflicts(entries, outlets, conflicts)
    entries.sort(key=lambda e: (_date_sort_key(e.date), outlets.order[e.supports[0].source]))
    return entries


def _date_conflicts(entries: list[TimelineEntry], outlets: Outlets, conflicts: Conflicts) -> None:
    for index, entry in enumerate(entries):
        if entry.date is None:
            continue
        rivals = [
            other
            for other in entries[index + 1 :]
            if other.date
            and not _compatible(entry.date, other.date)
            and _same_event(entry, other)
            and not set(entry.source_ids) & set(other.source_ids)
        ]
        if not rivals or entry.conflict:
            continue
        disputed = [entry, *rivals]
        conflict_id = conflicts.add(
            "date",
            f"when this happened: {entry.description}",
            [(e.date or "", e.source_ids) for e in disputed],
        )
        for e in disputed:
            e.conflict = conflict_id


def _same_event(a: TimelineEntry, b: TimelineEntry) -> bool:
    """Whether two differently dated entries tell one event.

    Near-identical descriptions do; so does the same named thing (a proper name both sources'
    sentences or descriptions use) at dates a month apart at most, described alike.
    """
    described = similar(a.description, b.description)
    if described >= DATE_CONFLICT_SIMILARITY:
        return True
    # The names of the sentences and of the descriptions: an event sentence may say "the operation"
    # where the description, written from the article, names it.
    names_a = {name for text in (a.description, *(s.evidence for s in a.supports)) for name in _proper_names(text)}
    names_b = {name for text in (b.description, *(s.evidence for s in b.supports)) for name in _proper_names(text)}
    close = _days_apart(a.date, b.date)
    near = close is not None and close <= NEAR_DATE_DAYS
    if bool(names_a & names_b) and near and described >= EVENT_SIMILARITY_LOOSE:
        return True
    return near and _same_step(a, b)


#: Words that name a coalition, pact or mission in a sentence that may not give its name.
_UNDERTAKINGS = frozenset(
    "operation mission coalition alliance pact force confederation bloc treaty protocol charter task".split()
)


def _same_step(a: TimelineEntry, b: TimelineEntry) -> bool:
    """Whether two entries report the same step of one coalition's life: founded, joined, signed, left.

    "Austin launched the operation on Monday" and "the coalition that Washington unveiled on
    December 19" are one founding; the sentences must also share the thing it is about: a
    proper name, a state or organisation, or the word they call it by ("operation").
    """
    text_a = " ".join(s.evidence for s in a.supports)
    text_b = " ".join(s.evidence for s in b.supports)
    if not steps_taken(text_a) & steps_taken(text_b):
        return False
    return bool(_things(text_a) & _things(text_b))


def _things(text: str) -> set[str]:
    """What a sentence is about: its proper names, the states and organisations it names, the undertaking words."""
    return set(_proper_names(text)) | {e.canonical for e in entities_in(text)} | (words(text) & _UNDERTAKINGS)


def _days_apart(a: str | None, b: str | None) -> int | None:
    """Days between two dates of a day or a week ("this week"): 0 if they share a day; None if less precise."""
    x, y = date_span(a), date_span(b)
    if x is None or y is None or max((x[1] - x[0]).days, (y[1] - y[0]).days) > 7:
        return None
    return max(0, (y[0] - x[1]).days + 1, (x[0] - y[1]).days + 1)


_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|[A-Z]{2,})\b")


@lru_cache(maxsize=1 << 12)
def _proper_names(sentence: str) -> frozenset[str]:
    """The capitalised names inside a sentence that name no state or organisation a table knows."""
    bare = without_times(without_entity_names(sentence))
    return frozenset(match.group(1) for match in _PROPER.finditer(bare) if len(match.group(1)) > 2)
