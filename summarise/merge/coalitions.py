"""Coalitions: descriptions grouped into coalitions, their names, leaders, members and counts."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any, get_args

from summarise.articles.story import KnownCoalition, Story
from summarise.extraction.answers import names_a_country
from summarise.merge.compare import (
    CLAIM_SIMILARITY,
    MEMBER_OVERLAP,
    NAME_OVERLAP,
    canonical_entity,
    clean,
    greedy_clusters,
    majority,
    norm,
    ranges_disagree,
    similar,
)
from summarise.merge.sources import Conflicts, MergeSource, Outlets, attributed, dedupe_supports, support
from summarise.schemas import (
    IN_COALITION,
    AgreementStatus,
    Coalition,
    CoalitionKind,
    Figure,
    MemberStatus,
    MergedCoalition,
    MergedMember,
    MergedStatement,
    StatedCount,
    Statement,
    Support,
)
from summarise.text.entities import canonical_name, without_entity_names


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
    #: The coalition's name and the other names the articles give it ("AES" for "Alliance of Sahel States (AES)").
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # The states or bodies in it (a member, or joining); one a source says declined, left or only
        # observes is in ``members`` with that status, not in the set compared and counted.
        self.member_set = frozenset(
            name for name, listed in self.members.items() if any(m.status in IN_COALITION for m in listed)
        )


#: The member overlap (Jaccard) that makes two descriptions with different stated leaders one coalition.
SAME_MEMBERS = 0.8


def _same_coalition(a: _Description, b: _Description) -> int:
    """How surely two descriptions (of different sources) are one coalition: 0 (not), 1 (members), 2 (leader), 3 (name).

    A story's known coalition groups by name. Otherwise the same proper name, or an acronym and the
    name it abbreviates, make one coalition (3); the same stated leader against the same target (2);
    members that overlap by half (1). Two names of their own that differ keep descriptions apart
    whatever their members (neighbouring coalitions share members); two stated leaders that differ
    need nearly the same members (then who leads it is a conflict).
    """
    if a.source.id == b.source.id:
        return 0
    if a.known or b.known:
        return 4 if a.known == b.known else 0
    name_a, name_b = a.coalition.name, b.coalition.name
    for x in a.names or (name_a,):
        for y in b.names or (name_b,):
            if _same_proper_name(x, y) or _abbreviates(x, y) or _abbreviates(y, x) or _same_body(x, y):
                return 3
    if is_proper_name(name_a) and is_proper_name(name_b):
        return 0  # two coalitions with names of their own
    if a.leader and a.leader == b.leader and a.target and a.target == b.target:
        return 2
    if a.member_set and b.member_set:
        shared = a.member_set & b.member_set
        compatible_targets = not (a.target and b.target and a.target != b.target)
        # Two stated leaders that differ: the same coalition only with nearly the same members (a dispute
        # over who leads it), not two neighbouring coalitions that share some.
        overlap = MEMBER_OVERLAP if not (a.leader and b.leader and a.leader != b.leader) else SAME_MEMBERS
        if len(shared) >= 2 and len(shared) / len(a.member_set | b.member_set) >= overlap and compatible_targets:
            return 1
    return 0


@lru_cache(maxsize=1 << 14)
def _body_named(name: str) -> str | None:
    """The organisation a coalition's name is, when the name is only that of one the tables know ("BRICS")."""
    canonical = canonical_name(name.strip())
    return canonical if canonical is not None and not names_a_country(name) else None


def _same_body(a: str, b: str) -> bool:
    """Whether two coalition names are the same known organisation ("BRICS" and "BRICS"; "EU" and "European Union")."""
    body = _body_named(a)
    return body is not None and body == _body_named(b)


def _abbreviates(acronym: str, name: str) -> bool:
    """Whether ``acronym`` ("AES") is the initials of ``name``'s capitalised words ("Alliance of Sahel States")."""
    letters = _acronym_letters(acronym)
    return letters is not None and _initials(name) == letters


@lru_cache(maxsize=1 << 14)
def _acronym_letters(acronym: str) -> str | None:
    """The letters of an all-capital acronym of 2 to 8 letters ("AES"), or ``None`` for any other name."""
    letters = re.sub(r"[^A-Za-z]", "", acronym)
    return letters if re.fullmatch(r"[A-Z]{2,8}", letters) and acronym.isupper() else None


