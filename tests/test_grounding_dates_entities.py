"""The pure text helpers: finding evidence spans, resolving dates, recognising names."""

from __future__ import annotations

import datetime as dt
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarise.text.dates import resolve_date
from summarise.text.entities import (
    canonical_name,
    entities_in,
    matching,
    names_entity,
    organisation_candidates,
    person_candidates,
    same_entity,
)
from summarise.text.grounding import find_span, mentions, normalise

# --- find_span -----------------------------------------------------------------------------------

ARTICLE = (
    "Fidan told reporters: \u201cWe will not allow Daesh to\n   regroup in the region.\u201d\n\n"
    "The four-country mechanism\u2014Türkiye, Syria, Iraq and Jordan\u2014will meet in Amman."
)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        # straight quotes where the article has curly ones, one space for a line break and indent
        ('"We will not allow Daesh to regroup in the region."', "We will not allow Daesh to\n   regroup in the region"),
        # a different case
        ("we will NOT allow daesh", "We will not allow Daesh"),
        # hyphens where the article has em dashes
        (
            "mechanism-Türkiye, Syria, Iraq and Jordan-will meet",
            "mechanism\u2014Türkiye, Syria, Iraq and Jordan\u2014will meet",
        ),
        # leading and trailing punctuation and ellipses are ignored
        ("...the four-country mechanism,", "The four-country mechanism"),
        ("\u2026will meet in Amman.", "will meet in Amman"),
    ],
)
def test_find_span_returns_the_articles_own_characters(quote, expected):
    span = find_span(ARTICLE, quote)

    assert span == expected
    assert span in ARTICLE


@pytest.mark.parametrize(
    "quote",
    [
        "We will allow Daesh to regroup",  # a word missing
        "The five-country mechanism",  # a word changed
        "Amman will host the meeting",  # never said
        "...",  # nothing but punctuation
        "",
    ],
)
def test_find_span_of_absent_text_is_none(quote):
    assert find_span(ARTICLE, quote) is None


def test_find_span_of_a_decomposed_accent_matches_the_composed_article_text():
    decomposed = "Tu\u0308rkiye, Syria"  # "Türkiye" with a combining diaeresis

    assert find_span(ARTICLE, decomposed) == "Türkiye, Syria"


FUZZY_ARTICLE = (
    "Officials said the Türkiye-led mechanism will open in March. The camps in northeast Syria "
    "still hold more than 43,000 detainees, officials said. Four countries will join the centre."
)


def test_fuzzy_snaps_a_long_near_quote_to_the_articles_words():
    quote = "the Turkiye-led mechanizm will open in March"

    assert find_span(FUZZY_ARTICLE, quote) is None  # exact by default
    assert find_span(FUZZY_ARTICLE, quote, fuzzy=True) == "the Türkiye-led mechanism will open in March"


def test_fuzzy_leaves_short_quotes_exact():
    assert find_span(FUZZY_ARTICLE, "Turkiye-led mechanizm", fuzzy=True) is None


def test_fuzzy_rejects_a_different_sentence():
    assert find_span(FUZZY_ARTICLE, "Five countries signed a treaty in Paris", fuzzy=True) is None


@pytest.mark.parametrize(
    "quote",
    [
        "still hold more than 48,000 detainees, officials said",
        "Five countries will join the centre",
        "Four countries will not join the centre",
    ],
)
def test_fuzzy_never_accepts_a_changed_number_or_negation(quote):
    assert find_span(FUZZY_ARTICLE, quote, fuzzy=True) is None


def test_fuzzy_rejects_a_quote_that_adds_to_a_short_article():
    short = "Syria and Iraq agreed to set up a joint operations centre."
    quote = "Syria and Iraq agreed to set up a joint operations centre, and Jordan will host it in Amman"

    assert find_span(short, quote, fuzzy=True) is None


