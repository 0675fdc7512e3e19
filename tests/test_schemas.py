"""The data contract: the committed JSON Schema, grounding, and the list caps."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from summarise.schemas import (
    ArticleBrief,
    ArticleRef,
    Coalition,
    CoalitionMember,
    Event,
    Figure,
    Person,
    Quote,
    Statement,
    json_schema_of,
    text_states_year,
)

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "article_brief.schema.json"

TEXT = (
    "Foreign ministers from Turkey, Syria, Iraq and Jordan agreed to set up a joint operations "
    "centre against Daesh. \u201cWe will not let them regroup,\u201d Hakan Fidan said."
)
CONTEXT = {"article_text": TEXT}


def brief() -> ArticleBrief:
    return ArticleBrief(
        article=ArticleRef(id="0123456789abcdef", source="story.txt", published=dt.date(2025, 3, 12)),
        on_topic=True,
        coalitions=[
            Coalition(
                evidence="agreed to set up a joint operations centre against Daesh",
                name="joint operations centre",
                kind="regional",
                target="ISIS",
                members=[CoalitionMember(evidence="Foreign ministers from Turkey", name="Türkiye")],
                objectives=[Statement(evidence="joint operations centre against Daesh", text="fight ISIS")],
                mechanisms=[Statement(evidence="a joint operations centre", text="joint operations centre")],
            )
        ],
        people=[Person(evidence="Hakan Fidan said", name="Hakan Fidan")],
        events=[Event(evidence="agreed to set up", when_text="in March", date="2025-03", description="agreed")],
        figures=[Figure(evidence="Turkey, Syria, Iraq and Jordan", value=4, value_as_written="four", what="members")],
        quotes=[
            Quote(evidence="We will not let them regroup", speaker="Hakan Fidan", text="We will not let them regroup")
        ],
    )


def test_the_committed_schema_matches_the_models():
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

    assert committed == json_schema_of(ArticleBrief), (
        f"{SCHEMA_FILE.name} is out of date with summarise/schemas/: run `summarise schema --write`"
    )


def test_a_brief_validates_against_the_committed_schema():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)

    jsonschema.validate(brief().model_dump(mode="json"), schema, cls=jsonschema.Draft202012Validator)

    broken = brief().model_dump(mode="json")
    broken["events"][0]["date"] = "March 2025"
    with pytest.raises(jsonschema.ValidationError, match="does not match"):
        jsonschema.validate(broken, schema, cls=jsonschema.Draft202012Validator)


# --- grounding -----------------------------------------------------------------------------------


def test_evidence_outside_the_article_fails_with_context():
    with pytest.raises(ValidationError) as caught:
        Person.model_validate({"evidence": "Hakan Fidan said on Monday", "name": "Hakan Fidan"}, context=CONTEXT)

    [error] = caught.value.errors()
    assert error["loc"] == ("evidence",)
    assert "not a verbatim span of the article" in error["msg"]


def test_evidence_is_replaced_by_the_articles_characters():
    person = Person.model_validate(
        {"evidence": '"we will not let them regroup," hakan fidan said', "name": "Hakan Fidan"}, context=CONTEXT
    )

    assert person.evidence == "We will not let them regroup,\u201d Hakan Fidan said"
    assert person.evidence in TEXT


def test_without_context_evidence_is_not_checked():
    person = Person.model_validate({"evidence": "a sentence from some other article", "name": "Hakan Fidan"})

    assert person.evidence == "a sentence from some other article"


def test_a_quote_must_be_verbatim_too():
    with pytest.raises(ValidationError) as caught:
        Quote.model_validate(
            {"evidence": "We will not let them regroup", "speaker": "Fidan", "text": "We shall not let them regroup"},
            context=CONTEXT,
        )

    assert [error["loc"] for error in caught.value.errors()] == [("text",)]


def test_a_saved_brief_reloads_without_the_article():
    saved = brief().model_dump_json()

    assert ArticleBrief.model_validate_json(saved) == brief()


def test_a_saved_brief_is_checked_against_its_article():
    data = brief().model_dump(mode="json")

    ArticleBrief.model_validate(data, context=CONTEXT)
    data["people"][0]["evidence"] = "Hakan Fidan resigned"
    with pytest.raises(ValidationError, match="not a verbatim span"):
        ArticleBrief.model_validate(data, context=CONTEXT)


# --- shape ---------------------------------------------------------------------------------------


def test_list_caps_reject_an_over_long_list():
    member = {"evidence": "Foreign ministers from Turkey", "name": "Türkiye"}
    coalition = {"evidence": "a joint operations centre", "name": "centre"}

    Coalition.model_validate({**coalition, "members": [member] * 200})  # as large as a stated count can be
    with pytest.raises(ValidationError, match="at most 200 items"):
        Coalition.model_validate({**coalition, "members": [member] * 201})
    with pytest.raises(ValidationError, match="at most 6 items"):
        ArticleBrief.model_validate(
            {"article": {"id": "x", "source": "s"}, "on_topic": True, "coalitions": [coalition] * 7}
        )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"evidence": "too short", "name": ""}, "name"),
        ({"evidence": "short", "name": "Hakan Fidan"}, "evidence"),
        ({"evidence": "x" * 401, "name": "Hakan Fidan"}, "evidence"),
        ({"evidence": "Hakan Fidan said", "name": "Hakan Fidan", "age": 57}, "age"),
    ],
)
def test_facts_reject_bad_fields(payload, field):
    with pytest.raises(ValidationError) as caught:
        Person.model_validate(payload)

    assert field in {error["loc"][0] for error in caught.value.errors()}


@pytest.mark.parametrize("date", ["2025", "2025-03", "2025-03-12"])
def test_partial_dates_are_accepted(date):
    assert Event(evidence="agreed to set up", when_text="x", date=date, description="d").date == date


@pytest.mark.parametrize("date", ["25-03", "2025-3", "March 2025", "2025-03-12T10:00"])
def test_other_date_forms_are_rejected(date):
    with pytest.raises(ValidationError):
        Event(evidence="agreed to set up", when_text="x", date=date, description="d")


def test_facts_returns_nested_facts():
    the_brief = brief()
    coalition = the_brief.coalitions[0]

    facts = the_brief.facts()

    assert facts == [
        coalition,
        *coalition.members,
        *coalition.objectives,
        *coalition.mechanisms,
        *the_brief.people,
        *the_brief.events,
        *the_brief.figures,
        *the_brief.quotes,
    ]
    assert len(facts) == 8


@pytest.mark.parametrize(("when", "expected"), [("in March 2025", True), ("in 1999", True), ("in March", False)])
def test_text_states_year(when, expected):
    assert text_states_year(when) is expected