@lru_cache(maxsize=1 << 14)
def _initials(name: str) -> str | None:
    """The initials of a name's capitalised words that are not acronyms themselves, if two or more."""
    initials = "".join(word[0] for word in re.findall(r"\b[A-Z][\w'\u2019-]*", name) if not word.isupper())
    return initials if len(initials) >= 2 else None


#: "Alliance of Sahel States (AES)": a name and, in brackets, the acronym it goes by.
_NAME_AND_ACRONYM = re.compile(
    r"((?:[A-Z][\w'\u2019-]*\s+(?:(?:of|for|the|and|on|de|des|du|la|le)\s+)*){1,8})\(([A-Z][A-Z+&]{1,8})\)"
)


def _bare(name: str) -> str:
    return norm(re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE))


def _spelled_out(descriptions: list[_Description]) -> dict[str, set[str]]:
    """Each acronym the articles spell out ("... (AES)") and its long names, both ways: read from every evidence."""
    names: dict[str, set[str]] = {}
    for d in descriptions:
        for text in {d.coalition.name, d.coalition.evidence}:
            for match in _NAME_AND_ACRONYM.finditer(text):
                long, short = match.group(1).strip(), match.group(2)
                names.setdefault(_bare(short), set()).add(long)
                names.setdefault(_bare(long), set()).add(short)
    return names


def discover_coalitions(descriptions: list[_Description]) -> list[list[_Description]]:
    """The story's coalitions: the descriptions of all its articles grouped, surest links first.

    Every pair of descriptions from different articles is scored (:func:`_same_coalition`) and
    linked in order of score, then of the sources' order, never putting two descriptions of one
    article together: a group is a coalition whichever article is read first.
    """
    spelled_out = _spelled_out(descriptions)
    for d in descriptions:
        d.names = (d.coalition.name, *spelled_out.get(_bare(d.coalition.name), ()))
    group = list(range(len(descriptions)))
    sources: list[set[str]] = [{d.source.id} for d in descriptions]

    def root(index: int) -> int:
        while group[index] != index:
            group[index] = group[group[index]]
            index = group[index]
        return index

    pairs = [
        (-score, i, j)
        for i, a in enumerate(descriptions)
        for j in range(i + 1, len(descriptions))
        if (score := _same_coalition(a, descriptions[j]))
    ]
    for _, i, j in sorted(pairs):
        first, second = root(i), root(j)
        if first != second and not sources[first] & sources[second]:
            group[second] = first
            sources[first] |= sources[second]
    clusters: dict[int, list[_Description]] = {}
    for index, description in enumerate(descriptions):
        clusters.setdefault(root(index), []).append(description)
    return list(clusters.values())


#: Words that describe any coalition: two names sharing only these are not the same name.
_GENERIC_NAME_WORDS = frozenset(
    "a an the of for to against and in on new joint regional international global coalition alliance pact "
    "group force forces mission operation operations task centre center mechanism partnership bloc format "
    "framework initiative campaign military security defence defense naval maritime led by nation nations "
    "state states country countries member members arab western eastern northern southern european african "
    "asian gulf nordic baltic".split()
)


@lru_cache(maxsize=1 << 14)
def _distinctive_words(name: str) -> frozenset[str]:
    """A coalition name's own words: no generic word, no state or organisation, nothing of its target.

    Cached, as is :func:`is_proper_name`: every pair of descriptions compares their names.
    """
    own = re.split(r"\b(?:against|to|versus|vs|on)\b", norm(without_entity_names(name)), maxsplit=1)[0]
    return frozenset(re.findall(r"[a-z]+", own)) - _GENERIC_NAME_WORDS


def _same_proper_name(a: str, b: str) -> bool:
    """Whether two coalition names share their distinctive words ("Operation Sentinel" and "Sentinel mission").

    Generic words and the names of states and organisations do not count: "US-led coalition against
    X" and "US-led coalition against Y" share none.
    """
    words_a, words_b = _distinctive_words(a), _distinctive_words(b)
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) / min(len(words_a), len(words_b)) >= NAME_OVERLAP


