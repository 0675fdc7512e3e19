"""Reconcile many per-article briefs into one coalition brief, with no model.

The merger only reorganises what the articles said: it never adds a fact. Every merged fact
keeps each source's own evidence span, so a line of the brief can always be traced to the
words of an article. Disagreements are not resolved but listed.

Rules, in the order they are applied:

- **Sources.** Briefs of the same text (same article id) are one source. Sources are ordered by
  publication date, outlet, title and id, whatever the order of the input: the merge is
  deterministic. Articles from the same outlet, or copies of the same wire story (they share
  most of their long evidence spans), count as one outlet for corroboration. Off-topic articles
  are listed and flagged but contribute nothing.
- **Names.** Countries and organisations get their canonical names from the curated tables of
  :mod:`summarise.entities` (Turkey and Türkiye are one; Iraq and Iran never are). People are
  matched by a spelling key (case, accents, apostrophes and the particle "al" do not count);
  names that are merely similar (al-Sharaa and Al-Sarraj) are merged only when both carry the
  same role and the same country, the reason is recorded, and every spelling stays visible.
- **Coalitions.** A coalition whose name (or evidence, when the leader fits) names a known
  coalition, such as the US-led Global Coalition to Defeat ISIS, is that coalition. Others with
  the same target join the coalition whose members overlap most (at least half of the union);
  two coalitions of one article are never merged.
- **Member status.** A source *enumerates* a coalition when it states a member count or lists
  three or more members. A member left out by an enumerating source is in ``conflict``;
  otherwise it is ``agreed`` when two or more outlets list it and ``single_source`` when one
  does. Open coalitions (international ones, where an article names only a few of dozens of
  members) have no enumerating sources.
- **Timeline.** A date taken from a publication date is dropped when the source has none (the
  wording stays). Events with compatible dates (one a prefix of the other) and similar
  descriptions are one entry; very similar events with incompatible dates are a date conflict.
- **Figures.** Grouped by unit and by what they measure; each distinct value is kept with its
  sources and their publication dates, never averaged; more than one value is a conflict.
- **Claims.** Near-identical claims are merged; two claims on the same point where exactly one is
  negated are a conflict.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from summarise.dates import resolve_date
from summarise.entities import TARGET_ORGANISATION, canonical_name, entities_in
from summarise.grounding import normalise
from summarise.schemas import (
    ArticleBrief,
    Attributed,
    Claim,
    Coalition,
    CoalitionBrief,
    CoalitionKind,
    Conflict,
    ConflictKind,
    Event,
    Figure,
    FigureGroup,
    FigureValue,
    MergedClaim,
    MergedCoalition,
    MergedMember,
    MergedPerson,
    MergedQuote,
    MergedStatement,
    Person,
    Quote,
    Source,
    StatedCount,
    Statement,
    Support,
    TimelineEntry,
)

MERGE_VERSION = "1"

#: Coalitions known by name, with the leader that identifies them when only the evidence names them.
KNOWN_COALITIONS: dict[str, dict[str, str]] = {
    "Global Coalition to Defeat ISIS": {"led_by": "United States", "target": "ISIS", "kind": "international"},
}
#: Organisations that act for a country: a coalition "led by CENTCOM" is led by the United States.
STANDS_FOR = {"CENTCOM": "United States"}

PERSON_NAME_SIMILARITY = 70  # rapidfuzz ratio of spelling keys above which two names may be one person
MEMBER_OVERLAP = 0.5  # Jaccard overlap of member sets for two descriptions to be one coalition
EVENT_SIMILARITY = 70  # token-set ratio of descriptions for two same-date events to be one
DATE_CONFLICT_SIMILARITY = 85  # ... and for two differently dated events to be one event in dispute
FIGURE_SIMILARITY = 60  # token-set ratio of "what" for two figures of one unit to measure the same thing
SAME_THING_SIMILARITY = 80  # ... when their units differ
CLAIM_SIMILARITY = 85
WIRE_MIN_SHARED = 2  # long evidence spans two articles must share to be copies of one story
WIRE_SPAN_CHARS = 40

T = TypeVar("T")


# --- sources ------------------------------------------------------------------------------------


@dataclass
class _Source:
    """One article (possibly read from several inputs) and the briefs extracted from it."""

    briefs: list[ArticleBrief]
    label: str = ""
    group: str = ""  # id of the first source of its outlet/wire group

    @property
    def id(self) -> str:
        return self.briefs[0].article.id

    def first(self, attribute: str) -> Any:
        values = [getattr(brief.article, attribute) for brief in self.briefs]
        return next((value for value in values if value is not None), None)

    @property
    def published(self) -> dt.date | None:
        return self.first("published")

    @property
    def on_topic(self) -> bool | None:
        flags = {brief.on_topic for brief in self.briefs}
        return True if True in flags else False if False in flags else None

    def sort_key(self) -> tuple:
        return (self.published or dt.date.max, self.first("outlet") or "", self.first("title") or "", self.id)

    def outlet_key(self) -> str:
        if outlet := self.first("outlet"):
            return "outlet:" + normalise(outlet)
        if url := self.first("url"):
            host = (urlsplit(url).hostname or "").removeprefix("www.")
            if host:
                return "host:" + host
        return "id:" + self.id

    def facts(self, kind: type[T]) -> list[T]:
        """Facts of one kind from this source, each distinct fact once, in brief order."""
        seen: dict[str, T] = {}
        for brief in self.briefs:
            for item in _facts_of(brief, kind):
                seen.setdefault(item.model_dump_json(), item)  # type: ignore[attr-defined]
        return list(seen.values())


def _facts_of(brief: ArticleBrief, kind: type) -> list:
    lists = {
        Coalition: brief.coalitions,
        Person: brief.people,
        Event: brief.events,
        Figure: brief.figures,
        Claim: brief.claims,
        Quote: brief.quotes,
    }
    return list(lists[kind])


def _sources(briefs: Iterable[ArticleBrief]) -> list[_Source]:
    by_id: dict[str, list[ArticleBrief]] = {}
    for brief in briefs:
        by_id.setdefault(brief.article.id, []).append(brief)
    sources = [
        _Source(sorted(group, key=lambda b: (b.article.source, b.model_dump_json()))) for group in by_id.values()
    ]
    sources.sort(key=_Source.sort_key)
    for number, source in enumerate(sources, start=1):
        source.label = f"S{number}"
    _group_outlets(sources)
    return sources


def _group_outlets(sources: list[_Source]) -> None:
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
    spans = {source.id: _long_spans(source) for source in sources}
    for index, source in enumerate(sources):
        key = source.outlet_key()
        if key in by_outlet:
            join(by_outlet[key], source.id)
        by_outlet.setdefault(key, source.id)
        for other in sources[:index]:
            shared = spans[source.id] & spans[other.id]
            smaller = min(len(spans[source.id]), len(spans[other.id]))
            if len(shared) >= WIRE_MIN_SHARED and len(shared) * 2 >= smaller:
                join(other.id, source.id)
    for source in sources:
        source.group = root(source.id)


def _long_spans(source: _Source) -> set[str]:
    return {
        normalise(fact.evidence)
        for brief in source.briefs
        if brief.on_topic is not False
        for fact in brief.facts()
        if len(fact.evidence) >= WIRE_SPAN_CHARS
    }


class _Outlets:
    """Counts distinct outlets among supports."""

    def __init__(self, sources: Sequence[_Source]) -> None:
        self.group = {source.id: source.group for source in sources}
        self.label = {source.id: source.label for source in sources}
        self.order = {source.id: index for index, source in enumerate(sources)}

    def count(self, source_ids: Iterable[str]) -> int:
        return len({self.group[source] for source in source_ids})

    def sort(self, source_ids: Iterable[str]) -> list[str]:
        return sorted(set(source_ids), key=self.order.__getitem__)


# --- helpers ------------------------------------------------------------------------------------


def _clean(value: str | None) -> str | None:
    """A model's optional text with placeholders ("null", "unknown") read as missing."""
    if value is None:
        return None
    value = " ".join(value.split())
    return None if value.lower() in {"", "null", "none", "n/a", "unknown", "-"} else value


