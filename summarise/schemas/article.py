"""The brief of one article: its coalitions, people, events, figures, claims and quotes, each grounded.

Every fact is a :class:`~summarise.schemas.fields.Grounded` model whose evidence is checked against
the article when a validation context gives its text. ``schemas/article_brief.schema.json`` is
generated from :class:`ArticleBrief`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from summarise.schemas.fields import Grounded, LongText, PartialDate, ShortText, check_evidence


class ArticleRef(BaseModel):
    """Which article a brief was extracted from."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Content hash of the cleaned article text (16 hex digits).")
    source: str = Field(description="Where the article was read from: path, '<stdin>' or 'file.jsonl:LINE'.")
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: dt.date | None = None


#: Where a state or body stands towards a coalition, as one source says: a member, or one of the
#: statuses analysts follow (joining, invited, declined, withdrawn or left, suspended, observer or partner).
MemberStatus = Literal["member", "joining", "invited", "declined", "withdrawn", "suspended", "observer"]
#: The statuses that put a state or body in a coalition; the others say it is not, or no longer, in it.
IN_COALITION: frozenset[str] = frozenset(("member", "joining"))
#: The statuses of earlier versions, read as today's (a brief saved by an older summarise stays readable).
_OLD_STATUSES = {"prospective": "joining", "former": "withdrawn", "unclear": "member"}


class CoalitionMember(Grounded):
    """A country or organisation the article places in a coalition, or says stands in another relation to it."""

    name: ShortText = Field(description="Canonical name of the country or organisation.")
    name_as_written: ShortText | None = Field(default=None, description="The spelling the article uses.")
    role: ShortText | None = Field(default=None, description="e.g. leader, host, partner.")
    status: MemberStatus = Field(default="member", description="What the evidence says it is: member, or a status.")
    status_date: PartialDate | None = Field(default=None, description="The date the status's sentence gives.")

    @field_validator("status", mode="before")
    @classmethod
    def _read_old_statuses(cls, value: object) -> object:
        return _OLD_STATUSES.get(value, value) if isinstance(value, str) else value


class Statement(Grounded):
    """An objective or mechanism stated in the article."""

    text: LongText


CoalitionKind = Literal["regional", "international", "bilateral", "other"]


class Coalition(Grounded):
    """A coalition as one article describes it."""

    name: ShortText = Field(description="The coalition's name or description as written.")
    kind: CoalitionKind = "other"
    target: ShortText | None = Field(default=None, description="Canonical name of the organisation it fights.")
    led_by: ShortText | None = None
    #: As many as a stated member count can be (real coalitions reach 90): the model lists up to 15 and the
    #: code completes the rest from the sentence listing them, so a lower cap lost whole articles.
    members: list[CoalitionMember] = Field(default_factory=list, max_length=200)
    member_count_stated: int | None = Field(
        default=None, ge=1, le=200, description="A member count the article states in words or digits."
    )
    objectives: list[Statement] = Field(default_factory=list, max_length=6)
    mechanisms: list[Statement] = Field(default_factory=list, max_length=6)


class Person(Grounded):
    """A person named in the article."""

    name: ShortText = Field(description="The name exactly as the article writes it.")
    role: ShortText | None = None
    affiliation: ShortText | None = Field(default=None, description="Country or organisation.")


DateBasis = Literal["text", "publication_date"]


class Event(Grounded):
    """Something that happened or is planned, with the text's own wording of when."""

    when_text: ShortText = Field(description="The article's own words for the date, e.g. 'in March'.")
    date: PartialDate | None = Field(default=None, description="Normalised date, only where it can be told.")
    date_basis: DateBasis | None = Field(
        default=None,
        description="'text' if the text states the year, 'publication_date' if the year was taken from it.",
    )
    description: LongText


FigureQualifier = Literal["exact", "more_than", "less_than", "about", "up_to", "at_least"]


class Figure(Grounded):
    """A reported number."""

    value: float
    value_as_written: ShortText
    unit: ShortText | None = Field(default=None, description="What is counted, e.g. 'detainees'.")
    what: LongText = Field(description="What the number measures.")
    qualifier: FigureQualifier = "exact"


class Claim(Grounded):
    """A position or claim and who holds it."""

    holder: ShortText
    claim: LongText


class Quote(Grounded):
    """A verbatim quotation and its speaker."""

    speaker: ShortText
    text: LongText = Field(description="The quoted words, verbatim.")

    @field_validator("text")
    @classmethod
    def _quote_in_article(cls, value: str, info: ValidationInfo) -> str:
        return check_evidence(value, info)


class Usage(BaseModel):
    """Tokens and calls spent on one article, every attempt included."""

    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    reasks: int = 0
    transport_retries: int = 0
    cached: bool = False

    def add(self, other: Usage) -> None:
        """Add another usage record to this one."""
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.calls += other.calls
        self.reasks += other.reasks
        self.transport_retries += other.transport_retries


class ExtractionInfo(BaseModel):
    """How a brief was produced."""

    model_config = ConfigDict(extra="forbid")

    backend: str
    model: str
    prompt_hash: str
    seconds: float = 0.0
    usage: Usage = Field(default_factory=Usage)
    failed_steps: list[str] = Field(
        default_factory=list,
        description="Questions whose answers never validated and left nothing usable: the brief is incomplete.",
    )
    dropped_facts: list[str] = Field(
        default_factory=list,
        description="Facts the model gave that failed grounding after every reask, and were left out.",
    )
    warnings: list[str] = Field(default_factory=list)


class ArticleBrief(BaseModel):
    """Everything one article says about the story, each fact with its evidence."""

    model_config = ConfigDict(extra="forbid")

    article: ArticleRef
    on_topic: bool | None = Field(description="Whether the article is about the story; null if that could not be told.")
    subject: str | None = Field(default=None, max_length=200, description="What the model says the article is about.")
    topic_evidence: str | None = None
    coalitions: list[Coalition] = Field(default_factory=list, max_length=6)
    people: list[Person] = Field(default_factory=list, max_length=20)
    events: list[Event] = Field(default_factory=list, max_length=20)
    figures: list[Figure] = Field(default_factory=list, max_length=20)
    claims: list[Claim] = Field(default_factory=list, max_length=12)
    quotes: list[Quote] = Field(default_factory=list, max_length=10)
    extraction: ExtractionInfo | None = None

    def facts(self) -> list[Grounded]:
        """Every grounded fact of the brief, nested ones included."""
        found: list[Grounded] = []
        for coalition in self.coalitions:
            found += [coalition, *coalition.members, *coalition.objectives, *coalition.mechanisms]
        return [*found, *self.people, *self.events, *self.figures, *self.claims, *self.quotes]


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def text_states_year(when_text: str) -> bool:
    """Whether the wording of a date contains a four-digit year."""
    return _YEAR.search(when_text) is not None
