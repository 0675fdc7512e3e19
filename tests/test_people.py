"""People read by the code from the article's names and titles (``summarise/reading/people.py``).

The sentences are invented for these tests (a fisheries council of made-up people).
"""

from __future__ import annotations

from summarise.reading.people import MAX_PEOPLE, people_in
from summarise.text.grounding import numbered_sentences

TEXT = (
    "Norwegian Fisheries Minister Ingrid Dahl opened the talks in Port Halden on Tuesday. "
    "The council will be chaired by Olav Brekke, the former head of the coast guard. "
    "\u201cWe share one sea,\u201d said Maren Solheim. "
    "Delegates stayed at the Grand Vesterhavn in Port Halden. "
    "Tomas Lind arrived late; Lind had come from Reykjavik. "
    "A plaque honours Karl Andersen."
)


def read() -> dict[str, tuple[str | None, str | None]]:
    return {p.name: (p.role, p.affiliation) for p in people_in(numbered_sentences(TEXT))}


def test_a_title_before_the_name_is_the_role_and_its_demonym_the_affiliation():
    assert read()["Ingrid Dahl"] == ("Fisheries Minister", "Norway")


def test_a_role_set_off_by_commas_after_the_name_is_the_role():
    assert read()["Olav Brekke"] == ("former head of the coast guard", None)


def test_a_speaker_or_a_surname_used_again_is_a_person_with_no_role_given():
    people = read()
    assert people["Maren Solheim"] == (None, None)  # "said Maren Solheim"
    assert people["Tomas Lind"] == (None, None)  # "Lind had come from ..."


def test_a_capitalised_name_news_does_not_treat_as_a_person_is_left_out():
    people = read()
    assert "Port Halden" not in people and "Grand Vesterhavn" not in people  # places: no title, words or surname
    assert "Karl Andersen" not in people  # named once, with no title and no words: not told apart from a place
    assert list(people) == ["Ingrid Dahl", "Olav Brekke", "Maren Solheim", "Tomas Lind"]  # the article's order


def test_the_evidence_is_the_sentence_giving_the_role():
    sentences = numbered_sentences(TEXT)
    [dahl] = [p for p in people_in(sentences) if p.name == "Ingrid Dahl"]
    assert dahl.sentence == sentences[0]


def test_at_most_max_people_are_read():
    many = " ".join(f"Minister Anna Berg{n}son spoke." for n in range(MAX_PEOPLE + 3))
    assert len(people_in(numbered_sentences(many))) == MAX_PEOPLE


def test_describing_words_between_a_country_and_a_title_belong_to_the_role():
    text = "The talks were opened by Norway's new fisheries minister, Ingrid Dahl, in Port Halden."
    [dahl] = people_in(numbered_sentences(text))
    assert (dahl.name, dahl.role, dahl.affiliation) == ("Ingrid Dahl", "new fisheries minister", "Norway")