def _canonical_entity(text: str | None) -> str | None:
    """The canonical country or organisation a short text denotes, if the tables know it."""
    text = _clean(text)
    if text is None:
        return None
    exact = canonical_name(text)
    if exact:
        return exact
    named = entities_in(text)
    return named[0].canonical if named else None


def _support(source: _Source, evidence: str, as_written: str | None = None) -> Support:
    return Support(source=source.id, evidence=evidence, as_written=as_written)


def _dedupe_supports(supports: Iterable[Support], outlets: _Outlets) -> list[Support]:
    unique = {(s.source, s.evidence, s.as_written or ""): s for s in supports}
    return sorted(unique.values(), key=lambda s: (outlets.order[s.source], s.evidence, s.as_written or ""))


def _attributed(
    pairs: Iterable[tuple[str, str]], outlets: _Outlets, key: Callable[[str], str] = str
) -> list[Attributed]:
    """Group ``(value, source id)`` pairs by ``key(value)``; the first spelling of a key names it."""
    groups: dict[str, tuple[str, list[str]]] = {}
    for value, source in pairs:
        groups.setdefault(key(value), (value, []))[1].append(source)
    items = [Attributed(value=value, sources=outlets.sort(ids)) for value, ids in groups.values()]
    return sorted(items, key=lambda item: (-outlets.count(item.sources), outlets.order[item.sources[0]], item.value))


