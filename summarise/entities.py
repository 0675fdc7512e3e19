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


#: A name followed by one of these names a sea, not a state ("the Indian Ocean", "the South China Sea").
_WATERS = r"(?!\s+(?-i:Ocean|Sea|Gulf|Basin)\b)"


def _pattern(alias: str) -> re.Pattern[str]:
    body = re.escape(alias).replace(r"\ ", r"\s+").replace("'", "['\u2019]")
    flags = 0 if _is_acronym(alias) else re.IGNORECASE
    return re.compile(r"(?<![\w.])" + body + r"(?![\w])" + _WATERS, flags)


#: Latin-1 letters, spaces, apostrophes, hyphens and dots: a spelling an English text may use ("Türkiye",
#: "Côte d'Ivoire"). Native spellings in other alphabets or with letters such as "ı" are left out: English
#: news rarely writes them, and their case folding differs between str.lower and the regex engine.
_LATIN_NAME = re.compile(r"^[A-Za-z\u00c0-\u00ff][A-Za-z\u00c0-\u00ff .'\u2019-]+$")


#: How many times the population of the others an entry needs to own a demonym they share.
DEMONYM_OWNER_RATIO = 50


@lru_cache(maxsize=1)
def country_aliases() -> dict[str, tuple[str, ...]]:
    """Every country with its aliases: the curated table above, enriched from the ``countryinfo`` library.

    The library adds each country's alternative spellings (not its ISO codes), its demonym
    ("Malian", "Nigerien"; a demonym several entries share goes to the one with fifty times the
    population of any other, "French" to France, and otherwise, "Congolese", to none) and
    its capital, which news uses for the government ("Ankara said"). A country the curated table
    lacks is added under the library's name.
    """
    from countryinfo import all_countries

    library = [country.info() for country in all_countries()]
    sharing: dict[str, list[tuple[int, str]]] = {}
    for info in library:
        if info.get("demonym"):
            sharing.setdefault(str(info["demonym"]), []).append((int(info.get("population") or 0), str(info["name"])))
    # A demonym several entries share belongs to the one that dwarfs the others ("French": France, not
    # Réunion); between peers ("Congolese") it names neither.
    shared = set()
    for demonym, holders in sharing.items():
        ranked = sorted(holders, reverse=True)
        if len(ranked) > 1 and ranked[0][0] < DEMONYM_OWNER_RATIO * ranked[1][0]:
            shared.add(demonym)
    owner = {demonym: max(holders)[1] for demonym, holders in sharing.items() if demonym not in shared}
    merged = {canonical: list(aliases) for canonical, aliases in COUNTRY_ALIASES.items()}
    folded = {normalise(n): canonical for canonical, aliases in COUNTRY_ALIASES.items() for n in (canonical, *aliases)}
    for info in library:
        codes = {str(code) for code in (info.get("ISO") or {}).values() if code}
        spellings = [str(info["name"]), *(str(alt) for alt in info.get("altSpellings") or [])]
        canonical = next((folded[normalise(n)] for n in spellings if normalise(n) in folded), str(info["name"]))
        demonym = str(info.get("demonym") or "")
        demonym = demonym if owner.get(demonym) == str(info["name"]) else ""
        names = [*spellings, demonym, str(info.get("capital") or "").removesuffix(" D.C.")]
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


def same_entity(name: str, other: str) -> bool:
    """Whether two names are aliases of one known country or organisation ("Turkey", "Türkiye")."""
    canonical = canonical_name(name)
    return canonical is not None and canonical == canonical_name(other)


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


def name_spans(text: str, name: str) -> list[tuple[int, int]]:
    """Where ``text`` names ``name``: by any alias a table knows for it, else as written (whole words)."""
    entry = _by_canonical().get(name)
    patterns = entry[1] if entry else (re.compile(r"(?<![\w.])" + re.escape(name) + r"(?!\w)"),)
    return sorted({match.span() for pattern in patterns for match in pattern.finditer(text)})


