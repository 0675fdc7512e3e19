"""Coalitions: descriptions grouped into coalitions, their names, leaders, members and counts."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from summarise.entities import without_entity_names
from summarise.merge.compare import (
    CLAIM_SIMILARITY,
    MEMBER_OVERLAP,
    NAME_OVERLAP,
    canonical_entity,
    clean,
    greedy_clusters,
    majority,
    norm,
    similar,
)
from summarise.merge.sources import Conflicts, MergeSource, Outlets, attributed, dedupe_supports, support
from summarise.schemas import (
    AgreementStatus,
    Coalition,
    CoalitionKind,
    MergedCoalition,
    MergedMember,
    MergedStatement,
    StatedCount,
    Statement,
    Support,
)
from summarise.story import KnownCoalition, Story


@dataclass
class _Description:
    """One source's description of a coalition, with names made canonical."""

    source: MergeSource
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
    own = re.split(r"\b(?:against|to|versus|vs|on)\b", norm(without_entity_names(name)), maxsplit=1)[0]
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


def _common_proper_name(cluster: list[_Description], outlets: Outlets) -> str | None:
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
        exact = [source for other, source in named if norm(other) == norm(name)]
        candidate = (outlets.count(same), outlets.count(exact), name)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None or 2 * best[0] < outlets.count(d.source.id for d in cluster):
        return None
    return best[2]


def _describe(source: MergeSource, coalition: Coalition, story: Story | None) -> _Description:
    stands_for = story.stands_for() if story is not None else {}
    target = canonical_entity(coalition.target) or clean(coalition.target)
    leader = canonical_entity(coalition.led_by) or clean(coalition.led_by)
    members: dict[str, list[Any]] = {}
    for member in coalition.members:
        name = canonical_entity(member.name) or canonical_entity(member.name_as_written) or member.name
        name = stands_for.get(name, name)
        members.setdefault(name, []).append(member)
        if leader is None and member.role and norm(member.role) in {"leader", "lead", "leading", "led by"}:
            leader = name
    leader = stands_for.get(leader or "", leader)
    return _Description(source, coalition, target, leader, _known_coalition(coalition, leader, target, story), members)


def _known_coalition(coalition: Coalition, leader: str | None, target: str | None, story: Story | None) -> str | None:
    """The story's known coalition this description is: named by it, or (if the story says so) led by its leader."""
    if story is None:
        return None
    described = norm(f"{coalition.name}\n{coalition.evidence}")
    for known in story.coalitions:
        names = [norm(name) for name in (known.name, *known.aliases)]
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
        names = {norm(name) for name in (target.name, *target.aliases)}
        if norm(a) in names and norm(b) in names:
            return True
    return norm(a) == norm(b)


def merge_coalitions(
    sources: list[MergeSource], outlets: Outlets, conflicts: Conflicts, story: Story | None = None
) -> list[MergedCoalition]:
    """Coalition descriptions grouped into coalitions, each with its members' status; disputes listed as conflicts."""
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
    outlets: Outlets,
    conflicts: Conflicts,
    known: KnownCoalition | None = None,
) -> MergedCoalition:
    kind: CoalitionKind = (known.kind if known else None) or majority(
        (d.coalition.kind for d in cluster), _KIND_ORDER.get
    )  # type: ignore[assignment]
    target = (known.target if known else None) or majority(d.target for d in cluster)
    leaders = [(d.leader, d.source.id) for d in cluster if d.leader]
    led_by = majority(
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
            counts.setdefault(d.coalition.member_count_stated, []).append(support(d.source, d.coalition.evidence))
    stated = [
        StatedCount(value=value, supports=dedupe_supports(s, outlets), outlets=outlets.count(x.source for x in s))
        for value, s in sorted(counts.items())
    ]
    supports = dedupe_supports((support(d.source, d.coalition.evidence, d.coalition.name) for d in cluster), outlets)
    return MergedCoalition(
        id=coalition_id,
        name=name,
        names_seen=attributed(((d.coalition.name, d.source.id) for d in cluster), outlets, norm),
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
    cluster: list[_Description], enumerating: list[_Description], outlets: Outlets
) -> list[MergedMember]:
    names: list[str] = []
    for d in cluster:
        names += [name for name in d.members if name not in names]
    members = []
    for name in names:
        listing = [(d, member) for d in cluster for member in d.members.get(name, [])]
        supports = dedupe_supports(
            (
                support(d.source, m.evidence, m.name_as_written if m.name_as_written != name else None)
                for d, m in listing
            ),
            outlets,
        )
        count = outlets.count(s.source for s in supports)
        omitted_by = outlets.sort(d.source.id for d in enumerating if name not in d.members)
        status: AgreementStatus = "conflict" if omitted_by else "agreed" if count >= 2 else "single_source"
        membership = sorted({m.status for _, m in listing}, key=["member", "prospective", "former", "unclear"].index)
        members.append(
            MergedMember(
                name=name,
                status=status,
                membership=membership,
                roles=attributed(((m.role, d.source.id) for d, m in listing if clean(m.role)), outlets, norm),
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
    outlets: Outlets,
    conflicts: Conflicts,
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
        conflicts.add(
            "member_count",
            f"how many members the {coalition_name} has",
            [(str(number), ids) for number, ids in sorted(counts.items())],
            note="A count is the number a source states, else the number of members it lists.",
        )


def _merge_statements(items: list[tuple[MergeSource, Statement]], outlets: Outlets) -> list[MergedStatement]:
    clusters = greedy_clusters(
        items,
        lambda item: (item[1].text, norm(item[1].evidence)),
        lambda a, b: similar(a[0], b[0]) >= (CLAIM_SIMILARITY if a[1] == b[1] else 95),
    )
    merged = []
    for cluster in clusters:
        supports = dedupe_supports((support(source, s.evidence, s.text) for source, s in cluster), outlets)
        merged.append(
            MergedStatement(
                text=cluster[0][1].text, supports=supports, outlets=outlets.count(s.source for s in supports)
            )
        )
    return merged