def _majority(values: Iterable[T], rank: Callable[[T], Any] = str) -> T | None:
    counts = Counter(value for value in values if value is not None)
    if not counts:
        return None
    return min(counts, key=lambda value: (-counts[value], rank(value)))


def _similar(a: str, b: str) -> float:
    return fuzz.token_set_ratio(normalise(a), normalise(b))


def _cluster(items: Sequence[T], same: Callable[[list[T], T], bool]) -> list[list[T]]:
    """Greedy clustering in the given (canonical) order: each item joins the first cluster that takes it."""
    clusters: list[list[T]] = []
    for item in items:
        for cluster in clusters:
            if same(cluster, item):
                cluster.append(item)
                break
        else:
            clusters.append([item])
    return clusters


class _Conflicts:
    def __init__(self, outlets: _Outlets) -> None:
        self.outlets = outlets
        self.items: list[Conflict] = []

    def add(self, kind: ConflictKind, about: str, values: list[tuple[str, list[str]]], note: str | None = None) -> str:
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


# --- the merge ----------------------------------------------------------------------------------


def merge_briefs(briefs: Iterable[ArticleBrief], story: str | None = None) -> CoalitionBrief:
    """Merge per-article briefs into one coalition brief. The result does not depend on input order."""
    sources = _sources(briefs)
    outlets = _Outlets(sources)
    conflicts = _Conflicts(outlets)
    story_sources = [source for source in sources if source.on_topic is not False]
    coalitions = _merge_coalitions(story_sources, outlets, conflicts)
    people = _merge_people(story_sources, outlets, conflicts)
    timeline = _merge_timeline(story_sources, outlets, conflicts)
    figures = _merge_figures(story_sources, outlets, conflicts)
    claims = _merge_claims(story_sources, outlets, conflicts)
    quotes = _merge_quotes(story_sources, outlets)
    dates = [source.published for source in sources if source.published]
    target = _majority(c.target for c in coalitions) or TARGET_ORGANISATION
    return CoalitionBrief(
        story=story or f"Coalitions against {target}",
        sources=[_source_model(source, sources) for source in sources],
        outlets=outlets.count(source.id for source in story_sources),
        first_published=min(dates, default=None),
        last_published=max(dates, default=None),
        coalitions=coalitions,
        people=people,
        timeline=timeline,
        figures=figures,
        claims=claims,
        quotes=quotes,
        conflicts=conflicts.items,
        merge_version=MERGE_VERSION,
    )


def _source_model(source: _Source, sources: list[_Source]) -> Source:
    inputs = sorted({brief.article.source for brief in source.briefs})
    failed = sorted({step for brief in source.briefs if brief.extraction for step in brief.extraction.failed_steps})
    on_topic = source.on_topic
    facts = len({(type(f).__name__, f.model_dump_json()) for b in source.briefs for f in b.facts()})
    return Source(
        label=source.label,
        id=source.id,
        source=inputs[0],
        also_at=inputs[1:],
        title=source.first("title"),
        outlet=source.first("outlet"),
        url=source.first("url"),
        published=source.published,
        on_topic=on_topic,
        counted_with=None if source.group == source.id else source.group,
        facts=0 if on_topic is False else facts,
        incomplete=failed,
    )


# --- coalitions ---------------------------------------------------------------------------------


@dataclass
class _Description:
    """One source's description of a coalition, with names made canonical."""

    source: _Source
    coalition: Coalition
    target: str | None
    leader: str | None
    known: str | None
    members: dict[str, list[Any]] = field(default_factory=dict)  # canonical name -> CoalitionMember list

    @property
    def member_set(self) -> set[str]:
        return set(self.members)


