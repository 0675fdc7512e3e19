"""How the merger compares facts: its thresholds, normalised text, similarity, names and grouping.

Shared by every kind of fact: the thresholds of similarity, a model's placeholders read as
missing, the canonical state or organisation a text names, word sets and numbers, greedy
clustering in canonical order and the majority value.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from rapidfuzz import fuzz

from summarise.text.entities import canonical_name, entities_in
from summarise.text.grounding import normalise

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


def clean(value: str | None) -> str | None:
    """A model's optional text with placeholders ("null", "unknown") read as missing."""
    if value is None:
        return None
    value = " ".join(value.split())
    return None if value.lower() in {"", "null", "none", "n/a", "unknown", "-"} else value


@lru_cache(maxsize=1 << 12)
def canonical_entity(text: str | None) -> str | None:
    """The canonical country or organisation a short text denotes, if the tables know it."""
    text = clean(text)
    if text is None:
        return None
    exact = canonical_name(text)
    if exact:
        return exact
    named = entities_in(text)
    return named[0].canonical if named else None


def majority(values: Iterable[T], rank: Callable[[T], Any] = str) -> T | None:
    """The most frequent value that is not None, ties going to the lowest ``rank``; None when there is none."""
    counts = Counter(value for value in values if value is not None)
    if not counts:
        return None
    return min(counts, key=lambda value: (-counts[value], rank(value)))


@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """The normalised form of a text that the merger compares (cached)."""
    return normalise(text)


@lru_cache(maxsize=1 << 18)
def similar(a: str, b: str) -> float:
    """Word-set similarity of two texts (0-100); texts that state different numbers score 0."""
    if numbers(a) != numbers(b):
        return 0.0  # "500 troops" and "5,000 troops" are a disagreement, not one fact
    return fuzz.token_set_ratio(norm(a), norm(b))


@lru_cache(maxsize=1 << 16)
def numbers(text: str) -> frozenset[str]:
    """The numbers written in a text, without thousands separators."""
    return frozenset(number.replace(",", "") for number in re.findall(r"\d[\d,.]*", text))


def greedy_clusters(items: Sequence[T], signature: Callable[[T], H], same: Callable[[H, H], bool]) -> list[list[T]]:
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


def words(text: str) -> set[str]:
    """The words of a normalised text, each in its singular form."""
    return {singular(word) for word in re.findall(r"[a-z]+", norm(text))}


def singular(word: str) -> str:
    """A lower-case word in its singular form, by its English ending."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


@lru_cache(maxsize=1 << 12)
def countries_in(text: str | None) -> frozenset[str]:
    """The canonical countries a text names, demonyms included."""
    text = clean(text)
    if not text:
        return frozenset()
    return frozenset(e.canonical for e in entities_in(text, "country"))  # demonyms are aliases: "Syrian"


#: How far "about" reaches either side of its value, as a share of it.
ABOUT_SHARE = 0.1


def value_range(value: float, qualifier: str) -> tuple[float, float]:
    """The values a figure as qualified allows: "more than 20" is above 20, "about 800" 720 to 880, "20" just 20."""
    step = 1e-9
    if qualifier == "more_than":
        return value + step, float("inf")
    if qualifier == "at_least":
        return value, float("inf")
    if qualifier == "less_than":
        return float("-inf"), value - step
    if qualifier == "up_to":
        return float("-inf"), value
    if qualifier == "about":
        reach = max(abs(value) * ABOUT_SHARE, 1.0)
        return value - reach, value + reach
    return value, value


def ranges_disagree(a: tuple[float, str], b: tuple[float, str]) -> bool:
    """Whether two qualified values cannot both be true: "more than 20" and "20" cannot; "more than 20" and 23 can."""
    low_a, high_a = value_range(*a)
    low_b, high_b = value_range(*b)
    return high_a < low_b or high_b < low_a
