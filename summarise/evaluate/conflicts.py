"""Scoring a merged brief's conflicts: a gold conflict is found when one conflict holds all its values."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz

from summarise.entities import canonical_name
from summarise.evaluate.gold import DATE, GoldConflict
from summarise.grounding import normalise
from summarise.numbers import numbers_in
from summarise.schemas import CoalitionBrief

CONFLICT_VALUE_MIN_RATIO = 90.0


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