def names_entity(text: str, canonical: str) -> bool:
    """Whether ``text`` names the entity ``canonical`` by any of its aliases."""
    return alias_in(text, canonical) is not None


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
        # Two names run together keep the last ("Damascus and the Syrian Democratic Forces"); a person or
        # title before "of" is not part of the body ("Commodore X of the Hellenic Navy").
        name = re.split(r"\s(?:and|or)\s+the\s", name)[-1]
        first = name.split()[0]
        if first[:1].isupper() and first.lower() in _TITLE_WORDS - {"the", "of", "ministry"} and " of " in name:
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
    for match in _ACRONYM.finditer(text):
        acronym = match.group(0)
        if not _ROMAN.match(acronym) and normalise(acronym) not in known:
            found.setdefault(acronym, None)
    for match in _GROUP_PLURAL.finditer(text):
        group = match.group(1)
        if normalise(group) not in known and not entities_in(group):
            found.setdefault(group, None)
    return list(found)[:limit]


# Words that open a capitalised run but are titles, not names: what follows them is the person.
_TITLE_WORDS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "president",
    "prime",
    "minister",
    "foreign",
    "defense",
    "defence",
    "interior",
    "secretary",
    "state",
    "general",
    "commander",
    "spokesperson",
    "spokesman",
    "chief",
    "director",
    "interim",
    "former",
    "king",
    "queen",
    "prince",
    "sheikh",
    "leader",
    "ambassador",
    "envoy",
    "official",
    "officials",
    "deputy",
    "head",
    "chairman",
    "senator",
    "ministry",
    "of",
    "the",
    "affairs",
    "expert",
    "analyst",
    "communications",
    "presidential",
    "regime",
    "colonel",
    "lieutenant",
    "major",
    "captain",
    # military and civil ranks, full and abbreviated
    "admiral",
    "rear",
    "vice",
    "commodore",
    "marshal",
    "sergeant",
    "brigadier",
    "gen",
    "maj",
    "capt",
    "col",
    "lt",
    "cmdr",
    "adm",
    "sgt",
    "brig",
    "governor",
    "mayor",
    "speaker",
    "emir",
    "sultan",
    "crown",
    "judge",
    "justice",
    "sen",
    "rep",
    "gov",
}
_NAME_PARTICLES = {"al", "el", "bin", "ibn", "abu", "abd", "van", "von", "de", "da", "der", "al-"}
# Words that may open a capitalised run by position alone (a sentence's first word, a date): what
# follows them may still be a person.
_LEADING_WORDS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "after",
    "before",
    "when",
    "while",
    "as",
    "in",
    "on",
    "at",
    "for",
    "with",
    "from",
    "but",
    "and",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "his",
    "her",
    "their",
    "our",
    "we",
    "they",
    "he",
    "she",
    "there",
    "here",
    "despite",
    "during",
    "since",
    "until",
    "under",
    "over",
    "speaking",
    "anadolu",
    "associated",
    "reuters",
    "afp",
    "ap",
}
#: The title words and the words that open a run by position (public: the people reader reads roles with them).
TITLE_WORDS = frozenset(_TITLE_WORDS)
LEADING_WORDS = frozenset(_LEADING_WORDS)
# Words that name a body, a place or an undertaking: a run holding one is that thing's name, not a person's
# ("Operation Desert Shield", "Council Hall", "the Red Sea", "Cape Verde Islands").
_THING_WORDS = {
    "middle",
    "east",
    "north",
    "south",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "ministry",
    "agency",
    "news",
    "party",
    "forces",
    "army",
    "council",
    "coalition",
    "embassy",
    "palace",
    "camp",
    "desert",
    "region",
    "command",
    "government",
    "department",
    "house",
    "act",
    "democratic",
    "republic",
    "kingdom",
    "union",
    "nations",
    "united",
    "states",
    "islamic",
    "international",
    "global",
    "regional",
    "joint",
    "operation",
    "operations",
    "centre",
    "center",
    "press",
    "conference",
    "sea",
    "ocean",
    "gulf",
    "strait",
    "straits",
    "canal",
    "river",
    "lake",
    "bay",
    "cape",
    "island",
    "islands",
    "peninsula",
    "mountains",
    "valley",
    "coast",
    "port",
    "airport",
    "base",
    "navy",
    "group",
    "community",
    "charter",
    "treaty",
    "accord",
    "agreement",
    "pact",
    "initiative",
    "mission",
    "summit",
    "forum",
    "university",
    "bank",
    "fund",
    "company",
    "corporation",
    "force",
    "alliance",
    "league",
    "front",
    "brigade",
    "brigades",
    "guards",
    "committee",
    "commission",
    "assembly",
    "parliament",
    "congress",
    "court",
    "office",
    "institute",
    "foundation",
    "airlines",
    "street",
    "square",
    "province",
    "city",
    "county",
    "district",
    "border",
    "crossing",
    "bridge",
    "dam",
    "board",
    "authority",
    "service",
    "police",
}
# Words before a name that make it a thing: "the Red Sea", "its Small Group", "a Danish frigate".
_DETERMINERS = {"the", "a", "an", "its", "their"}
_WORD = r"(?:[A-Z][\w'\u2019]*(?:-[A-Za-z][\w'\u2019]*)*|(?:al|el|bin|ibn|abu|de|van|von)-?[A-Z][\w'\u2019-]*)"
_RUN = re.compile(_WORD + r"(?:\s+(?:" + _WORD + r"|al|el|bin|ibn|abu|de|van|von|der))*")
_POSSESSIVE = re.compile(r"['\u2019]s$")


