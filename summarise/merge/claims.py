"""Claims and quotes: near-identical ones merged; claims that contradict each other listed as conflicts."""

from __future__ import annotations

import re

from summarise.merge.compare import (
    CLAIM_SIMILARITY,
    SAME_THING_SIMILARITY,
    countries_in,
    greedy_clusters,
    majority,
    norm,
    numbers,
    similar,
    singular,
    words,
)
from summarise.merge.sources import Conflicts, MergeSource, Outlets, dedupe_supports, support
from summarise.reading.statements import lifecycle_steps
from summarise.schemas import Claim, MergedClaim, MergedQuote, Quote

_NEGATION = re.compile(
    r"\b(not|no|never|none|neither|nor|without|denied|denies|deny|declined|refused|rejects?|rejected)\b|n't\b", re.I
)


def merge_claims(sources: list[MergeSource], outlets: Outlets, conflicts: Conflicts) -> list[MergedClaim]:
    """Near-identical claims merged; contradicting claims of different sources listed as conflicts."""
    items = [(source, claim) for source in sources for claim in source.facts(Claim)]

    merged = []
    for cluster in greedy_clusters(
        items,
        lambda item: (item[1].claim, _negated(item[1].claim)),
        lambda a, b: a[1] == b[1] and similar(a[0], b[0]) >= CLAIM_SIMILARITY,
    ):
        supports = dedupe_supports((support(s, c.evidence, c.claim) for s, c in cluster), outlets)
        holder = majority((c.holder for _, c in cluster), lambda h: (len(h), h)) or cluster[0][1].holder
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
            why = _contradiction(claim.claim, other.claim) or step_disputed(
                claim.supports[0].evidence, other.supports[0].evidence
            )
            if why and not set(claim.source_ids) & set(other.source_ids):
                conflicts.add(
                    "claim", claim.claim, [(claim.claim, claim.source_ids), (other.claim, other.source_ids)], note=why
                )
    return merged


def _contradiction(a: str, b: str) -> str | None:
    """Why two claims contradict each other, if they do: one negates the other, or their numbers differ."""
    if _negated(a) != _negated(b) and similar(_NEGATION.sub(" ", a), _NEGATION.sub(" ", b)) >= CLAIM_SIMILARITY:
        return "One source states it, another states the opposite."
    if numbers(a) and numbers(b) and numbers(a) != numbers(b) and _negated(a) == _negated(b):
        stripped = [re.sub(r"\d[\d,.]*", " ", text) for text in (a, b)]
        if similar(*stripped) >= SAME_THING_SIMILARITY + 10:
            return "The sources state the same thing with different numbers."
    return None


#: Words two sentences share that say nothing of what they are about.
_COMMON = frozenset(
    "the a an of to in on at for and or but with by from that which who this has have had was were will would "
    "been being its their his her not yet still also formally officially said says told would could".split()
)


def step_disputed(a: str, b: str) -> str | None:
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
    states_a, states_b = countries_in(a), countries_in(b)
    if (states_a or states_b) and not states_a & states_b:
        return None  # "Spain declined to join" is no answer to "twenty countries joined"
    words_a = {w for w in words(a) if len(w) >= 3} - _COMMON
    words_b = {w for w in words(b) if len(w) >= 3} - _COMMON
    shared = {w for w in words_a & words_b if not any(w.startswith(lemma[:4]) for lemma in opposed)}
    named = shared & _names_in(a) & _names_in(b)
    if len(shared) < 3 and not (len(shared) == 2 and named):
        return None
    return f"One source says it was done ({', '.join(sorted(opposed))}), another that it was not."


def _names_in(sentence: str) -> set[str]:
    """The capitalised words of a sentence, as compared words ("Greece" -> "greece")."""
    return {singular(norm(word)) for word in re.findall(r"\b[A-Z][\w'-]+", sentence)}


def _negated(text: str) -> bool:
    return len(_NEGATION.findall(text)) % 2 == 1


def merge_quotes(sources: list[MergeSource], outlets: Outlets) -> list[MergedQuote]:
    """Quotes merged when one text contains the other; the longest wording is kept."""
    items = [(source, quote) for source in sources for quote in source.facts(Quote)]
    clusters = greedy_clusters(items, lambda item: norm(item[1].text), lambda a, b: a in b or b in a)
    merged = []
    for cluster in clusters:
        supports = dedupe_supports((support(s, q.evidence, q.text) for s, q in cluster), outlets)
        longest = max((q for _, q in cluster), key=lambda q: (len(q.text), q.text))
        merged.append(
            MergedQuote(
                speaker=majority(q.speaker for _, q in cluster) or longest.speaker,
                text=longest.text,
                supports=supports,
                outlets=outlets.count(s.source for s in supports),
            )
        )
    return merged
