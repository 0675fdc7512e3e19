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
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any, TypeVar
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from summarise.dates import date_span, overlap, resolve_date, span_days
from summarise.entities import canonical_name, entities_in, person_key, without_entity_names
from summarise.grounding import normalise
from summarise.readings import counted
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
from summarise.statements import lifecycle_steps, steps_taken
from summarise.story import KnownCoalition, Story
from summarise.support import locate, without_times

MERGE_VERSION = "1"


PERSON_NAME_SIMILARITY = 70  # rapidfuzz ratio of spelling keys above which two names may be one person
SPELLING_SIMILARITY = 85  # ... above which (word by word alike) they are one name spelt two ways
MEMBER_OVERLAP = 0.5  # Jaccard overlap of member sets for two descriptions to be one coalition
NAME_OVERLAP = 0.5  # share of the shorter name's distinctive words two coalition names must share
EVENT_SIMILARITY = 70  # token-set ratio of descriptions for two same-date events to be one
DATE_CONFLICT_SIMILARITY = 85  # ... and for two differently dated events to be one event in dispute
NEAR_DATE_DAYS = 31  # ... or, naming the same thing, at most this many days apart
EVENT_SIMILARITY_LOOSE = 50  # ... with descriptions at least this similar
FIGURE_SIMILARITY = 60  # token-set ratio of "what" for two figures counting one noun to measure the same thing
SAME_THING_SIMILARITY = 80  # ... when they count different nouns; of two claims, numbers aside, to say one thing
CLAIM_SIMILARITY = 85
WIRE_MIN_SHARED = 2  # long evidence spans two articles must share to be copies of one story
WIRE_SPAN_CHARS = 40

T = TypeVar("T")
H = TypeVar("H", bound=Hashable)


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
            return "outlet:" + _norm(outlet)
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