@lru_cache(maxsize=1 << 14)
def is_proper_name(name: str) -> bool:
    """Whether a coalition name has a capitalised word of its own (not generic, not a state's or body's name)."""
    own = _distinctive_words(name)  # no generic word, no state or body, nothing of its target
    capitalised = re.findall(r"\b[A-Z][a-z]+|\b[A-Z]{2,8}\b", without_entity_names(name))  # "Aspides", "AES"
    return any(word.lower() in own for word in capitalised)


def _common_proper_name(cluster: list[_Description], outlets: Outlets) -> str | None:
    """The coalition's own name, if outlets giving half of the descriptions or more use it ("Aspides").

    A name is proper if it has a capitalised word that is neither generic nor a state's or body's
    name ("Operation Prosperity Guardian", "Sahel alliance"; not "the three-state patrol").
    Spellings of one proper name ("Alliance of Sahel States", "Sahel alliance") count together,
    and the one most outlets write is given.
    """
    named = [(d.coalition.name, d.source.id) for d in cluster if is_proper_name(d.coalition.name)]
    best: tuple[int, int, str] | None = None
    for name, _ in named:
        same = [source for other, source in named if _same_proper_name(name, other)]
        exact = [source for other, source in named if norm(other) == norm(name)]
        candidate = (outlets.count(same), outlets.count(exact), name)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None or 2 * best[0] < outlets.count(d.source.id for d in cluster):
        # No name of its own: a known organisation's, if half the outlets call it that ("BRICS").
        bodies = [(body, d.source.id) for d in cluster if (body := _body_named(d.coalition.name))]
        body = majority(name for name, _ in bodies)
        if body and 2 * outlets.count(s for name, s in bodies if name == body) >= outlets.count(
            d.source.id for d in cluster
        ):
            return body
        return None
    return best[2]


def _describe(source: MergeSource, coalition: Coalition, story: Story | None) -> _Description:
    stands_for = story.stands_for() if story is not None else {}
    target = canonical_entity(coalition.target) or clean(coalition.target) or _target_in_name(coalition.name)
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


def _target_in_name(name: str) -> str | None:
    """The state or body a coalition's own name says it acts against ("coalition against ISIS"), if it names one."""
    found = re.search(r"\b(?:against|to\s+defeat|to\s+fight|to\s+counter)\s+(?:the\s+)?(.+)$", name, re.IGNORECASE)
    return canonical_entity(found.group(1)) if found else None


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
    merged: list[MergedCoalition] = []
    for number, cluster in enumerate(discover_coalitions(descriptions), start=1):
        facts = known.get(cluster[0].known or "")
        merged.append(_merge_coalition(f"C{number}", cluster, outlets, conflicts, facts))
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
    _status_conflicts(name, cluster, outlets, conflicts)

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
        disputed = not statuses_agree([(d.source, m) for d, m in listing])
        status: AgreementStatus = "conflict" if omitted_by or disputed else "agreed" if count >= 2 else "single_source"
        membership = sorted({m.status for _, m in listing}, key=list(get_args(MemberStatus)).index)
        members.append(
            MergedMember(
                name=name,
                status=status,
                membership=membership,
                statuses=attributed(((_status_words(m), d.source.id) for d, m in listing), outlets),
                roles=attributed(((m.role, d.source.id) for d, m in listing if clean(m.role)), outlets, norm),
                omitted_by=omitted_by,
                supports=supports,
                outlets=count,
            )
        )
    rank = {"agreed": 0, "single_source": 1, "conflict": 2}
    # Keep the first-mentioned order within a status: the leader and core members come first.
    return sorted(members, key=lambda m: (rank[m.status], -m.outlets, names.index(m.name)))


#: The changes of status a coalition sees over time: a later source may say a state moved on, not back.
_NEXT_STATUSES: dict[str, frozenset[str]] = {
    "invited": frozenset(("joining", "member", "declined", "observer")),
    "observer": frozenset(("invited", "joining", "member", "withdrawn")),
    "joining": frozenset(("member", "withdrawn", "declined")),
    "member": frozenset(("suspended", "withdrawn")),
    "suspended": frozenset(("member", "withdrawn")),
    "withdrawn": frozenset(("invited", "joining")),
    "declined": frozenset(("invited", "joining")),
}


def _status_words(member: Any) -> str:
    return f"{member.status}, {member.status_date}" if member.status_date else member.status


def _status_time(source: MergeSource, member: Any) -> str:
    return member.status_date or (source.published.isoformat() if source.published else "")