def test_normalise_folds_quotes_dashes_case_and_whitespace():
    # double quotes and brackets are read as spaces; apostrophes and dashes stay, folded
    assert normalise("  \u201cHe\u2019s\u00a0THERE\u201d \u2013\n now ") == "he's there - now"
    assert normalise("U.S. Central Command (Centcom) said, 43,000") == "u.s. central command centcom said 43,000"


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("Syria joined the coalition.", "Syria", True),
        ("Syrian forces joined the coalition.", "Syria", False),  # a whole word only
        ("officials in SYRIA said", "syria", True),  # after normalisation
        ("Hakan\nFidan said", "Hakan Fidan", True),
        ("Fidanov said", "Fidan", False),
        ("anything", "", False),
    ],
)
def test_mentions_matches_whole_words_only(text, name, expected):
    assert mentions(text, name) is expected


# --- resolve_date --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "published", "expected"),
    [
        ("in March", dt.date(2025, 3, 12), ("2025-03", "publication_date")),
        ("Dec. 8", dt.date(2025, 3, 12), ("2024-12-08", "publication_date")),  # later than 2 months: last year
        ("December 13", dt.date(2024, 12, 14), ("2024-12-13", "publication_date")),
        ("between November 24 and 27", dt.date(2025, 12, 1), ("2025-11-24", "publication_date")),
        ("on 5 May", dt.date(2025, 3, 12), ("2025-05-05", "publication_date")),  # within 2 months: this year
        ("in 2014", None, ("2014", "text")),
        ("in 2014", dt.date(2025, 3, 12), ("2014", "text")),
        ("Tuesday, Feb. 4, 2025", None, ("2025-02-04", "text")),
        ("in March 2019", dt.date(2025, 3, 12), ("2019-03", "text")),
        ("on 2024-06-30", None, ("2024-06-30", "text")),
        ("Sept. 3", dt.date(2025, 9, 10), ("2025-09-03", "publication_date")),
    ],
)
def test_resolve_date(when, published, expected):
    assert resolve_date(when, published) == expected


@pytest.mark.parametrize("when", ["February 4", "in March", "Dec. 8"])
def test_resolve_date_never_invents_a_year(when):
    assert resolve_date(when, None) == (None, None)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("on Monday", "2023-12-18"),  # published on a Tuesday: the Monday before
        ("on Tuesday", "2023-12-19"),  # the day itself
        ("last Tuesday", "2023-12-12"),
        ("next Friday", "2023-12-22"),
        ("yesterday", "2023-12-18"),
        ("last month", "2023-11"),
        ("this year", "2023"),
        ("this week", "2023-12-18/2023-12-24"),  # Monday to Sunday of the week of publication
        ("earlier this week", "2023-12-18/2023-12-24"),
        ("last week", "2023-12-11/2023-12-17"),
        ("next week", "2023-12-25/2023-12-31"),
    ],
)
def test_relative_dates_count_from_the_publication_date(when, expected):
    assert resolve_date(when, dt.date(2023, 12, 19)) == (expected, "publication_date")
    assert resolve_date(when, None) == (None, None)  # no publication date: no date


@pytest.mark.parametrize("when", ["weeks ago", "on Tuesdays", "recently", "in the 1990s"])
def test_resolve_date_without_a_date_gives_nothing(when):
    assert resolve_date(when, dt.date(2025, 3, 12)) == (None, None)


@pytest.mark.parametrize("when", ["next week", "tomorrow"])
def test_a_date_beyond_the_calendar_is_no_date(when):
    assert resolve_date(when, dt.date(9999, 12, 31)) == (None, None)


def test_resolve_date_drops_an_impossible_day_but_keeps_the_month():
    assert resolve_date("June 31", dt.date(2025, 5, 1)) == ("2025-06", "publication_date")


# --- entities ------------------------------------------------------------------------------------


def canonicals(text: str, kind: str | None = None) -> list[str]:
    return [entity.canonical for entity in entities_in(text, kind)]


@pytest.mark.parametrize("written", ["Türkiye", "Turkey", "Turkiye", "the Republic of Turkey"])
def test_every_spelling_of_turkiye_is_one_country(written):
    assert canonicals(f"Officials from {written} said.") == ["Türkiye"]