def _long_spans(source: _Source) -> set[str]:
    return {
        _norm(fact.evidence)
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


@lru_cache(maxsize=1 << 12)
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


@lru_cache(maxsize=1 << 16)
def _norm(text: str) -> str:
    return normalise(text)


@lru_cache(maxsize=1 << 18)
def _similar(a: str, b: str) -> float:
    """Word-set similarity of two texts (0-100); texts that state different numbers score 0."""
    if _numbers(a) != _numbers(b):
        return 0.0  # "500 troops" and "5,000 troops" are a disagreement, not one fact
    return fuzz.token_set_ratio(_norm(a), _norm(b))


@lru_cache(maxsize=1 << 16)
def _numbers(text: str) -> frozenset[str]:
    return frozenset(number.replace(",", "") for number in re.findall(r"\d[\d,.]*", text))


def _cluster(items: Sequence[T], signature: Callable[[T], H], same: Callable[[H, H], bool]) -> list[list[T]]:
    """Greedy clustering in the given (canonical) order: each item joins the first cluster that takes it.

    Items are compared through their signatures, and each distinct signature of a cluster only
    once, so a thousand briefs repeating the same few facts cost little more than one.
    """
    clusters: list[list[T]] = []
    signatures: list[list[H]] = []
    home: dict[H, int] = {}
    for item in items:
        key = signature(item)
        index = home.get(key)
        if index is None:
            index = next((n for n, keys in enumerate(signatures) if any(same(k, key) for k in keys)), None)
            if index is None:
                clusters.append([])
                signatures.append([])
                index = len(clusters) - 1
            signatures[index].append(key)
            home[key] = index
        clusters[index].append(item)
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


def merge_briefs(briefs: Iterable[ArticleBrief], story: Story | None = None) -> CoalitionBrief:
    """Merge per-article briefs into one coalition brief. The result does not depend on input order.

    A story file's known coalitions group every description that names them, and its extra
    aliases count as the names they stand for; with no story, coalitions are grouped by
    target, leader and members alone.
    """
    sources = _sources(briefs)
    outlets = _Outlets(sources)
    conflicts = _Conflicts(outlets)
    story_sources = [source for source in sources if source.on_topic is not False]
    coalitions = _merge_coalitions(story_sources, outlets, conflicts, story)
    people = _merge_people(story_sources, outlets, conflicts)
    timeline = _merge_timeline(story_sources, outlets, conflicts)
    figures = _merge_figures(story_sources, outlets, conflicts)
    claims = _merge_claims(story_sources, outlets, conflicts)
    quotes = _merge_quotes(story_sources, outlets)
    dates = [source.published for source in sources if source.published]
    return CoalitionBrief(
        story=story.title if story is not None else _title(coalitions),
        sources=[_source_model(source) for source in sources],
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


def _title(coalitions: list[MergedCoalition]) -> str:
    """The story the merged coalitions tell, when no story file names it."""
    targets = Counter(c.target for c in coalitions if c.target)
    if targets:
        target, count = targets.most_common(1)[0]
        if count * 2 > len(coalitions):
            return f"Coalitions against {target}"
    if 1 <= len(coalitions) <= 3:
        names = [c.name for c in coalitions]
        return "; ".join(names)  # a name may hold commas ("Regional coalition, led by X")
    return "Coalitions and alliances"


def _source_model(source: _Source) -> Source:
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
    member_set: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.member_set = frozenset(self.members)


@dataclass
class _CoalitionCluster:
    """Descriptions taken for one coalition, with what a new description is compared to."""

    descriptions: list[_Description] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    targets: set[str] = field(default_factory=set)
    leaders: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)

    def add(self, description: _Description) -> None:
        self.descriptions.append(description)
        self.sources.add(description.source.id)
        self.targets |= {description.target} if description.target else set()
        self.leaders |= {description.leader} if description.leader else set()
        self.members |= description.member_set

    def takes(self, item: _Description) -> bool:
        """Whether ``item`` describes this coalition (two descriptions of one article never do).

        A story's known coalition groups by name; otherwise the same proper name, or members that
        overlap by half, make one coalition; so does the same leader against the same target (both
        stated: an open coalition's sources name different few of its members), or, with no members
        to compare, against a compatible one, unless the two have different proper names. Targets
        alone never split a coalition: sources name them differently.
        """
        if item.source.id in self.sources:
            return False
        known = self.descriptions[0].known
        if known or item.known:
            return known == item.known
        if any(_same_proper_name(item.coalition.name, d.coalition.name) for d in self.descriptions):
            return True
        if self.members and item.member_set:
            shared = len(self.members & item.member_set) / len(self.members | item.member_set)
            if shared >= MEMBER_OVERLAP:
                return True
            compatible = bool(item.target and item.target in self.targets)
        else:
            compatible = not item.target or not self.targets or item.target in self.targets
        named_apart = _is_proper_name(item.coalition.name) and any(
            _is_proper_name(d.coalition.name) for d in self.descriptions
        )  # no proper name shared (checked above): two coalitions with names of their own
        return bool(item.leader and item.leader in self.leaders and compatible and not named_apart)


#: Words that describe any coalition: two names sharing only these are not the same name.
_GENERIC_NAME_WORDS = frozenset(
    "a an the of for to against and in on new joint regional international global coalition alliance pact "
    "group force forces mission operation operations task centre center mechanism partnership bloc format "
    "framework initiative campaign military security defence defense naval maritime led by nation nations "
    "state states country countries member members arab western eastern northern southern european african "
    "asian gulf nordic baltic".split()
)


def _distinctive_words(name: str) -> set[str]:
    """A coalition name's own words: no generic word, no state or organisation, nothing of its target."""
    own = re.split(r"\b(?:against|to|versus|vs|on)\b", _norm(without_entity_names(name)), maxsplit=1)[0]
    return set(re.findall(r"[a-z]+", own)) - _GENERIC_NAME_WORDS


def _same_proper_name(a: str, b: str) -> bool:
    """Whether two coalition names share their distinctive words ("Operation Sentinel" and "Sentinel mission").

    Generic words and the names of states and organisations do not count: "US-led coalition against
    X" and "US-led coalition against Y" share none.
    """
    words_a, words_b = _distinctive_words(a), _distinctive_words(b)
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) / min(len(words_a), len(words_b)) >= NAME_OVERLAP


