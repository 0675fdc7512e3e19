"""Figures: grouped by what they count, each distinct value kept with its sources; several values conflict."""

from __future__ import annotations

import re
from functools import lru_cache

from summarise.merge.compare import (
    FIGURE_SIMILARITY,
    SAME_THING_SIMILARITY,
    greedy_clusters,
    majority,
    norm,
    ranges_disagree,
    similar,
    singular,
    value_range,
    words,
)
from summarise.merge.sources import Conflicts, MergeSource, Outlets, dedupe_supports, support
from summarise.reading.events import counted
from summarise.reading.support import locate
from summarise.schemas import Figure, FigureGroup, FigureValue

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
    phrase = [singular(word) for word in (counted(evidence, as_written) or "").casefold().split()]
    if not phrase:
        return "", frozenset(), frozenset()  # "a "3+3" format", or a number not in its sentence
    text = evidence.casefold()
    spot = max(locate(evidence, as_written), 0)
    head = _SAME_COUNT.get(phrase[-1], phrase[-1])
    before = re.findall(r"[a-z]+", text[:spot])[-5:]
    around = {singular(w) for w in [*before, *re.findall(r"[a-z]+", text[spot:])[:8]] if len(w) > 3}
    return head, frozenset(phrase[:-1]), frozenset(around - _FILLER - set(phrase))


_Measure = tuple[str, frozenset[str], frozenset[str], str, str]


def _measure(figure: Figure) -> _Measure:
    head, described, around = _counted(figure.value_as_written, figure.evidence)
    return head, described, around, f"{figure.unit or ''} {figure.what}", norm(figure.evidence)


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
    if a[0] != b[0] and (a[0] in words(b[4]) or b[0] in words(a[4])):
        return False  # each sentence counts the other's noun too ("400 boats from 12 towns"): two things
    if a[0] != b[0]:
        return similar(a[3], b[3]) >= SAME_THING_SIMILARITY
    if a[1] and a[1] == b[1]:
        return True
    if a[2] and b[2]:
        return bool(a[2] & b[2])  # a word in common around the number: "joint force" of 5,000 and of 6,000
    return similar(a[3], b[3]) >= FIGURE_SIMILARITY


def merge_figures(sources: list[MergeSource], outlets: Outlets, conflicts: Conflicts) -> list[FigureGroup]:
    """Figures grouped by what they measure; each distinct value kept with its sources, never averaged."""
    items = [(source, figure) for source in sources for figure in source.facts(Figure)]

    groups = []
    for number, cluster in enumerate(greedy_clusters(items, lambda item: _measure(item[1]), _same_measure), start=1):
        # One value as sources qualify it: "more than 20" and "a total of 20" are two values, not one.
        values: dict[tuple[float, tuple[float, float]], list[tuple[MergeSource, Figure]]] = {}
        for source, figure in cluster:
            values.setdefault((figure.value, value_range(figure.value, figure.qualifier)), []).append((source, figure))
        merged_values = []
        for (value, _), pairs in sorted(values.items(), key=lambda kv: min(outlets.order[s.id] for s, _ in kv[1])):
            supports = dedupe_supports((support(s, f.evidence, f.value_as_written) for s, f in pairs), outlets)
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
        what = majority((f.what for _, f in cluster), lambda w: (len(w), w)) or cluster[0][1].what
        group = FigureGroup(id=f"F{number}", what=what, unit=cluster[0][1].unit, values=merged_values)
        # One source giving two values reports a change ("from 15 members to 12"), not a disagreement.
        # Values that can all be true as qualified ("more than 20" and 23) are no disagreement.
        if len(merged_values) > 1 and _disagree(cluster):
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


def _disagree(cluster: list[tuple[MergeSource, Figure]]) -> bool:
    """Whether two sources give values of the figure that cannot both be true as they qualify them."""
    return any(
        a.id != b.id and ranges_disagree((x.value, x.qualifier), (y.value, y.qualifier))
        for index, (a, x) in enumerate(cluster)
        for b, y in cluster[index + 1 :]
    )


def _figure_label(value: FigureValue) -> str:
    qualifier = (
        "" if value.qualifiers == ["exact"] else f" ({', '.join(q.replace('_', ' ') for q in value.qualifiers)})"
    )
    dates = f", reported {', '.join(d.isoformat() for d in value.published)}" if value.published else ""
    return f"{value.as_written[0]}{qualifier}{dates}"
