"""What changed between two coalition briefs of one story: deterministic, from the briefs alone.

A fact of the older brief and one of the newer are the same fact when the merger keyed them
alike: a member by its canonical name within its coalition, a conflict by its kind and subject.
Coalitions, timeline events and figure groups carry numbers (C2, F3) that shift when an article
is added, and names a merger may choose anew as sources come; they are matched by the words that
state them: the (source, evidence) pairs of their supports. Re-merging with one more article keeps
every earlier support, so each earlier coalition finds itself again and only what the new
article brought shows as new. Matching takes the pairs sharing the most supports first; what is
left unmatched appeared or disappeared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from summarise.schemas import (
    BriefDiff,
    Change,
    CoalitionBrief,
    Conflict,
    FigureGroup,
    MergedCoalition,
    MergedMember,
    Source,
    Support,
    TimelineEntry,
)

Item = TypeVar("Item")
Key = tuple[str, str]


def diff_briefs(old: CoalitionBrief, new: CoalitionBrief) -> BriefDiff:
    """The changes from ``old`` to ``new``: sources, coalitions, members, conflicts, events, figures."""
    changes = [
        *_sources(old, new),
        *_coalitions(old, new),
        *_conflicts(old, new),
        *_events(old, new),
        *_figures(old, new),
    ]
    gone = [s.model_copy(update={"label": f"old {s.label}"}) for s in old.sources if s.id not in _ids(new.sources)]
    return BriefDiff(
        story=new.story,
        old_sources=len(old.sources),
        new_sources=len(new.sources),
        sources=[*new.sources, *gone],
        changes=changes,
    )


def _ids(sources: Iterable[Source]) -> set[str]:
    return {source.id for source in sources}


def _keys(supports: Iterable[Support]) -> set[Key]:
    return {(support.source, support.evidence) for support in supports}


def matched(
    old: Sequence[Item], new: Sequence[Item], keys: Callable[[Item], set[Key]]
) -> tuple[list[tuple[Item, Item]], list[Item], list[Item]]:
    """Pairs of an old and a new item sharing supports (most shared first), then the unmatched old and new."""
    old_keys, new_keys = [keys(item) for item in old], [keys(item) for item in new]
    shared = sorted(
        ((len(o & n), i, j) for i, o in enumerate(old_keys) for j, n in enumerate(new_keys) if o & n),
        key=lambda pair: (-pair[0], pair[1], pair[2]),
    )
    pairs: dict[int, int] = {}
    for _, i, j in shared:
        if i not in pairs and j not in pairs.values():
            pairs[i] = j
    order = sorted(pairs.items(), key=lambda pair: pair[1])  # in the newer brief's order
    return (
        [(old[i], new[j]) for i, j in order],
        [item for i, item in enumerate(old) if i not in pairs],
        [item for j, item in enumerate(new) if j not in pairs.values()],
    )


# --- sources --------------------------------------------------------------------------------------------


def _sources(old: CoalitionBrief, new: CoalitionBrief) -> list[Change]:
    def described(source: Source) -> str:
        return " · ".join(part for part in (source.outlet, source.title or source.source) if part)

    before, after = _ids(old.sources), _ids(new.sources)
    return [
        *(Change(kind="source_added", subject=described(s), after=s.label) for s in new.sources if s.id not in before),
        *(
            Change(kind="source_removed", subject=described(s), before=s.label)
            for s in old.sources
            if s.id not in after
        ),
    ]


# --- coalitions and their members ------------------------------------------------------------------------


def _coalition_keys(coalition: MergedCoalition) -> set[Key]:
    return _keys(coalition.supports) | {key for member in coalition.members for key in _keys(member.supports)}


def _coalitions(old: CoalitionBrief, new: CoalitionBrief) -> list[Change]:
    fresh = _ids(new.sources) - _ids(old.sources)
    pairs, gone, came = matched(old.coalitions, new.coalitions, _coalition_keys)
    changes = [
        Change(kind="coalition_appeared", coalition=c.name, subject=c.name, after=_members_of(c), supports=c.supports)
        for c in came
    ]
    for before, after in pairs:
        changes += _coalition_changes(before, after, fresh)
    changes += [
        Change(
            kind="coalition_disappeared", coalition=c.name, subject=c.name, before=_members_of(c), supports=c.supports
        )
        for c in gone
    ]
    return changes


def _members_of(coalition: MergedCoalition) -> str:
    return ", ".join(member.name for member in coalition.members) or "no member named"


def _status(member: MergedMember) -> str:
    return f"{member.status}: {', '.join(member.membership)}"


def _counts(coalition: MergedCoalition) -> str | None:
    return ", ".join(str(count.value) for count in coalition.stated_counts) or None


def _coalition_changes(before: MergedCoalition, after: MergedCoalition, fresh: set[str]) -> list[Change]:
    """What changed in one coalition; ``fresh`` are the sources only the newer brief has."""
    name = after.name
    old_members = {member.name: member for member in before.members}
    new_members = {member.name: member for member in after.members}
    changes = []
    for member in after.members:
        was = old_members.get(member.name)
        if was is None:
            changes.append(
                Change(
                    kind="member_added",
                    coalition=name,
                    subject=member.name,
                    after=_status(member),
                    supports=member.supports,
                )
            )
        elif _status(was) != _status(member):
            # a source that now lists the coalition without it says so in the coalition's own words
            omitting = set(member.omitted_by) - set(was.omitted_by)
            listing = [support for support in after.supports if support.source in omitting]
            changes.append(
                Change(
                    kind="member_status",
                    coalition=name,
                    subject=member.name,
                    before=_status(was),
                    after=_status(member),
                    supports=[*member.supports, *listing],
                )
            )
    changes += [
        Change(kind="member_removed", coalition=name, subject=m.name, before=_status(m), supports=m.supports)
        for m in before.members
        if m.name not in new_members
    ]
    if before.led_by != after.led_by:
        told = [support for support in after.supports if support.source in fresh] or after.supports
        changes.append(
            Change(kind="leader", coalition=name, subject=name, before=before.led_by, after=after.led_by, supports=told)
        )
    if _counts(before) != _counts(after):
        stated = [support for count in after.stated_counts for support in count.supports]
        changes.append(
            Change(
                kind="member_count",
                coalition=name,
                subject=name,
                before=_counts(before),
                after=_counts(after),
                supports=stated,
            )
        )
    return changes


# --- conflicts, events, figures ---------------------------------------------------------------------------


def _conflicts(old: CoalitionBrief, new: CoalitionBrief) -> list[Change]:
    def values(conflict: Conflict) -> str:
        return " vs ".join(value.value for value in conflict.values)

    before = {(c.kind, c.about): c for c in old.conflicts}
    after = {(c.kind, c.about): c for c in new.conflicts}
    changes = []
    for key, conflict in after.items():
        if key not in before:
            changes.append(Change(kind="conflict_new", subject=conflict.about, after=values(conflict)))
        elif values(before[key]) != values(conflict):
            changes.append(
                Change(
                    kind="conflict_changed", subject=conflict.about, before=values(before[key]), after=values(conflict)
                )
            )
    changes += [
        Change(kind="conflict_settled", subject=c.about, before=values(c))
        for key, c in before.items()
        if key not in after
    ]
    return changes


def _events(old: CoalitionBrief, new: CoalitionBrief) -> list[Change]:
    def when(entry: TimelineEntry) -> str:
        return entry.date or (entry.when[0].value if entry.when else "undated")

    _, _, came = matched(old.timeline, new.timeline, lambda entry: _keys(entry.supports))
    return [Change(kind="event_added", subject=e.description, after=when(e), supports=e.supports) for e in came]


def _figures(old: CoalitionBrief, new: CoalitionBrief) -> list[Change]:
    def keys(group: FigureGroup) -> set[Key]:
        return {key for value in group.values for key in _keys(value.supports)}

    def shown(group: FigureGroup, values: Iterable[float]) -> str:
        return ", ".join(f"{value:g}" + (f" {group.unit}" if group.unit else "") for value in values)

    pairs, _, came = matched(old.figures, new.figures, keys)
    changes = [
        Change(
            kind="figure_new",
            subject=group.what,
            after=shown(group, (v.value for v in group.values)),
            supports=[s for v in group.values for s in v.supports],
        )
        for group in came
    ]
    for before, after in pairs:
        known = {value.value for value in before.values}
        for value in after.values:
            if value.value not in known:
                changes.append(
                    Change(
                        kind="figure_value",
                        subject=after.what,
                        before=shown(before, sorted(known)),
                        after=shown(after, [value.value]),
                        supports=value.supports,
                    )
                )
    return changes