def _is_proper_name(name: str) -> bool:
    """Whether a coalition name has a capitalised word of its own (not generic, not a state's or body's name)."""
    own = _distinctive_words(name)  # no generic word, no state or body, nothing of its target
    capitalised = re.findall(r"\b[A-Z][a-z]+", without_entity_names(name))
    return any(word.lower() in own for word in capitalised)


def _common_proper_name(cluster: list[_Description], outlets: _Outlets) -> str | None:
    """The coalition's own name, if outlets giving half of the descriptions or more use it ("Aspides").

    A name is proper if it has a capitalised word that is neither generic nor a state's or body's
    name ("Operation Prosperity Guardian", "Sahel alliance"; not "the three-state patrol").
    Spellings of one proper name ("Alliance of Sahel States", "Sahel alliance") count together,
    and the one most outlets write is given.
    """
    named = [(d.coalition.name, d.source.id) for d in cluster if _is_proper_name(d.coalition.name)]
    best: tuple[int, int, str] | None = None
    for name, _ in named:
        same = [source for other, source in named if _same_proper_name(name, other)]
        exact = [source for other, source in named if _norm(other) == _norm(name)]
        candidate = (outlets.count(same), outlets.count(exact), name)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None or 2 * best[0] < outlets.count(d.source.id for d in cluster):
        return None
    return best[2]


def _describe(source: _Source, coalition: Coalition, story: Story | None) -> _Description:
    stands_for = story.stands_for() if story is not None else {}
    target = _canonical_entity(coalition.target) or _clean(coalition.target)
    leader = _canonical_entity(coalition.led_by) or _clean(coalition.led_by)
    members: dict[str, list[Any]] = {}
    for member in coalition.members:
        name = _canonical_entity(member.name) or _canonical_entity(member.name_as_written) or member.name
        name = stands_for.get(name, name)
        members.setdefault(name, []).append(member)
        if leader is None and member.role and _norm(member.role) in {"leader", "lead", "leading", "led by"}:
            leader = name
    leader = stands_for.get(leader or "", leader)
    return _Description(source, coalition, target, leader, _known_coalition(coalition, leader, target, story), members)


def _known_coalition(coalition: Coalition, leader: str | None, target: str | None, story: Story | None) -> str | None:
    """The story's known coalition this description is: named by it, or (if the story says so) led by its leader."""
    if story is None:
        return None
    described = _norm(f"{coalition.name}\n{coalition.evidence}")
    for known in story.coalitions:
        names = [_norm(name) for name in (known.name, *known.aliases)]
        named = any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", described) for name in names if name)
        if named and leader in (None, known.leader):
            return known.name
        led_here = known.leader is not None and leader == known.leader
        same_target = known.target is None or target is None or _same_target(target, known.target, story)
        if known.led_coalitions_are_this and led_here and same_target:
            return known.name
    return None


def _same_target(a: str, b: str, story: Story) -> bool:
    for target in story.targets:
        names = {_norm(name) for name in (target.name, *target.aliases)}
        if _norm(a) in names and _norm(b) in names:
            return True
    return _norm(a) == _norm(b)


