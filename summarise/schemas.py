"""The data contract: Pydantic models of a per-article brief.

This module imports nothing else of the package except the pure text helpers of
:mod:`summarise.grounding`; every other stage imports it. The JSON Schema export
(``schemas/article_brief.schema.json``) is generated from these models by
``summarise schema --write`` and a test fails if it drifts.

Grounding: every fact carries ``evidence``, a verbatim span of the article. When a
model is validated with ``context={"article_text": ...}`` (as extraction does) the
evidence must occur in that text, compared after
normalising whitespace, quote marks and case (a long quote may differ by a few
characters, see :func:`summarise.grounding.find_span`), and is replaced by the
article's own characters. Without that context (loading a saved brief) the check is skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from summarise.grounding import addresses_a_model, find_span

EVIDENCE_MAX_CHARS = 400
Evidence = Annotated[
    str,
    Field(
        min_length=8,
        max_length=EVIDENCE_MAX_CHARS,
        description="A verbatim span copied from the article that states this fact.",
    ),
]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=500)]
PartialDate = Annotated[
    str,
    Field(
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$|^\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}$",
        description="ISO date, as precise as the text allows: YYYY, YYYY-MM, YYYY-MM-DD, or a range of days "
        'YYYY-MM-DD/YYYY-MM-DD ("this week").',
    ),
]


_VALIDATION_CONTEXT: ContextVar[dict[str, Any] | None] = ContextVar("summarise_validation_context", default=None)


def validation_context(info: ValidationInfo) -> dict[str, Any]:
    """The context a validator works with: the one given to ``model_validate``, else the current call's."""
    return info.context or _VALIDATION_CONTEXT.get() or {}


@contextmanager
def using_validation_context(context: dict[str, Any] | None) -> Iterator[None]:
    """Make ``context`` the validation context of everything validated in this thread meanwhile."""
    token = _VALIDATION_CONTEXT.set(context)
    try:
        yield
    finally:
        _VALIDATION_CONTEXT.reset(token)


def check_evidence(value: str, info: ValidationInfo) -> str:
    """Replace ``value`` by the article's own span, or fail if the article lacks it."""
    context = validation_context(info)
    article_text = context.get("article_text")
    if article_text is None:
        return value
    span = (
        value
        if value in article_text  # exact words stay
        else find_span(article_text, value, fuzzy=True, same_entity=context.get("same_entity"))
    )
    if span is not None and addresses_a_model(_sentence_around(article_text, span)):
        raise ValueError(
            "this evidence is an instruction to a language model written into the article, not reporting: "
            "it supports no fact; use only sentences that report what happened"
        )
    if span is None:
        raise ValueError(
            "this evidence is not a verbatim span of the article; copy the exact words "
            f"of the article that state the fact: {value[:120]!r}"
        )
    return span


def _sentence_around(text: str, span: str) -> str:
    """The span with the rest of its sentence(s) in ``text`` (an injected order may sit beside the span)."""
    start = text.find(span)
    if start < 0:
        return span
    left = max(text.rfind(mark, 0, start) for mark in (".", "!", "?", "\n"))
    ends = [i for i in (text.find(mark, start + len(span)) for mark in (".", "!", "?", "\n")) if i >= 0]
    return text[left + 1 : min(ends) if ends else len(text)]


class Grounded(BaseModel):
    """A fact with the article span that states it."""

    model_config = ConfigDict(extra="forbid")

    evidence: Evidence

    @field_validator("evidence")
    @classmethod
    def _evidence_in_article(cls, value: str, info: ValidationInfo) -> str:
        return check_evidence(value, info)


class ArticleRef(BaseModel):
    """Which article a brief was extracted from."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Content hash of the cleaned article text (16 hex digits).")
    source: str = Field(description="Where the article was read from: path, '<stdin>' or 'file.jsonl:LINE'.")
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: dt.date | None = None


MemberStatus = Literal["member", "prospective", "former", "unclear"]


class CoalitionMember(Grounded):
    """A country or organisation the article places in a coalition."""

    name: ShortText = Field(description="Canonical name of the country or organisation.")
    name_as_written: ShortText | None = Field(default=None, description="The spelling the article uses.")
    role: ShortText | None = Field(default=None, description="e.g. leader, host, partner.")
    status: MemberStatus = "member"


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
    members: list[CoalitionMember] = Field(default_factory=list, max_length=16)
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


def first_problem(error: ValidationError, where_empty: str = "") -> str:
    """The first error of a validation as ``location: message`` (``where_empty`` names an empty location)."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or where_empty
    return f"{where}: {first['msg']}" if where else first["msg"]


def json_schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of ``model`` as exported to ``schemas/``."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def text_states_year(when_text: str) -> bool:
    """Whether the wording of a date contains a four-digit year."""
    return _YEAR.search(when_text) is not None


# --- The merged brief -------------------------------------------------------------------------
#
# A CoalitionBrief is built from many ArticleBriefs by :mod:`summarise.merge` with no model.
# Facts point at sources by article id; every source backing a fact is a ``Support`` carrying
# that source's own evidence span, so each line of the brief can be checked against its articles.

AgreementStatus = Literal["agreed", "single_source", "conflict"]
ConflictKind = Literal["member_list", "member_count", "leader", "date", "figure", "name_spelling", "claim"]