def _describe(source: _Source, coalition: Coalition) -> _Description:
    target = _canonical_entity(coalition.target) or _clean(coalition.target)
    leader = _canonical_entity(coalition.led_by)
    members: dict[str, list[Any]] = {}
    for member in coalition.members:
        name = _canonical_entity(member.name) or _canonical_entity(member.name_as_written) or member.name
        name = STANDS_FOR.get(name, name)
        members.setdefault(name, []).append(member)
        if leader is None and member.role and normalise(member.role) in {"leader", "lead", "leading", "led by"}:
            leader = name
    leader = STANDS_FOR.get(leader or "", leader)
    return _Description(source, coalition, target, leader, _known_coalition(coalition, leader), members)


def _known_coalition(coalition: Coalition, leader: str | None) -> str | None:
    for name, facts in KNOWN_COALITIONS.items():
        if _canonical_entity(coalition.name) == name:
            return name
        if any(entity.canonical == name for entity in entities_in(coalition.evidence)) and leader in (
            None,
            facts["led_by"],
        ):
            return name
    return None


def _same_coalition(cluster: list[_Description], item: _Description) -> bool:
    if any(d.source is item.source for d in cluster):
        return False
    first = cluster[0]
    if first.known or item.known:
        return first.known == item.known
    targets = {d.target for d in cluster if d.target} | ({item.target} if item.target else set())
    if len(targets) > 1:
        return False
    union = set().union(*(d.member_set for d in cluster))
    if not union or not item.member_set:
        leaders = {d.leader for d in cluster if d.leader}
        return bool(item.leader and item.leader in leaders)
    return len(union & item.member_set) / len(union | item.member_set) >= MEMBER_OVERLAP


def _merge_coalitions(sources: list[_Source], outlets: _Outlets, conflicts: _Conflicts) -> list[MergedCoalition]:
    descriptions = [_describe(source, c) for source in sources for c in source.facts(Coalition)]
    clusters = _cluster(descriptions, _same_coalition)
    merged: list[MergedCoalition] = []
    for number, cluster in enumerate(clusters, start=1):
        merged.append(_merge_coalition(f"C{number}", cluster, outlets, conflicts))
    names = Counter(c.name for c in merged)
    for coalition in merged:
        if names[coalition.name] > 1:
            coalition.name += f" ({', '.join(m.name for m in coalition.members[:3])})"
    return merged


_KIND_ORDER: dict[str, int] = {"regional": 0, "international": 1, "bilateral": 2, "other": 3}


def _merge_coalition(
    coalition_id: str, cluster: list[_Description], outlets: _Outlets, conflicts: _Conflicts
) -> MergedCoalition:
    known = cluster[0].known
    kind: CoalitionKind = (
        KNOWN_COALITIONS[known]["kind"] if known else _majority((d.coalition.kind for d in cluster), _KIND_ORDER.get)
    )  # type: ignore[assignment]
    target = (KNOWN_COALITIONS[known]["target"] if known else None) or _majority(d.target for d in cluster)
    leaders = [(d.leader, d.source.id) for d in cluster if d.leader]
    led_by = _majority(
        (name for name, _ in leaders), lambda name: min(outlets.order[s] for n, s in leaders if n == name)
    )
    if known:
        name = known
    else:
        name = f"{kind.capitalize()} coalition" + (f" against {target}" if target else "")
        name += f", led by {led_by}" if led_by else ""
    display = name
    if len({leader for leader, _ in leaders}) > 1:
        values: dict[str, list[str]] = {}
        for leader, source_id in leaders:
            values.setdefault(leader, []).append(source_id)
        conflicts.add("leader", f"who leads the {display}", sorted(values.items(), key=lambda kv: -len(kv[1])))

    open_coalition = kind == "international"
    enumerating = (
        [] if open_coalition else [d for d in cluster if d.coalition.member_count_stated or len(d.member_set) >= 3]
    )
    members = _merge_members(cluster, enumerating, outlets)
    member_order = {member.name: index for index, member in enumerate(members)}
    _member_conflicts(display, enumerating, member_order, outlets, conflicts)

    counts: dict[int, list[Support]] = {}
    for d in cluster:
        if d.coalition.member_count_stated:
            counts.setdefault(d.coalition.member_count_stated, []).append(_support(d.source, d.coalition.evidence))
    stated = [
        StatedCount(value=value, supports=_dedupe_supports(s, outlets), outlets=outlets.count(x.source for x in s))
        for value, s in sorted(counts.items())
    ]
    supports = _dedupe_supports((_support(d.source, d.coalition.evidence, d.coalition.name) for d in cluster), outlets)
    return MergedCoalition(
        id=coalition_id,
        name=name,
        names_seen=_attributed(((d.coalition.name, d.source.id) for d in cluster), outlets, normalise),
        kind=kind,
        target=target,
        led_by=led_by,
        members=members,
        stated_counts=stated,
        objectives=_merge_statements([(d.source, s) for d in cluster for s in d.coalition.objectives], outlets),
        mechanisms=_merge_statements([(d.source, s) for d in cluster for s in d.coalition.mechanisms], outlets),
        supports=supports,
        outlets=outlets.count(s.source for s in supports),
    )


