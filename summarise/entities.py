"""Curated names: countries and organisations with their aliases, and candidate people.

These tables serve two stages. Extraction offers the model only the countries and
organisations that occur in the article (a small model cannot then invent a member
that the text never names). The merger maps every spelling to one canonical name.
Short acronyms (``IS``, ``US``) match case-sensitively so that the English words
"is" and "us" never count.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from summarise.grounding import normalise

# Canonical name -> aliases (the canonical name itself always matches).
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "Türkiye": ("Turkey", "Turkiye", "Republic of Türkiye", "Republic of Turkey"),
    "United States": ("US", "U.S.", "USA", "U.S.A.", "United States of America"),
    "United Kingdom": ("UK", "U.K.", "Britain", "Great Britain"),
    "Syria": ("Syrian Arab Republic",),
    "Iraq": ("Republic of Iraq",),
    "Iran": ("Islamic Republic of Iran",),
    "Jordan": ("Hashemite Kingdom of Jordan",),
    "Lebanon": (),
    "Russia": ("Russian Federation",),
    "Israel": (),
    "Saudi Arabia": (),
    "United Arab Emirates": ("UAE", "U.A.E."),
    "Qatar": (),
    "Egypt": (),
    "France": (),
    "Germany": (),
    "China": ("People's Republic of China",),
    "South Korea": ("Republic of Korea",),
    "North Korea": ("DPRK",),
    "Czechia": ("Czech Republic",),
    "Netherlands": ("Holland", "the Netherlands"),
    "Ivory Coast": ("Côte d'Ivoire", "Cote d'Ivoire"),
    "Palestine": ("State of Palestine",),
}

_MORE_COUNTRIES = """
Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia Austria Azerbaijan
Bahamas Bahrain Bangladesh Barbados Belarus Belgium Belize Benin Bhutan Bolivia
Bosnia_and_Herzegovina Botswana Brazil Brunei Bulgaria Burkina_Faso Burundi Cambodia Cameroon
Canada Cape_Verde Chad Chile Colombia Comoros Congo Costa_Rica Croatia Cuba Cyprus Denmark
Djibouti Dominica Dominican_Republic Ecuador El_Salvador Eritrea Estonia Eswatini Ethiopia
Fiji Finland Gabon Gambia Georgia Ghana Greece Grenada Guatemala Guinea Guyana Haiti Honduras
Hungary Iceland India Indonesia Ireland Italy Jamaica Japan Kazakhstan Kenya Kosovo Kuwait
Kyrgyzstan Laos Latvia Lesotho Liberia Libya Liechtenstein Lithuania Luxembourg Madagascar
Malawi Malaysia Maldives Mali Malta Mauritania Mauritius Mexico Moldova Monaco Mongolia
Montenegro Morocco Mozambique Myanmar Namibia Nepal New_Zealand Nicaragua Niger Nigeria
North_Macedonia Norway Oman Pakistan Panama Papua_New_Guinea Paraguay Peru Philippines Poland
Portugal Romania Rwanda Samoa San_Marino Senegal Serbia Seychelles Sierra_Leone Singapore
Slovakia Slovenia Somalia South_Africa South_Sudan Spain Sri_Lanka Sudan Suriname Sweden
Switzerland Taiwan Tajikistan Tanzania Thailand Togo Tonga Trinidad_and_Tobago Tunisia
Turkmenistan Uganda Ukraine Uruguay Uzbekistan Vanuatu Venezuela Vietnam Yemen Zambia Zimbabwe
"""
for _name in _MORE_COUNTRIES.split():
    COUNTRY_ALIASES.setdefault(_name.replace("_", " "), ())

ORGANISATION_ALIASES: dict[str, tuple[str, ...]] = {
    "ISIS": (
        "ISIL",
        "IS",
        "Daesh",
        "Da'esh",
        "Islamic State",
        "Islamic State group",
        "Islamic State of Iraq and Syria",
        "Islamic State of Iraq and the Levant",
    ),
    "SDF": ("Syrian Democratic Forces",),
    "YPG": ("People's Protection Units",),
    "PKK": ("Kurdistan Workers' Party", "Kurdistan Workers Party"),
    "HTS": ("Hayat Tahrir al-Sham", "Hayat Tahrir Al-Sham", "Hay'at Tahrir al-Sham"),
    "al-Qaeda": ("Al-Qaeda", "al-Qaida", "Al Qaeda"),
    "NATO": ("North Atlantic Treaty Organization",),
    "CENTCOM": ("Centcom", "U.S. Central Command", "US Central Command", "Central Command"),
    "United Nations": ("UN", "U.N."),
    "European Union": ("EU", "E.U."),
    "Arab League": ("League of Arab States",),
    "Hamas": (),
    "Hezbollah": ("Hizbullah",),
}

@dataclass(frozen=True)
class Entity:
    """A canonical name with the aliases that denote it."""

    canonical: str
    kind: str  # "country" or "organisation"
    aliases: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name followed by every alias."""
        return (self.canonical, *self.aliases)


