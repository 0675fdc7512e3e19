"""Evidence the code takes from the article itself (people, last-resort coalition quotes)."""

from __future__ import annotations

import json

from summarise.articles import article_from_text
from summarise.extract import coalitions_answer, salvage, sentence_naming_members
from summarise.grounding import find_span, sentences
from summarise.llm import RetryPolicy, StructuredClient

from fakes import ScriptedBackend
from test_extract_steps import ARTICLE, Extractor, answering, coalitions

TEXT = (
    "U.S. Central Command (Centcom) said on Dec. 8 that it struck depots. "
    "Delegations of Türkiye, Syria, Iraq and Jordan agreed to launch a joint operations centre. "
    "The five countries will meet again."
)


def test_sentences_do_not_split_after_abbreviations():
    assert sentences(TEXT)[0] == "U.S. Central Command (Centcom) said on Dec. 8 that it struck depots."
    assert len(sentences(TEXT)) == 3


def test_brackets_do_not_hide_a_quote_and_the_span_keeps_them_balanced():
    assert find_span(TEXT, "Centcom said on Dec. 8 that it struck depots") == (
        "(Centcom) said on Dec. 8 that it struck depots"
    )


def test_people_evidence_is_the_sentence_that_names_them_with_their_role():
    article = article_from_text(ARTICLE, "story.md")
    people = {"people": [{"name": "Hakan Fidan", "role": "Chief Negotiator", "affiliation": None}]}
    backend = ScriptedBackend(function=answering(people=people))
    client = StructuredClient(backend, policy=RetryPolicy(sleep=lambda seconds: None))

    brief = Extractor(client).extract(article)

    [person] = brief.people
    assert person.evidence in article.text and "Hakan Fidan" in person.evidence
    assert person.role is None  # no sentence of the article gives him that role


def test_paraphrased_coalition_quotes_fall_back_to_the_sentence_naming_the_members():
    members = ["Türkiye", "Syria", "Iraq", "Jordan"]
    model = coalitions_answer(members, [])
    paraphrase = "The four countries agreed to build a joint centre together."  # not in the text
    answer = coalitions(
        members, members_evidence=paraphrase, evidence=paraphrase, target=None, objectives=[], mechanisms=[]
    )
    context = {"article_text": TEXT, "salvage": True, "dropped": [], "notes": []}

    value, dropped = salvage(model, json.dumps(answer), context)

    [coalition] = value.coalitions
    assert coalition.evidence == find_span(TEXT, sentence_naming_members(TEXT, members))
    assert coalition.evidence.startswith("Delegations of Türkiye, Syria, Iraq and Jordan")
    assert coalition.members == members and dropped == []
    assert context["notes"] and "not in the article" in context["notes"][0]


def test_no_fallback_sentence_without_two_members_and_a_coalition_word():
    assert sentence_naming_members(TEXT, ["Lebanon", "Egypt"]) is None
    assert sentence_naming_members("Syria and Iraq held talks.", ["Syria", "Iraq"]) is None


GLOBAL = (
    "CENTCOM said it worked with Syria's Interior Ministry to destroy weapons depots. "
    "It was the first joint operation since Syria became a member of the US-led Global Coalition to Defeat ISIS."
)


def test_a_coalition_quote_that_describes_no_coalition_falls_back_with_its_leader_counted():
    model = coalitions_answer(["CENTCOM", "Syria", "United States"], [])
    answer = coalitions(
        ["Syria"],
        members_evidence="Syria's Interior Ministry",
        evidence="CENTCOM said it worked with Syria's Interior Ministry to destroy weapons depots",
        name="CENTCOM",
        kind="international",
        target=None,
        led_by="United States",
        objectives=[],
        mechanisms=[],
    )
    context = {"article_text": GLOBAL, "salvage": True, "dropped": [], "notes": []}

    value, _ = salvage(model, json.dumps(answer), context)

    [coalition] = value.coalitions
    assert coalition.evidence.startswith("It was the first joint operation since Syria became a member")


def test_a_national_command_stands_for_its_country_as_a_member():
    from types import SimpleNamespace

    from summarise.extract import _members, _named_leader

    draft = SimpleNamespace(
        members=["Syria"], led_by="CENTCOM", members_evidence=None,
        evidence="CENTCOM said it worked with Syria's Interior Ministry to destroy weapons depots",
        status="member",
    )
    members = _members(draft, _named_leader(draft))
    assert [(m.name, m.name_as_written, m.role) for m in members] == [
        ("United States", "CENTCOM", "leader"),
        ("Syria", "Syria", None),
    ]
