"""The model points at numbered sentences, the code quotes them: evidence is always the article's own words.

The articles and answers here are written for these tests (an invented fisheries pact); the
answers are scripted dictionaries, validated the way extraction validates a model's answer.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from summarise.answers import ClaimsAnswer, coalitions_answer, events_answer, figures_answer, grounding_context
from summarise.articles import article_from_text
from summarise.extract import salvage
from summarise.grounding import NUMBERED_MAX_CHARS, numbered_sentences, numbered_text, quoted_words
from summarise.numbers import number_in, numbers_in, states_number, written_number, written_numbers
from summarise.support import number_candidates, time_candidates

TEXT = """Norway, Iceland and the Faroe Islands signed a fisheries pact in Tromsø on Tuesday.
The three governments will run a joint patrol force of twenty-one vessels.
"We will guard the cod together," said Ingrid Dahl, Norway's fisheries minister.
Denmark was invited but has not joined."""
ARTICLE = article_from_text(TEXT, "pact.txt")
CONTEXT = grounding_context(ARTICLE.text, ARTICLE.published)
NAMES = ["Norway", "Iceland", "Faroe Islands", "Denmark"]


def coalition(**changes):
    return {
        "name": "fisheries pact",
        "kind": "regional",
        "target": None,
        "led_by": None,
        "members": ["Norway", "Iceland", "Faroe Islands"],
        "status": "member",
        "member_count_stated": None,
        "sentence": 1,
        "objectives": [],
        "mechanisms": [{"text": "joint patrol force", "sentence": 2}],
        **changes,
    }


def validate(model, data, context=CONTEXT):
    return model.model_validate(data, context=context)


def test_sentences_are_numbered_from_one_and_shown_one_a_line():
    numbered = numbered_sentences(ARTICLE.text)
    assert numbered[0].startswith("Norway, Iceland") and numbered[3].startswith("Denmark")
    shown = numbered_text(numbered)
    assert shown.splitlines()[1] == f"[2] {numbered[1]}"


def test_a_long_sentence_is_cut_into_pieces_that_fit_evidence():
    clause = "the ministers of the northern states discussed quotas, patrols and harbour fees"
    sentence = "; ".join([clause] * 12) + "."
    pieces = numbered_sentences(sentence)
    assert len(pieces) > 1 and all(len(piece) <= NUMBERED_MAX_CHARS for piece in pieces)
    assert " ".join(pieces).replace("; ", " ").split() == sentence.replace("; ", " ").split()


def test_the_code_quotes_the_cited_sentences():
    model = coalitions_answer(NAMES, NAMES)
    answer = validate(model, {"coalitions": [coalition()]})
    draft = answer.coalitions[0]
    sentences = numbered_sentences(ARTICLE.text)
    assert draft.evidence == sentences[0] and draft.members_evidence == sentences[0]
    assert draft.mechanisms[0].evidence == sentences[1]
    assert "evidence" not in model.model_json_schema()["$defs"]["CoalitionDraft"]["properties"]


def test_a_member_its_sentences_do_not_name_is_reasked_with_the_reason():
    model = coalitions_answer(NAMES, NAMES)
    with pytest.raises(ValidationError, match="does not name Denmark"):
        validate(model, {"coalitions": [coalition(members=["Norway", "Denmark"])]})


def test_salvage_drops_only_the_unsupported_member():
    model = coalitions_answer(NAMES, NAMES)
    content = '{"coalitions": [' + _json(coalition(members=["Norway", "Denmark"])) + "]}"
    kept, dropped = salvage(model, content, {**CONTEXT, "salvage": True, "dropped": [], "notes": []})
    assert kept is not None and kept.coalitions[0].members == ["Norway"]
    assert any("Denmark" in item for item in dropped)


def test_a_pointer_off_the_mark_is_moved_to_the_sentence_naming_the_members():
    model = coalitions_answer(NAMES, NAMES)
    answer = validate(model, {"coalitions": [coalition(sentence=9)]})
    draft = answer.coalitions[0]
    assert (draft.sentence, draft.members_sentence) == (1, 1)
    assert draft.evidence == draft.members_evidence == numbered_sentences(ARTICLE.text)[0]
    assert "members_sentence" not in model.model_json_schema()["$defs"]["CoalitionDraft"]["properties"]


def test_a_statement_no_sentence_makes_is_reasked():
    model = coalitions_answer(NAMES, NAMES)
    invented = coalition(objectives=[{"sentence": 9, "text": "harvest the moon for whales"}])
    with pytest.raises(ValidationError, match="no sentence of the article states"):
        validate(model, {"coalitions": [invented]})


def test_the_article_offers_its_own_times_and_numbers():
    numbered = numbered_sentences(ARTICLE.text)
    assert time_candidates(numbered) == ["on Tuesday"]
    assert number_candidates(numbered) == ["three", "twenty-one"]


def test_an_event_is_one_of_the_article_times_and_the_code_finds_its_sentence():
    events = events_answer(time_candidates(numbered_sentences(ARTICLE.text)))
    answer = validate(events, {"events": [{"when": "on Tuesday", "what": "the pact is signed"}]})
    [event] = answer.events
    assert (event.sentence, event.evidence) == (1, numbered_sentences(ARTICLE.text)[0])
    with pytest.raises(ValidationError):  # a time the article never writes is not a value the schema allows
        validate(events, {"events": [{"when": "in 1990", "what": "x"}]})
    schema = events.model_json_schema()["$defs"]["EventDraft"]["properties"]
    assert "sentence" not in schema and schema["when"].get("enum", [schema["when"].get("const")]) == ["on Tuesday"]


def test_a_figure_is_one_of_the_article_numbers_with_its_wording_and_qualifier():
    text = "The fleet will grow to more than 40 ships. It has twenty-one vessels today, officials said."
    figures = figures_answer(number_candidates(numbered_sentences(text)))
    context = grounding_context(text)
    answer = validate(figures, {"figures": [{"number": "40", "unit": "ships", "what": "ships planned"}]}, context)
    [figure] = answer.figures
    assert (figure.sentence, figure.value, figure.value_as_written, figure.qualifier) == (1, 40, "40", "more_than")
    words = validate(figures, {"figures": [{"number": "twenty-one", "unit": "vessels", "what": "vessels"}]}, context)
    assert (words.figures[0].value, words.figures[0].qualifier) == (21, "exact")
    with pytest.raises(ValidationError):
        validate(figures, {"figures": [{"number": "55", "unit": None, "what": "x"}]}, context)


def test_a_stated_count_in_words_is_found_in_the_cited_sentence():
    model = coalitions_answer(NAMES, NAMES)
    answer = validate(model, {"coalitions": [coalition(member_count_stated=3)]})
    assert answer.coalitions[0].member_count_stated == 3
    with pytest.raises(ValidationError, match="member_count_stated is 5"):
        validate(model, {"coalitions": [coalition(member_count_stated=5)]})
    assert "sentence" not in model.model_json_schema()["$defs"]["CoalitionDraft"]["required"][:5]  # content first


def test_a_quote_is_the_quoted_words_of_the_cited_sentence():
    answer = validate(ClaimsAnswer, {"claims": [], "quotes": [{"speaker": "Ingrid Dahl", "sentence": 3}]})
    assert answer.quotes[0].text == "We will guard the cod together"
    moved = validate(ClaimsAnswer, {"claims": [], "quotes": [{"speaker": "Ingrid Dahl", "sentence": 2}]})
    assert moved.quotes[0].sentence == 3
    with pytest.raises(ValidationError, match="with 'Lars Berg' named next to them"):
        validate(ClaimsAnswer, {"claims": [], "quotes": [{"speaker": "Lars Berg", "sentence": 3}]})


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("\u201cWe stay,\u201d she said.", "We stay"),
        ('He said "no deal" twice.', "no deal"),
        ("\u201cThe first sentence of a long quote.", "The first sentence of a long quote."),
        ("the last one,\u201d he added.", "the last one"),
        ("No quotation here.", None),
    ],
)
def test_quoted_words(sentence, expected):
    assert quoted_words(sentence) == expected


@pytest.mark.parametrize(
    ("text", "number", "states"),
    [
        ("more than 43,000 people", 43000, True),
        ("twenty-one vessels", 21, True),
        ("three hundred and forty two ships", 342, True),
        ("2.5 million barrels", 2_500_000, True),
        ("a dozen frigates", 12, True),
        ("the four governments", 4, True),
        ("the four governments", 5, False),
        ("in 2019", 19, False),
    ],
)
def test_numbers_in_digits_and_words(text, number, states):
    assert states_number(text, number) is states


def test_numbers_written_in_a_sentence():
    text = "More than 43,000 people from 47 countries; three hundred and forty two ships on March 3, 2024."
    assert [text[a:b] for a, b in written_numbers(text)] == ["43,000", "47", "three hundred and forty two", "3", "2024"]
    assert written_numbers("tens of thousands fled") == []  # a vague amount is no figure


def test_numbers_read_and_written():
    assert numbers_in("from 47 countries, more than 43,000 people") == [47, 43000]
    assert number_in("no number here") is None
    assert written_number("a patrol force of twenty-one vessels", 21) == "twenty-one"
    assert written_number("more than 43,000 detainees", 43000) == "43,000"
    assert written_number("nothing", 3) is None


def _json(data) -> str:
    import json

    return json.dumps(data)