def _pattern(alias: str) -> re.Pattern[str]:
    body = re.escape(alias).replace(r"\ ", r"\s+").replace("'", "['\u2019]")
    flags = 0 if _is_acronym(alias) else re.IGNORECASE
    return re.compile(r"(?<![\w.])" + body + r"(?![\w])", flags)


#: Latin-1 letters, spaces, apostrophes, hyphens and dots: a spelling an English text may use ("Türkiye",
#: "Côte d'Ivoire"). Native spellings in other alphabets or with letters such as "ı" are left out: English
#: news rarely writes them, and their case folding differs between str.lower and the regex engine.
_LATIN_NAME = re.compile(r"^[A-Za-z\u00c0-\u00ff][A-Za-z\u00c0-\u00ff .'\u2019-]+$")


@lru_cache(maxsize=1)
def country_aliases() -> dict[str, tuple[str, ...]]:
    """Every country with its aliases: the curated table above, enriched from the ``countryinfo`` library.

    The library adds each country's alternative spellings (not its ISO codes), its demonym
    ("Malian", "Nigerien"; a demonym several countries share, such as "Congolese", is left out) and
    its capital, which news uses for the government ("Ankara said"). A country the curated table
    lacks is added under the library's name.
    """
    from countryinfo import all_countries

    library = [country.info() for country in all_countries()]
    demonyms = [str(info.get("demonym") or "") for info in library]
    shared = {d for d in demonyms if d and demonyms.count(d) > 1}
    merged = {canonical: list(aliases) for canonical, aliases in COUNTRY_ALIASES.items()}
    folded = {normalise(n): canonical for canonical, aliases in COUNTRY_ALIASES.items() for n in (canonical, *aliases)}
    for info in library:
        codes = {str(code) for code in (info.get("ISO") or {}).values() if code}
        spellings = [str(info["name"]), *(str(alt) for alt in info.get("altSpellings") or [])]
        canonical = next((folded[normalise(n)] for n in spellings if normalise(n) in folded), str(info["name"]))
        names = [*spellings, str(info.get("demonym") or ""), str(info.get("capital") or "").removesuffix(" D.C.")]
        aliases = merged.setdefault(canonical, [])
        for name in names:
            usable = name and name not in codes and name not in shared and _LATIN_NAME.match(name)
            if usable and name != canonical and folded.get(normalise(name), canonical) == canonical:
                aliases.append(name)
                folded.setdefault(normalise(name), canonical)
    return {canonical: tuple(dict.fromkeys(aliases)) for canonical, aliases in merged.items()}


@lru_cache(maxsize=1)
def _entities() -> tuple[tuple[Entity, tuple[re.Pattern[str], ...]], ...]:
    table: list[tuple[Entity, tuple[re.Pattern[str], ...]]] = []
    for kind, source in (("country", country_aliases()), ("organisation", ORGANISATION_ALIASES)):
        for canonical, aliases in source.items():
            entity = Entity(canonical, kind, aliases)
            table.append((entity, tuple(_pattern(name) for name in entity.names)))
    return tuple(table)


def entities_in(text: str, kind: str | None = None) -> list[Entity]:
    """Entities named in ``text`` (by any alias), in order of first mention.

    A match inside a longer match of another entity does not count: "South Sudan"
    names South Sudan, not Sudan.
    """
    matches: list[tuple[int, int, Entity]] = []
    lowered = _folded(text)
    for entity, patterns in _entities():
        if kind and entity.kind != kind:
            continue
        for name, pattern in zip(entity.names, patterns, strict=True):
            needle, exact_case = _needle(name)
            if needle in (text if exact_case else lowered):  # a cheap test before the regex scan
                matches += [(m.start(), m.end(), entity) for m in pattern.finditer(text)]
    first: dict[str, tuple[int, Entity]] = {}
    for start, end, entity in matches:
        inside_other = any(
            other is not entity and s <= start and end <= e and (e - s) > (end - start) for s, e, other in matches
        )
        if not inside_other and (entity.canonical not in first or start < first[entity.canonical][0]):
            first[entity.canonical] = (start, entity)
    return [entity for _, entity in sorted(first.values(), key=lambda pair: pair[0])]


