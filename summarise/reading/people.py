"""The people an article names, with their roles, read by the code from its sentences.

The candidates are the personal names the article writes (:func:`summarise.text.entities.person_candidates`:
capitalised runs with titles cut off and places, bodies and vessels left out). A candidate is kept as a
person when the article treats it as one, by the conventions of news writing: a title or role
beside the name ("Defence Minister X", "X, the group's spokesman,"), words attributed to it ("X said",
"according to X"), or the surname alone used again later ("... Fidan said"). A capitalised run
with none of these (a town, a newspaper, a group's name) is no person.

The role is the title written before the name or the phrase set off by commas after it; the
affiliation is the country or organisation named in that title ("Turkish", "Togo's", "NATO").
Measured on the recorded fixtures, this finds the people of the gold as well as the 1.5B model
did when asked to choose among the same candidates, at no model time (see docs/quality.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarise.text.entities import LEADING_WORDS, TITLE_WORDS, entities_in, person_candidates
from summarise.text.grounding import mentions, normalise

MAX_PEOPLE = 12
#: At most this many words in a role set off by commas after a name.
MAX_ROLE_WORDS = 10
#: Title words that are no role on their own: they only join others ("the", "of", "former").
_JOINING = frozenset("of the former interim acting deputy vice state foreign affairs rear".split())
#: Lower-case words of a role written after a name (", the group's spokesman,"), besides the title words.
_ROLE_NOUNS = frozenset(
    "minister spokesman spokeswoman spokesperson president commander chief head leader secretary director "
    "ambassador envoy adviser advisor general admiral officer official analyst researcher fellow professor "
    "editor correspondent chairman chairwoman chair governor mayor representative negotiator diplomat "
    "premier king queen prince emir sultan captain colonel lieutenant major sergeant commissioner coordinator "
    "founder executive manager member".split()
)
_SPEECH = (
    r"said|says|told|tells|announced|stated|warned|added|insisted|denied|claimed|argued|noted|confirmed|"
    r"acknowledged|stressed|declared|explained|wrote|urged|called"
)
_PARTICLES = frozenset("al el bin ibn abu de van von der".split())
_WORD = re.compile(r"[\w.'\u2019-]+")


@dataclass(frozen=True)
class ReadPerson:
    """A person the article names, with the role and affiliation it gives them."""

    name: str
    role: str | None
    affiliation: str | None
    sentence: str


def people_in(sentences: Sequence[str]) -> list[ReadPerson]:
    """The people the article's sentences name, in order of first mention (at most ``MAX_PEOPLE``)."""
    text = "\n".join(sentences)
    found: list[ReadPerson] = []
    for name in person_candidates(text):
        naming = [s for s in sentences if mentions(s, name)]
        if not naming:
            continue
        titled = [(s, *_role_of(s, name)) for s in naming]
        with_role = [t for t in titled if t[1]]
        spoken = any(_speaks(s, name) for s in naming)
        if not (with_role or spoken or _surname_again(text, name)):
            continue
        sentence, role, affiliation = (with_role or titled)[0]
        if affiliation is None:
            affiliation = next((t[2] for t in titled if t[2]), None)
        found.append(ReadPerson(name=name, role=role, affiliation=affiliation, sentence=sentence))
        if len(found) >= MAX_PEOPLE:
            break
    return found


def _role_of(sentence: str, name: str) -> tuple[str | None, str | None]:
    """The role and affiliation ``sentence`` gives ``name``: a title before it, or a phrase in commas after it."""
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(word) for word in name.split()) + r"(?!\w)"
    match = re.search(pattern, sentence, re.IGNORECASE)
    if match is None:
        return None, None
    before = _title_before(sentence[: match.start()])
    return before if before[0] else _apposition_after(sentence[match.end() :])


