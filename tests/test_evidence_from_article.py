"""Evidence the code takes from the article itself (people)."""

from __future__ import annotations

from summarise.articles import article_from_text
from summarise.grounding import find_span, sentences
from summarise.llm import RetryPolicy, StructuredClient

from fakes import ScriptedBackend
from test_extract_steps import ARTICLE, Extractor, answering

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
