"""The curated alias tables of countries and organisations, the countries enriched from ``countryinfo``.

Canonical name -> aliases. These are data: every spelling of a name, deciding nothing;
:mod:`summarise.text.entities.matching` finds them in a text.
"""

from __future__ import annotations

import re

from summarise.text.grounding import normalise
from summarise.text.once import built_once

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


#: Latin-1 letters, spaces, apostrophes, hyphens and dots: a spelling an English text may use ("Türkiye",
#: "Côte d'Ivoire"). Native spellings in other alphabets or with letters such as "ı" are left out: English
#: news rarely writes them, and their case folding differs between str.lower and the regex engine.
_LATIN_NAME = re.compile(r"^[A-Za-z\u00c0-\u00ff][A-Za-z\u00c0-\u00ff .'\u2019-]+$")


#: How many times the population of the others an entry needs to own a demonym they share.
DEMONYM_OWNER_RATIO = 50


@built_once
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