def _title_before(text: str) -> tuple[str | None, str | None]:
    """The title words just before a name ("Turkish Foreign Minister"), and the country or body they name."""
    words = _WORD.findall(text)[-8:]
    title: list[str] = []
    affiliation = None
    at = len(words)
    while at > 0:
        at -= 1
        word = words[at]
        bare = re.sub(r"['\u2019]s$", "", word).rstrip(".").lower()
        if (named := _named_by(word)) is not None:
            affiliation = named if title else None
            break
        # A title word, or a capitalised word of the title's portfolio ("Fisheries Minister"), not a date or a verb.
        portfolio = title and word[0].isupper() and bare not in LEADING_WORDS and not word.endswith(("'s", "\u2019s"))
        if bare in TITLE_WORDS or bare in _ROLE_NOUNS or portfolio:
            title.insert(0, word)
            continue
        # One or two describing words between a title and the country it serves: "Syria's new president".
        owner = next(((k, n) for k in (at - 1, at - 2) if k >= 0 and (n := _named_by(words[k])) is not None), None)
        if title and owner is not None and all(w.islower() for w in words[owner[0] + 1 : at + 1]):
            title[:0] = words[owner[0] + 1 : at + 1]
            affiliation = owner[1]
        break
    while title and title[0].lower() in {"the", "of"}:
        title.pop(0)
    if not any(re.sub(r"\W", "", w).lower() not in _JOINING for w in title):
        return None, None
    return " ".join(title), affiliation


def _named_by(word: str) -> str | None:
    """The country or organisation a single word names ("Turkish", "Syria's", "NATO"), or None."""
    named = entities_in(word.replace("\u2019", "'").removesuffix("'s"))
    return named[0].canonical if named else None


def _apposition_after(text: str) -> tuple[str | None, str | None]:
    """The role set off by commas right after a name (", the alliance's top commander,")."""
    match = re.match(r"\s*(?:\([^)]{0,40}\)\s*)?,\s*([^,;:.()\"\u201c\u201d]{3,120})", text)
    if match is None:
        return None, None
    phrase = match.group(1).strip()
    words = phrase.split()
    if not words or len(words) > MAX_ROLE_WORDS or words[0].lower() in {"and", "or", "but", "who", "which", "said"}:
        return None, None
    if not any(re.sub(r"\W", "", w).lower() in _ROLE_NOUNS for w in words):
        return None, None
    named = entities_in(phrase)
    return re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.IGNORECASE), named[0].canonical if named else None


def _speaks(sentence: str, name: str) -> bool:
    """Whether ``sentence`` attributes words to ``name`` ("X said", "said X", "according to X")."""
    surname = re.escape(name.split()[-1])
    return bool(
        re.search(rf"{surname}\b[^.;\"\u201c\u201d]{{0,40}}?\b(?:{_SPEECH})\b", sentence)
        or re.search(rf"\b(?:{_SPEECH})\s+(?:[A-Z][\w.'-]*\s+){{0,4}}{surname}\b", sentence)
        or re.search(rf"\baccording to\s+(?:[\w.'-]+\s+){{0,5}}{surname}\b", sentence, re.IGNORECASE)
    )


def _surname_again(text: str, name: str) -> bool:
    """Whether the name's last word is written alone elsewhere, as news refers to people ("... Fidan said")."""
    words = name.split()
    surname = re.sub(r"^(?:al|el)-", "", words[-1], flags=re.IGNORECASE)  # "al-Assad" is also "Assad"
    if len(words) < 2 or len(surname) < 3:
        return False
    alone = re.finditer(rf"(?<![\w'\u2019]){re.escape(surname)}(?![\w-])", text)  # "post-Assad" too
    before = {normalise(w) for w in words[:-1]}
    for match in alone:
        previous = [
            w
            for w in re.findall(r"[\w']+", text[max(0, match.start() - 40) : match.start()])
            if w.lower() not in _PARTICLES
        ]
        if not previous or normalise(previous[-1]) not in before:
            return True
    return False