def _folded(text: str) -> str:
    """``text`` lowered as a case-insensitive regex sees it: "İRAQ" gives "iraq", "ſyria" "syria"."""
    if text.isascii():
        return text.lower()
    return text.translate({ord(char): _ascii_twin(char) for char in set(text) if ord(char) > 127}).lower()


@lru_cache(maxsize=4096)
def _ascii_twin(char: str) -> str:
    """The ASCII letter a case-insensitive regex takes ``char`` for, or ``char`` itself."""
    return next((letter for letter in string.ascii_lowercase if re.fullmatch(letter, char, re.IGNORECASE)), char)


@lru_cache(maxsize=1024)
def _needle(alias: str) -> tuple[str, bool]:
    """The alias's first word (any match of its pattern contains it) and whether its case must match."""
    first = re.split(r"[\s'’]", alias, maxsplit=1)[0]
    return (first, True) if _is_acronym(alias) else (first.lower(), False)


def without_entity_names(text: str) -> str:
    """``text`` with every country and organisation name blanked out."""
    for _, patterns in _entities():
        for pattern in patterns:
            text = pattern.sub(" ", text)
    return text


def canonical_name(name: str) -> str | None:
    """The canonical name of a country or organisation alias, or ``None`` if unknown.

    Short all-capital acronyms must match exactly: "us" and "is" are words, not names.
    """
    wanted = normalise(name)
    for entity, _ in _entities():
        for alias in entity.names:
            if _is_acronym(alias):
                if name.strip() == alias:
                    return entity.canonical
            elif normalise(alias) == wanted:
                return entity.canonical
    return None


def _is_acronym(alias: str) -> bool:
    return len(alias) <= 4 and alias.replace(".", "").isupper()


@lru_cache(maxsize=1)
def _by_canonical() -> dict[str, tuple[Entity, tuple[re.Pattern[str], ...]]]:
    return {entity.canonical: (entity, patterns) for entity, patterns in _entities()}


def entity_named(canonical: str) -> Entity | None:
    """The entity whose canonical name is ``canonical``."""
    entry = _by_canonical().get(canonical)
    return entry[0] if entry else None


def alias_in(text: str, canonical: str) -> str | None:
    """The spelling by which ``text`` first names the entity ``canonical``, if it does."""
    entry = _by_canonical().get(canonical)
    found = [match for pattern in entry[1] if (match := pattern.search(text))] if entry else []
    return min(found, key=lambda match: match.start()).group(0) if found else None


def names_entity(text: str, canonical: str) -> bool:
    """Whether ``text`` names the entity ``canonical`` by any of its aliases."""
    return alias_in(text, canonical) is not None


#: Words that make a capitalised name an organisation ("Joint Maritime Force", "Sahel Defence Council").
_ORGANISATION_HEADS = (
    "alliance", "army", "authority", "bloc", "brigades?", "coalition", "command", "commission", "community",
    "confederation", "council", "force", "forces", "front", "group", "guards?", "league", "militia", "mission",
    "movement", "navy", "operation", "organi[sz]ation", "pact", "party", "task force", "union",
)
_CAPITALISED = r"(?:[A-Z][\w'\u2019&-]*)"
_ORGANISATION_NAME = re.compile(
    rf"\b(?:{_CAPITALISED}\s+(?:(?:of|for|the|and|de|al)\s+)?){{0,5}}(?:{'|'.join(_ORGANISATION_HEADS)})\b"
    rf"(?:\s+(?:of|for)\s+(?:the\s+)?{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,3}})?",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"(?<![\w.])[A-Z][A-Z&]{1,6}(?![\w.])")
_GROUP_PLURAL = re.compile(r"\b(?:the|The)\s+([A-Z][a-z]{3,}(?:is|ists|ans|ites|s))\b")
_ROMAN = re.compile(r"^[IVXLC]+$")