def statuses_agree(said: list[tuple[MergeSource, Any]]) -> bool:
    """Whether the statuses sources give one state agree: the same, or changes over time in a possible order.

    In order of the dates the sources give (their sentence's, else their publication's), each status
    must equal the one before or follow from it ("invited", later "member", later "withdrawn"). Two
    statuses on one date, a step back, or a source with no date disagree.
    """
    statuses = {member.status for _, member in said}
    if len(statuses) < 2:
        return True
    timed = sorted((_status_time(source, member), member.status) for source, member in said)
    if any(not when for when, _ in timed):
        return False
    for (when, before), (later, after) in pairwise(timed):
        if after == before:
            continue
        if later[:10] == when[:10] or later.startswith(when) or when.startswith(later):
            return False
        if after not in _NEXT_STATUSES.get(before, frozenset()):
            return False
    return True


def _status_conflicts(coalition_name: str, cluster: list[_Description], outlets: Outlets, conflicts: Conflicts) -> None:
    """Sources disagreeing on a state's status (one says it is a member, another that it withdrew) is a conflict."""
    names = list(dict.fromkeys(name for d in cluster for name in d.members))
    for name in names:
        said = [(d.source, m) for d in cluster for m in d.members.get(name, [])]
        if statuses_agree(said):
            continue
        values: dict[str, list[str]] = {}
        for source, member in said:
            values.setdefault(_status_words(member), []).append(source.id)
        conflicts.add(
            "status",
            f"where {name} stands in the {coalition_name}",
            sorted(values.items(), key=lambda kv: -len(kv[1])),
            note="Statuses in the order of their dates would be a change over time; these are not.",
        )


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
    it lists; stated counts that differ are a dispute even for an open coalition. A state some source
    gives another status (suspended, withdrawn, invited...) is left to the statuses: lists differing by
    it are no member-list dispute, and a suspended member still counts.
    """
    with_status = {
        name for d in cluster for name, said in d.members.items() if any(m.status not in IN_COALITION for m in said)
    }
    lists: dict[tuple[str, ...], list[str]] = {}
    for d in enumerating:
        if d.member_set - with_status:
            key = tuple(sorted(d.member_set - with_status, key=member_order.__getitem__))
            lists.setdefault(key, []).append(d.source.id)
    if len(lists) > 1:
        values = sorted(lists.items(), key=lambda kv: (-outlets.count(kv[1]), -len(kv[0])))
        conflicts.add(
            "member_list",
            f"members of the {coalition_name}",
            [(", ".join(names), ids) for names, ids in values],
            note="Members that some of these sources leave out are marked 'conflict'.",
        )
    counts: dict[str, list[str]] = {}
    qualified: list[tuple[str, tuple[float, str]]] = []
    stated_by: set[str] = set()
    listing = {id(d) for d in enumerating}
    for d in cluster:
        stated = d.coalition.member_count_stated
        if not stated and id(d) not in listing:
            continue
        suspended = {name for name, said in d.members.items() if any(m.status == "suspended" for m in said)}
        number = stated or len(d.member_set | suspended)
        qualifier = _count_qualifier(d) if stated else "exact"
        label = f"{number} ({qualifier.replace('_', ' ')})" if qualifier != "exact" else str(number)
        counts.setdefault(label, []).append(d.source.id)
        qualified.append((d.source.id, (number, qualifier)))
        if stated:
            stated_by.add(d.source.id)
    disagree = any(
        a != b and ranges_disagree(x, y) for index, (a, x) in enumerate(qualified) for b, y in qualified[index + 1 :]
    )
    if disagree and stated_by:
        conflicts.add(
            "member_count",
            f"how many members the {coalition_name} has",
            [(label, ids) for label, ids in sorted(counts.items(), key=lambda kv: int(kv[0].split()[0]))],
            note="A count is the number a source states, else the number of members it lists.",
        )


def _count_qualifier(d: _Description) -> str:
    """How the source qualifies its member count ("more than 20"): the qualifier of that number in its sentences."""
    sentences = {d.coalition.evidence, *(m.evidence for listed in d.members.values() for m in listed)}
    for figure in d.source.facts(Figure):
        if figure.value == d.coalition.member_count_stated and figure.evidence in sentences:
            return figure.qualifier
    return "exact"


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