#: The armed services of a state: "<state or its adjective> Navy" is that state acting, not another body.
_STATE_SERVICES = {
    "army",
    "navy",
    "naval",
    "air",
    "force",
    "forces",
    "armed",
    "military",
    "security",
    "coast",
    "guard",
    "marines",
    "defence",
    "defense",
}


def _state_service(words: list[str], known: frozenset[str]) -> bool:
    """Whether ``words`` name a known state followed only by armed-service words ("US Navy", "French Air Force")."""
    for cut in range(len(words) - 1, 0, -1):
        if normalise(" ".join(words[:cut])) in known:
            return all(word.lower() in _STATE_SERVICES for word in words[cut:])
    return False


@lru_cache(maxsize=1)
def _known_names() -> frozenset[str]:
    return frozenset(normalise(name) for entity, _ in _entities() for name in entity.names)


def _run_name(words: list[str], known: frozenset[str]) -> list[str]:
    """The personal name a capitalised run ends with, or ``[]``: titles and leading words cut off.

    A run whose last cut is a body, place or undertaking word ("Operation", "Sea"), or an
    owner ("Africa's"), names that thing; nothing of it is a person.
    """
    cut, thing = 0, False
    for index, word in enumerate(words):
        bare = _POSSESSIVE.sub("", word).lower()
        parts = {bare, *bare.split("-")}
        title = bool(parts & (_TITLE_WORDS | {"u.s"})) or bare.rstrip(".") in _LEADING_WORDS
        owner = _POSSESSIVE.search(word) is not None and index < len(words) - 1
        if title or parts & known or bare in _THING_WORDS or owner:
            cut, thing = index + 1, (bare in _THING_WORDS and not title) or (owner and not parts & known)
    if thing or any(_POSSESSIVE.sub("", word).lower() in _THING_WORDS for word in words[cut:]):
        return []
    name = words[cut:]
    if name:
        name[-1] = _POSSESSIVE.sub("", name[-1])
    while name and name[-1].lower() in _NAME_PARTICLES:
        name = name[:-1]
    return name


def _after_determiner(text: str, start: int) -> bool:
    """Whether the words just before ``start`` are a determiner, with at most two describing words between.

    "the Italian destroyer X" and "the southern Red Sea" are things; "the defence minister X" is a
    person (a title word stops the look-back).
    """
    words = re.findall(r"[\w'\u2019-]+", text[max(0, start - 60) : start])
    if len(words) >= 2 and words[-1] == "of" and words[-2].lower() in _THING_WORDS:
        return True  # "the Gulf of Aden", "the Cape of Good Hope"
    for word in reversed(words[-3:]):
        lower = word.lower()
        if lower in _DETERMINERS:
            return True
        if lower in _TITLE_WORDS:
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
    known = _known_names()
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