def _merge_members(
    cluster: list[_Description], enumerating: list[_Description], outlets: _Outlets
) -> list[MergedMember]:
    names: list[str] = []
    for d in cluster:
        names += [name for name in d.members if name not in names]
    members = []
    for name in names:
        listing = [(d, member) for d in cluster for member in d.members.get(name, [])]
        supports = _dedupe_supports(
            (
                _support(d.source, m.evidence, m.name_as_written if m.name_as_written != name else None)
                for d, m in listing
            ),
            outlets,
        )
        count = outlets.count(s.source for s in supports)
        omitted_by = outlets.sort(d.source.id for d in enumerating if name not in d.members)
        status = "conflict" if omitted_by else "agreed" if count >= 2 else "single_source"
        membership = sorted({m.status for _, m in listing}, key=["member", "prospective", "former", "unclear"].index)
        members.append(
            MergedMember(
                name=name,
                status=status,
                membership=membership,
                roles=_attributed(((m.role, d.source.id) for d, m in listing if _clean(m.role)), outlets, normalise),
                omitted_by=omitted_by,
                supports=supports,
                outlets=count,
            )
        )
    rank = {"agreed": 0, "single_source": 1, "conflict": 2}
    # Keep the first-mentioned order within a status: the leader and core members come first.
    return sorted(members, key=lambda m: (rank[m.status], -m.outlets, names.index(m.name)))


def _member_conflicts(
    display: str,
    enumerating: list[_Description],
    member_order: dict[str, int],
    outlets: _Outlets,
    conflicts: _Conflicts,
) -> None:
    """List disagreements between enumerating sources about the member list and the member count."""
    lists: dict[tuple[str, ...], list[str]] = {}
    for d in enumerating:
        if d.member_set:
            key = tuple(sorted(d.member_set, key=member_order.__getitem__))
            lists.setdefault(key, []).append(d.source.id)
    if len(lists) > 1:
        values = sorted(lists.items(), key=lambda kv: (-outlets.count(kv[1]), -len(kv[0])))
        conflicts.add(
            "member_list",
            f"members of the {display}",
            [(", ".join(names), ids) for names, ids in values],
            note="Members that some of these sources leave out are marked 'conflict'.",
        )
    counts: dict[int, list[str]] = {}
    stated_by: set[str] = set()
    for d in enumerating:
        stated = d.coalition.member_count_stated
        number = stated or len(d.member_set)
        counts.setdefault(number, []).append(d.source.id)
        if stated:
            stated_by.add(d.source.id)
    if len(counts) > 1 and stated_by:
        values = sorted(counts.items())
        conflicts.add(
            "member_count",
            f"how many members the {display} has",
            [(str(number), ids) for number, ids in values],
            note="A count is the number a source states, else the number of members it lists.",
        )


def _merge_statements(items: list[tuple[_Source, Statement]], outlets: _Outlets) -> list[MergedStatement]:
    clusters = _cluster(
        items,
        lambda cluster, item: any(
            _similar(s.text, item[1].text) >= (CLAIM_SIMILARITY if _same_span(s, item[1]) else 95) for _, s in cluster
        ),
    )
    merged = []
    for cluster in clusters:
        supports = _dedupe_supports((_support(source, s.evidence, s.text) for source, s in cluster), outlets)
        merged.append(
            MergedStatement(
                text=cluster[0][1].text, supports=supports, outlets=outlets.count(s.source for s in supports)
            )
        )
    return merged