@pytest.mark.parametrize("written", ["Daesh", "Islamic State", "ISIL", "the IS group", "ISIS", "Da\u2019esh"])
def test_every_name_of_isis_is_isis(written):
    assert canonicals(f"The fight against {written} goes on.") == ["ISIS"]


def test_the_words_is_and_us_never_name_an_entity():
    assert canonicals("This is what it is for us; let us see. Is it? Us too.") == []
    assert canonicals("The US and IS fought.") == ["United States", "ISIS"]


def test_neighbouring_names_stay_distinct():
    assert canonicals("Iran and Iraq met; the SDF and the YPG did not.") == ["Iran", "Iraq", "SDF", "YPG"]


def test_entities_come_in_order_of_first_mention_and_by_kind():
    text = "Daesh fighters fled from Syria to Iraq, then back to Syria; Turkey and NATO watched."

    assert canonicals(text) == ["ISIS", "Syria", "Iraq", "Türkiye", "NATO"]
    assert canonicals(text, "country") == ["Syria", "Iraq", "Türkiye"]
    assert canonicals(text, "organisation") == ["ISIS", "NATO"]


def test_a_country_inside_a_longer_country_name_is_not_named():
    assert canonicals("South Sudan and Papua New Guinea signed.") == ["South Sudan", "Papua New Guinea"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Turkey", "Türkiye"),
        ("turkiye", "Türkiye"),
        ("Daesh", "ISIS"),
        ("Islamic State of Iraq and the Levant", "ISIS"),
        ("U.S.", "United States"),
        ("Syrian Democratic Forces", "SDF"),
        ("Kurdistan Workers\u2019 Party", "PKK"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_canonical_name(name, expected):
    assert canonical_name(name) == expected


def test_names_entity_uses_every_alias():
    assert names_entity("Ankara (Turkey) hosted the talks", "Türkiye")
    assert names_entity("attacks by Daesh cells", "ISIS")
    assert names_entity("Syrian officials attended", "Syria")  # demonyms and capitals from countryinfo
    assert names_entity("Malian and Nigerien troops", "Niger") and names_entity("talks in Niamey", "Niger")
    assert not names_entity("Nigerian troops", "Niger")
    assert not any(e.kind == "country" for e in entities_in("Congolese officials"))  # two Congos: no guess
    assert not names_entity("Iraq attended", "Iran")


def test_person_candidates_cut_titles_and_drop_places():
    text = "Turkish Foreign Minister Hakan Fidan met Syria's interim President Ahmad al-Sharaa in Ankara on Tuesday."

    candidates = person_candidates(text)

    assert "Hakan Fidan" in candidates
    assert "Ahmad al-Sharaa" in candidates
    for not_a_person in ("Syria", "Ankara", "Türkiye", "Foreign Minister", "Turkish Foreign Minister Hakan Fidan"):
        assert not_a_person not in candidates
    assert not any("Minister" in name or "President" in name for name in candidates)


def test_person_candidates_skip_organisations_and_months():
    text = "The Syrian Democratic Forces said in March that the United Nations and Abu Mohammad al-Jolani disagreed."

    candidates = person_candidates(text)

    assert "Abu Mohammad al-Jolani" in candidates
    assert "Syrian Democratic Forces" not in candidates
    assert "United Nations" not in candidates
    assert not any("March" in name for name in candidates)


def test_person_candidates_leave_out_places_vessels_and_undertakings():
    # Invented text: ranks are cut off; seas, capes, operations, ships after "the", bodies are not people.
    text = (
        "Rear Admiral Lena Park said the tanker had crossed the Baltic Sea. Operation Northern Lantern began on "
        "Friday, and the Cape of Fair Winds was closed. The freighter Nordic Dawn waited off the Amber Coast, "
        "and Commodore Ivo Marsh of the Royal Navy said so. Vienna's Harbour Board met; "
        "Finland now that Anna Berg leads it agreed."
    )

    candidates = person_candidates(text)

    assert candidates == ["Lena Park", "Ivo Marsh", "Anna Berg"]


def test_alias_in_gives_the_spelling_used_and_never_a_pronoun():
    from summarise.text.entities import alias_in

    assert alias_in("Officials told us that the US-led coalition met.", "United States") == "US"
    assert alias_in("They told us nothing.", "United States") is None
    assert alias_in("Delegations of Turkiye and Iraq met.", "Türkiye") == "Turkiye"


_ALIASES = [name for entity, _ in matching._entities() for name in entity.names]
_NOISE = ["the", "and", "al", "US", "u.s.", "TÜRKIYE", "türkiye", "Saudi\nArabia", "Islamic  State", "Daesh's"]
_NOISE += ["İRAQ", "\u017fyria", "\u212aurdistan"]  # letters a case-insensitive regex takes for i, s, k


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_ALIASES + _NOISE), st.sampled_from([str, str.upper, str.lower]))))
def test_the_first_word_prefilter_never_changes_which_entities_are_found(words):
    text = " ".join(case(word) for word, case in words) + " ISIS\u2019s"
    found = matching.entities_in(text)
    with patch.object(matching, "_needle", lambda alias: ("", False)):  # every pattern scanned
        assert found == matching.entities_in(text)