def _merge_coalitions(
    sources: list[_Source], outlets: _Outlets, conflicts: _Conflicts, story: Story | None = None
) -> list[MergedCoalition]:
    known = {coalition.name: coalition for coalition in story.coalitions} if story is not None else {}
    descriptions = [_describe(source, c, story) for source in sources for c in source.facts(Coalition)]
    clusters: list[_CoalitionCluster] = []
    for description in descriptions:
        home = next((cluster for cluster in clusters if cluster.takes(description)), None)
        if home is None:
            home = _CoalitionCluster()
            clusters.append(home)
        home.add(description)
    merged: list[MergedCoalition] = []
    for number, cluster in enumerate(clusters, start=1):
        facts = known.get(cluster.descriptions[0].known or "")
        merged.append(_merge_coalition(f"C{number}", cluster.descriptions, outlets, conflicts, facts))
    names = Counter(c.name for c in merged)
    for coalition in merged:
        if names[coalition.name] > 1:
            coalition.name += f" ({', '.join(m.name for m in coalition.members[:3])})"
    return merged


_KIND_ORDER: dict[str, int] = {"regional": 0, "international": 1, "bilateral": 2, "other": 3}


def _merge_coalition(
    coalition_id: str,
    cluster: list[_Description],
    outlets: _Outlets,
    conflicts: _Conflicts,
    known: KnownCoalition | None = None,
) -> MergedCoalition:
    kind: CoalitionKind = (known.kind if known else None) or _majority(
        (d.coalition.kind for d in cluster), _KIND_ORDER.get
    )  # type: ignore[assignment]
    target = (known.target if known else None) or _majority(d.target for d in cluster)
    leaders = [(d.leader, d.source.id) for d in cluster if d.leader]
    led_by = _majority(
        (name for name, _ in leaders), lambda name: min(outlets.order[s] for n, s in leaders if n == name)
    )
    name = known.name if known else _common_proper_name(cluster, outlets)
    if name is None:
        name = f"{kind.capitalize()} coalition" + (f" against {target}" if target else "")
        name += f", led by {led_by}" if led_by else ""
    if len({leader for leader, _ in leaders}) > 1:
        values: dict[str, list[str]] = {}
        for leader, source_id in leaders:
            values.setdefault(leader, []).append(source_id)
        conflicts.add("leader", f"who leads the {name}", sorted(values.items(), key=lambda kv: -len(kv[1])))

    open_coalition = known.membership == "open" if known and known.membership else kind == "international"
    enumerating = (
        [] if open_coalition else [d for d in cluster if d.coalition.member_count_stated or len(d.member_set) >= 3]
    )
    members = _merge_members(cluster, enumerating, outlets)
    member_order = {member.name: index for index, member in enumerate(members)}
    _member_conflicts(name, cluster, enumerating, member_order, outlets, conflicts)

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
        names_seen=_attributed(((d.coalition.name, d.source.id) for d in cluster), outlets, _norm),
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
                roles=_attributed(((m.role, d.source.id) for d, m in listing if _clean(m.role)), outlets, _norm),
                omitted_by=omitted_by,
                supports=supports,
                outlets=count,
            )
        )
    rank = {"agreed": 0, "single_source": 1, "conflict": 2}
    # Keep the first-mentioned order within a status: the leader and core members come first.
    return sorted(members, key=lambda m: (rank[m.status], -m.outlets, names.index(m.name)))