def _same_span(a: Statement, b: Statement) -> bool:
    return normalise(a.evidence) == normalise(b.evidence)


# --- people -------------------------------------------------------------------------------------

_PARTICLES = {"al", "el", " al-", "el-"}
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


def person_key(name: str) -> str:
    """A spelling key: case, accents, apostrophes, hyphens and the particle "al" do not count."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"['\u2019\u2018`´]", "", text.casefold())
    words = [w for w in re.split(r"[\s\-.]+", text) if w and w not in _PARTICLES]
    return " ".join(words)


def _role_words(role: str | None) -> set[str]:
    if not role:
        return set()
    plain = normalise(role).replace("'s", " ")
    for entity in entities_in(role):
        for alias in entity.names:
            plain = re.sub(r"\b" + re.escape(normalise(alias)) + r"\b", " ", plain)
    words = set(re.findall(r"[a-z]+", plain)) - _ROLE_NOISE
    return {w for w in words if len(w) > 2} - {"syrian", "turkish", "iraqi", "jordanian", "american", "lebanese"}


_DEMONYMS = {
    "turkish": "Türkiye",
    "syrian": "Syria",
    "iraqi": "Iraq",
    "jordanian": "Jordan",
    "lebanese": "Lebanon",
    "american": "United States",
    "iranian": "Iran",
    "russian": "Russia",
    "israeli": "Israel",
    "british": "United Kingdom",
}


def _countries_of(person: Person) -> set[str]:
    """The countries a person's affiliation and role tie them to."""
    found: set[str] = set()
    for text in (person.affiliation, person.role):
        text = _clean(text)
        if not text:
            continue
        found |= {STANDS_FOR.get(e.canonical, e.canonical) for e in entities_in(text)}
        found |= {country for word, country in _DEMONYMS.items() if re.search(rf"\b{word}\b", text, re.I)}
    return found


