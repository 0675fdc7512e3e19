"""Curated names: countries and organisations with their aliases, and candidate people.

These tables serve two stages. Extraction offers the model only the countries and
organisations that occur in the article (a small model cannot then invent a member
that the text never names). The merger maps every spelling to one canonical name.
Short acronyms (``IS``, ``US``) match case-sensitively so that the English words
"is" and "us" never count.

The tables are :mod:`~summarise.text.entities.aliases` (countries and organisations) and
:mod:`~summarise.text.entities.words` (titles, positions, things); :mod:`~summarise.text.entities.matching`
finds the known names in a text, :mod:`~summarise.text.entities.candidates` the names no table knows.
"""

from __future__ import annotations

from summarise.text.entities.aliases import COUNTRY_ALIASES, ORGANISATION_ALIASES, country_aliases
from summarise.text.entities.candidates import organisation_candidates, person_candidates, person_key
from summarise.text.entities.matching import (
    Entity,
    alias_in,
    canonical_name,
    entities_in,
    entity_named,
    name_spans,
    names_entity,
    same_entity,
    without_entity_names,
)
from summarise.text.entities.words import LEADING_WORDS, TITLE_WORDS

__all__ = [
    "COUNTRY_ALIASES",
    "LEADING_WORDS",
    "ORGANISATION_ALIASES",
    "TITLE_WORDS",
    "Entity",
    "alias_in",
    "canonical_name",
    "country_aliases",
    "entities_in",
    "entity_named",
    "name_spans",
    "names_entity",
    "organisation_candidates",
    "person_candidates",
    "person_key",
    "same_entity",
    "without_entity_names",
]
