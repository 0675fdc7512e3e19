"""Claims and quotes: near-identical ones merged; claims that contradict each other listed as conflicts."""

from __future__ import annotations

import re

from summarise.merge.compare import (
    CLAIM_SIMILARITY,
    SAME_THING_SIMILARITY,
    _cluster,
    _countries_in,
    _majority,
    _norm,
    _numbers,
    _similar,
    _singular,
    _words,
)
from summarise.merge.sources import _Conflicts, _dedupe_supports, _Outlets, _Source, _support
from summarise.schemas import Claim, MergedClaim, MergedQuote, Quote
from summarise.statements import lifecycle_steps

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
