"""Names no table knows: the organisations and people an article writes, and the spelling key of a person.

Extraction offers the model these candidates beside the known entities of
:mod:`summarise.text.entities.matching`; the merger and the evaluation match people by :func:`person_key`.
"""

from __future__ import annotations

import re
import unicodedata

from summarise.text.entities.matching import entities_in, known_names
from summarise.text.entities.words import (
    DETERMINERS,
    LEADING_WORDS,
    NAME_PARTICLES,
    STATE_SERVICES,
    THING_WORDS,
    TITLE_WORDS,
)
from summarise.text.grounding import normalise

#: Words that make a capitalised name an organisation ("Joint Maritime Force", "Sahel Defence Council").
_ORGANISATION_HEADS = (
    "alliance",
    "army",
    "authority",
    "bloc",
    "brigades?",
    "coalition",
    "command",
    "commission",
    "community",
    "confederation",
    "council",
    "force",
    "forces",
    "front",
    "group",
    "guards?",
    "league",
    "militia",
    "mission",
    "movement",
    "navy",
    "operation",
    "organi[sz]ation",
    "pact",
    "party",
    "task force",
    "union",
)
_CAPITALISED = r"(?:[A-Z][\w'\u2019&-]*)"
# Only the organisation word may be in any case: a run of lower-case words before it ("the United States on
# Monday announced Operation") is a sentence, not a name.
_ORGANISATION_NAME = re.compile(
    rf"\b(?:{_CAPITALISED}\s+(?:(?:of|for|the|and|de|al)\s+)?){{0,5}}(?i:{'|'.join(_ORGANISATION_HEADS)})\b"
    rf"(?:\s+(?:of|for)\s+(?:the\s+)?{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,3}})?"
)
_ACRONYM = re.compile(r"(?<![\w.])[A-Z][A-Z&]{1,6}(?![\w.])")
_GROUP_PLURAL = re.compile(r"\b(?:the|The)\s+([A-Z][a-z]{3,}(?:is|ists|ans|ites|s))\b")
_ROMAN = re.compile(r"^[IVXLC]+$")
#: A dateline: the capitalised place a paragraph opens with, before a comma or a dash.
_DATELINE = re.compile(r"(?m)^[ \t]*(?:[A-Z][A-Z'.-]+[ \t]+){0,3}[A-Z][A-Z'.-]+(?=\s*(?:,|\u2013|\u2014|--|\(|-\s))")


def organisation_candidates(text: str, limit: int = 30) -> list[str]:
    """Organisations the text names that no table knows, as written: acronyms, named bodies, groups.

    Three generic shapes: an acronym ("AES", "CMF"), a capitalised name headed by an
    organisation word ("Joint Maritime Force", "Alliance of Sahel States") and a group
    named as a capitalised plural after "the" ("the Houthis"). Names the alias tables
    know are left out (:func:`entities_in` finds them with their canonical names).
    """
    known = known_names()
    found: dict[str, None] = {}
    for match in _ORGANISATION_NAME.finditer(text):
        name = match.group(0).strip()
        # Two names run together keep the last ("Damascus and the Syrian Democratic Forces"); a person or
        # title before "of" is not part of the body ("Commodore X of the Hellenic Navy").
        name = re.split(r"\s(?:and|or)\s+the\s", name)[-1]
        first = name.split()[0]
        if first[:1].isupper() and first.lower() in TITLE_WORDS - {"the", "of", "ministry"} and " of " in name:
            name = name.rsplit(" of ", 1)[-1]
        words = name.split()
        while words and (
            words[0].lower() in {"the", "a", "an", "and", "of"}
            or not words[0][:1].isupper()
            or re.search(r"-(?:led|backed|based)$", words[0], re.IGNORECASE)
        ):
            words = words[1:]
        if len(words) < 2 or not words[-1][:1].isupper():
            continue
        candidate = " ".join(words)
        if normalise(candidate) not in known and not _state_service(words, known):
            found.setdefault(candidate, None)
    datelines = [range(*match.span()) for match in _DATELINE.finditer(text)]
    for match in _ACRONYM.finditer(text):
        acronym = match.group(0)
        if any(match.start() in line for line in datelines):
            continue  # "ERBIL, Kurdistan Region - ...": a place the story is filed from
        if not _ROMAN.match(acronym) and normalise(acronym) not in known:
            found.setdefault(acronym, None)
    for match in _GROUP_PLURAL.finditer(text):
        group = match.group(1)
        if normalise(group) not in known and not entities_in(group):
            found.setdefault(group, None)
    return list(found)[:limit]


