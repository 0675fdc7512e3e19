"""Claims and quotes read from the article's sentences by the code: who says what, and what was done.

A small model asked for claims answers an empty list for almost every article, so the code reads
them from the sentences themselves, the way news writes them:

* an **attributed statement**: "X said (that) ...", "..., X said", "..., said X", "according to X, ...".
  The holder is the named speaker (a pronoun is no holder); the claim is the sentence without its
  attribution;
* a **step in a coalition's life** that the sentence reports without attribution ("Greece has
  signed on", "the three states left the bloc"): signing, joining, leaving, launching, ratifying.
  Its holder is the outlet that reports it.

A quote is the words a sentence puts between quotation marks, with the speaker its sentence or the
one before it attributes them to.

Every claim's evidence is its sentence, every quote's text the article's quoted words: nothing here
is written by a model. :func:`lifecycle_steps` is what the merger compares to find two sources that
say a step was and was not taken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarise.text.grounding import quoted_words

#: Verbs that attribute words to a speaker.
_SPEECH = (
    r"said|says|told|tells|announced|announces|stated|warned|warns|added|insisted|insists|denied|denies|"
    r"claimed|argued|argues|noted|confirmed|confirms|acknowledged|stressed|declared|declares|explained|wrote"
)
_SPEAKER_BEFORE = re.compile(rf"(?P<holder>[^,;:\"“”]{{0,90}}?)\s*(?:has\s+|had\s+|have\s+)?\b(?P<verb>{_SPEECH})\b")
_SPEAKER_AFTER = re.compile(rf"[,;]\s*(?:{_SPEECH})\s+(?P<holder>[A-Z][^,.;:\"“”]{{1,80}})(?=\s*(?:\.|$))")
#: What follows a verb that ends an attribution: "..., X said, adding ...", "X announced after the talks".
_ATTRIBUTION_END = re.compile(
    r"^(?:[,.;:]|(?:after|before|on|in|at|during|while|when|last|this|late|earlier|later|yesterday|today)\b)",
    re.IGNORECASE,
)
_ACCORDING = re.compile(r"\baccording to (?P<holder>[^,.;:\"“”]{2,80})", re.IGNORECASE)
#: Words that open a speaker's phrase but are not part of the name.
_LEADING = {"and", "but", "while", "as", "so", "yet", "then", "also", "the", "a", "an", "its", "their", "his", "her"}
_PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "which", "who", "that", "this", "these", "those", "one"}
#: Words for unnamed speakers: capitalised only at a sentence's start ("People familiar with the talks said").
_UNNAMED = {
    "people", "officials", "official", "analysts", "residents", "diplomats", "sources", "witnesses", "experts",
    "critics", "several", "many", "some", "others", "observers", "traders", "a", "an",
}  # fmt: skip
_MAX_HOLDER_WORDS = 8

#: A step in the life of a coalition, pact or mission, as news reports it (the verb's stem is its lemma).
_LIFECYCLE = re.compile(
    r"\b(?P<verb>sign(?:ed|s|ing)?(?:\s+on)?|join(?:ed|s|ing)?|left|leav(?:e|es|ing)|withdr(?:aw|ew|awn|aws)|"
    r"launch(?:ed|es|ing)?|ratif(?:y|ied|ies)|acced(?:e|ed|es)|quit(?:s)?|suspend(?:ed|s)?|expel(?:led|s)?|"
    r"dissolv(?:e|ed|es))\b",
    re.IGNORECASE,
)
_LEMMAS = {
    "sign": "sign", "join": "join", "left": "leave", "leav": "leave", "withdr": "withdraw", "launch": "launch",
    "ratif": "ratify", "acced": "accede", "quit": "leave", "suspend": "suspend", "expel": "expel",
    "dissolv": "dissolve",
}  # fmt: skip
#: Words before a verb that deny it: "had still not formally signed", "has yet to join", "declined to join".
_DENIAL = re.compile(
    r"\b(?:not|never|no|n't|yet\s+to|declined\s+to|refused\s+to|failed\s+to|without|rather\s+than)\b(?:\s+\w+){0,4}\s*$",
    re.IGNORECASE,
)
_DENIAL_SUFFIX = re.compile(r"n't(?:\s+\w+){0,4}\s*$", re.IGNORECASE)
_MAX_CLAIMS = 8


@dataclass(frozen=True)
class Statement:
    """A claim the code read: who holds it, what it says, the sentence that says it."""

    holder: str
    claim: str
    sentence: str


@dataclass(frozen=True)
class QuotedWords:
    """Words in quotation marks, with the speaker a nearby sentence attributes them to."""

    speaker: str
    text: str


def _clean_holder(phrase: str) -> str | None:
    phrase = phrase.strip(" ,;:-—–")
    if phrase.count("(") != phrase.count(")"):  # half of a bracket: drop the brackets, keep the words
        phrase = phrase.replace("(", " ").replace(")", " ")
    words = phrase.split()
    while words and words[0].lower() in _LEADING:
        words = words[1:]
    while words and words[-1].islower():  # "the Houthis later", "Maersk had"
        words = words[:-1]
    if not words or len(words) > _MAX_HOLDER_WORDS or words[0].lower() in _PRONOUNS:
        return None
    if re.search(rf"\b(?:{_SPEECH})\b", " ".join(words)):
        return None  # "an official said Togo had told": the speaker is the one before
    named = [w for i, w in enumerate(words) if w[:1].isupper() and not (i == 0 and w.lower() in _UNNAMED)]
    if not named:
        return None  # "officials said" names no one; "officials in Athens said" does
    return " ".join(words)


def attribution(sentence: str, min_claim_words: int = 3) -> tuple[str, str] | None:
    """The speaker a sentence attributes its words to, and the words without the attribution; or None."""
    for match in _SPEAKER_BEFORE.finditer(sentence):
        start = max(sentence.rfind(mark, 0, match.start("verb")) for mark in ',;:"“”')
        phrase = sentence[start + 1 : match.start("verb")]
        if not phrase.strip() and start > 0:  # "Austin, who was visiting Bahrain, said": the name before the aside
            aside = sentence.rfind(",", 0, start)
            opening = max(sentence.rfind(mark, 0, aside) for mark in ',;:"“”') if aside > 0 else -1
            named = sentence[opening + 1 : aside] if aside > 0 else ""
            phrase = named if len(named.split()) <= 4 else ""
            start = opening if phrase else start
        holder = _clean_holder(phrase)
        if holder is None:
            continue
        rest = sentence[match.end() :].strip()
        if match.group("verb") == "told" and " that " in f" {rest}":  # "told reporters that ..."
            rest = rest.split(" that ", 1)[-1] if not rest.startswith("that ") else rest[5:]
        ends = start >= 0 and (len(re.findall(r"\w+", rest)) <= 4 or _ATTRIBUTION_END.match(rest))
        if ends:  # "..., officials in Athens said (this week)."
            claim = sentence[: max(start, 0)].strip(" ,;:")
        else:
            claim = re.sub(r"^(?:that|on \w+|last \w+|this \w+)\s+", "", rest, flags=re.IGNORECASE)
        if len(claim.split()) >= min_claim_words:
            return holder, _bare(claim)
    for pattern in (_SPEAKER_AFTER, _ACCORDING):
        found = pattern.search(sentence)
        holder = _clean_holder(found.group("holder")) if found else None
        if found and holder:
            claim = (sentence[: found.start()] + " " + sentence[found.end() :]).strip(" ,;:.")
            if len(claim.split()) >= min_claim_words:
                return holder, _bare(claim)
    return None


def _bare(claim: str) -> str:
    """A claim without the full stop and the quotation marks left at its ends."""
    return claim.strip().rstrip(".").strip(" \"'\u201c\u201d\u2018\u2019").rstrip(",").strip()


def lifecycle_steps(sentence: str) -> list[tuple[str, bool]]:
    """The coalition-life verbs of a sentence as (lemma, denied): "had still not signed on" -> ("sign", True)."""
    steps = []
    for match in _LIFECYCLE.finditer(sentence):
        stem = next(stem for stem in _LEMMAS if match.group("verb").lower().startswith(stem))
        before = sentence[max(0, match.start() - 60) : match.start()]
        denied = _DENIAL.search(before) is not None or _DENIAL_SUFFIX.search(before) is not None
        steps.append((_LEMMAS[stem], denied))
    return steps


#: Verbs that found a coalition, pact or mission: one step, whichever a source uses ("unveiled", "launched").
_FOUNDING = re.compile(
    r"\b(?:announc(?:ed|es|ing)|unveil(?:ed|s|ing)?|launch(?:ed|es|ing)?|form(?:ed|s)?|establish(?:ed|es|ing)?|"
    r"creat(?:ed|es|ing)|set\s+up|inaugurat(?:ed|es|ing)|found(?:ed|s)?)\b",
    re.IGNORECASE,
)


def steps_taken(sentence: str) -> set[str]:
    """The steps of a coalition's life a sentence says were taken (not denied): founding is one step, "launch"."""
    taken = {lemma for lemma, denied in lifecycle_steps(sentence) if not denied}
    if _FOUNDING.search(sentence):
        taken.add("launch")
    return taken


def statements(sentences: Sequence[str], outlet: str | None) -> list[Statement]:
    """The article's claims, in its order: attributed statements and reported steps of a coalition's life."""
    found: list[Statement] = []
    for sentence in sentences:
        attributed = attribution(sentence)
        if attributed is not None:
            found.append(Statement(attributed[0], attributed[1], sentence))
        elif lifecycle_steps(sentence) and quoted_words(sentence) is None:
            found.append(Statement(outlet or "the article", sentence.rstrip("."), sentence))
        if len(found) >= _MAX_CLAIMS:
            break
    return found


def quotations(sentences: Sequence[str]) -> list[QuotedWords]:
    """Quoted words of three words or more whose sentence, or the one before, names who says them."""
    found: list[QuotedWords] = []
    for index, sentence in enumerate(sentences):
        words = quoted_words(sentence)
        if words is None or len(words.split()) < 3:
            continue
        for nearby in (sentence, sentences[index - 1] if index else ""):
            speaker = attribution(nearby.replace(words, "…"), min_claim_words=0) if nearby else None
            if speaker is not None:
                found.append(QuotedWords(speaker[0], words))
                break
    return found