def _outside_others_by_every_pair(matches):
    """The rule, written the slow way: a match counts unless a longer match of another entity holds it."""
    for start, end, entity in matches:
        if not any(o is not entity and s <= start and end <= e and e - s > end - start for s, e, o in matches):
            yield start, entity


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_ALIASES + _NOISE), st.sampled_from([str, str.upper, str.lower]))))
def test_the_one_sweep_keeps_the_matches_that_comparing_every_pair_keeps(words):
    text = " ".join(case(word) for word, case in words)
    found = matching.entities_in(text)
    with patch.object(matching, "_outside_others", _outside_others_by_every_pair):
        assert found == matching.entities_in(text)


def test_a_demonym_shared_with_small_territories_names_the_big_country_and_seas_name_no_state():
    # "French" is also Réunion's demonym, "American" the Northern Marianas': it names the country that
    # dwarfs them; between peers ("Congolese") it still names neither.
    assert [e.canonical for e in entities_in("French and American frigates")] == ["France", "United States"]
    assert [e.canonical for e in entities_in("Norwegian and Chinese crews")] == ["Norway", "China"]
    assert not any(e.kind == "country" for e in entities_in("Congolese officials"))
    assert entities_in("ships crossing the Indian Ocean and the South China Sea") == []
    assert [e.canonical for e in entities_in("Indian warships")] == ["India"]


def test_a_state_armed_service_is_the_state_not_another_organisation():
    text = (
        "Ships of the US Navy and the French Air Force joined the Free Syrian Army, the Royal Navy and the "
        "Joint Maritime Force; Iraqi Security Forces stayed home."
    )
    candidates = organisation_candidates(text)
    assert "US Navy" not in candidates and "French Air Force" not in candidates
    assert "Iraqi Security Forces" not in candidates
    assert {"Free Syrian Army", "Royal Navy", "Joint Maritime Force"} <= set(candidates)  # not a state + service
    assert {"United States", "France", "Iraq"} <= {entity.canonical for entity in entities_in(text)}


def test_fuzzy_takes_two_names_of_one_entity_only_from_the_check_it_is_given():
    article = "Officials said the coalition against Daesh will meet again in Amman next month, with four new members."
    quote = "the coalition against ISIS will meet again in Amman next month"

    assert find_span(article, quote, fuzzy=True) is None  # grounding knows no names of its own
    assert find_span(article, quote, fuzzy=True, same_entity=same_entity) == (
        "the coalition against Daesh will meet again in Amman next month"
    )
    other = "the coalition against Iran will meet again in Amman next month"  # another entity: never
    assert find_span(article, other, fuzzy=True, same_entity=same_entity) is None