def _state_service(words: list[str], known: frozenset[str]) -> bool:
    """Whether ``words`` name a known state followed only by armed-service words ("US Navy", "French Air Force")."""
    for cut in range(len(words) - 1, 0, -1):
        if normalise(" ".join(words[:cut])) in known:
            return all(word.lower() in STATE_SERVICES for word in words[cut:])
    return False


_WORD = r"(?:[A-Z][\w'\u2019]*(?:-[A-Za-z][\w'\u2019]*)*|(?:al|el|bin|ibn|abu|de|van|von)-?[A-Z][\w'\u2019-]*)"
_RUN = re.compile(_WORD + r"(?:\s+(?:" + _WORD + r"|al|el|bin|ibn|abu|de|van|von|der))*")
_POSSESSIVE = re.compile(r"['\u2019]s$")


def _run_name(words: list[str], known: frozenset[str]) -> list[str]:
    """The personal name a capitalised run ends with, or ``[]``: titles and leading words cut off.

    A run whose last cut is a body, place or undertaking word ("Operation", "Sea"), or an
    owner ("Africa's"), names that thing; nothing of it is a person.
    """
    cut, thing = 0, False
    for index, word in enumerate(words):
        bare = _POSSESSIVE.sub("", word).lower()
        parts = {bare, *bare.split("-")}
        title = bool(parts & (TITLE_WORDS | {"u.s"})) or bare.rstrip(".") in LEADING_WORDS
        owner = _POSSESSIVE.search(word) is not None and index < len(words) - 1
        if title or parts & known or bare in THING_WORDS or owner:
            cut, thing = index + 1, (bare in THING_WORDS and not title) or (owner and not parts & known)
    if thing or any(_POSSESSIVE.sub("", word).lower() in THING_WORDS for word in words[cut:]):
        return []
    name = words[cut:]
    if name:
        name[-1] = _POSSESSIVE.sub("", name[-1])
    while name and name[-1].lower() in NAME_PARTICLES:
        name = name[:-1]
    return name


def _after_determiner(text: str, start: int) -> bool:
    """Whether the words just before ``start`` are a determiner, with at most two describing words between.

    "the Italian destroyer X" and "the southern Red Sea" are things; "the defence minister X" is a
    person (a title word stops the look-back).
    """
    words = re.findall(r"[\w'\u2019-]+", text[max(0, start - 60) : start])
    if len(words) >= 2 and words[-1] == "of" and words[-2].lower() in THING_WORDS:
        return True  # "the Gulf of Aden", "the Cape of Good Hope"
    for word in reversed(words[-3:]):
        lower = word.lower()
        if lower in DETERMINERS:
            return True
        if lower in TITLE_WORDS:
            return False
    return False


def person_candidates(text: str, limit: int = 40) -> list[str]:
    """Capitalised runs of two to four words that look like personal names.

    Titles at the front ("Turkish Foreign Minister Hakan Fidan") are cut off. Dropped: runs that
    name a country or organisation; months and weekdays; runs holding a word that names a body,
    place or undertaking ("Operation ...", "... Sea"); names always written after a determiner
    ("the Maersk Hangzhou", "its Small Group"). The rest errs on the side of including: the model
    decides which candidates are people.
    """
    known = known_names()
    seen: dict[str, bool] = {}  # name -> whether some mention of it is not after a determiner
    for match in _RUN.finditer(text):
        if normalise(match.group(0)) in known:
            continue
        words = _run_name(match.group(0).split(), known)
        if len(words) < 2 or len(words) > 4:
            continue
        name = " ".join(words)
        if normalise(name) in known:
            continue
        start = match.start() + match.group(0).find(words[0])
        free = not _after_determiner(text, start) if start == match.start() else True
        if name not in seen and len(seen) >= limit:
            break
        seen[name] = seen.get(name, False) or free
    return [name for name, free in seen.items() if free]


_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u02bb`\u00b4\u2032]")
_ARTICLES = {"al", "el"}


def person_key(name: str) -> str:
    """The spelling key of a personal name: case, accents, apostrophes, hyphens and "al"/"el" do not count.

    >>> person_key("Recep Tayyip Erdoğan") == person_key("recep tayyip erdogan")
    True
    >>> person_key("Bashar al-Assad") == person_key("Bashar Assad")
    True
    >>> person_key("Ahmed Al-Shar'a") == person_key("Ahmad al-Sharaa")
    False
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = _APOSTROPHES.sub("", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(word for word in text.split() if word not in _ARTICLES)