def _member_conflicts(
    coalition_name: str,
    cluster: list[_Description],
    enumerating: list[_Description],
    member_order: dict[str, int],
    outlets: _Outlets,
    conflicts: _Conflicts,
) -> None:
    """List disagreements about the member list (between enumerating sources) and the member count.

    A count is the number a source states, else (for an enumerating source) the number of members
    it lists; stated counts that differ are a dispute even for an open coalition.
    """
    lists: dict[tuple[str, ...], list[str]] = {}
    for d in enumerating:
        if d.member_set:
            key = tuple(sorted(d.member_set, key=member_order.__getitem__))
            lists.setdefault(key, []).append(d.source.id)
    if len(lists) > 1:
        values = sorted(lists.items(), key=lambda kv: (-outlets.count(kv[1]), -len(kv[0])))
        conflicts.add(
            "member_list",
            f"members of the {coalition_name}",
            [(", ".join(names), ids) for names, ids in values],
            note="Members that some of these sources leave out are marked 'conflict'.",
        )
    counts: dict[int, list[str]] = {}
    stated_by: set[str] = set()
    listing = {id(d) for d in enumerating}
    for d in cluster:
        stated = d.coalition.member_count_stated
        if not stated and id(d) not in listing:
            continue
        number = stated or len(d.member_set)
        counts.setdefault(number, []).append(d.source.id)
        if stated:
            stated_by.add(d.source.id)
    if len(counts) > 1 and stated_by:
        values = sorted(counts.items())
        conflicts.add(
            "member_count",
            f"how many members the {coalition_name} has",
            [(str(number), ids) for number, ids in values],
            note="A count is the number a source states, else the number of members it lists.",
        )


