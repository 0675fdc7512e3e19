"""The merged brief: a :class:`CoalitionBrief` reconciled from many article briefs.

A CoalitionBrief is built from many ArticleBriefs by :mod:`summarise.merge` with no model.
Facts point at sources by article id; every source backing a fact is a ``Support`` carrying
that source's own evidence span, so each line of the brief can be checked against its articles.
``schemas/coalition_brief.schema.json`` is generated from :class:`CoalitionBrief`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from summarise.schemas.article import CoalitionKind, DateBasis, FigureQualifier, MemberStatus
from summarise.schemas.fields import PartialDate

AgreementStatus = Literal["agreed", "single_source", "conflict"]
ConflictKind = Literal["member_list", "member_count", "leader", "date", "figure", "name_spelling", "claim", "status"]


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
        "conflict: a source that enumerates the coalition's members leaves it out, or sources give it "
        "statuses that no change over time explains."
    )
    membership: list[MemberStatus] = Field(
        description="What the sources say it is: member, joining, invited, declined, withdrawn, suspended, observer."
    )
    statuses: list[Attributed] = Field(
        default_factory=list,
        description="Each status with its sources, and the date its sentence gives ('withdrawn, 2023-07').",
    )
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
