"""Scoring a merged brief: its conflicts (found when one conflict holds every gold value) and its coalitions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, get_args

from rapidfuzz import fuzz

from summarise.evaluate.gold import DATE, GoldConflict, GoldStoryCoalition
from summarise.schemas import CoalitionBrief, MemberStatus, MergedCoalition
from summarise.text.entities import canonical_name
from summarise.text.grounding import normalise
from summarise.text.numbers import numbers_in

CONFLICT_VALUE_MIN_RATIO = 90.0
#: The statuses a conflict's values may be ("withdrawn" against "suspended, 2023-07").
STATUS_VALUES = frozenset(get_args(MemberStatus))


def _country_set(value: str) -> frozenset[str] | None:
    parts = [part.strip() for part in re.split(r",|\band\b", value) if part.strip()]
    names = [canonical_name(part) for part in parts]
    return frozenset(n for n in names if n) if parts and all(names) else None


def _numbers(value: str) -> set[float]:
    """The numbers a value states, in digits or words, its dates aside ("ten, reported 2023-12-19" holds 10 only)."""
    return set(numbers_in(re.sub(r"\d{4}-\d{2}(?:-\d{2})?", " ", value)))


def conflict_value_matches(gold_value: str, merged_value: str) -> bool:
    """Same text, the same set of countries, the same number or date, or (a statement) its words inside."""
    if normalise(gold_value) == normalise(merged_value):
        return True
    if gold_value in STATUS_VALUES:  # a status: the merged value may add the date its sentence gives
        return merged_value.split(",")[0].strip() == gold_value
    countries = _country_set(gold_value)
    if countries is not None:
        return countries == _country_set(merged_value)
    if re.fullmatch(r"[\d,.\s]+", gold_value):
        return _numbers(gold_value) <= _numbers(merged_value)
    if DATE.match(gold_value):  # a date is that date: the day before is another value
        return gold_value in merged_value
    if len(gold_value.split()) <= 3:  # a name: a spelling one letter apart is another value
        return False
    # A statement: the gold's words (a passage of the article) inside the merged value, nearly verbatim.
    return fuzz.partial_ratio(normalise(gold_value), normalise(merged_value)) >= CONFLICT_VALUE_MIN_RATIO


def score_conflicts(merged: CoalitionBrief, gold: Sequence[GoldConflict]) -> dict[str, Any]:
    """Conflict recall: the gold conflicts one merged conflict holds every value of."""
    found, missed = [], []
    used: set[str] = set()
    for conflict in gold:
        match = next(
            (
                c
                for c in merged.conflicts
                if c.id not in used
                and all(any(conflict_value_matches(v, m.value) for m in c.values) for v in conflict.values)
            ),
            None,
        )
        if match:
            used.add(match.id)
            found.append({"about": conflict.about, "conflict": match.id, "kind": match.kind})
        else:
            missed.append(conflict.about)
    extra = [f"{c.id} {c.kind}: {c.about}" for c in merged.conflicts if c.id not in used]
    recall = round(len(found) / len(gold), 4) if gold else 1.0
    return {"gold": len(gold), "found": found, "missed": missed, "recall": recall, "not_in_gold": extra}


def _names_match(real: GoldStoryCoalition, entry: MergedCoalition) -> bool:
    """Whether a merged entry goes by one of the real coalition's names (or an alias inside one of its names)."""
    real_names = {normalise(name) for name in (real.name, *real.aliases)}
    seen = {normalise(entry.name), *(normalise(name.value) for name in entry.names_seen)}
    return any(
        a == b or re.search(rf"(?<!\w){re.escape(a)}(?!\w)", b) is not None for a in real_names for b in seen if a
    )


def _members_match(real: GoldStoryCoalition, entry: MergedCoalition) -> bool:
    """Whether half or more of the entry's members are the real coalition's (two shared at least)."""
    wanted = {canonical_name(name) or name for name in real.members}
    found = {member.name for member in entry.members if set(member.membership) & {"member", "joining"}}
    shared = wanted & found
    return len(shared) >= 2 and 2 * len(shared) >= len(found)


def score_coalitions(merged: CoalitionBrief, real: Sequence[GoldStoryCoalition]) -> dict[str, Any]:
    """The merged brief's coalitions against the story's real ones: one entry each, with its stated leader.

    An entry is a real coalition's when it goes by one of its names, or else when half its
    members are the real one's. A real coalition split over several entries, an entry that is
    no real coalition, and a wrong leader are all counted.
    """
    entries: dict[str, list[str]] = {c.name: [] for c in real}
    unmatched = []
    for entry in merged.coalitions:
        home = next((c for c in real if _names_match(c, entry)), None) or next(
            (c for c in real if _members_match(c, entry)), None
        )
        if home is None:
            unmatched.append(entry.name)
        else:
            entries[home.name].append(entry.id)
    leaders_right = 0
    for coalition in real:
        ids = entries[coalition.name]
        if len(ids) == 1:
            entry = next(c for c in merged.coalitions if c.id == ids[0])
            wanted = canonical_name(coalition.leader) or coalition.leader if coalition.leader else None
            leaders_right += (entry.led_by or None) == wanted
    return {
        "real": len(real),
        "entries": len(merged.coalitions),
        "one_entry": sum(len(ids) == 1 for ids in entries.values()),
        "split": {name: ids for name, ids in entries.items() if len(ids) > 1},
        "missing": [name for name, ids in entries.items() if not ids],
        "leader_right": leaders_right,
        "not_real": unmatched,
    }