def organisation_candidates(text: str, limit: int = 30) -> list[str]:
    """Organisations the text names that no table knows, as written: acronyms, named bodies, groups.

    Three generic shapes: an acronym ("AES", "CMF"), a capitalised name headed by an
    organisation word ("Joint Maritime Force", "Alliance of Sahel States") and a group
    named as a capitalised plural after "the" ("the Houthis"). Names the alias tables
    know are left out (:func:`entities_in` finds them with their canonical names).
    """
    known = _known_names()
    found: dict[str, None] = {}
    for match in _ORGANISATION_NAME.finditer(text):
        name = match.group(0).strip()
        words = name.split()
        while words and (words[0].lower() in {"the", "a", "an", "and", "of"} or not words[0][:1].isupper()):
            words = words[1:]
        if len(words) < 2 or not words[-1][:1].isupper():
            continue
        candidate = " ".join(words)
        if normalise(candidate) not in known:
            found.setdefault(candidate, None)
    for match in _ACRONYM.finditer(text):
        acronym = match.group(0)
        if not _ROMAN.match(acronym) and normalise(acronym) not in known:
            found.setdefault(acronym, None)
    for match in _GROUP_PLURAL.finditer(text):
        group = match.group(1)
        if normalise(group) not in known and not entities_in(group):
            found.setdefault(group, None)
    return list(found)[:limit]


# Words that open a capitalised run but are titles, not names.
_TITLE_WORDS = {
    "mr", "mrs", "ms", "dr", "president", "prime", "minister", "foreign", "defense", "defence",
    "interior", "secretary", "state", "general", "commander", "spokesperson", "spokesman",
    "chief", "director", "interim", "former", "king", "queen", "prince", "sheikh", "leader",
    "ambassador", "envoy", "official", "officials", "deputy", "head", "chairman", "senator",
    "ministry", "of", "the", "affairs", "expert", "analyst",
    "communications", "presidential", "regime", "colonel", "lieutenant", "major", "captain",
}
_NAME_PARTICLES = {"al", "el", "bin", "ibn", "abu", "abd", "van", "von", "de", "da", "der", "al-"}
_NOT_NAMES = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "middle", "east", "north", "south", "west", "northern", "southern",
    "eastern", "western", "ministry", "agency", "news", "party", "forces", "army", "council",
    "coalition", "embassy", "palace", "camp", "desert", "region", "command", "government",
    "department", "house", "white", "act",
    "after", "before", "when", "while", "as", "in", "on", "at", "for", "with", "from", "but", "and",
    "this", "that", "these", "those", "it", "its", "his", "her", "their", "our", "we", "they", "he",
    "she", "there", "here", "despite", "during", "since", "until", "under", "over", "speaking",
    "democratic", "republic", "kingdom", "union", "nations", "united", "states", "islamic",
    "international", "global", "regional", "joint", "operation", "operations", "centre", "center",
    "defense", "foreign", "press", "conference", "anadolu", "associated", "reuters", "afp", "ap",
}
_WORD = r"(?:[A-Z][\w'\u2019]*(?:-[A-Za-z][\w'\u2019]*)*|(?:al|el|bin|ibn|abu|de|van|von)-?[A-Z][\w'\u2019-]*)"
_RUN = re.compile(_WORD + r"(?:\s+(?:" + _WORD + r"|al|el|bin|ibn|abu|de|van|von|der))*")


@lru_cache(maxsize=1)
def _known_names() -> frozenset[str]:
    return frozenset(normalise(name) for entity, _ in _entities() for name in entity.names)


def person_candidates(text: str, limit: int = 40) -> list[str]:
    """Capitalised runs of two or more words that look like personal names.

    Titles at the front ("Turkish Foreign Minister Hakan Fidan") are cut off; runs that
    name a country or organisation, months, places and institutions are dropped. The
    result errs on the side of including: the model decides which candidates are people.
    """
    known = _known_names()
    seen: dict[str, None] = {}
    for match in _RUN.finditer(text):
        if normalise(match.group(0)) in known:
            continue
        words = match.group(0).split()
        cut = 0
        for index, word in enumerate(words):
            bare = re.sub(r"['’]s$", "", word).lower()
            parts = {bare, *bare.split("-")}
            if parts & (_TITLE_WORDS | {"u.s"}) or parts & known or bare.rstrip(".") in _NOT_NAMES:
                cut = index + 1
        words = words[cut:]
        if words:
            words[-1] = re.sub(r"['’]s$", "", words[-1])
        while words and words[-1].lower() in _NAME_PARTICLES:
            words = words[:-1]
        if len(words) < 2 or len(words) > 4:
            continue
        name = " ".join(words)
        if normalise(name) in known:
            continue
        seen.setdefault(name, None)
        if len(seen) >= limit:
            break
    return list(seen)


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