def _merge_statements(items: list[tuple[_Source, Statement]], outlets: _Outlets) -> list[MergedStatement]:
    clusters = _cluster(
        items,
        lambda item: (item[1].text, _norm(item[1].evidence)),
        lambda a, b: _similar(a[0], b[0]) >= (CLAIM_SIMILARITY if a[1] == b[1] else 95),
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


# --- people -------------------------------------------------------------------------------------

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
    plain = _norm(role).replace("'s", " ")
    for entity in entities_in(role):
        for alias in entity.names:
            plain = re.sub(r"\b" + re.escape(_norm(alias)) + r"\b", " ", plain)
    words = set(re.findall(r"[a-z]+", plain)) - _ROLE_NOISE
    return frozenset(w for w in words if len(w) > 2)


def _countries_of(person: Person) -> set[str]:
    """The countries a person's affiliation and role tie them to."""
    return set(_countries_in(person.affiliation)) | set(_countries_in(person.role))


@lru_cache(maxsize=1 << 12)
def _countries_in(text: str | None) -> frozenset[str]:
    text = _clean(text)
    if not text:
        return frozenset()
    return frozenset(e.canonical for e in entities_in(text, "country"))  # demonyms are aliases: "Syrian"


def _merge_people(sources: list[_Source], outlets: _Outlets, conflicts: _Conflicts) -> list[MergedPerson]:
    mentions = [(source, person) for source in sources for person in source.facts(Person) if person_key(person.name)]
    keyed: dict[str, list[tuple[_Source, Person]]] = {}
    for mention in mentions:
        keyed.setdefault(person_key(mention[1].name), []).append(mention)
    by_key = list(keyed.values())
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
            roles=_attributed(((r, s.id) for s, p in group if (r := _clean(p.role))), outlets, _norm),
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
        self.evidence.add(_norm(item.event.evidence))

    def match(self, item: _Dated) -> float:
        """How well an event fits: 0 unless every date is compatible and a description is close."""
        if not all(_compatible(date, item.date) for date in self.dates):
            return 0.0
        if _norm(item.event.evidence) in self.evidence:
            return 100.0
        needed = EVENT_SIMILARITY if item.date else DATE_CONFLICT_SIMILARITY
        best = max(_similar(description, item.event.description) for description in self.descriptions)
        return best if best >= needed else 0.0


def _merge_timeline(sources: list[_Source], outlets: _Outlets, conflicts: _Conflicts) -> list[TimelineEntry]:
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
        supports = _dedupe_supports((_support(d.source, d.event.evidence, d.event.when_text) for d in cluster), outlets)
        bases = {d.basis for d in cluster if d.date == date}
        entries.append(
            TimelineEntry(
                date=date,
                approximate=span_days(date) > 1,
                date_basis="text" if "text" in bases else "publication_date" if bases else None,
                when=_attributed(((d.event.when_text, d.source.id) for d in cluster), outlets, _norm),
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
    described = _similar(a.description, b.description)
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
    return set(_proper_names(text)) | {e.canonical for e in entities_in(text)} | (_words(text) & _UNDERTAKINGS)


def _words(text: str) -> set[str]:
    return {_singular(word) for word in re.findall(r"[a-z]+", _norm(text))}


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


# --- figures ------------------------------------------------------------------------------------


def _unit_key(unit: str | None) -> str:
    words = re.findall(r"[a-z]+", _norm(unit or ""))
    return " ".join(_singular(word) for word in words)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


#: Words that count the same thing under other names: one head noun for each.
_SAME_COUNT = {"soldier": "troop", "personnel": "troop", "nation": "country", "state": "country", "ship": "vessel"}
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)\b|(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|th)$")
#: Words around a number that say nothing of what it counts.
_FILLER = frozenset(
    "the a an more than about around some nearly almost at least up to over have has had will would could which "
    "that this these those their there they them then with from into were been said says once also".split()
)


@lru_cache(maxsize=1 << 14)
def _counted(as_written: str, evidence: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """What a figure counts, read from its sentence: the noun after the number, its describing words, its company.

    "aimed at ten merchant vessels whose ..." counts "vessel", described as "merchant", in the
    company of "aimed". A number not in its sentence, or followed by no noun, counts nothing known.
    """
    if _ORDINAL.search(as_written.casefold()):
        return "", frozenset(), frozenset()  # "its fourth member": a rank, not a count
    phrase = [_singular(word) for word in (counted(evidence, as_written) or "").casefold().split()]
    if not phrase:
        return "", frozenset(), frozenset()  # "a "3+3" format", or a number not in its sentence
    text = evidence.casefold()
    spot = max(locate(evidence, as_written), 0)
    head = _SAME_COUNT.get(phrase[-1], phrase[-1])
    before = re.findall(r"[a-z]+", text[:spot])[-5:]
    around = {_singular(w) for w in [*before, *re.findall(r"[a-z]+", text[spot:])[:8]] if len(w) > 3}
    return head, frozenset(phrase[:-1]), frozenset(around - _FILLER - set(phrase))


_Measure = tuple[str, frozenset[str], frozenset[str], str, str]


def _measure(figure: Figure) -> _Measure:
    head, described, around = _counted(figure.value_as_written, figure.evidence)
    return head, described, around, f"{figure.unit or ''} {figure.what}", _norm(figure.evidence)


def _same_measure(a: _Measure, b: _Measure) -> bool:
    """Whether two figures count the same thing, as their sentences say.

    The same noun ("vessels"), described alike ("merchant"), or with a word in common around the
    number ("a joint force of 5,000 soldiers", "the force ... about 6,000 soldiers"); "35 countries"
    linked to ships and "20 countries" that joined share no word around their numbers and are two
    measures. Different nouns
    ("43,000 detainees", "24,000 people" in one camp) need very like descriptions.
    """
    if not a[0] or not b[0]:
        return False
    if a[4] == b[4] and a[:2] != b[:2]:
        return False  # two numbers of one sentence counting different things ("ten vessels linked to 35 countries")
    if a[0] != b[0] and (a[0] in _words(b[4]) or b[0] in _words(a[4])):
        return False  # each sentence counts the other's noun too ("400 boats from 12 towns"): two things
    if a[0] != b[0]:
        return _similar(a[3], b[3]) >= SAME_THING_SIMILARITY
    if a[1] and a[1] == b[1]:
        return True
    if a[2] and b[2]:
        return bool(a[2] & b[2])  # a word in common around the number: "joint force" of 5,000 and of 6,000
    return _similar(a[3], b[3]) >= FIGURE_SIMILARITY


def _merge_figures(sources: list[_Source], outlets: _Outlets, conflicts: _Conflicts) -> list[FigureGroup]:
    items = [(source, figure) for source in sources for figure in source.facts(Figure)]

    groups = []
    for number, cluster in enumerate(_cluster(items, lambda item: _measure(item[1]), _same_measure), start=1):
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
        # One source giving two values reports a change ("from 15 members to 12"), not a disagreement.
        if len(merged_values) > 1 and len({s for v in merged_values for s in v.source_ids}) > 1:
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

    merged = []
    for cluster in _cluster(
        items,
        lambda item: (item[1].claim, _negated(item[1].claim)),
        lambda a, b: a[1] == b[1] and _similar(a[0], b[0]) >= CLAIM_SIMILARITY,
    ):
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
            why = _contradiction(claim.claim, other.claim) or _step_disputed(
                claim.supports[0].evidence, other.supports[0].evidence
            )
            if why and not set(claim.source_ids) & set(other.source_ids):
                conflicts.add(
                    "claim", claim.claim, [(claim.claim, claim.source_ids), (other.claim, other.source_ids)], note=why
                )
    return merged


def _contradiction(a: str, b: str) -> str | None:
    """Why two claims contradict each other, if they do: one negates the other, or their numbers differ."""
    if _negated(a) != _negated(b) and _similar(_NEGATION.sub(" ", a), _NEGATION.sub(" ", b)) >= CLAIM_SIMILARITY:
        return "One source states it, another states the opposite."
    if _numbers(a) and _numbers(b) and _numbers(a) != _numbers(b) and _negated(a) == _negated(b):
        stripped = [re.sub(r"\d[\d,.]*", " ", text) for text in (a, b)]
        if _similar(*stripped) >= SAME_THING_SIMILARITY + 10:
            return "The sources state the same thing with different numbers."
    return None


#: Words two sentences share that say nothing of what they are about.
_COMMON = frozenset(
    "the a an of to in on at for and or but with by from that which who this has have had was were will would "
    "been being its their his her not yet still also formally officially said says told would could".split()
)


def _step_disputed(a: str, b: str) -> str | None:
    """Why two sentences dispute a step of a coalition's life, if they do.

    One says a step was taken, the other that it was not ("Greece has signed on" and "Greece had
    not formally signed on"): the same verb, denied in one only, about the same thing (two words
    in common at least beside the verb: "Greece" and "frigate", or "protocol" and "force").
    """
    steps_a, steps_b = lifecycle_steps(a), lifecycle_steps(b)
    opposed = {lemma for lemma, denied in steps_a} & {lemma for lemma, denied in steps_b}
    opposed = {
        lemma
        for lemma in opposed
        if {d for x, d in steps_a if x == lemma} ^ {d for x, d in steps_b if x == lemma} == {True, False}
    }
    if not opposed:
        return None
    states_a, states_b = _countries_in(a), _countries_in(b)
    if (states_a or states_b) and not states_a & states_b:
        return None  # "Spain declined to join" is no answer to "twenty countries joined"
    words_a = {w for w in _words(a) if len(w) >= 3} - _COMMON
    words_b = {w for w in _words(b) if len(w) >= 3} - _COMMON
    shared = {w for w in words_a & words_b if not any(w.startswith(lemma[:4]) for lemma in opposed)}
    named = shared & _names_in(a) & _names_in(b)
    if len(shared) < 3 and not (len(shared) == 2 and named):
        return None
    return f"One source says it was done ({', '.join(sorted(opposed))}), another that it was not."


def _names_in(sentence: str) -> set[str]:
    """The capitalised words of a sentence, as compared words ("Greece" -> "greece")."""
    return {_singular(_norm(word)) for word in re.findall(r"\b[A-Z][\w'-]+", sentence)}


def _negated(text: str) -> bool:
    return len(_NEGATION.findall(text)) % 2 == 1


def _merge_quotes(sources: list[_Source], outlets: _Outlets) -> list[MergedQuote]:
    items = [(source, quote) for source in sources for quote in source.facts(Quote)]
    clusters = _cluster(items, lambda item: _norm(item[1].text), lambda a, b: a in b or b in a)
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