class Support(BaseModel):
    """One source's backing for a fact: which article, and the words of that article that state it."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="The id of the article (see CoalitionBrief.sources).")
    evidence: str = Field(description="The verbatim span of that article that states the fact.")
    as_written: str | None = Field(
        default=None, description="How this source writes the name, value or date, where that differs by source."
    )


class Sourced(BaseModel):
    """A merged fact with its supports and corroboration."""

    model_config = ConfigDict(extra="forbid")

    supports: list[Support] = Field(min_length=1)
    outlets: int = Field(
        ge=1,
        description="Corroboration: distinct outlets among the supporting sources; copies of one story count once.",
    )

    @property
    def source_ids(self) -> list[str]:
        """The supporting sources' ids, each once, in order."""
        return list(dict.fromkeys(support.source for support in self.supports))


class Attributed(BaseModel):
    """A value some sources give (a role, a spelling, a date's wording) with those sources."""

    model_config = ConfigDict(extra="forbid")

    value: str
    sources: list[str] = Field(min_length=1)


class Source(BaseModel):
    """One article that went into the brief."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(description="Short label used by renderers: S1, S2, ... in order of publication.")
    id: str = Field(description="Content hash of the cleaned article text.")
    source: str = Field(description="Where the article was read from.")
    also_at: list[str] = Field(default_factory=list, description="Other inputs with the very same text.")
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: dt.date | None = None
    on_topic: bool | None = Field(description="false: the article is not about the story and contributes nothing.")
    counted_with: str | None = Field(
        default=None,
        description="Id of an earlier source from the same outlet or a copy of the same story: they count as one.",
    )
    facts: int = Field(default=0, description="How many facts of this article's brief were merged.")
    incomplete: list[str] = Field(
        default_factory=list, description="Extraction questions that failed for this article: its brief is partial."
    )


class MergedMember(Sourced):
    """A country or organisation in a coalition, with who lists it and whether sources agree."""

    name: str = Field(description="Canonical name from the alias tables.")
    status: AgreementStatus = Field(
        description="agreed: 2+ outlets list it and none omits it; single_source: one outlet; "
        "conflict: a source that enumerates the coalition's members leaves it out."
    )
    membership: list[MemberStatus] = Field(description="What the sources say: member, prospective, former, unclear.")
    roles: list[Attributed] = Field(default_factory=list)
    omitted_by: list[str] = Field(
        default_factory=list, description="Sources that enumerate this coalition's members without this one."
    )


class StatedCount(Sourced):
    """A member count a source states in words or digits."""

    value: int


class MergedStatement(Sourced):
    """An objective or mechanism of a coalition."""

    text: str


class MergedCoalition(Sourced):
    """One coalition, however many sources describe it."""

    id: str = Field(description="C1, C2, ...")
    name: str
    names_seen: list[Attributed] = Field(description="The names or descriptions the sources use.")
    kind: CoalitionKind
    target: str | None = None
    led_by: str | None = None
    members: list[MergedMember] = Field(default_factory=list)
    stated_counts: list[StatedCount] = Field(default_factory=list)
    objectives: list[MergedStatement] = Field(default_factory=list)
    mechanisms: list[MergedStatement] = Field(default_factory=list)


class MergedPerson(Sourced):
    """A person, under one canonical name, with every spelling the sources use."""

    name: str = Field(description="The spelling most sources use.")
    variants: list[Attributed] = Field(description="Every spelling seen, the canonical one included.")
    roles: list[Attributed] = Field(default_factory=list)
    affiliations: list[Attributed] = Field(default_factory=list)
    merged_because: list[str] = Field(
        default_factory=list, description="Why differently spelled names were taken for this one person."
    )


class TimelineEntry(Sourced):
    """One event, with every source that reports it."""

    date: PartialDate | None = Field(description="The most precise date the sources allow; null if none.")
    approximate: bool = Field(description="The date is known only to the month or year, or not at all.")
    date_basis: DateBasis | None = Field(
        default=None, description="'publication_date' when the year was taken from an article's publication date."
    )
    when: list[Attributed] = Field(description="The sources' own wordings of the date.")
    description: str
    conflict: str | None = Field(default=None, description="Id of a date conflict this entry is part of.")


class FigureValue(Sourced):
    """One value of a figure and the sources that report it."""

    value: float
    as_written: list[str]
    qualifiers: list[FigureQualifier]
    published: list[dt.date] = Field(default_factory=list, description="Publication dates of the sources.")


class FigureGroup(BaseModel):
    """Figures that measure the same thing; differing values are kept side by side."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="F1, F2, ...")
    what: str
    unit: str | None = None
    values: list[FigureValue] = Field(min_length=1)
    conflict: str | None = None


class MergedClaim(Sourced):
    """A claim or position, and who holds it."""

    holder: str
    claim: str


class MergedQuote(Sourced):
    """A quotation and its speaker."""

    speaker: str
    text: str


class Conflict(BaseModel):
    """A disagreement between sources: what about, each value, and the sources of each value."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="X1, X2, ...")
    kind: ConflictKind
    about: str
    values: list[Attributed] = Field(min_length=2)
    note: str | None = None


class CoalitionBrief(BaseModel):
    """The reconciled brief of many articles about one story."""

    model_config = ConfigDict(extra="forbid")

    story: str
    sources: list[Source]
    outlets: int = Field(description="Distinct outlets among the on-topic sources.")
    first_published: dt.date | None = None
    last_published: dt.date | None = None
    coalitions: list[MergedCoalition] = Field(default_factory=list)
    people: list[MergedPerson] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(
        default_factory=list, description="Dated events by date, then events without a date in source order."
    )
    figures: list[FigureGroup] = Field(default_factory=list)
    claims: list[MergedClaim] = Field(default_factory=list)
    quotes: list[MergedQuote] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    merge_version: str
