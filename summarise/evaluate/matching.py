"""Matching a brief's items to the gold's: names, roles, dates, texts, and one-to-one pairing best first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

from summarise.text.dates import within
from summarise.text.entities import person_key
from summarise.text.grounding import normalise

NAME_MATCH_MIN_RATIO = 85.0
ROLE_MATCH_MIN_RATIO = 70.0


def names_match(first: str, second: str) -> bool:
    """Whether two personal names denote the same person (conservatively)."""
    a, b = person_key(first), person_key(second)
    return bool(a and b) and (a == b or fuzz.token_sort_ratio(a, b) >= NAME_MATCH_MIN_RATIO)


def similarity(a: str | None, b: str | None) -> float:
    """Word-set similarity of two texts, 0-100."""
    if not a or not b:
        return 0.0
    return fuzz.token_set_ratio(normalise(a), normalise(b))


def one_to_one(candidates: Iterable[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, best score first (ties: earlier items first)."""
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def match_people(predicted: Sequence[str], gold: Sequence[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Match names one to one: ``(pairs (predicted, gold), unmatched predicted, unmatched gold)``.

    A predicted name repeated (the same normalised form) counts once.
    """
    first: dict[str, str] = {}
    for name in predicted:
        first.setdefault(person_key(name), name)
    left = list(first.values())
    right = list(dict.fromkeys(gold))
    candidates = [
        (
            101.0 if person_key(a) == person_key(b) else fuzz.token_sort_ratio(person_key(a), person_key(b)),
            i,
            j,
        )
        for i, a in enumerate(left)
        for j, b in enumerate(right)
        if names_match(a, b)
    ]
    pairs = one_to_one(candidates)
    matched_left = {i for i, _ in pairs}
    matched_right = {j for _, j in pairs}
    return (
        [(left[i], right[j]) for i, j in pairs],
        [name for i, name in enumerate(left) if i not in matched_left],
        [name for j, name in enumerate(right) if j not in matched_right],
    )


def roles_agree(predicted: str | None, gold: str | None) -> bool:
    """A role is right when both are empty or their words overlap enough."""
    if not predicted or not gold:
        return not predicted and not gold
    return similarity(predicted, gold) >= ROLE_MATCH_MIN_RATIO


def date_agrees(predicted: str | None, gold: str | None) -> bool:
    """Whether a brief's date equals the gold's at the gold's precision: every day it covers is one of the gold's.

    "2025-03-09" agrees with a gold "2025-03" and with a gold range holding it; "2025-03" does not
    agree with a gold "2025-03-09" (less precise), nor a week with a day.
    """
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return within(predicted, gold)