def _merge_people(sources: list[_Source], outlets: _Outlets, conflicts: _Conflicts) -> list[MergedPerson]:
    mentions = [(source, person) for source in sources for person in source.facts(Person) if person_key(person.name)]
    by_key = _cluster(mentions, lambda cluster, item: person_key(cluster[0][1].name) == person_key(item[1].name))
    reasons: dict[int, list[str]] = {}
    groups: list[list[tuple[_Source, Person]]] = []
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
        variants = _attributed(((p.name, s.id) for s, p in group), outlets)
        supports = _dedupe_supports((_support(s, p.evidence, p.name) for s, p in group), outlets)
        person = MergedPerson(
            name=variants[0].value,
            variants=variants,
            roles=_attributed(((r, s.id) for s, p in group if (r := _clean(p.role))), outlets, normalise),
            affiliations=_attributed(
                ((_canonical_entity(a) or a, s.id) for s, p in group if (a := _clean(p.affiliation))), outlets
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


def _same_person(group: list[tuple[_Source, Person]], cluster: list[tuple[_Source, Person]]) -> str | None:
    """Why ``cluster`` (one spelling) is the person of ``group``, or ``None``.

    Similar names alone are not enough: both must carry the same role and the same country.
    """
    name = cluster[0][1].name
    known = group[0][1].name
    a, b = person_key(name), person_key(known)
    if fuzz.ratio(a, b) < PERSON_NAME_SIMILARITY or a.split()[-1][:1] != b.split()[-1][:1]:
        return None
    roles_a = set().union(*(_role_words(p.role) for _, p in cluster))
    roles_b = set().union(*(_role_words(p.role) for _, p in group))
    countries_a = set().union(*(_countries_of(p) for _, p in cluster))
    countries_b = set().union(*(_countries_of(p) for _, p in group))
    role, country = roles_a & roles_b, countries_a & countries_b
    if not role or not country:
        return None
    return (
        f"{name!s} taken for {known}: similar name, same role ({', '.join(sorted(role))}) "
        f"and country ({', '.join(sorted(country))})"
    )


# --- timeline -----------------------------------------------------------------------------------


@dataclass
class _Dated:
    source: _Source
    event: Event
    date: str | None
    basis: str | None


def _event_date(source: _Source, event: Event) -> tuple[str | None, str | None]:
    date, basis = event.date, event.date_basis
    if basis == "publication_date" and source.published is None:
        date, basis = None, None  # a year taken from a date the source does not have: invented
    if date is None:
        date, basis = resolve_date(event.when_text, source.published)
    return date, basis


def _compatible(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.startswith(b) or b.startswith(a)


def _date_sort_key(date: str | None) -> tuple:
    if date is None:
        return (1, "", 0)
    return (0, date, len(date))


def _event_match(cluster: list[_Dated], item: _Dated) -> float:
    """How well an event fits a cluster: 0 unless every date is compatible and a description is close."""
    if not all(_compatible(d.date, item.date) for d in cluster):
        return 0.0
    needed = EVENT_SIMILARITY if item.date else DATE_CONFLICT_SIMILARITY
    best = max(
        100.0 if normalise(d.event.evidence) == normalise(item.event.evidence)
        else _similar(d.event.description, item.event.description)
        for d in cluster
    )
    return best if best >= needed else 0.0


def _merge_timeline(sources: list[_Source], outlets: _Outlets, conflicts: _Conflicts) -> list[TimelineEntry]:
    items = []
    for source in sources:
        for event in source.facts(Event):
            date, basis = _event_date(source, event)
            items.append(_Dated(source, event, date, basis))
    # Precise dates first, so that "in March" joins the best-matching "March 9", not the first March event.
    items.sort(key=lambda d: (-len(d.date or ""), _date_sort_key(d.date), outlets.order[d.source.id]))
    clusters: list[list[_Dated]] = []
    for item in items:
        best, index = max(((_event_match(c, item), -i) for i, c in enumerate(clusters)), default=(0.0, 0))
        if best > 0:
            clusters[-index].append(item)
        else:
            clusters.append([item])
    entries: list[TimelineEntry] = []
    for cluster in clusters:
        dates = [d.date for d in cluster if d.date]
        date = max(dates, key=len) if dates else None
        supports = _dedupe_supports((_support(d.source, d.event.evidence, d.event.when_text) for d in cluster), outlets)
        bases = {d.basis for d in cluster if d.date == date}
        entries.append(
            TimelineEntry(
                date=date,
                approximate=date is None or len(date) < 10,
                date_basis="text" if "text" in bases else "publication_date" if bases else None,
                when=_attributed(((d.event.when_text, d.source.id) for d in cluster), outlets, normalise),
                description=cluster[0].event.description,
                supports=supports,
                outlets=outlets.count(s.source for s in supports),
            )
        )
    _date_conflicts(entries, outlets, conflicts)
    entries.sort(key=lambda e: (_date_sort_key(e.date), outlets.order[e.supports[0].source]))
    return entries


def _date_conflicts(entries: list[TimelineEntry], outlets: _Outlets, conflicts: _Conflicts) -> None:
    for index, entry in enumerate(entries):
        if entry.date is None:
            continue
        rivals = [
            other
            for other in entries[index + 1 :]
            if other.date
            and not _compatible(entry.date, other.date)
            and _similar(entry.description, other.description) >= DATE_CONFLICT_SIMILARITY
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


# --- figures ------------------------------------------------------------------------------------


def _unit_key(unit: str | None) -> str:
    words = re.findall(r"[a-z]+", normalise(unit or ""))
    return " ".join(word[:-1] if word.endswith("s") and len(word) > 3 else word for word in words)


def _same_measure(a: Figure, b: Figure) -> bool:
    """Whether two figures count the same thing: similar descriptions, and units that do not differ."""
    units = _unit_key(a.unit), _unit_key(b.unit)
    needed = FIGURE_SIMILARITY if units[0] == units[1] or not all(units) else SAME_THING_SIMILARITY
    return _similar(f"{a.unit or ''} {a.what}", f"{b.unit or ''} {b.what}") >= needed


def _merge_figures(sources: list[_Source], outlets: _Outlets, conflicts: _Conflicts) -> list[FigureGroup]:
    items = [(source, figure) for source in sources for figure in source.facts(Figure)]

    def same_measure(cluster: list[tuple[_Source, Figure]], item: tuple[_Source, Figure]) -> bool:
        return any(_same_measure(figure, item[1]) for _, figure in cluster)

    groups = []
    for number, cluster in enumerate(_cluster(items, same_measure), start=1):
        values: dict[float, list[tuple[_Source, Figure]]] = {}
        for source, figure in cluster:
            values.setdefault(figure.value, []).append((source, figure))
        merged_values = []
        for value, pairs in sorted(values.items(), key=lambda kv: min(outlets.order[s.id] for s, _ in kv[1])):
            supports = _dedupe_supports((_support(s, f.evidence, f.value_as_written) for s, f in pairs), outlets)
            merged_values.append(
                FigureValue(
                    value=value,
                    as_written=sorted({f.value_as_written for _, f in pairs}),
                    qualifiers=sorted({f.qualifier for _, f in pairs}),
                    published=sorted({s.published for s, _ in pairs if s.published}),
                    supports=supports,
                    outlets=outlets.count(s.source for s in supports),
                )
            )
        what = _majority((f.what for _, f in cluster), lambda w: (len(w), w)) or cluster[0][1].what
        group = FigureGroup(id=f"F{number}", what=what, unit=cluster[0][1].unit, values=merged_values)
        if len(merged_values) > 1:
            dated = {v.published[0] for v in merged_values if v.published}
            group.conflict = conflicts.add(
                "figure",
                what,
                [(_figure_label(v), v.source_ids) for v in merged_values],
                note="The sources are dated differently: the figure may have changed over time."
                if len(dated) > 1
                else None,
            )
        groups.append(group)
    return groups


def _figure_label(value: FigureValue) -> str:
    qualifier = (
        "" if value.qualifiers == ["exact"] else f" ({', '.join(q.replace('_', ' ') for q in value.qualifiers)})"
    )
    dates = f", reported {', '.join(d.isoformat() for d in value.published)}" if value.published else ""
    return f"{value.as_written[0]}{qualifier}{dates}"


# --- claims and quotes --------------------------------------------------------------------------

_NEGATION = re.compile(
    r"\b(not|no|never|none|neither|nor|without|denied|denies|deny|declined|refused|rejects?|rejected)\b|n't\b", re.I
)


def _merge_claims(sources: list[_Source], outlets: _Outlets, conflicts: _Conflicts) -> list[MergedClaim]:
    items = [(source, claim) for source in sources for claim in source.facts(Claim)]

    def same_claim(cluster: list[tuple[_Source, Claim]], item: tuple[_Source, Claim]) -> bool:
        return any(
            _similar(c.claim, item[1].claim) >= CLAIM_SIMILARITY and _negated(c.claim) == _negated(item[1].claim)
            for _, c in cluster
        )

    merged = []
    for cluster in _cluster(items, same_claim):
        supports = _dedupe_supports((_support(s, c.evidence, c.claim) for s, c in cluster), outlets)
        holder = _majority((c.holder for _, c in cluster), lambda h: (len(h), h)) or cluster[0][1].holder
        merged.append(
            MergedClaim(
                holder=holder,
                claim=cluster[0][1].claim,
                supports=supports,
                outlets=outlets.count(s.source for s in supports),
            )
        )
    for index, claim in enumerate(merged):
        for other in merged[index + 1 :]:
            if (
                _negated(claim.claim) != _negated(other.claim)
                and _similar(_NEGATION.sub(" ", claim.claim), _NEGATION.sub(" ", other.claim)) >= CLAIM_SIMILARITY
                and not set(claim.source_ids) & set(other.source_ids)
            ):
                conflicts.add(
                    "claim",
                    claim.claim,
                    [(claim.claim, claim.source_ids), (other.claim, other.source_ids)],
                    note="One source states it, another states the opposite.",
                )
    return merged


def _negated(text: str) -> bool:
    return len(_NEGATION.findall(text)) % 2 == 1


def _merge_quotes(sources: list[_Source], outlets: _Outlets) -> list[MergedQuote]:
    items = [(source, quote) for source in sources for quote in source.facts(Quote)]
    clusters = _cluster(
        items,
        lambda cluster, item: any(
            normalise(q.text) in normalise(item[1].text) or normalise(item[1].text) in normalise(q.text)
            for _, q in cluster
        ),
    )
    merged = []
    for cluster in clusters:
        supports = _dedupe_supports((_support(s, q.evidence, q.text) for s, q in cluster), outlets)
        longest = max((q for _, q in cluster), key=lambda q: (len(q.text), q.text))
        merged.append(
            MergedQuote(
                speaker=_majority(q.speaker for _, q in cluster) or longest.speaker,
                text=longest.text,
                supports=supports,
                outlets=outlets.count(s.source for s in supports),
            )
        )
    return merged
